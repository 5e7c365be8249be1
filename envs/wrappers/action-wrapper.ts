/**
 * Base for wrappers that change only the action: subclasses implement `action(a)` (Gymnasium's
 * ActionWrapper.action), which maps the agent's action to the one the inner env receives. The
 * inner result is returned as is, since nothing in it changes.
 */
import type { ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper } from './wrapper';

export abstract class ActionWrapper<O extends ObservationArray = ObservationArray> extends Wrapper<O, O> {
  abstract action(action: number): number;

  reset(options?: ResetOptions): ResetResult<O> {
    return this.env.reset(options);
  }

  step(action: number): StepResult<O> {
    return this.env.step(this.action(action));
  }
}
