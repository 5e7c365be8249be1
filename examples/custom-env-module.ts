/**
 * A custom env, written against Keiko's public `Env` interface and registered as "MyWalk-v0".
 * Importing this module registers it, so the CLI can train it:
 *
 *   npx keiko train --import ./examples/custom-env-module.ts --env MyWalk-v0 --steps 4000
 *
 * The walk: a corridor of `length` cells (default 10). The agent starts in one of the first
 * three cells and steps left or right; reaching the last cell pays +1 and ends the episode, every
 * other step costs 0.01, and the episode is cut after 30 steps. A random policy rarely reaches
 * the goal in time (mean return about −0.05); walking right at once returns about 0.93.
 *
 * In your own project, import from the package instead: `import { register, ... } from 'keiko/envs'`.
 */
import {
  EMPTY_INFO,
  EnvOrderError,
  box,
  discrete,
  invalidActionError,
  isValidAction,
  register,
  type Box,
  type Env,
  type EnvOptions,
  type EnvSpec,
  type RenderFrame,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from '../envs/index';
import { Random } from '../src/random';

export const MY_WALK_SPEC: EnvSpec = {
  id: 'MyWalk-v0',
  // make() wraps the env in a TimeLimit of this many steps (truncated = true at the limit).
  maxEpisodeSteps: 30,
  rewardThreshold: 0.85,
  // No family of its own: the viewer draws 'observation' frames as a heat map.
  family: 'observation',
};

export class WalkEnv implements Env<Float32Array> {
  readonly length: number;
  // The observation is the one-hot position: cell i of `length`.
  readonly observationSpace: Box;
  readonly actionSpace = discrete(2, ['left', 'right']);
  readonly spec = MY_WALK_SPEC;

  private position = 0;
  private live = false;
  private rng = new Random(0);
  // Reused every call: an env allocates nothing per step (read the fields, copy the observation).
  private readonly observation: Float32Array;
  private readonly stepResult: StepResult<Float32Array>;
  private readonly resetResult: ResetResult<Float32Array>;

  constructor(options: { length?: number } = {}) {
    const length = options.length ?? 10;
    if (!Number.isInteger(length) || length < 4) throw new RangeError(`MyWalk-v0: length must be an integer ≥ 4, got ${String(length)}`);
    this.length = length;
    this.observationSpace = box({ shape: [length], low: 0, high: 1, dtype: 'float32' });
    this.observation = new Float32Array(length);
    this.stepResult = { observation: this.observation, reward: 0, terminated: false, truncated: false, info: EMPTY_INFO };
    this.resetResult = { observation: this.observation, info: EMPTY_INFO };
  }

  get unwrapped(): Env {
    return this;
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    // All randomness comes from one generator, re-seeded by reset({ seed }): same seed, same episode.
    if (options.seed !== undefined) this.rng = new Random(options.seed);
    this.position = this.rng.integer(0, 3);
    this.live = true;
    this.observe();
    return this.resetResult;
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.live) throw new EnvOrderError(this.spec.id, this.position === this.length - 1 ? 'afterDone' : 'beforeReset');
    if (!isValidAction(action, this.actionSpace.n)) throw invalidActionError(this.spec.id, this.actionSpace, action);
    this.position = Math.min(this.length - 1, Math.max(0, this.position + (action === 1 ? 1 : -1)));
    const atGoal = this.position === this.length - 1;
    this.live = !atGoal;
    this.observe();
    const r = this.stepResult;
    r.reward = atGoal ? 1 : -0.01;
    r.terminated = atGoal;
    r.truncated = false;
    return r;
  }

  render(): RenderFrame {
    return { family: 'observation', shape: [this.length], data: Array.from(this.observation) };
  }

  close(): void {}

  private observe(): void {
    this.observation.fill(0);
    this.observation[this.position] = 1;
  }
}

/** The factory make('MyWalk-v0', options) calls; unknown options are an error naming them. */
function createWalk(options: EnvOptions = {}): Env {
  const { length, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`make("MyWalk-v0"): unknown option(s) ${unknown.join(', ')}; MyWalk-v0 accepts length and maxEpisodeSteps`);
  if (length !== undefined && typeof length !== 'number') throw new Error(`make("MyWalk-v0"): length must be a number, got ${JSON.stringify(length)}`);
  return new WalkEnv({ length });
}

register('MyWalk-v0', createWalk, MY_WALK_SPEC);
