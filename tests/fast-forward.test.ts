/**
 * src/fast-forward.ts against model.predict (1e-5): weights filled the way the DQN learner fills
 * them (trainableWeights, flat, one read), dense and sparse 0/1 MinAtar-like inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend';
import { compileFastForward, type FastForward } from '../src/fast-forward';
import { buildModel, SpecError, type LayerSpec, type NetworkSpec } from '../src/layers/index';
import { Random } from '../src/random';

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
});

function predict(model: tf.LayersModel, obs: Float32Array): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(obs, [1, ...(model.inputs[0].shape.slice(1) as number[])])) as tf.Tensor).dataSync() as Float32Array);
}

/** What the learner does after an update: all trainable variables, concatenated, one read. */
function loadWeights(fast: FastForward, model: tf.LayersModel): void {
  const flat = tf.tidy(() => tf.concat(model.trainableWeights.map((w) => tf.reshape(w.read(), [-1]))).dataSync() as Float32Array);
  expect(flat.length).toBe(fast.weights.length);
  fast.weights.set(flat);
}

function expectClose(got: Float32Array, ref: Float32Array): void {
  expect(got.length).toBe(ref.length);
  let scale = 1e-6;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i]) / scale).toBeLessThan(1e-5);
}

/** Random weights (biases too, so they are tested), then forward vs predict on 5 observations. */
function check(spec: NetworkSpec, inputShape: number[], sparse: boolean, seed: number, trials = 5): void {
  const model = buildModel(spec, inputShape, { seed });
  const rng = new Random(seed);
  model.setWeights(model.getWeights().map((w) => tf.tidy(() => tf.add(w, tf.randomUniform(w.shape, -0.3, 0.3, 'float32', seed)))));
  // The WebAssembly SIMD kernels (Node 20 has them) and the plain-JS ones.
  const kernels = [compileFastForward(spec, inputShape), compileFastForward(spec, inputShape, { simd: false })];
  expect(kernels.map((k) => k?.simd)).toEqual([true, false]);
  for (const fast of kernels as FastForward[]) {
    loadWeights(fast, model);
    expect(fast.inputSize).toBe(inputShape.reduce((a, b) => a * b, 1));
  }
  for (let trial = 0; trial < trials; trial++) {
    const density = sparse ? [0.03, 0.1, 0.3][trial % 3] : 1;
    const obs = new Float32Array(kernels[0]!.inputSize).map(() => (sparse ? (rng.random() < density ? 1 : 0) : rng.random() * 4 - 2));
    const ref = predict(model, obs);
    for (const fast of kernels as FastForward[]) {
      expect(fast.outputSize).toBe(ref.length);
      expectClose(fast.forward(obs), ref);
    }
  }
  model.dispose();
}

const minatar = (channels: number, dueling: boolean, actions = 6): [NetworkSpec, number[]] => [
  [
    { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    dueling
      ? { type: 'branches', merge: 'dueling', branches: [[{ type: 'dense', units: 1 }], [{ type: 'dense', units: actions }]] }
      : { type: 'dense', units: actions },
  ],
  [10, 10, channels],
];

describe('compileFastForward', () => {
  it('matches predict for an MLP with every supported activation', () => {
    const acts = ['relu', 'tanh', 'sigmoid', 'elu', 'swish', 'linear', 'softmax', { type: 'leakyRelu', alpha: 0.2 }, { type: 'leakyRelu' }] as const;
    for (const [i, activation] of acts.entries()) {
      check([{ type: 'dense', units: 32, activation } as LayerSpec, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 5, activation: 'softmax' }], [7], false, i + 1);
    }
  });

  it('matches predict for the MLP 4→128→128→2, without biases too', () => {
    const mlp = (useBias: boolean): NetworkSpec => [
      { type: 'dense', units: 128, activation: 'relu', useBias },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 2, useBias },
    ];
    check(mlp(true), [4], false, 21);
    check(mlp(false), [4], false, 22);
  });

  it('matches predict for the MinAtar CNN with 4, 7 and 10 channels, plain and dueling', () => {
    for (const channels of [4, 7, 10]) {
      for (const dueling of [false, true]) {
        const [spec, shape] = minatar(channels, dueling);
        check(spec, shape, true, 30 + channels);
        check(spec, shape, false, 40 + channels, 2);
      }
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

  it("matches predict for 'same' padding with stride 2 and a dueling head, non-square kernels and strides", () => {
    const spec: NetworkSpec = [
      { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 5, kernelSize: [3, 2], strides: [1, 2], padding: 'same', activation: 'tanh', useBias: false },
      { type: 'conv2d', filters: 4, kernelSize: [2, 1], strides: [2, 1], padding: 'valid', activation: { type: 'leakyRelu', alpha: 0.1 } },
      { type: 'flatten' },
      { type: 'dense', units: 32, activation: 'swish' },
      { type: 'branches', merge: 'dueling', branches: [[{ type: 'dense', units: 1 }], [{ type: 'dense', units: 4 }]] },
    ];
    check(spec, [10, 10, 4], true, 51);
    check(spec, [11, 8, 2], false, 52);
  });

  it('matches predict without biases, with outputs that are not a multiple of the vector width', () => {
    const spec = (useBias: boolean): NetworkSpec => [
      { type: 'conv2d', filters: 12, kernelSize: 3, activation: 'relu', useBias },
      { type: 'conv2d', filters: 4, kernelSize: 2, strides: 2, padding: 'same', useBias },
      { type: 'flatten' },
      { type: 'dense', units: 39, activation: 'relu', useBias },
      { type: 'dense', units: 7, useBias },
    ];
    check(spec(false), [10, 10, 4], true, 91);
    check(spec(true), [8, 9, 5], false, 92);
  });

  it('matches predict for the dueling head on an MLP', () => {
    check([
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'branches', merge: 'dueling', branches: [[{ type: 'dense', units: 1, name: 'value' }], [{ type: 'dense', units: 3, name: 'advantage' }]] },
    ], [4], false, 61);
  });

  it('follows tfjs weight order through branches of different depths (concat, add, dueling)', () => {
    check([
      { type: 'dense', units: 12, activation: 'relu' },
      {
        type: 'branches',
        merge: 'concat',
        branches: [
          [{ type: 'dense', units: 5 }],
          [{ type: 'dense', units: 6, activation: { type: 'leakyRelu' } }, { type: 'dense', units: 4, activation: 'tanh' }],
          [],
        ],
      },
      {
        type: 'branches',
        merge: 'add',
        branches: [
          [{ type: 'dense', units: 7, activation: 'relu' }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 8 }],
          [{ type: 'dense', units: 8, activation: 'sigmoid' }],
        ],
      },
      {
        type: 'branches',
        merge: 'dueling',
        branches: [
          [{ type: 'dense', units: 9, activation: 'elu' }, { type: 'dense', units: 1 }],
          [{ type: 'dense', units: 3 }],
        ],
      },
    ], [5], false, 71);
  });

  it('matches predict for pooling, reshape, activation layers, softmax and dense over channels, conv branches', () => {
    check([
      { type: 'reshape', targetShape: [6, 8, 2] },
      { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same' },
      { type: 'activation', activation: 'relu' },
      { type: 'maxPool2d', poolSize: 2 },
      { type: 'conv2d', filters: 4, kernelSize: 2, activation: 'softmax' },
      { type: 'avgPool2d', poolSize: [2, 3], strides: 1, padding: 'same' },
      { type: 'dense', units: 3, activation: 'tanh' },
      {
        type: 'branches',
        merge: 'concat',
        branches: [[{ type: 'conv2d', filters: 2, kernelSize: 1 }], [{ type: 'activation', activation: { type: 'leakyRelu', alpha: 0.5 } }]],
      },
      { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' },
      { type: 'flatten' },
      { type: 'dense', units: 4, activation: 'softmax' },
    ], [96], false, 81);
  });

  it('reads the weights on every call: writing new ones changes the output', () => {
    const spec: NetworkSpec = [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 2 }];
    const model = buildModel(spec, [3], { seed: 3 });
    const fast = compileFastForward(spec, [3])!;
    loadWeights(fast, model);
    const obs = Float32Array.from([0.5, -1, 2]);
    const before = Float32Array.from(fast.forward(obs));
    expectClose(before, predict(model, obs));
    model.setWeights(model.getWeights().map((w) => tf.mul(w, 2)));
    loadWeights(fast, model);
    const after = fast.forward(obs);
    expect(fast.forward(obs)).toBe(after); // one reused array
    expectClose(after, predict(model, obs));
    expect(Math.abs(after[0] - before[0]) + Math.abs(after[1] - before[1])).toBeGreaterThan(1e-3);
  });

  it('returns null for specs it cannot run', () => {
    const unsupported: [NetworkSpec, number[]][] = [
      [[{ type: 'dense', units: 4 }, { type: 'batchNorm' }, { type: 'dense', units: 2 }], [3]],
      [[{ type: 'conv2dTranspose', filters: 2, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }], [4, 4, 1]],
      [[{ type: 'upSampling2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], [4, 4, 1]],
      [[{ type: 'dense', units: 4, trainable: false }, { type: 'dense', units: 2 }], [3]],
      [[{ type: 'branches', merge: 'dueling', trainable: false, branches: [[{ type: 'dense', units: 1 }], [{ type: 'dense', units: 2 }]] }], [3]],
    ];
    for (const [spec, shape] of unsupported) {
      buildModel(spec, shape, { seed: 1 }).dispose(); // valid specs, just not for this module
      expect(compileFastForward(spec, shape)).toBeNull();
    }
  });

  it('rejects invalid specs like buildModel, and checks the observation size', () => {
    expect(() => compileFastForward([{ type: 'dense', units: 0 }], [3])).toThrow(SpecError);
    expect(() => compileFastForward([{ type: 'conv2d', filters: 2, kernelSize: 3 }], [3])).toThrow(/layers\[0\] \(conv2d\): cannot apply/);
    expect(() => compileFastForward([{ type: 'conv2d', filters: 2, kernelSize: 5 }], [3, 3, 1])).toThrow(SpecError);
    const fast = compileFastForward([{ type: 'dense', units: 2 }], [3])!;
    expect(() => fast.forward(new Float32Array(4))).toThrow('observation has 4 values, the model takes 3');
    expect(fast.forward([1, 2, 3])).toHaveLength(2);
  });
});
