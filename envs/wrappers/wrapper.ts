/**
 * Base class for wrappers: forwards spaces, spec, render, close and `unwrapped` to the wrapped
 * env, so any stack of wrappers keeps them reachable. Subclass one of the single-hook bases when
 * it fits — ObservationWrapper, RewardWrapper, ActionWrapper — and this one otherwise.
 */
import type { BoxSpace, DiscreteSpace, Env, EnvSpec, ObservationArray, RenderFrame, ResetOptions, ResetResult, StepResult } from '../core';

export abstract class Wrapper<O extends ObservationArray = ObservationArray, I extends ObservationArray = ObservationArray>
  implements Env<O>
{
  constructor(readonly env: Env<I>) {}

  get observationSpace(): BoxSpace {
    return this.env.observationSpace;
  }

  get actionSpace(): DiscreteSpace {
    return this.env.actionSpace;
  }

  get spec(): EnvSpec {
    return this.env.spec;
  }

  get unwrapped(): Env<ObservationArray> {
    return this.env.unwrapped;
  }

  abstract reset(options?: ResetOptions): ResetResult<O>;
  abstract step(action: number): StepResult<O>;

  render(): RenderFrame {
    return this.env.render();
  }

  close(): void {
    this.env.close();
  }
}

/** A reusable step-result object for wrappers that rewrite fields of the inner result. */
export function newStepResult<O extends ObservationArray>(observation: O): StepResult<O> {
  return { observation, reward: 0, terminated: false, truncated: false, info: {} };
}

/**
 * Fills a wrapper's reused result from the inner env's result (which belongs to the inner env),
 * with `observation` as its observation; the wrapper then rewrites only the field it owns.
 */
export function fillStepResult<O extends ObservationArray>(to: StepResult<O>, from: StepResult<ObservationArray>, observation: O): StepResult<O> {
  to.observation = observation;
  to.reward = from.reward;
  to.terminated = from.terminated;
  to.truncated = from.truncated;
  to.info = from.info;
  return to;
}
