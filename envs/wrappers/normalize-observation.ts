/**
 * NormalizeObservation: (obs − mean) / sqrt(var + epsilon) per element, with the running mean and
 * variance updated from every observation (reset ones included) before normalising — the
 * parallel-moments update (Chan et al.) that Gymnasium's RunningMeanStd uses, here with one
 * sample per update, starting from count 1e-4, mean 0, var 1. Set `update = false` to freeze the
 * statistics (evaluation). The output is float32.
 */
import type { Env, ObservationArray } from '../core';
import { ObservationWrapper } from './observation-wrapper';
import { box } from '../spaces';

export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class NormalizeObservation extends ObservationWrapper<Float32Array> {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count = 1e-4;
  /** Whether observations update the statistics. */
  update = true;

  constructor(env: Env, readonly epsilon = 1e-8) {
    const inner = env.observationSpace;
    super(env, box({ shape: inner.shape, dtype: 'float32', low: -Infinity, high: Infinity }));
    const size = this.output.length;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }

  observation(input: ObservationArray): Float32Array {
    const { mean, var: variance, epsilon, output } = this;
    if (this.update) {
      const count = this.count;
      const total = count + 1;
      for (let i = 0; i < mean.length; i++) {
        const delta = input[i] - mean[i];
        mean[i] += delta / total;
        variance[i] = (variance[i] * count + (delta * delta * count) / total) / total;
      }
      this.count = total;
    }
    for (let i = 0; i < output.length; i++) output[i] = (input[i] - mean[i]) / Math.sqrt(variance[i] + epsilon);
    return output;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(state: RunningMeanStdState): void {
    if (state.mean.length !== this.mean.length || state.var.length !== this.var.length) {
      throw new RangeError(`NormalizeObservation: state has ${state.mean.length} means, expected ${this.mean.length}`);
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }
}
