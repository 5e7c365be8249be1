/**
 * Base for wrappers that change only the reward: subclasses implement `reward(r)` (Gymnasium's
 * RewardWrapper.reward). Observation, flags and info pass through untouched.
 */
import type { Env, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, fillStepResult, newStepResult } from './wrapper';

export abstract class RewardWrapper<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  private readonly out: StepResult<O>;

  constructor(env: Env<O>) {
    super(env);
    this.out = newStepResult(null as unknown as O);
  }

  abstract reward(reward: number): number;

  reset(options?: ResetOptions): ResetResult<O> {
    return this.env.reset(options);
  }

  step(action: number): StepResult<O> {
    const r = this.env.step(action);
    const out = fillStepResult(this.out, r, r.observation);
    out.reward = this.reward(r.reward);
    return out;
  }
}
