/**
 * The env registry: ids → factories and specs, like gymnasium.make. make() wraps every env in a
 * TimeLimit from its spec (option `maxEpisodeSteps` overrides it; null disables it).
 */
import type { BoxSpace, DiscreteSpace, Env, EnvFactory, EnvOptions, EnvSpec } from './core';
import { CartPoleEnv, CARTPOLE_SPEC } from './classic/cartpole';
import { MountainCarEnv, MOUNTAIN_CAR_SPEC } from './classic/mountain-car';
import { AcrobotEnv, ACROBOT_SPEC } from './classic/acrobot';
import { TimeLimit } from './wrappers/time-limit';
import { closestMatch } from '../src/did-you-mean';
import { registerMinAtar } from './minatar/index';

export interface EnvEntry {
  readonly id: string;
  readonly spec: EnvSpec;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
}

interface Registration {
  factory: EnvFactory;
  spec: EnvSpec;
  spaces?: { observationSpace: BoxSpace; actionSpace: DiscreteSpace };
}

// One registry per process, even when two copies of this module load (a user's module importing
// the packaged `keiko/envs` while the CLI runs from sources): register() must land where make() looks.
const REGISTRY_KEY = Symbol.for('keiko.envs.registry');
const registry: Map<string, Registration> = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as Map<string, Registration> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = new Map<string, Registration>()) as Map<string, Registration>;

export function register(id: string, factory: EnvFactory, spec: EnvSpec): void {
  if (registry.has(id)) throw new Error(`register: env id "${id}" is already registered`);
  if (spec.id !== id) throw new Error(`register: spec.id "${spec.id}" does not match the id "${id}"`);
  registry.set(id, { factory, spec });
}

/** Every registered id with its spec and spaces, in registration order. */
export function listEnvs(): EnvEntry[] {
  return [...registry.entries()].map(([id, reg]) => {
    if (!reg.spaces) {
      const env = reg.factory();
      reg.spaces = { observationSpace: env.observationSpace, actionSpace: env.actionSpace };
      env.close();
    }
    return { id, spec: reg.spec, ...reg.spaces };
  });
}

/** The spec registered for `id` (throws the same unknown-id error as make). */
export function envSpec(id: string): EnvSpec {
  return lookup(id).spec;
}

export interface MakeOptions extends EnvOptions {
  /** Overrides the spec's time limit; null means no TimeLimit. */
  maxEpisodeSteps?: number | null;
}

export function make(id: string, options: MakeOptions = {}): Env {
  const reg = lookup(id);
  const { maxEpisodeSteps, ...envOptions } = options;
  if (maxEpisodeSteps !== undefined && maxEpisodeSteps !== null && !(Number.isInteger(maxEpisodeSteps) && maxEpisodeSteps > 0)) {
    throw new RangeError(`make("${id}"): maxEpisodeSteps must be a positive integer or null, got ${String(maxEpisodeSteps)}`);
  }
  const env = reg.factory(envOptions);
  const limit = maxEpisodeSteps === undefined ? reg.spec.maxEpisodeSteps : maxEpisodeSteps;
  return limit === null ? env : new TimeLimit(env, limit);
}

function lookup(id: string): Registration {
  const reg = registry.get(id);
  if (reg) return reg;
  const known = [...registry.keys()];
  const closest = closestId(id, known);
  const hint = closest ? ` Did you mean "${closest}"?` : '';
  throw new Error(`Unknown env id "${id}".${hint} Known ids: ${known.join(', ')}`);
}

/** The known id with the smallest (case-insensitive) edit distance, if it is plausibly a typo. */
export function closestId(id: string, known: readonly string[]): string | undefined {
  return closestMatch(id, known, { maxDistance: (_, closest) => Math.max(3, Math.floor(closest.length / 2)) });
}

function classic(create: () => Env, id: string): EnvFactory {
  return (options?: EnvOptions) => {
    const unknown = Object.keys(options ?? {});
    if (unknown.length > 0) {
      throw new Error(`make("${id}"): unknown option(s) ${unknown.map((k) => `"${k}"`).join(', ')}; ${id} accepts only maxEpisodeSteps`);
    }
    return create();
  };
}

register('CartPole-v1', classic(() => new CartPoleEnv(), 'CartPole-v1'), CARTPOLE_SPEC);
register('MountainCar-v0', classic(() => new MountainCarEnv(), 'MountainCar-v0'), MOUNTAIN_CAR_SPEC);
register('Acrobot-v1', classic(() => new AcrobotEnv(), 'Acrobot-v1'), ACROBOT_SPEC);
registerMinAtar(register);
