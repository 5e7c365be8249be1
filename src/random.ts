/**
 * Seeded random numbers for everything in Keiko (envs, exploration, replay sampling, init).
 * Never use Math.random: one seed must reproduce a whole run, and a generator's state must
 * round-trip through a checkpoint.
 */
import seedrandom from 'seedrandom';

/** Serialisable generator state (alea: three floats and a counter). */
export interface RandomState {
  readonly kind: 'alea';
  readonly state: { c: number; s0: number; s1: number; s2: number };
}

type Alea = seedrandom.PRNG & { state(): RandomState['state'] };

export class Random {
  private prng: Alea;

  constructor(seed: number | string, state?: RandomState) {
    this.prng = (state
      ? seedrandom.alea('', { state: { ...state.state } })
      : seedrandom.alea(String(seed), { state: true })) as unknown as Alea;
  }

  static fromState(state: RandomState): Random {
    return new Random(0, state);
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.prng();
  }

  /** Uniform integer in [lo, hi), hi exclusive. */
  integer(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo));
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.prng() * (hi - lo);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.prng());
  }

  /** A 32-bit unsigned integer, e.g. to seed another generator. */
  uint32(): number {
    return Math.floor(this.prng() * 4294967296) >>> 0;
  }

  getState(): RandomState {
    return { kind: 'alea', state: this.prng.state() };
  }

  setState(state: RandomState): void {
    this.prng = seedrandom.alea('', { state: { ...state.state } }) as unknown as Alea;
  }
}

/**
 * Derive an independent 32-bit seed for a named stream ("env", "replay", "init", ...) from the
 * one run seed, so that adding a consumer of randomness never shifts the others.
 */
export function deriveSeed(seed: number, stream: string): number {
  // FNV-1a over the stream name, mixed with the seed through a murmur3 finaliser.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
