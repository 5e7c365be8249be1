/**
 * The explicit backward pass (agents/dqn/lean-net.ts) against tfjs autodiff: the same update on
 * the same batch gives the same loss, TD errors and new weights, for dense and conv nets, every
 * supported activation, Huber and MSE, DQN and Double DQN, with and without gradient clipping.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type NetworkSpec } from '../src/layers';
import { Learner } from '../agents/dqn/learner';
import { compileLeanNet } from '../agents/dqn/lean-net';
import { qNetworkSpec } from '../agents/dqn/network';
import type { ReplayBatch } from '../agents/dqn/replay-buffer';
import { Random } from '../src/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases: { name: string; spec: NetworkSpec; shape: number[]; n: number }[] = [
  {
    name: 'MLP relu → tanh → linear',
    spec: [{ type: 'dense', units: 7, activation: 'relu' }, { type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 3 }],
    shape: [4],
    n: 3,
  },
  {
    name: 'MLP sigmoid, no bias in the middle',
    spec: [{ type: 'dense', units: 6, activation: 'sigmoid' }, { type: 'dense', units: 6, activation: 'relu', useBias: false }, { type: 'dense', units: 2 }],
    shape: [3],
    n: 2,
  },
  {
    name: 'MinAtar-shaped CNN',
    spec: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 5 }],
    shape: [6, 6, 3],
    n: 5,
  },
  {
    name: 'two convs, same padding, stride 2',
    spec: [
      { type: 'conv2d', filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 2, kernelSize: 2, activation: 'tanh' },
      { type: 'flatten' },
      { type: 'dense', units: 4 },
    ],
    shape: [7, 7, 2],
    n: 4,
  },
  {
    name: 'dueling MLP (the head network.ts appends)',
    spec: qNetworkSpec([{ type: 'dense', units: 6, activation: 'relu' }], [4], 3, true),
    shape: [4],
    n: 3,
  },
  {
    name: 'dueling MinAtar-shaped CNN',
    spec: qNetworkSpec([{ type: 'conv2d', filters: 3, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 8, activation: 'relu' }], [5, 5, 2], 4, true),
    shape: [5, 5, 2],
    n: 4,
  },
];

function batchFor(shape: number[], n: number, B: number, seed: number): ReplayBatch {
  const rng = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const draw = (k: number, f: () => number) => Float32Array.from({ length: k }, f);
  return {
    size: B,
    obs: draw(B * size, () => rng.random() * 2 - 1),
    nextObs: draw(B * size, () => rng.random() * 2 - 1),
    actions: Int32Array.from({ length: B }, () => rng.integer(0, n)),
    rewards: draw(B, () => rng.random() * 4 - 2),
    discounts: draw(B, () => (rng.random() < 0.2 ? 0 : 0.99)),
    weights: draw(B, () => 0.2 + rng.random()),
    indices: new Int32Array(B),
  };
}

describe('explicit backward pass = autodiff', () => {
  for (const c of cases) {
    for (const loss of ['huber', 'mse'] as const) {
      for (const [doubleDqn, maxGradNorm] of [[false, null], [true, 0.5]] as const) {
        it(`${c.name}, ${loss}, ${doubleDqn ? 'double' : 'plain'}${maxGradNorm ? ', clipped' : ''}`, () => {
          const make = (explicit: boolean) => {
            const online = buildModel(c.spec, c.shape, { seed: 1 });
            const target = buildModel(c.spec, c.shape, { seed: 2 });
            const learner = new Learner(online, target, tf.train.sgd(0.05), c.n, { doubleDqn, loss, huberDelta: 0.7, maxGradNorm, tau: 1 }, null, explicit ? c.spec : null);
            return { online, learner };
          };
          const a = make(true);
          const b = make(false);
          expect(a.learner.explicitBackward).toBe(true);
          expect(b.learner.explicitBackward).toBe(false);
          for (let step = 0; step < 3; step++) {
            const batch = batchFor(c.shape, c.n, 9, 10 + step);
            const before = tf.memory().numTensors;
            const ra = a.learner.update(batch);
            expect(tf.memory().numTensors).toBe(before);
            const rb = b.learner.update(batch);
            expect(ra.loss).toBeCloseTo(rb.loss, 5);
            expect(ra.qMean).toBeCloseTo(rb.qMean, 5);
            ra.tdErrors.forEach((d, i) => expect(d).toBeCloseTo(rb.tdErrors[i], 5));
            const wa = a.online.getWeights().map((w) => w.dataSync());
            const wb = b.online.getWeights().map((w) => w.dataSync());
            wa.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(wb[i][j], 5)));
          }
        });
      }
    }
  }

  it('specs it does not cover compile to null (the learner keeps autodiff)', () => {
    const unsupported: NetworkSpec[] = [
      [{ type: 'dense', units: 4, activation: 'elu' }, { type: 'dense', units: 2 }],
      [{ type: 'dense', units: 4, kernelRegularizer: { l2: 0.1 } }, { type: 'dense', units: 2 }],
      [{ type: 'dense', units: 4 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 2 }],
      [{ type: 'dense', units: 4, trainable: false }, { type: 'dense', units: 2 }],
    ];
    for (const spec of unsupported) {
      const model = buildModel(spec, [3], { seed: 1 });
      expect(compileLeanNet(spec, model)).toBeNull();
      model.dispose();
    }
  });
});

describe('explicit update on wasm and cpu with Keiko kernels (SIMD gemm, KeikoDense/KeikoDenseGrad, folded clipping)', () => {
  const nets = [
    { name: 'MLP 4→32→32→2', spec: [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'dense', units: 32, activation: 'relu' }, { type: 'dense', units: 2 }] as NetworkSpec, shape: [4], n: 2 },
    { name: 'CNN 6×6×3→conv16→dense32→3', spec: [{ type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 32, activation: 'relu' }, { type: 'dense', units: 3 }] as NetworkSpec, shape: [6, 6, 3], n: 3 },
  ];
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const c of nets) {
      it(`${backend}: ${c.name}, Adam, clipped: same weights as autodiff, and weightsOut holds them`, async () => {
        const { initBackend } = await import('../src/backend');
        const { createOptimizer } = await import('../src/optimizers');
        await initBackend(backend, { quiet: true });
        try {
          const size = buildModel(c.spec, c.shape, { seed: 1 }).countParams();
          const make = (explicit: boolean) => {
            const online = buildModel(c.spec, c.shape, { seed: 1 });
            const target = buildModel(c.spec, c.shape, { seed: 2 });
            const out = new Float32Array(size);
            const learner = new Learner(online, target, createOptimizer({ type: 'adam', learningRate: 0.01 }), c.n, { doubleDqn: false, loss: 'huber', huberDelta: 1, maxGradNorm: 0.5, tau: 1 }, out, explicit ? c.spec : null);
            return { online, learner, out };
          };
          const a = make(true);
          const b = make(false);
          for (let step = 0; step < 4; step++) {
            const batch = batchFor(c.shape, c.n, 8, 30 + step);
            const ra = a.learner.update(batch);
            const rb = b.learner.update(batch);
            expect(ra.loss).toBeCloseTo(rb.loss, 4);
            const flat = Float32Array.from(a.online.getWeights().flatMap((w) => Array.from(w.dataSync())));
            expect(Array.from(a.out)).toEqual(Array.from(flat));
            b.out.forEach((v, i) => expect(a.out[i]).toBeCloseTo(v, 4));
          }
        } finally {
          await tf.setBackend('cpu');
        }
      });
      it(`${backend}: ${c.name}, Double DQN, MSE: the fused TD kernel and its tfjs-ops fallback give the same update`, async () => {
        const { initBackend } = await import('../src/backend');
        const { createOptimizer } = await import('../src/optimizers');
        const { TD_GRAD_KERNEL } = await import('../src/wasm/td-kernel');
        await initBackend(backend, { quiet: true });
        const kernel = tf.getKernel(TD_GRAD_KERNEL, backend)!;
        expect(kernel).toBeDefined();
        try {
          const make = () => {
            const online = buildModel(c.spec, c.shape, { seed: 1 });
            const target = buildModel(c.spec, c.shape, { seed: 2 });
            const learner = new Learner(online, target, createOptimizer({ type: 'rmsprop', learningRate: 0.01 }), c.n, { doubleDqn: true, loss: 'mse', huberDelta: 1, maxGradNorm: null, tau: 1 }, null, c.spec);
            return { online, learner };
          };
          const fused = make();
          const ops = make();
          for (let step = 0; step < 3; step++) {
            const batch = batchFor(c.shape, c.n, 8, 50 + step);
            const rf = fused.learner.update(batch);
            const tdFused = Array.from(rf.tdErrors);
            tf.unregisterKernel(TD_GRAD_KERNEL, backend);
            const ro = ops.learner.update(batch);
            tf.registerKernel(kernel);
            expect(rf.loss).toBeGreaterThan(0);
            expect(rf.loss).toBeCloseTo(ro.loss, 5);
            expect(rf.qMean).toBeCloseTo(ro.qMean, 5);
            tdFused.forEach((d, i) => expect(d).toBeCloseTo(ro.tdErrors[i], 5));
            const [wf, wo] = [fused.online, ops.online].map((m) => m.getWeights().flatMap((w) => Array.from(w.dataSync())));
            wf.forEach((v, i) => expect(v).toBeCloseTo(wo[i], 5));
          }
        } finally {
          if (!tf.getKernel(TD_GRAD_KERNEL, backend)) tf.registerKernel(kernel);
          await tf.setBackend('cpu');
        }
      });
    }
  }
});
