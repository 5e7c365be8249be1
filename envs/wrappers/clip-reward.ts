/** ClipReward: clamps every reward to [min, max] (e.g. [-1, 1] as in DQN on Atari). */
import type { Env, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, newStepResult } from './wrapper';

export class ClipReward<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  private readonly out: StepResult<O>;

  constructor(env: Env<O>, readonly min = -1, readonly max = 1) {
    super(env);
    if (!(min <= max)) throw new RangeError(`ClipReward: min (${min}) must be <= max (${max})`);
    this.out = newStepResult(null as unknown as O);
  }

  reset(options?: ResetOptions): ResetResult<O> {
    return this.env.reset(options);
  }

  step(action: number): StepResult<O> {
    const r = this.env.step(action);
    const out = this.out;
    out.observation = r.observation;
    out.reward = Math.min(Math.max(r.reward, this.min), this.max);
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }
}
