/** src/fast-forward.ts against model.predict (1e-5), including sparse 0/1 MinAtar-like inputs. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend';
import { compileForward, UnsupportedModelError } from '../src/fast-forward';
import { buildModel, type NetworkSpec } from '../src/layers/index';
import { Random } from '../src/random';

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
});

function predict(model: tf.LayersModel, obs: Float32Array): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(obs, [1, ...(model.inputs[0].shape.slice(1) as number[])])) as tf.Tensor).dataSync() as Float32Array);
}

function check(spec: NetworkSpec, inputShape: number[], sparse: boolean, seed: number): void {
  const model = buildModel(spec, inputShape, { seed });
  const fast = compileForward(model);
  const rng = new Random(seed);
  const out = new Float32Array(fast.outputSize);
  for (let trial = 0; trial < 5; trial++) {
    const obs = new Float32Array(fast.inputSize).map(() => (sparse ? (rng.random() < 0.1 ? 1 : 0) : rng.random() * 4 - 2));
    fast.forward(obs, out);
    const ref = predict(model, obs);
    let scale = 1e-6;
    for (const v of ref) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i] - ref[i]) / scale).toBeLessThan(1e-5);
  }
  model.dispose();
}

describe('compileForward', () => {
  it('matches predict for an MLP with every supported activation', () => {
    const acts = ['relu', 'tanh', 'sigmoid', 'elu', 'swish', 'linear', { type: 'leakyRelu', alpha: 0.2 }] as const;
    for (const [i, activation] of acts.entries()) {
      check([{ type: 'dense', units: 32, activation } as never, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 5, activation: 'softmax' }], [7], false, i + 1);
    }
  });

  it('matches predict for conv nets: valid/same padding, strides 1 and 2, dense and 0/1 inputs', () => {
    const spec = (padding: 'valid' | 'same', strides: number): NetworkSpec => [
      { type: 'conv2d', filters: 16, kernelSize: 3, padding, strides, activation: 'relu' },
      { type: 'conv2d', filters: 8, kernelSize: 2, padding: 'same', strides: 1, activation: 'elu' },
      { type: 'flatten' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 6 },
    ];
    for (const [padding, strides] of [['valid', 1], ['same', 1], ['same', 2], ['valid', 2]] as const) {
      check(spec(padding, strides), [10, 10, 4], true, 11);
      check(spec(padding, strides), [9, 7, 3], false, 12);
    }
  });

  it('refresh() picks up new weights after an update', () => {
    const model = buildModel([{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 2 }], [3], { seed: 3 });
    const fast = compileForward(model);
    const obs = Float32Array.from([0.5, -1, 2]);
    const before = new Float32Array(2);
    fast.forward(obs, before);
    model.setWeights(model.getWeights().map((w) => tf.mul(w, 2)));
    const stale = new Float32Array(2);
    fast.forward(obs, stale);
    expect(Array.from(stale)).toEqual(Array.from(before));
    fast.refresh();
    const fresh = new Float32Array(2);
    fast.forward(obs, fresh);
    const ref = predict(model, obs);
    for (let i = 0; i < 2; i++) expect(fresh[i]).toBeCloseTo(ref[i], 5);
    expect(Math.abs(fresh[0] - before[0]) + Math.abs(fresh[1] - before[1])).toBeGreaterThan(1e-3);
  });

  it('names the unsupported layer clearly', () => {
    const pooled = buildModel([{ type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'maxPool2d', poolSize: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], [8, 8, 1], { seed: 4 });
    expect(() => compileForward(pooled)).toThrow(UnsupportedModelError);
    expect(() => compileForward(pooled)).toThrow(/of type MaxPooling2D is not supported; supported: Dense, Conv2D/);
    const dueling = buildModel([{ type: 'dense', units: 8, activation: 'relu' }, { type: 'branches', merge: 'dueling', branches: [[{ type: 'dense', units: 1 }], [{ type: 'dense', units: 3 }]] }], [4], { seed: 5 });
    expect(() => compileForward(dueling)).toThrow(UnsupportedModelError);
  });

  it('checks buffer sizes', () => {
    const model = buildModel([{ type: 'dense', units: 2 }], [3], { seed: 6 });
    const fast = compileForward(model);
    expect(() => fast.forward(new Float32Array(4), new Float32Array(2))).toThrow('observation has 4 values, the model takes 3');
  });
});
