/**
 * Base class for wrappers: forwards spaces, spec, render, close, `unwrapped` and the physics
 * `state` to the wrapped env, so any stack of wrappers keeps them reachable.
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

  get state(): Float64Array | undefined {
    return this.env.state;
  }

  set state(values: Float64Array | undefined) {
    if (this.env.state === undefined || values === undefined) {
      throw new TypeError(`${this.spec.id}: this env has no physics state to set`);
    }
    this.env.state = values;
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
