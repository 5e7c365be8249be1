/**
 * Base for wrappers that change only the observation: subclasses implement `observation(input)`
 * (Gymnasium's ObservationWrapper.observation), called on every reset and step observation. To
 * allocate nothing per step it writes into `this.output`, preallocated from the wrapper's space,
 * and returns it.
 */
import type { BoxSpace, Env, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, fillStepResult, newStepResult } from './wrapper';

export function allocateObservation(space: BoxSpace): ObservationArray {
  const size = space.shape.reduce((a, b) => a * b, 1);
  return space.dtype === 'float32' ? new Float32Array(size) : new Uint8Array(size);
}

/** Repeats per-element bounds `times` times (or keeps a scalar bound). */
export function tileBound(bound: number | Float32Array, times: number): number | Float32Array {
  if (typeof bound === 'number') return bound;
  const out = new Float32Array(bound.length * times);
  for (let i = 0; i < times; i++) out.set(bound, i * bound.length);
  return out;
}

export abstract class ObservationWrapper<O extends ObservationArray, I extends ObservationArray = ObservationArray> extends Wrapper<O, I> {
  /** The wrapper's observation array, overwritten by every `observation()` call. */
  protected readonly output: O;
  private readonly space: BoxSpace;
  private readonly out: StepResult<O>;
  private readonly resetOut: ResetResult<O>;

  protected constructor(env: Env<I>, observationSpace: BoxSpace) {
    super(env);
    this.space = observationSpace;
    this.output = allocateObservation(observationSpace) as O;
    this.out = newStepResult(this.output);
    this.resetOut = { observation: this.output, info: {} };
  }

  override get observationSpace(): BoxSpace {
    return this.space;
  }

  abstract observation(input: I): O;

  reset(options?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(options);
    this.resetOut.observation = this.observation(r.observation);
    this.resetOut.info = r.info;
    return this.resetOut;
  }

  step(action: number): StepResult<O> {
    const r = this.env.step(action);
    return fillStepResult(this.out, r, this.observation(r.observation));
  }
}
