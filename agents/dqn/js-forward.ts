/**
 * A plain-JS forward pass for small sequential Q-networks (dense, conv2d, flatten, activations),
 * so that choosing an action costs microseconds instead of a tfjs call + dataSync per step.
 * Weights are copied in once per update (learner.ts reads them with the loss, in one sync).
 * Anything else (branches, pooling, batch norm, ...) is unsupported: compileJsForward returns
 * null and the caller falls back to model.predict.
 */
import type * as tf from '@tensorflow/tfjs';
import { chainLayers } from './chain';

type Act = (x: Float32Array, n: number) => void;

const ACTIVATIONS: Record<string, Act | null> = {
  linear: null,
  relu: (x, n) => {
    for (let i = 0; i < n; i++) if (x[i] < 0) x[i] = 0;
  },
  tanh: (x, n) => {
    for (let i = 0; i < n; i++) x[i] = Math.tanh(x[i]);
  },
  sigmoid: (x, n) => {
    for (let i = 0; i < n; i++) x[i] = 1 / (1 + Math.exp(-x[i]));
  },
  elu: (x, n) => {
    for (let i = 0; i < n; i++) if (x[i] < 0) x[i] = Math.exp(x[i]) - 1;
  },
  swish: (x, n) => {
    for (let i = 0; i < n; i++) x[i] = x[i] / (1 + Math.exp(-x[i]));
  },
};

interface Op {
  /** Run on `input` (length inSize), writing `output`. */
  run(input: Float32Array, output: Float32Array): void;
  outSize: number;
}

/** Where each trainable weight lives in the flat vector the learner syncs. */
export interface WeightSlot {
  offset: number;
  size: number;
}

export class JsForward {
  /** All trainable weights, flat, in model.trainableWeights order. */
  readonly weights: Float32Array;
  private readonly ops: Op[];
  private readonly buffers: Float32Array[];
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(weightsSize: number, ops: Op[], inputSize: number, weights: Float32Array) {
    this.weights = weights;
    this.ops = ops;
    this.inputSize = inputSize;
    this.outputSize = ops.length ? ops[ops.length - 1].outSize : inputSize;
    this.buffers = [new Float32Array(inputSize), ...ops.map((o) => new Float32Array(o.outSize))];
    void weightsSize;
  }

  /** Q-values for one observation; the returned array is reused by the next call. */
  forward(obs: ArrayLike<number>): Float32Array {
    const first = this.buffers[0];
    for (let i = 0; i < this.inputSize; i++) first[i] = obs[i];
    for (let k = 0; k < this.ops.length; k++) this.ops[k].run(this.buffers[k], this.buffers[k + 1]);
    return this.buffers[this.buffers.length - 1];
  }
}

function activationOf(layer: tf.layers.Layer): Act | null | undefined {
  const name = (layer.getConfig() as { activation?: unknown }).activation;
  if (name === undefined) return null;
  if (typeof name !== 'string' || !(name in ACTIVATIONS)) return undefined;
  return ACTIVATIONS[name];
}

/**
 * Compile the model into JS ops reading from one flat weight vector (model.trainableWeights
 * order), or null if some layer is not supported or the model is not a simple chain.
 */
export function compileJsForward(model: tf.LayersModel): JsForward | null {
  const slots = new Map<unknown, WeightSlot>();
  let total = 0;
  for (const w of model.trainableWeights) {
    const size = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    slots.set(w, { offset: total, size });
    total += size;
  }
  const weights = new Float32Array(total);
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  let shape = inputShape;
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const ops: Op[] = [];
  const chain = chainLayers(model);
  if (!chain) return null;
  for (const layer of chain) {
    const cls = layer.getClassName();
    if (layer.weights.some((w) => !w.trainable)) return null;
    // Dense and Conv2D hold [kernel, bias?] in this order (names may carry uniquifying suffixes).
    const slotOf = (which: 'kernel' | 'bias') => {
      const w = layer.weights[which === 'kernel' ? 0 : 1];
      return w ? slots.get(w) : undefined;
    };
    const act = activationOf(layer);
    if (cls === 'Flatten' || cls === 'Dropout') {
      shape = [size(shape)];
      continue;
    }
    if (cls === 'Activation') {
      if (act === undefined) return null;
      const n = size(shape);
      if (act) ops.push({ outSize: n, run: (x, y) => { y.set(x); act(y, n); } });
      continue;
    }
    if (cls === 'LeakyReLU') {
      const alpha = (layer.getConfig() as { alpha: number }).alpha;
      const n = size(shape);
      ops.push({ outSize: n, run: (x, y) => { for (let i = 0; i < n; i++) y[i] = x[i] < 0 ? alpha * x[i] : x[i]; } });
      continue;
    }
    if (act === undefined) return null;
    if (cls === 'Dense') {
      if (shape.length !== 1) return null;
      const kernel = slotOf('kernel');
      const bias = slotOf('bias');
      if (!kernel) return null;
      const nIn = shape[0];
      const nOut = kernel.size / nIn;
      const ko = kernel.offset;
      const bo = bias?.offset ?? -1;
      ops.push({
        outSize: nOut,
        run: (x, y) => {
          for (let j = 0; j < nOut; j++) y[j] = bo >= 0 ? weights[bo + j] : 0;
          for (let i = 0; i < nIn; i++) {
            const xi = x[i];
            if (xi === 0) continue;
            const row = ko + i * nOut;
            for (let j = 0; j < nOut; j++) y[j] += xi * weights[row + j];
          }
          if (act) act(y, nOut);
        },
      });
      shape = [nOut];
      continue;
    }
    if (cls === 'Conv2D') {
      const cfg = layer.getConfig() as { kernelSize: number[]; strides: number[]; padding: string; dilationRate: number[] | number; dataFormat: string };
      if (shape.length !== 3 || cfg.dataFormat !== 'channelsLast') return null;
      const dil = Array.isArray(cfg.dilationRate) ? cfg.dilationRate : [cfg.dilationRate, cfg.dilationRate];
      if (dil[0] !== 1 || dil[1] !== 1) return null;
      const kernel = slotOf('kernel');
      const bias = slotOf('bias');
      if (!kernel) return null;
      const [h, w, cIn] = shape;
      const [kh, kw] = cfg.kernelSize;
      const [sh, sw] = cfg.strides;
      const cOut = kernel.size / (kh * kw * cIn);
      let oh: number, ow: number, padTop: number, padLeft: number;
      if (cfg.padding === 'valid') {
        oh = Math.floor((h - kh) / sh) + 1;
        ow = Math.floor((w - kw) / sw) + 1;
        padTop = 0;
        padLeft = 0;
      } else {
        oh = Math.ceil(h / sh);
        ow = Math.ceil(w / sw);
        padTop = Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2);
        padLeft = Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2);
      }
      const ko = kernel.offset;
      const bo = bias?.offset ?? -1;
      const n = oh * ow * cOut;
      ops.push({
        outSize: n,
        run: (x, y) => {
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++) {
              const out = (oy * ow + ox) * cOut;
              for (let c = 0; c < cOut; c++) y[out + c] = bo >= 0 ? weights[bo + c] : 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sh + ky - padTop;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sw + kx - padLeft;
                  if (ix < 0 || ix >= w) continue;
                  const inBase = (iy * w + ix) * cIn;
                  const kBase = ko + (ky * kw + kx) * cIn * cOut;
                  for (let ci = 0; ci < cIn; ci++) {
                    const xv = x[inBase + ci];
                    if (xv === 0) continue;
                    const kRow = kBase + ci * cOut;
                    for (let c = 0; c < cOut; c++) y[out + c] += xv * weights[kRow + c];
                  }
                }
              }
            }
          if (act) act(y, n);
        },
      });
      shape = [oh, ow, cOut];
      continue;
    }
    return null;
  }
  if (shape.length !== 1) return null;
  return new JsForward(total, ops, size(inputShape), weights);
}
