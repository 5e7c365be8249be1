import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropy, crossEntropy, huber, mse, type LossFn } from '../src/losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const H = 1e-2;

/** Gradient of the mean loss w.r.t. yPred: autodiff vs central differences (float32). */
function checkGradient(loss: LossFn, yTrue: tf.Tensor, predValues: number[], shape: number[], tol = 2e-3): void {
  const pred = tf.tensor(predValues, shape);
  const analytic = tf.grad((p: tf.Tensor) => loss(yTrue, p) as tf.Scalar)(pred).dataSync();
  for (let i = 0; i < predValues.length; i++) {
    const plus = predValues.slice();
    const minus = predValues.slice();
    plus[i]! += H;
    minus[i]! -= H;
    const ePlus = loss(yTrue, tf.tensor(plus, shape)).dataSync()[0]!;
    const eMinus = loss(yTrue, tf.tensor(minus, shape)).dataSync()[0]!;
    const numeric = (ePlus - eMinus) / (2 * H);
    expect(Math.abs(analytic[i]! - numeric)).toBeLessThan(tol * Math.max(1, Math.abs(numeric)));
  }
}

describe('mse', () => {
  it('matches hand-computed values, per sample and mean', () => {
    const yTrue = tf.tensor2d([
      [1, 2],
      [0, 0],
    ]);
    const yPred = tf.tensor2d([
      [2, 4],
      [-1, 1],
    ]);
    // sample 0: (1 + 4)/2 = 2.5 ; sample 1: (1 + 1)/2 = 1
    expect(Array.from(mse(yTrue, yPred, { reduction: 'none' }).dataSync())).toEqual([2.5, 1]);
    expect(mse(yTrue, yPred).dataSync()[0]).toBeCloseTo(1.75, 6);
    expect(mse(yTrue, yPred).shape).toEqual([]);
  });
  it('gradient matches central differences', () => {
    checkGradient(mse, tf.tensor2d([[0.3, -1.2, 2], [1, 0.5, -0.7]]), [0.1, 0.4, 1.5, -0.2, 0.9, 0.3], [2, 3]);
  });
  it('accepts integer targets', () => {
    expect(mse(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([1.5, 2])).dataSync()[0]).toBeCloseTo(0.125, 6);
    expect(huber(tf.tensor1d([0, 3], 'int32'), tf.tensor1d([0.5, 0])).dataSync()[0]).toBeCloseTo((0.125 + 2.5) / 2, 6);
  });
  it('rejects mismatched shapes and a bad reduction with clear errors', () => {
    expect(() => mse(tf.ones([2, 3]), tf.ones([2, 2]))).toThrow(/mse: yTrue shape \[2,3\] does not match yPred shape \[2,2\]/);
    expect(() => mse(tf.ones([2]), tf.ones([2]), { reduction: 'sum' as never })).toThrow(/reduction must be 'mean' or 'none'/);
  });
});

describe('huber', () => {
  it('is quadratic inside delta and linear beyond, per sample', () => {
    const yTrue = tf.tensor1d([0, 0, 0, 0]);
    const yPred = tf.tensor1d([0.5, -2, 3, -0.2]);
    // delta 1: 0.125, 1·(2 − 0.5) = 1.5, 2.5, 0.02
    const none = huber(yTrue, yPred, { reduction: 'none' }).dataSync();
    [0.125, 1.5, 2.5, 0.02].forEach((v, i) => expect(none[i]).toBeCloseTo(v, 6));
    // delta 2 via the factory: 0.125, 0.5·4 = 2, 2·(3 − 1) = 4, 0.02
    const h2 = huber(2)(yTrue, yPred, { reduction: 'none' }).dataSync();
    [0.125, 2, 4, 0.02].forEach((v, i) => expect(h2[i]).toBeCloseTo(v, 6));
    expect(huber(yTrue, yPred, { delta: 2 }).dataSync()[0]).toBeCloseTo((0.125 + 2 + 4 + 0.02) / 4, 6);
  });
  it('gradient matches central differences on both sides of delta', () => {
    const yTrue = tf.tensor2d([[0, 1], [2, -1]]);
    checkGradient(huber(1.0), yTrue, [0.4, 3.1, -0.5, -0.3], [2, 2]);
    checkGradient(huber(0.5), yTrue, [0.2, 1.9, 2.1, -2.2], [2, 2]);
  });
  it('rejects a bad delta', () => {
    expect(() => huber(-1)).toThrow(/delta must be a finite number > 0/);
  });
});

describe('crossEntropy (from logits)', () => {
  const logits = [
    [2, 1, 0.1],
    [0.5, 2.5, -1],
  ];
  function reference(): number[] {
    const labels = [0, 1];
    return logits.map((row, i) => {
      const lse = Math.log(row.reduce((s, z) => s + Math.exp(z), 0));
      return lse - row[labels[i]!]!;
    });
  }
  it('sparse labels and one-hot give the same hand-computed values', () => {
    const ref = reference();
    const sparse = crossEntropy(tf.tensor1d([0, 1], 'int32'), tf.tensor2d(logits), { reduction: 'none' }).dataSync();
    const oneHot = crossEntropy(tf.tensor2d([[1, 0, 0], [0, 1, 0]]), tf.tensor2d(logits), { reduction: 'none' }).dataSync();
    ref.forEach((r, i) => {
      expect(sparse[i]).toBeCloseTo(r, 5);
      expect(oneHot[i]).toBeCloseTo(r, 5);
    });
    expect(crossEntropy(tf.tensor1d([0, 1]), tf.tensor2d(logits)).dataSync()[0]).toBeCloseTo((ref[0]! + ref[1]!) / 2, 5);
  });
  it('is stable for huge logits', () => {
    const v = crossEntropy(tf.tensor1d([1], 'int32'), tf.tensor2d([[1000, -1000, 0]]), { reduction: 'none' }).dataSync();
    expect(v[0]).toBeCloseTo(2000, 1);
  });
  it('gradient is softmax − onehot, matching central differences', () => {
    const yTrue = tf.tensor1d([2, 0], 'int32');
    checkGradient(crossEntropy, yTrue, [0.2, -0.4, 1.1, 1.5, 0.3, -0.8], [2, 3]);
    checkGradient(crossEntropy, tf.tensor2d([[0.2, 0.3, 0.5], [1, 0, 0]]), [0.2, -0.4, 1.1, 1.5, 0.3, -0.8], [2, 3]);
  });
  it('rejects labels of the wrong shape', () => {
    expect(() => crossEntropy(tf.tensor1d([0, 1, 2]), tf.tensor2d(logits))).toThrow(/sparse labels shape \[3\]/);
  });
});

describe('binaryCrossEntropy (from logits)', () => {
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  it('matches −y·log σ(z) − (1−y)·log(1 − σ(z))', () => {
    const z = [0.3, -1.7, 2.2, 0];
    const y = [1, 0, 0.25, 1];
    const ref = z.map((zi, i) => -y[i]! * Math.log(sigmoid(zi)) - (1 - y[i]!) * Math.log(1 - sigmoid(zi)));
    const out = binaryCrossEntropy(tf.tensor2d(y, [4, 1]), tf.tensor2d(z, [4, 1]), { reduction: 'none' }).dataSync();
    ref.forEach((r, i) => expect(out[i]).toBeCloseTo(r, 5));
  });
  it('is finite for huge logits', () => {
    const out = binaryCrossEntropy(tf.tensor1d([0, 1]), tf.tensor1d([500, -500]), { reduction: 'none' }).dataSync();
    expect(out[0]).toBeCloseTo(500, 2);
    expect(out[1]).toBeCloseTo(500, 2);
  });
  it('gradient equals σ(z) − y (incl. z = 0) and matches central differences', () => {
    const z = [0, 1.3, -2.1, 0.4];
    const y = [1, 0, 1, 0.5];
    const g = tf.grad((p: tf.Tensor) => binaryCrossEntropy(tf.tensor1d(y), p, { reduction: 'none' }).sum() as tf.Scalar)(tf.tensor1d(z)).dataSync();
    z.forEach((zi, i) => expect(g[i]).toBeCloseTo(sigmoid(zi) - y[i]!, 6));
    checkGradient(binaryCrossEntropy, tf.tensor2d(y, [2, 2]), z, [2, 2]);
  });
});
