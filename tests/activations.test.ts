import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ActivationSpec } from '../src/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const points = [-3, -1.2, -0.3, 0.25, 0.9, 2.7];

const cases: Array<[string, ActivationSpec, (x: number) => number, (x: number) => number]> = [
  ['relu', 'relu', (x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0)],
  ['leakyRelu(0.1)', { type: 'leakyRelu', alpha: 0.1 }, (x) => (x > 0 ? x : 0.1 * x), (x) => (x > 0 ? 1 : 0.1)],
  ['sigmoid', 'sigmoid', sig, (x) => sig(x) * (1 - sig(x))],
  ['tanh', 'tanh', Math.tanh, (x) => 1 - Math.tanh(x) ** 2],
  ['linear', 'linear', (x) => x, () => 1],
  ['swish', 'swish', (x) => x * sig(x), (x) => sig(x) + x * sig(x) * (1 - sig(x))],
  ['elu', 'elu', (x) => (x > 0 ? x : Math.exp(x) - 1), (x) => (x > 0 ? 1 : Math.exp(x))],
];

function forwardAndGrad(activation: ActivationSpec, xs: number[][]): { y: number[]; g: number[]; w: number[] } {
  const model = buildModel([{ type: 'activation', activation }], [xs[0]!.length], { seed: 0 });
  const x = tf.tensor2d(xs);
  // weights make the softmax Jacobian visible through a scalar objective Σ w·f(x)
  const w = tf.tensor2d(xs.map((row) => row.map((_, j) => 0.5 + j)));
  const y = (model.apply(x) as tf.Tensor).dataSync();
  const g = tf.grad((inp: tf.Tensor) => tf.sum(tf.mul(w, model.apply(inp) as tf.Tensor)) as tf.Scalar)(x).dataSync();
  return { y: Array.from(y), g: Array.from(g), w: Array.from(w.dataSync()) };
}

describe('activations: values and derivatives against formulas', () => {
  for (const [label, spec, f, df] of cases) {
    it(label, () => {
      const { y, g, w } = forwardAndGrad(spec, [points]);
      points.forEach((x, i) => {
        expect(y[i]).toBeCloseTo(f(x), 5);
        expect(g[i]).toBeCloseTo(w[i]! * df(x), 5);
      });
    });
  }

  it('activation fused into a dense layer gives the same values (swish, leakyRelu)', () => {
    for (const activation of ['swish', { type: 'leakyRelu', alpha: 0.2 }] as ActivationSpec[]) {
      const model = buildModel([{ type: 'dense', units: 1, activation, name: 'd' }], [1], { seed: 0 });
      model.getLayer('d').setWeights([tf.tensor2d([[1]]), tf.tensor1d([0])]);
      const y = (model.predict(tf.tensor2d(points, [points.length, 1])) as tf.Tensor).dataSync();
      const ref = activation === 'swish' ? (x: number) => x * sig(x) : (x: number) => (x > 0 ? x : 0.2 * x);
      points.forEach((x, i) => expect(y[i]).toBeCloseTo(ref(x), 5));
    }
  });

  it('softmax: values and Jacobian-vector product s·(w − Σ w·s)', () => {
    const row = [0.3, -1.1, 2.0, 0.5];
    const { y, g, w } = forwardAndGrad('softmax', [row]);
    const z = row.reduce((s, v) => s + Math.exp(v), 0);
    const s = row.map((v) => Math.exp(v) / z);
    const ws = s.reduce((acc, si, i) => acc + si * w[i]!, 0);
    s.forEach((si, i) => {
      expect(y[i]).toBeCloseTo(si, 6);
      expect(g[i]).toBeCloseTo(si * (w[i]! - ws), 5);
    });
  });

  it('leakyRelu defaults alpha to 0.3 (as Keras)', () => {
    const { y } = forwardAndGrad({ type: 'leakyRelu' }, [[-1, 2]]);
    expect(y[0]).toBeCloseTo(-0.3, 6);
    expect(y[1]).toBeCloseTo(2, 6);
  });
});
