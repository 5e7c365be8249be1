/**
 * FrameStack(k): the observation is the last k observations, oldest first. On reset the stack is
 * filled with k copies of the reset observation (Gymnasium's FrameStackObservation default,
 * padding "reset"). axis 'first' (default, as Gymnasium) gives shape [k, ...shape]; axis 'last'
 * stacks along the last (channel) axis, [..., C·k] — what a channels-last conv net wants — with
 * each cell holding frame 0's C channels, then frame 1's, and so on.
 */
import type { BoxSpace, Env, ObservationArray, ResetOptions, ResetResult } from '../core';
import { ObservationWrapper, tileBound } from './observation-wrapper';
import { box } from '../spaces';

export interface FrameStackOptions {
  /** 'first' (default): [k, ...shape]; 'last': [...shape[:-1], shape[-1]·k]. */
  axis?: 'first' | 'last';
}

export class FrameStack<O extends ObservationArray = ObservationArray> extends ObservationWrapper<O, O> {
  readonly axis: 'first' | 'last';
  private readonly frameSize: number;
  /** Elements per cell along the last axis (the channels). */
  private readonly channels: number;
  /** Set by reset(): the next observation fills every slot (padding "reset"). */
  private empty = true;

  constructor(env: Env<O>, readonly k: number, options: FrameStackOptions = {}) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`FrameStack: k must be a positive integer, got ${k}`);
    const axis = options.axis ?? 'first';
    if (axis !== 'first' && axis !== 'last') throw new RangeError(`FrameStack: axis must be 'first' or 'last', got ${String(axis)}`);
    const inner = env.observationSpace;
    const shape = inner.shape.length === 0 ? [1] : [...inner.shape];
    const stackedShape = axis === 'first' ? [k, ...shape] : [...shape.slice(0, -1), shape[shape.length - 1] * k];
    const channels = shape[shape.length - 1];
    const frameSize = shape.reduce((a, b) => a * b, 1);
    const space = box({
      shape: stackedShape,
      dtype: inner.dtype,
      low: axis === 'first' || typeof inner.low === 'number' ? tileBound(inner.low, k) : interleave(inner.low, channels, k),
      high: axis === 'first' || typeof inner.high === 'number' ? tileBound(inner.high, k) : interleave(inner.high, channels, k),
    });
    super(env, space);
    this.axis = axis;
    this.frameSize = frameSize;
    this.channels = channels;
  }

  override reset(options?: ResetOptions): ResetResult<O> {
    this.empty = true;
    return super.reset(options);
  }

  observation(input: O): O {
    const { k, frameSize, channels, output } = this;
    const pad = this.empty;
    this.empty = false;
    if (this.axis === 'first') {
      if (pad) for (let f = 0; f < k; f++) output.set(input, f * frameSize);
      else {
        output.copyWithin(0, frameSize);
        output.set(input, (k - 1) * frameSize);
      }
      return output;
    }
    const cellStride = channels * k;
    const cells = frameSize / channels;
    for (let cell = 0; cell < cells; cell++) {
      const base = cell * cellStride;
      const src = cell * channels;
      if (pad) {
        for (let f = 0; f < k; f++) for (let c = 0; c < channels; c++) output[base + f * channels + c] = input[src + c];
      } else {
        for (let j = 0; j < cellStride - channels; j++) output[base + j] = output[base + j + channels];
        for (let c = 0; c < channels; c++) output[base + cellStride - channels + c] = input[src + c];
      }
    }
    return output;
  }
}

function interleave(bound: Float32Array, channels: number, k: number): Float32Array {
  const cells = bound.length / channels;
  const out = new Float32Array(bound.length * k);
  for (let cell = 0; cell < cells; cell++)
    for (let f = 0; f < k; f++) for (let c = 0; c < channels; c++) out[cell * channels * k + f * channels + c] = bound[cell * channels + c];
  return out;
}
