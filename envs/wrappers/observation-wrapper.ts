/**
 * Base for wrappers that rewrite observations into their own preallocated array: subclasses
 * implement `transform(input, output, isReset)`.
 */
import type { BoxSpace, Env, ObservationArray, ResetOptions, ResetResult, StepResult } from '../core';
import { Wrapper, newStepResult } from './wrapper';

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
  protected readonly output: O;
  private readonly out: StepResult<O>;
  private readonly resetOut: ResetResult<O>;

  private readonly space: BoxSpace;

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

  protected abstract transform(input: I, output: O, isReset: boolean): void;

  reset(options?: ResetOptions): ResetResult<O> {
    const r = this.env.reset(options);
    this.transform(r.observation, this.output, true);
    this.resetOut.info = r.info;
    return this.resetOut;
  }

  step(action: number): StepResult<O> {
    const r = this.env.step(action);
    this.transform(r.observation, this.output, false);
    const out = this.out;
    out.reward = r.reward;
    out.terminated = r.terminated;
    out.truncated = r.truncated;
    out.info = r.info;
    return out;
  }
}
