/** What bench/nn.ts and bench/nn-act.ts share: the benchmark networks, FLOP counts, timing. */
import * as tf from '@tensorflow/tfjs';
import type { NetworkSpec } from '../src/layers/index';
import { Random } from '../src/random';

export interface NetCase {
  name: string;
  spec: NetworkSpec;
  inputShape: number[];
  batch: number;
  actions: number;
}

export const NETS: NetCase[] = [
  {
    name: 'MLP 4→128→128→2, batch 64',
    spec: [
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 2 },
    ],
    inputShape: [4],
    batch: 64,
    actions: 2,
  },
  {
    name: 'CNN 10×10×4→conv16 3×3→dense128→6, batch 32',
    spec: [
      { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 6 },
    ],
    inputShape: [10, 10, 4],
    batch: 32,
    actions: 6,
  },
];

/** Multiply-adds ×2 of one forward pass for one sample, per layer (dense/conv only; the rest is O(n)). */
export function layerFlops(model: tf.LayersModel): { flops: number; firstTrainable: boolean }[] {
  const out: { flops: number; firstTrainable: boolean }[] = [];
  let first = true;
  for (const layer of model.layers) {
    const cfg = layer.getConfig() as { filters?: number; units?: number; kernelSize?: number[] };
    const outShape = layer.outputShape as number[];
    if (cfg.units !== undefined) {
      const [fanIn, fanOut] = layer.getWeights()[0].shape as [number, number];
      out.push({ flops: 2 * fanIn * fanOut, firstTrainable: first });
      first = false;
    } else if (cfg.filters !== undefined) {
      const kernel = layer.getWeights()[0];
      const [kh, kw, ci, co] = kernel.shape;
      out.push({ flops: 2 * outShape[1] * outShape[2] * kh * kw * ci * co, firstTrainable: first });
      first = false;
    }
  }
  return out;
}

/**
 * FLOP lower bound of one update: online forward (F) + weight gradients (F) + input gradients of
 * every layer but the first (F − first layer) + target forward (F).
 */
export function updateFlops(model: tf.LayersModel, batch: number): number {
  const layers = layerFlops(model);
  const f = layers.reduce((s, l) => s + l.flops, 0);
  const firstLayer = layers.find((l) => l.firstTrainable)?.flops ?? 0;
  return batch * (3 * f + (f - firstLayer));
}

export function forwardFlops(model: tf.LayersModel): number {
  return layerFlops(model).reduce((s, l) => s + l.flops, 0);
}

/** An n×n×n tf.matMul: the backend's dense-product peak. */
export function peakMatMul(n: number): { run: () => void; flops: number; dispose: () => void } {
  const rng = new Random(3);
  const a = tf.tensor2d(Float32Array.from({ length: n * n }, () => rng.random() - 0.5), [n, n]);
  const b = tf.tensor2d(Float32Array.from({ length: n * n }, () => rng.random() - 0.5), [n, n]);
  return { run: () => tf.matMul(a, b).dispose(), flops: 2 * n * n * n, dispose: () => tf.dispose([a, b]) };
}

export interface Timing {
  medianMs: number;
  bestMs: number;
  reps: number;
}

export function measure(fn: () => void, seconds: number, minReps = 10, maxReps = 2000): Timing {
  const warmupEnd = performance.now() + Math.min(300, seconds * 200);
  let warm = 0;
  while (warm < 5 || performance.now() < warmupEnd) {
    fn();
    warm++;
  }
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (times.length < minReps || (performance.now() < end && times.length < maxReps)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[times.length >> 1], bestMs: times[0], reps: times.length };
}

export interface Batch {
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  discounts: Float32Array;
  /** Importance weights (prioritised replay); random in [0.5, 1] here. */
  weights: Float32Array;
}

export function makeBatch(net: NetCase, rng: Random): Batch {
  const size = net.inputShape.reduce((a, b) => a * b, 1) * net.batch;
  const obs = new Float32Array(size).map(() => rng.random());
  const nextObs = new Float32Array(size).map(() => rng.random());
  const actions = new Int32Array(net.batch).map(() => rng.integer(0, net.actions));
  const rewards = new Float32Array(net.batch).map(() => rng.random());
  const discounts = new Float32Array(net.batch).fill(0.99);
  const weights = new Float32Array(net.batch).map(() => 0.5 + 0.5 * rng.random());
  return { obs, nextObs, actions, rewards, discounts, weights };
}

export interface Row {
  backend: string;
  net: string;
  what: string;
  timing: Timing;
  flops: number;
  /** Share of the matMul peak measured interleaved with it (bench/nn.ts), when measured. */
  share?: number;
}
