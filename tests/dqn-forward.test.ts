import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type NetworkSpec } from '../src/layers';
import { compileTfForward } from '../agents/dqn/tf-forward';
import { qNetworkSpec } from '../agents/dqn/network';
import { compileFastForward } from '../src/fast-forward';
import { Random } from '../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function check(spec: NetworkSpec, shape: number[], jsSupported = true) {
  const model = buildModel(spec, shape, { seed: 3 });
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Random(5);
  const B = 4;
  const x = Float32Array.from({ length: B * size }, () => (rng.random() < 0.5 ? 0 : rng.normal()));
  const expected = (model.predict(tf.tensor(x, [B, ...shape])) as tf.Tensor).arraySync() as number[][];
  const js = compileFastForward(spec, shape);
  if (!jsSupported) {
    expect(js).toBeNull();
  } else {
    expect(js).not.toBeNull();
    let off = 0;
    for (const w of model.trainableWeights) {
      const d = w.read().dataSync() as Float32Array;
      js!.weights.set(d, off);
      off += d.length;
    }
    for (let b = 0; b < B; b++) {
      const q = js!.forward(x.subarray(b * size, (b + 1) * size));
      expected[b].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 4));
    }
  }
  const lean = compileTfForward(model);
  if (lean) {
    const got = tf.tidy(() => lean(tf.tensor(x, [B, ...shape])).arraySync()) as number[][];
    expected.forEach((row, b) => row.forEach((v, i) => expect(got[b][i]).toBeCloseTo(v, 4)));
  }
  return { model, lean };
}

describe('fast Q-network forward passes match model.predict', () => {
  it('default MLP', () => {
    expect(check(qNetworkSpec(null, [4], 2, false), [4]).lean).not.toBeNull();
  });
  it('MinAtar default conv net (10×10×4)', () => {
    expect(check(qNetworkSpec(null, [10, 10, 4], 6, false), [10, 10, 4]).lean).not.toBeNull();
  });
  it('strided same-padded conv, tanh, swish, leaky ReLU', () => {
    const spec: NetworkSpec = [
      { type: 'conv2d', filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'tanh' },
      { type: 'flatten' },
      { type: 'dense', units: 7, activation: 'swish' },
      { type: 'dense', units: 5, activation: { type: 'leakyRelu', alpha: 0.2 } },
      { type: 'dense', units: 3 },
    ];
    check(spec, [7, 5, 2]);
  });
  it('dueling head: JS forward supported, the lean tf forward falls back (null) to model.apply', () => {
    const { lean } = check(qNetworkSpec(null, [4], 3, true), [4]);
    expect(lean).toBeNull();
  });
  it('MinAtar conv net with a dueling head', () => {
    check(qNetworkSpec(null, [10, 10, 4], 6, true), [10, 10, 4]);
  });
  it('unsupported layers (batch norm): JS forward null', () => {
    check([{ type: 'dense', units: 8 }, { type: 'batchNorm' }, { type: 'dense', units: 2 }], [3], false);
  });
});
