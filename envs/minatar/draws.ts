/**
 * The random source MinAtar games draw from. `Random` (src/random.ts) satisfies it; tests pass a
 * scripted source to check that every draw happens where and in the order the rules say.
 */
export interface DrawSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** Uniform integer in [lo, hi), hi exclusive. */
  integer(lo: number, hi: number): number;
}

/** The rules of one MinAtar game on preallocated state; the env wraps it in the `Env` API. */
export interface MinAtarGame {
  /** The original's game name, e.g. 'space_invaders'. */
  readonly name: string;
  /** Observation channel names, in order. */
  readonly channels: readonly string[];
  /** The game's minimal action set as indices into the full set (0 no-op … 5 fire). */
  readonly minimalActions: readonly number[];
  /** Set when the game is over; the env refuses further steps until reset. */
  readonly terminal: boolean;
  /** Restore the initial state; draws continue from the same source. */
  reset(draws: DrawSource): void;
  /** Apply one full-set action (0..5); returns the reward. */
  step(action: number, draws: DrawSource): number;
  /** Write the 10×10×C HWC 0/1 observation into `out` (length 100·C), overwriting all of it. */
  writeObservation(out: Uint8Array): void;
}

export interface GameOptions {
  /** Speed up spawns and movement over time as the original does (default true). */
  difficultyRamping?: boolean;
}

/** Full action indices, in MinAtar's order. */
export const NOOP = 0;
export const LEFT = 1;
export const UP = 2;
export const RIGHT = 3;
export const DOWN = 4;
export const FIRE = 5;
export const FULL_ACTION_NAMES = ['noop', 'left', 'up', 'right', 'down', 'fire'] as const;

export const GRID = 10;
