/**
 * ActionRepeat (frame skip): each step() applies the action k times, summing the rewards, and
 * stops early when the episode ends. Returns the last observation, flags and info.
 */
import type { Env, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, fillStepResult, newStepResult } from './wrapper';

export class ActionRepeat<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  private readonly out: StepResult<O>;

  constructor(env: Env<O>, readonly repeat: number) {
    super(env);
    if (!Number.isInteger(repeat) || repeat < 1) throw new RangeError(`ActionRepeat: repeat must be a positive integer, got ${repeat}`);
    this.out = newStepResult(null as unknown as O);
  }

  reset(options?: ResetOptions): ResetResult<O> {
    return this.env.reset(options);
  }

  step(action: number): StepResult<O> {
    let total = 0;
    let r!: StepResult<O>;
    for (let i = 0; i < this.repeat; i++) {
      r = this.env.step(action);
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
    const out = fillStepResult(this.out, r, r.observation);
    out.reward = total;
    return out;
  }
}
