/**
 * What the three classic-control envs share: a float64 physics state in Gymnasium's order, a
 * float32 observation array and a step-result object that are reused every step, a seeded
 * generator, and Gymnasium's call-order rules (reset before step; no step after termination).
 */
import type { BoxSpace, DiscreteSpace, Env, EnvSpec, RenderFrame, ResetOptions, ResetResult, StepResult } from '../core';
import { EMPTY_INFO, EnvOrderError, invalidActionError, isValidAction } from '../errors';
import { Random } from '../../src/random';
import { box, type Box } from '../spaces';

/** Seed used by the first reset() when none was ever given (Keiko never draws entropy). */
export const DEFAULT_ENV_SEED = 0;

export abstract class ClassicControlEnv implements Env<Float32Array> {
  abstract readonly observationSpace: BoxSpace;
  abstract readonly actionSpace: DiscreteSpace;
  readonly spec: EnvSpec;

  protected readonly physics: Float64Array;
  protected readonly obs: Float32Array;
  protected rng: Random | null = null;
  /** 0 = live, 1 = never reset, 2 = episode ended. */
  protected phase: 0 | 1 | 2 = 1;
  private readonly result: StepResult<Float32Array>;
  private readonly resetResult: ResetResult<Float32Array>;
  private readonly n: number;

  protected constructor(spec: EnvSpec, stateSize: number, obsSize: number, actionCount: number) {
    this.spec = spec;
    this.physics = new Float64Array(stateSize);
    this.obs = new Float32Array(obsSize);
    this.n = actionCount;
    this.result = { observation: this.obs, reward: 0, terminated: false, truncated: false, info: EMPTY_INFO };
    this.resetResult = { observation: this.obs, info: EMPTY_INFO };
  }

  get unwrapped(): Env<Float32Array> {
    return this;
  }

  /** The live float64 physics state; assigning copies the values in and makes the episode live. */
  get state(): Float64Array {
    return this.physics;
  }

  set state(values: Float64Array | ArrayLike<number>) {
    if (values.length !== this.physics.length) {
      throw new RangeError(`${this.spec.id}: state must have ${this.physics.length} values, got ${values.length}`);
    }
    for (let i = 0; i < this.physics.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeError(`${this.spec.id}: state[${i}] must be a number, got ${String(v)}`);
      this.physics[i] = v;
    }
    this.afterStateSet();
    this.writeObservation();
    this.phase = 0;
  }

  /** The generator behind resets (seeded by reset({seed})); exposed for checkpoints. */
  get random(): Random {
    if (!this.rng) this.rng = new Random(DEFAULT_ENV_SEED);
    return this.rng;
  }

  reset(options?: ResetOptions): ResetResult<Float32Array> {
    if (options?.seed !== undefined) {
      if (!Number.isFinite(options.seed)) throw new RangeError(`${this.spec.id}: reset seed must be a finite number, got ${options.seed}`);
      this.rng = new Random(options.seed);
    }
    this.sampleInitialState(this.random);
    this.writeObservation();
    this.phase = 0;
    this.resetResult.observation = this.obs;
    this.resetResult.info = EMPTY_INFO;
    return this.resetResult;
  }

  step(action: number): StepResult<Float32Array> {
    if (!isValidAction(action, this.n)) throw invalidActionError(this.spec.id, this.actionSpace, action);
    if (this.phase !== 0) throw new EnvOrderError(this.spec.id, this.phase === 1 ? 'beforeReset' : 'afterDone');
    const r = this.result;
    r.terminated = this.advance(action);
    r.reward = this.rewardFor(r.terminated);
    r.truncated = false;
    r.observation = this.obs;
    r.info = EMPTY_INFO;
    if (r.terminated) this.phase = 2;
    this.writeObservation();
    return r;
  }

  abstract render(): RenderFrame;

  close(): void {}

  /** Draws the start state into `physics`. */
  protected abstract sampleInitialState(rng: Random): void;
  /** Applies one action to `physics`; returns whether the new state is terminal. */
  protected abstract advance(action: number): boolean;
  protected abstract rewardFor(terminated: boolean): number;
  /** Fills `obs` from `physics`. */
  protected abstract writeObservation(): void;
  protected afterStateSet(): void {}
}

/**
 * The classic-control env beneath any stack of wrappers, for reaching its physics `state`
 * (e.g. `classicControl(make('CartPole-v1')).state = start`). Other envs have no such state.
 */
export function classicControl(env: Env): ClassicControlEnv {
  const inner = env.unwrapped;
  if (!(inner instanceof ClassicControlEnv)) throw new TypeError(`${env.spec.id}: this env has no physics state (not a classic-control env)`);
  return inner;
}

/** A float32 Box from plain numbers (the bounds are cast like Gymnasium's np.float32 arrays). */
export function floatBox(low: number[], high: number[]): Box {
  return box({ shape: [low.length], low: Float32Array.from(low), high: Float32Array.from(high), dtype: 'float32' });
}
