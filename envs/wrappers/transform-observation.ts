/**
 * TransformObservation: applies `fn(input, output)` into a preallocated array described by
 * `space` (dtype float32 → Float32Array, otherwise Uint8Array). flattenObservation() and
 * toFloat32() are the common cases.
 */
import type { BoxSpace, Env, ObservationArray } from '../core';
import { ObservationWrapper } from './observation-wrapper';
import { box } from '../spaces';

export type ObservationTransform<I extends ObservationArray, O extends ObservationArray> = (input: I, output: O) => void;

export class TransformObservation<O extends ObservationArray = ObservationArray, I extends ObservationArray = ObservationArray> extends ObservationWrapper<O, I> {
  constructor(env: Env<I>, private readonly fn: ObservationTransform<I, O>, space: BoxSpace) {
    super(env, space);
  }

  observation(input: I): O {
    this.fn(input, this.output);
    return this.output;
  }
}

function copyInto(input: ObservationArray, output: ObservationArray): void {
  output.set(input);
}

/** Flattens the observation space to one axis (the typed array is already flat). */
export function flattenObservation<O extends ObservationArray>(env: Env<O>): TransformObservation<O, O> {
  const s = env.observationSpace;
  const size = s.shape.reduce((a, b) => a * b, 1);
  return new TransformObservation<O, O>(env, copyInto, box({ ...s, shape: [size] }));
}

/** Casts observations to float32 (e.g. MinAtar's 0/1 bytes for a network input). */
export function toFloat32(env: Env): TransformObservation<Float32Array> {
  const s = env.observationSpace;
  return new TransformObservation<Float32Array>(env, copyInto, box({ ...s, dtype: 'float32' }));
}
