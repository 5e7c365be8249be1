/**
 * checkEnv(env): Keiko's env checker, in the spirit of Gymnasium's `check_env`. It runs an env
 * through the contract of core.ts and reports everything that breaks it:
 *
 * - the spaces: the observation space a box (shape, dtype, bounds), the action space discrete
 *   with one name per action; the spec's fields;
 * - reset({ seed }): an object with an observation of the dtype's typed array and the shape's
 *   size, inside the observation space, and an info object;
 * - step(a) for a few hundred sampled actions across episodes: a finite number reward, boolean
 *   terminated and truncated, an info object, an observation inside the space;
 * - render(): a JSON-serialisable frame with a string `family`;
 * - same-seed determinism: reset({ seed }) again with the same actions gives identical
 *   observations, rewards and flags.
 *
 * `envProblems(env)` returns the problems (empty: the env passes); `checkEnv(env)` throws one
 * EnvCheckError listing them all. Each message starts with the call or field at fault. A
 * problem that repeats (e.g. on every step) is reported once, with the step it first appeared at.
 */
import type { Env, ObservationArray } from './core';
import { make } from './registry';
import { Random } from '../src/random';
import { arrayTypeOf, boxViolation, spaceProblems, spaceSize } from './spaces';

export interface CheckEnvOptions {
  /** The seed of the two seeded passes (default 0). */
  seed?: number;
  /** Actions per pass, across as many episodes as they take (default 300). */
  steps?: number;
}

export class EnvCheckError extends Error {
  override name = 'EnvCheckError';
  constructor(
    readonly envId: string,
    readonly problems: readonly string[],
  ) {
    super(`${envId} does not follow Keiko's env API (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Throws an EnvCheckError listing every problem of the env (an id is made with make() and closed). */
export function checkEnv(env: Env | string, options: CheckEnvOptions = {}): void {
  const problems = envProblems(env, options);
  if (problems.length > 0) throw new EnvCheckError(typeof env === 'string' ? env : idOf(env), problems);
}

function idOf(env: Env): string {
  const id = (env as { spec?: { id?: unknown } }).spec?.id;
  return typeof id === 'string' ? id : 'the env';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** The path of the first part of `value` that JSON would not keep as it is, or null. */
function jsonProblem(value: unknown, path: string, depth = 0): string | null {
  if (depth > 50) return `${path} nests too deeply (a cycle?)`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value} (JSON has no NaN or Infinity)`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = jsonProblem(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (ArrayBuffer.isView(value)) return `${path} is a ${value.constructor.name}; use a plain array (Array.from(...)) so it survives JSON`;
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = jsonProblem(v, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === 'object') return `${path} is a ${(value as object).constructor?.name ?? 'non-plain object'}; use plain objects and arrays`;
  return `${path} is a ${typeof value}`;
}

const describe = (v: unknown): string =>
  v === null ? 'null' : v === undefined ? 'undefined' : ArrayBuffer.isView(v) ? `a ${v.constructor.name}` : typeof v === 'object' ? (Array.isArray(v) ? 'an array' : 'an object') : `${typeof v} ${JSON.stringify(v) ?? String(v)}`;

/** One pass: the observations (copied), rewards and end flags in order (a reset logs reward 0 and 'reset'), and the actions taken. */
interface Trace {
  observations: ObservationArray[];
  rewards: number[];
  flags: string[];
  actions: number[];
}

export function envProblems(envOrId: Env | string, options: CheckEnvOptions = {}): string[] {
  if (typeof envOrId === 'string') {
    let env: Env;
    try {
      env = make(envOrId);
    } catch (err) {
      return [`make("${envOrId}") threw: ${(err as Error).message}`];
    }
    try {
      return envProblems(env, options);
    } finally {
      env.close();
    }
  }
  const env = envOrId;
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 300;
  const problems: string[] = [];
  const seen = new Set<string>();
  /** Records a problem once per key (the first occurrence). */
  const report = (key: string, message: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(message);
  };

  // --- Declarations: spaces and spec.
  const obsSpaceProblems = spaceProblems(env.observationSpace, 'observationSpace');
  const actSpaceProblems = spaceProblems(env.actionSpace, 'actionSpace');
  problems.push(...obsSpaceProblems, ...actSpaceProblems);
  const spec = (env as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== 'object') {
    problems.push(`spec is ${describe(spec)}; expected { id, maxEpisodeSteps, rewardThreshold, family }`);
  } else {
    const s = spec as Record<string, unknown>;
    if (typeof s.id !== 'string' || s.id === '') problems.push(`spec.id is ${describe(s.id)}; expected the registered id, e.g. 'MyEnv-v0'`);
    if (!(s.maxEpisodeSteps === null || (typeof s.maxEpisodeSteps === 'number' && Number.isInteger(s.maxEpisodeSteps) && s.maxEpisodeSteps > 0))) {
      problems.push(`spec.maxEpisodeSteps is ${describe(s.maxEpisodeSteps)}; expected a positive integer or null`);
    }
    if (!(s.rewardThreshold === null || (typeof s.rewardThreshold === 'number' && Number.isFinite(s.rewardThreshold)))) {
      problems.push(`spec.rewardThreshold is ${describe(s.rewardThreshold)}; expected a finite number or null`);
    }
    if (typeof s.family !== 'string' || s.family === '') problems.push(`spec.family is ${describe(s.family)}; expected a string naming the render frames (e.g. 'observation')`);
  }
  if (env.unwrapped === null || typeof env.unwrapped !== 'object') problems.push(`unwrapped is ${describe(env.unwrapped)}; an env returns itself (a wrapper the innermost env)`);
  for (const method of ['reset', 'step', 'render', 'close'] as const) {
    if (typeof env[method] !== 'function') problems.push(`${method} is ${describe(env[method])}; expected a method`);
  }
  if (['reset', 'step'].some((m) => typeof env[m as 'reset'] !== 'function')) return problems;

  const space = obsSpaceProblems.length === 0 ? env.observationSpace : null;
  const nActions = actSpaceProblems.length === 0 ? env.actionSpace.n : typeof env.actionSpace?.n === 'number' && env.actionSpace.n >= 1 ? Math.floor(env.actionSpace.n) : 1;

  const checkObservation = (obs: unknown, where: string, key: string): boolean => {
    if (!space) return ArrayBuffer.isView(obs);
    const Ctor = arrayTypeOf(space.dtype);
    if (!(obs instanceof Ctor)) {
      report(`${key}:dtype`, `${where}: observation is ${describe(obs)}; observationSpace.dtype '${space.dtype}' needs a ${Ctor.name}`);
      return false;
    }
    const size = spaceSize(space);
    if (obs.length !== size) {
      report(`${key}:length`, `${where}: observation has ${obs.length} elements; observationSpace.shape [${space.shape.join(', ')}] has ${size}`);
      return false;
    }
    const why = boxViolation(space, obs);
    if (why) report(`${key}:space`, `${where}: observation is outside observationSpace: observation${why}`);
    return true;
  };
  const checkInfo = (info: unknown, where: string, key: string) => {
    if (info === null || typeof info !== 'object' || Array.isArray(info)) report(`${key}:info`, `${where}: info is ${describe(info)}; expected an object (e.g. {})`);
  };
  const checkFrame = (where: string) => {
    if (typeof env.render !== 'function') return;
    let frame: unknown;
    try {
      frame = env.render();
    } catch (err) {
      report('render:threw', `${where}: render() threw: ${(err as Error).message}`);
      return;
    }
    if (!isPlainObject(frame)) {
      report('render:object', `${where}: render() returned ${describe(frame)}; expected a JSON frame object (docs/render-frames.md)`);
      return;
    }
    if (typeof frame.family !== 'string') report('render:family', `${where}: render() frame has family ${describe(frame.family)}; expected a string, e.g. 'observation'`);
    const why = jsonProblem(frame, 'frame');
    if (why) report('render:json', `${where}: render() frame is not JSON-serialisable: ${why}`);
  };

  /** One seeded pass: reset, then `steps` actions (resetting unseeded at each episode end). */
  const run = (actions: number[] | null, label: string): Trace | null => {
    const trace: Trace = { observations: [], rewards: [], flags: [], actions: [] };
    const rng = new Random(seed);
    const doReset = (opts: { seed?: number }, where: string): boolean => {
      let r: unknown;
      try {
        r = env.reset(opts);
      } catch (err) {
        report(`${label}:reset:threw`, `${where} threw: ${(err as Error).message}`);
        return false;
      }
      if (r === null || typeof r !== 'object') {
        report('reset:result', `${where} returned ${describe(r)}; expected { observation, info }`);
        return false;
      }
      const { observation, info } = r as { observation: unknown; info: unknown };
      if (!checkObservation(observation, where, 'reset')) return false;
      checkInfo(info, where, 'reset');
      trace.observations.push((observation as ObservationArray).slice());
      trace.rewards.push(0);
      trace.flags.push('reset');
      return true;
    };
    if (!doReset({ seed }, `reset({ seed: ${seed} })`)) return null;
    if (actions === null) checkFrame(`after reset({ seed: ${seed} })`);
    for (let t = 0; t < steps; t++) {
      const action = actions ? actions[t] : rng.integer(0, nActions);
      trace.actions.push(action);
      const where = `step(${action}) (step ${t + 1} after reset({ seed: ${seed} }))`;
      let r: unknown;
      try {
        r = env.step(action);
      } catch (err) {
        report(`${label}:step:threw`, `${where} threw: ${(err as Error).message}`);
        return null;
      }
      if (r === null || typeof r !== 'object') {
        report('step:result', `${where} returned ${describe(r)}; expected { observation, reward, terminated, truncated, info }`);
        return null;
      }
      const { observation, reward, terminated, truncated, info } = r as Record<string, unknown>;
      if (!checkObservation(observation, where, 'step')) return null;
      if (typeof reward !== 'number') report('step:reward:type', `${where}: reward is ${describe(reward)}; expected a number`);
      else if (!Number.isFinite(reward)) report('step:reward:finite', `${where}: reward is ${reward}; rewards must be finite`);
      if (typeof terminated !== 'boolean') report('step:terminated', `${where}: terminated is ${describe(terminated)}; expected true or false`);
      if (typeof truncated !== 'boolean') report('step:truncated', `${where}: truncated is ${describe(truncated)}; expected true or false`);
      checkInfo(info, where, 'step');
      trace.observations.push((observation as ObservationArray).slice());
      trace.rewards.push(typeof reward === 'number' ? reward : NaN);
      trace.flags.push(`${String(terminated)}/${String(truncated)}`);
      if (actions === null && t === 0) checkFrame(`after ${where}`);
      if (terminated === true || truncated === true) {
        if (!doReset({}, `reset() after the episode ended at step ${t + 1}`)) return null;
      }
    }
    return trace;
  };

  const first = run(null, 'first');
  if (!first) return problems;
  const second = run(first.actions, 'second');
  if (!second) return problems;
  // --- Determinism: the same seed and actions must give the same trajectory.
  const n = Math.min(first.observations.length, second.observations.length);
  for (let i = 0; i < n; i++) {
    const a = first.observations[i];
    const b = second.observations[i];
    const at = i === 0 ? `the first observation after reset({ seed: ${seed} })` : `after reset({ seed: ${seed} }) and the same ${countActions(first.flags, i)} actions`;
    const j = firstDifference(a, b);
    if (j !== null) {
      problems.push(`not deterministic under a seed: ${at}, observation[${j}] was ${a[j]} the first time and ${b[j]} the second (an env must draw all randomness from a generator seeded by reset({ seed }))`);
      return problems;
    }
    if (first.rewards[i] !== second.rewards[i] && !(Number.isNaN(first.rewards[i]) && Number.isNaN(second.rewards[i]))) {
      problems.push(`not deterministic under a seed: ${at}, the reward was ${first.rewards[i]} the first time and ${second.rewards[i]} the second`);
      return problems;
    }
    if (first.flags[i] !== second.flags[i]) {
      problems.push(`not deterministic under a seed: ${at}, the episode ${first.flags[i] === 'reset' || second.flags[i] === 'reset' ? 'ended at a different step' : `flags (terminated/truncated) were ${first.flags[i]} the first time and ${second.flags[i]} the second`}`);
      return problems;
    }
  }
  return problems;
}

function countActions(flags: string[], upTo: number): number {
  let n = 0;
  for (let i = 1; i <= upTo; i++) if (flags[i] !== 'reset') n++;
  return n;
}

function firstDifference(a: ObservationArray, b: ObservationArray): number | null {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return null;
}
