import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { huber } from '../src/losses';
import { createOptimizer } from '../src/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, getModelSpec, regularizationLoss, SpecError, validateNetworkSpec, type NetworkSpec } from '../src/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('buildModel', () => {
  it('builds every layer type with the right output shapes', () => {
    const spec: NetworkSpec = [
      { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'batchNorm' },
      { type: 'maxPool2d', poolSize: 2 },
      { type: 'conv2dTranspose', filters: 3, kernelSize: [2, 2], strides: 2, activation: { type: 'leakyRelu', alpha: 0.2 } },
      { type: 'avgPool2d', poolSize: 2, strides: 2 },
      { type: 'upSampling2d', size: 2 },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.5 },
      { type: 'dense', units: 12, activation: 'swish' },
      { type: 'reshape', targetShape: [3, 4] },
      { type: 'activation', activation: 'tanh' },
      { type: 'flatten' },
      {
        type: 'branches',
        merge: 'concat',
        branches: [[{ type: 'dense', units: 2, activation: 'elu' }], [{ type: 'dense', units: 3, activation: 'sigmoid' }], []],
      },
      {
        type: 'branches',
        merge: 'add',
        branches: [[{ type: 'dense', units: 5 }], [{ type: 'dense', units: 5, useBias: false }]],
      },
      { type: 'activation', activation: 'softmax' },
    ];
    const model = buildModel(spec, [8, 8, 2], { seed: 3 });
    expect(model.outputs[0]!.shape).toEqual([null, 5]);
    const y = model.predict(tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 1)) as tf.Tensor;
    expect(y.shape).toEqual([2, 5]);
    // softmax output rows sum to 1
    const sums = y.sum(-1).dataSync();
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    expect(getModelSpec(model)?.inputShape).toEqual([8, 8, 2]);
    // 12 units + 2 + 3 concatenated = 17 inputs to the add branches
    expect(model.layers.find((l) => l.getClassName() === 'Concatenate')!.outputShape).toEqual([null, 17]);
  });

  it('adds no layers beyond the spec for a plain MLP', () => {
    const model = buildModel(
      [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 2 }],
      [4],
      { seed: 0 },
    );
    // input + two dense, activations fused into the dense layers
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dense', 'Dense']);
  });

  it('same seed gives bitwise-identical weights, another seed different ones', () => {
    const spec: NetworkSpec = [
      { type: 'conv2d', filters: 8, kernelSize: 3, kernelInitializer: 'heNormal', biasInitializer: { type: 'normal', std: 0.01 } },
      { type: 'flatten' },
      { type: 'dense', units: 16, kernelInitializer: 'glorotNormal' },
      { type: 'dense', units: 3, kernelInitializer: 'heUniform' },
    ];
    const a = weightsOf(buildModel(spec, [6, 6, 2], { seed: 42 }));
    const b = weightsOf(buildModel(spec, [6, 6, 2], { seed: 42 }));
    const c = weightsOf(buildModel(spec, [6, 6, 2], { seed: 43 }));
    expect(a.length).toBe(6);
    for (let i = 0; i < a.length; i++) {
      expect(Buffer.from(a[i]!.buffer).equals(Buffer.from(b[i]!.buffer))).toBe(true);
    }
    // every random weight tensor changes with the seed (zeros bias of dense layers does not)
    expect(Array.from(a[0]!)).not.toEqual(Array.from(c[0]!));
    expect(Array.from(a[1]!)).not.toEqual(Array.from(c[1]!));
    expect(Array.from(a[2]!)).not.toEqual(Array.from(c[2]!));
    expect(Array.from(a[3]!).every((v) => v === 0)).toBe(true);
    // different layers of one model do not share a stream
    expect(Array.from(a[0]!.slice(0, 8))).not.toEqual(Array.from(a[2]!.slice(0, 8)));
  });

  it('dueling merge computes V + A − mean(A) on known weights', () => {
    const model = buildModel(
      [
        {
          type: 'branches',
          merge: 'dueling',
          branches: [[{ type: 'dense', units: 1, name: 'v' }], [{ type: 'dense', units: 3, name: 'a' }]],
        },
      ],
      [2],
      { seed: 1 },
    );
    // V = 2·x0 − x1 + 0.5 ; A = x @ [[1,2,3],[0,−1,4]] + [0.1, 0.2, 0.3]
    model.getLayer('v').setWeights([tf.tensor2d([[2], [-1]]), tf.tensor1d([0.5])]);
    model.getLayer('a').setWeights([tf.tensor2d([[1, 2, 3], [0, -1, 4]]), tf.tensor1d([0.1, 0.2, 0.3])]);
    const xs = [
      [1, 2],
      [-0.5, 3],
    ];
    const q = (model.predict(tf.tensor2d(xs)) as tf.Tensor).arraySync() as number[][];
    xs.forEach(([x0, x1], r) => {
      const v = 2 * x0! - x1! + 0.5;
      const a = [x0! + 0.1, 2 * x0! - x1! + 0.2, 3 * x0! + 4 * x1! + 0.3];
      const mean = (a[0]! + a[1]! + a[2]!) / 3;
      a.forEach((ai, j) => expect(q[r]![j]!).toBeCloseTo(v + ai - mean, 5));
    });
  });

  it('dueling merge rejects a value branch that is not 1 unit', () => {
    expect(() =>
      buildModel(
        [{ type: 'branches', merge: 'dueling', branches: [[{ type: 'dense', units: 2 }], [{ type: 'dense', units: 3 }]] }],
        [2],
        { seed: 1 },
      ),
    ).toThrow(/layers\[0\].*value.*1 unit/s);
  });

  it('trainable=false layers keep their weights through a fit step', async () => {
    const model = buildModel(
      [
        { type: 'dense', units: 8, activation: 'relu', trainable: false, name: 'frozen' },
        { type: 'dense', units: 1, name: 'head' },
      ],
      [3],
      { seed: 5 },
    );
    const frozenBefore = model.getLayer('frozen').getWeights().map((w) => Array.from(w.dataSync()));
    const headBefore = model.getLayer('head').getWeights().map((w) => Array.from(w.dataSync()));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(tf.randomNormal([16, 3], 0, 1, 'float32', 2), tf.ones([16, 1]), { epochs: 1, batchSize: 16, verbose: 0 });
    const frozenAfter = model.getLayer('frozen').getWeights().map((w) => Array.from(w.dataSync()));
    const headAfter = model.getLayer('head').getWeights().map((w) => Array.from(w.dataSync()));
    expect(frozenAfter).toEqual(frozenBefore);
    expect(headAfter).not.toEqual(headBefore);
    expect(model.trainableWeights.length).toBe(2);
  });

  it('trainable=false on branches freezes every layer inside', () => {
    const model = buildModel(
      [
        { type: 'dense', units: 4, name: 'trunk' },
        {
          type: 'branches',
          merge: 'concat',
          trainable: false,
          branches: [[{ type: 'dense', units: 2, activation: { type: 'leakyRelu' } }], [{ type: 'dense', units: 3 }]],
        },
      ],
      [3],
      { seed: 5 },
    );
    // only the trunk's kernel and bias stay trainable
    expect(model.trainableWeights.map((w) => w.shape)).toEqual([
      [3, 4],
      [4],
    ]);
  });

  it('duplicate layer names are a SpecError', () => {
    expect(() =>
      buildModel([{ type: 'dense', units: 4, name: 'x' }, { type: 'dense', units: 4, name: 'x' }], [3], { seed: 1 }),
    ).toThrow(SpecError);
  });

  it('regularizationLoss sums l1·Σ|w| + l2·Σw² of the kernels', () => {
    const model = buildModel(
      [{ type: 'dense', units: 3, name: 'd', kernelRegularizer: { l1: 0.01, l2: 0.1 } }],
      [2],
      { seed: 1 },
    );
    const w = model.getLayer('d').getWeights()[0]!.dataSync();
    let expected = 0;
    for (const v of w) expected += 0.01 * Math.abs(v) + 0.1 * v * v;
    expect(regularizationLoss(model).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('seeded dropout is active only in training and reproducible', () => {
    const spec: NetworkSpec = [{ type: 'dropout', rate: 0.5 }];
    const x = tf.ones([4, 100]);
    const m1 = buildModel(spec, [100], { seed: 9 });
    const m2 = buildModel(spec, [100], { seed: 9 });
    expect(Array.from((m1.predict(x) as tf.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
    const t1 = (m1.apply(x, { training: true }) as tf.Tensor).dataSync();
    const t2 = (m2.apply(x, { training: true }) as tf.Tensor).dataSync();
    const t1b = (m1.apply(x, { training: true }) as tf.Tensor).dataSync();
    expect(Array.from(t1)).toEqual(Array.from(t2));
    expect(Array.from(t1b)).not.toEqual(Array.from(t1)); // a fresh mask each call
    const zeros = Array.from(t1).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(120);
    expect(zeros).toBeLessThan(280);
    expect(Array.from(t1).every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
  });
});

describe('backprop through built models', () => {
  it('parameter gradients of a conv + dueling model match central differences', () => {
    const model = buildModel(
      [
        { type: 'conv2d', filters: 2, kernelSize: 2, activation: 'tanh' },
        { type: 'flatten' },
        {
          type: 'branches',
          merge: 'dueling',
          branches: [[{ type: 'dense', units: 1 }], [{ type: 'dense', units: 3, activation: 'swish' }]],
        },
      ],
      [3, 3, 1],
      { seed: 21 },
    );
    const x = tf.randomUniform([2, 3, 3, 1], -1, 1, 'float32', 5);
    const y = tf.tensor2d([
      [0.5, -0.2, 0.1],
      [0, 0.3, -0.4],
    ]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => huber(y, model.apply(x) as tf.Tensor) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, vars);
    const h = 1e-2;
    for (const v of vars) {
      const analytic = grads[v.name]!.dataSync();
      const values = v.dataSync().slice();
      // a few coordinates of each variable
      for (const i of [0, values.length - 1]) {
        const at = (delta: number) => {
          const copy = values.slice();
          copy[i]! += delta;
          v.assign(tf.tensor(copy, v.shape));
          return loss().dataSync()[0]!;
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(values, v.shape));
        expect(Math.abs(analytic[i]! - numeric)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
      }
    }
    expect(vars.length).toBe(6); // conv, value and advantage layers: kernel + bias each
  });
});

describe('training hygiene', () => {
  it('the dueling example in docs/layers.md builds, and a training step leaks no tensors', () => {
    const doc = readFileSync(new URL('../docs/layers.md', import.meta.url), 'utf8');
    const json = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    // a small board keeps the (slow on cpu) conv backprop cheap
    const model = buildModel(JSON.parse(json) as NetworkSpec, [5, 5, 4], { seed: 0 });
    expect(model.outputs[0]!.shape).toEqual([null, 6]);
    const opt = createOptimizer({ type: 'adam', learningRate: 1e-3 });
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomUniform([2, 5, 5, 4], 0, 1, 'float32', 1);
    const y = tf.zeros([2, 6]);
    const step = () =>
      tf.tidy(() => {
        opt.minimize(() => huber(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
      });
    step(); // creates the optimiser slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('spec validation', () => {
  it('lists every problem by path with allowed values', () => {
    let err: unknown;
    try {
      validateNetworkSpec([
        { type: 'dense', units: 0 },
        { type: 'dense', units: 4, activation: 'gelu' },
        { type: 'conv' },
        { type: 'conv2d', filters: 2, kernelSize: 3, padding: 'full', extra: 1 },
        { type: 'branches', merge: 'mul', branches: [[{ type: 'dense', units: 1.5 }]] },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    const problems = (err as SpecError).problems.join('\n');
    expect(problems).toMatch(/layers\[0\]\.units: expected a positive integer/);
    expect(problems).toMatch(/layers\[1\]\.activation: expected one of 'relu'.*leakyRelu/);
    expect(problems).toMatch(/layers\[2\]\.type: expected type to be one of 'dense', 'conv2d'/);
    expect(problems).toMatch(/layers\[3\]\.padding: expected 'valid' or 'same'/);
    expect(problems).toMatch(/layers\[3\]: unknown field 'extra'/);
    expect(problems).toMatch(/layers\[4\]\.merge: expected 'concat', 'add' or 'dueling'/);
    expect(problems).toMatch(/layers\[4\]\.branches\[0\]\[0\]\.units: expected a positive integer/);
    expect((err as SpecError).problems.length).toBe(7);
  });

  it('reports missing required fields and a bad input shape', () => {
    expect(() => validateNetworkSpec([{ type: 'dense' }])).toThrow(/layers\[0\]\.units: required/);
    expect(() => buildModel([{ type: 'dense', units: 2 }], [0], { seed: 1 })).toThrow(/inputShape/);
    expect(() => buildModel([{ type: 'conv2d', filters: 2, kernelSize: 3 }], [4], { seed: 1 })).toThrow(
      /layers\[0\] \(conv2d\): cannot apply to input shape \[batch, 4\]/,
    );
  });
});
