import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend';
import { FusedRMSPropOptimizer } from '../src/fused-rmsprop';
import { RMSPROP_KERNEL } from '../src/wasm/rmsprop-kernel';
import { clipByGlobalNorm, createOptimizer, getOptimizerConfig, OptimizerConfigError, resolveOptimizerConfig, type OptimizerConfigInput } from '../src/optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Quadratic E(w) = ½ Σ a_i (w_i − c_i)², gradient a ⊙ (w − c). The last coordinate starts at its
// optimum, so its gradient is exactly 0 (catches NaN from a misplaced ε).
const A = [1, 4, 0.5, 2];
const C = [1, -2, 3, 0.5];
const W0 = [0, 1, -1, 0.5];
const grad = (w: number[]) => w.map((wi, i) => A[i]! * (wi - C[i]!));

/** One optimizer step on E(w) through tfjs minimize. */
function quadraticStep(opt: tf.Optimizer, w: tf.Variable): void {
  opt.minimize(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(A), tf.square(tf.sub(w, tf.tensor1d(C)))))) as tf.Scalar, false, [w]);
}

/** Three optimizer steps through tfjs minimize. */
function tfjsSteps(config: OptimizerConfigInput, steps = 3): number[][] {
  const w = tf.variable(tf.tensor1d(W0));
  const opt = createOptimizer(config);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    quadraticStep(opt, w);
    out.push(Array.from(w.dataSync()));
  }
  w.dispose();
  opt.dispose();
  return out;
}

/** Textbook update rule in plain JS (float64): state → new w. */
function reference(step: (w: number[], g: number[], t: number) => number[], steps = 3): number[][] {
  let w = W0.slice();
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    w = step(w, grad(w), t);
    out.push(w.slice());
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) =>
    row.forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v - expected[t]![i]!)).toBeLessThan(tol * Math.max(1, Math.abs(expected[t]![i]!)));
    }),
  );
}

const zeros = () => W0.map(() => 0);

interface RMSPropCase {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  epsilonPlacement: 'inside-sqrt' | 'outside-sqrt';
}

/** RMSProp by its formula: tfjs's sqrt(v + ε) or PyTorch's sqrt(v) + ε, v centered or not. */
function rmspropReference(c: RMSPropCase): number[][] {
  const v = zeros();
  const mg = zeros();
  const mom = zeros();
  return reference((w, g) =>
    w.map((wi, i) => {
      v[i] = c.decay * v[i]! + (1 - c.decay) * g[i]! ** 2;
      mg[i] = c.decay * mg[i]! + (1 - c.decay) * g[i]!;
      const variance = c.centered ? v[i]! - mg[i]! ** 2 : v[i]!;
      const denom = c.epsilonPlacement === 'outside-sqrt' ? Math.sqrt(variance) + c.epsilon : Math.sqrt(variance + c.epsilon);
      mom[i] = c.momentum * mom[i]! + (c.learningRate * g[i]!) / denom;
      return wi - mom[i]!;
    }),
  );
}

describe('optimisers: first three updates on a quadratic match the formulas', () => {
  it('sgd', () => {
    const lr = 0.1;
    expectClose(tfjsSteps({ type: 'sgd', learningRate: lr }), reference((w, g) => w.map((wi, i) => wi - lr * g[i]!)));
  });

  it('momentum (classical and nesterov)', () => {
    const lr = 0.05;
    const m = 0.9;
    for (const nesterov of [false, true]) {
      const acc = zeros();
      const ref = reference((w, g) =>
        w.map((wi, i) => {
          acc[i] = m * acc[i]! + g[i]!;
          return wi - lr * (nesterov ? g[i]! + m * acc[i]! : acc[i]!);
        }),
      );
      expectClose(tfjsSteps({ type: 'momentum', learningRate: lr, momentum: m, nesterov }), ref);
    }
  });

  it('adagrad (accumulator starts at 0.1, backend ε 1e-7)', () => {
    const lr = 0.3;
    const s = W0.map(() => 0.1);
    const ref = reference((w, g) =>
      w.map((wi, i) => {
        s[i] = s[i]! + g[i]! ** 2;
        return wi - (lr * g[i]!) / Math.sqrt(s[i]! + 1e-7);
      }),
    );
    expectClose(tfjsSteps({ type: 'adagrad', learningRate: lr }), ref);
  });

  it('rmsprop (plain, with momentum, centered; ε inside or outside the sqrt)', () => {
    for (const [mu, centered, placement] of [
      [0, false, 'inside-sqrt'],
      [0.5, false, 'inside-sqrt'],
      [0.5, true, 'inside-sqrt'],
      [0, false, 'outside-sqrt'],
      [0.5, true, 'outside-sqrt'],
    ] as const) {
      const c = { learningRate: 0.01, decay: 0.9, momentum: mu, epsilon: 1e-6, centered, epsilonPlacement: placement };
      expectClose(tfjsSteps({ type: 'rmsprop', ...c }), rmspropReference(c));
    }
  });

  it('adam (bias-corrected, ε outside the sqrt)', () => {
    const [lr, b1, b2, eps] = [0.1, 0.8, 0.95, 1e-3];
    const m = zeros();
    const v = zeros();
    const ref = reference((w, g, t) =>
      w.map((wi, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        const mHat = m[i]! / (1 - b1 ** t);
        const vHat = v[i]! / (1 - b2 ** t);
        return wi - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }),
    );
    expectClose(tfjsSteps({ type: 'adam', learningRate: lr, beta1: b1, beta2: b2, epsilon: eps }), ref);
  });

  it('adamax', () => {
    const [lr, b1, b2, eps] = [0.1, 0.9, 0.99, 1e-7];
    const m = zeros();
    const u = zeros();
    const ref = reference((w, g, t) =>
      w.map((wi, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        u[i] = Math.max(b2 * u[i]!, Math.abs(g[i]!));
        return wi - (lr / (1 - b1 ** t)) * (m[i]! / (u[i]! + eps));
      }),
    );
    expectClose(tfjsSteps({ type: 'adamax', learningRate: lr, beta1: b1, beta2: b2, epsilon: eps }), ref);
  });

  it('adadelta (Zeiler 2012)', () => {
    const [lr, rho, eps] = [1, 0.9, 1e-2];
    const eg = zeros();
    const ed = zeros();
    const ref = reference((w, g) =>
      w.map((wi, i) => {
        eg[i] = rho * eg[i]! + (1 - rho) * g[i]! ** 2;
        const d = (Math.sqrt(ed[i]! + eps) / Math.sqrt(eg[i]! + eps)) * g[i]!;
        ed[i] = rho * ed[i]! + (1 - rho) * d ** 2;
        return wi - lr * d;
      }),
    );
    expectClose(tfjsSteps({ type: 'adadelta', learningRate: lr, rho, epsilon: eps }), ref);
  });
});

describe('the fused RMSProp kernel (wasm SIMD and cpu) follows the textbook formula', () => {
  const cases: RMSPropCase[] = [
    { learningRate: 0.01, decay: 0.9, momentum: 0, epsilon: 1e-6, centered: false, epsilonPlacement: 'inside-sqrt' },
    { learningRate: 0.01, decay: 0.9, momentum: 0.5, epsilon: 1e-6, centered: true, epsilonPlacement: 'inside-sqrt' },
    // The MinAtar paper's DQN (PyTorch's RMSprop): ε = 0.01 outside the sqrt, centered.
    { learningRate: 2.5e-4, decay: 0.95, momentum: 0, epsilon: 0.01, centered: true, epsilonPlacement: 'outside-sqrt' },
    { learningRate: 0.01, decay: 0.9, momentum: 0.5, epsilon: 1e-3, centered: false, epsilonPlacement: 'outside-sqrt' },
  ];

  it('plain, with momentum, centered, ε inside and outside — on wasm and cpu with Keiko kernels', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { quiet: true });
      expect(FusedRMSPropOptimizer.fusedOnCurrentBackend()).toBe(true);
      for (const c of cases) expectClose(tfjsSteps({ type: 'rmsprop', ...c }), rmspropReference(c));
    }
    await initBackend('cpu', { quiet: true });
  });

  it('the tfjs-ops path (a backend without the kernel, e.g. tfjs-node) gives the same steps', async () => {
    await initBackend('cpu', { quiet: true });
    const config = tf.getKernel(RMSPROP_KERNEL, 'cpu')!;
    tf.unregisterKernel(RMSPROP_KERNEL, 'cpu');
    try {
      expect(FusedRMSPropOptimizer.fusedOnCurrentBackend()).toBe(false);
      for (const c of cases) expectClose(tfjsSteps({ type: 'rmsprop', ...c }), rmspropReference(c));
    } finally {
      tf.registerKernel(config);
    }
  });

  it('ε outside the sqrt clamps a rounding-negative ms − mg² at 0 instead of giving NaN (wasm SIMD, JS tail, cpu)', async () => {
    // ms < mg² by rounding: the new ms − mg² is about −4e-5, where PyTorch's formula gives NaN.
    const n = 7; // 4 SIMD lanes + a 3-element JS tail on wasm
    const [lr, rho, eps] = [0.01, 0.95, 0.01];
    const g = 0.2001;
    const attrs = { learningRate: lr, decay: rho, momentum: 0, epsilon: eps, centered: true, epsilonOutside: true };
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { quiet: true });
      const outs = tf.tidy(() =>
        (tf.engine().runKernel(RMSPROP_KERNEL, {
          x: tf.fill([n], 1), ms: tf.fill([n], 0.04), mom: tf.zeros([n]), g: tf.fill([n], g), mg: tf.fill([n], g),
        }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]).map((t) => Array.from(t.dataSync())),
      );
      const [x, ms, , mg] = outs as [number[], number[], number[], number[]];
      expect(ms[0]! - mg[0]! ** 2).toBeLessThan(0);
      for (const xi of x) expect(xi).toBeCloseTo(1 - (lr * g) / eps, 5);
    }
    await initBackend('cpu', { quiet: true });
  });

  it('a 4k-element variable (SIMD body and JS tail) matches on wasm, cpu and the JS formula', async () => {
    // 4,099 = 1,024 SIMD groups + a 3-element JS tail; one step from a shared state.
    const n = 4099;
    const g = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 10 ** -(i % 5));
    const results: number[][] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { quiet: true });
      const c = cases[2]!;
      const w = tf.variable(tf.zeros([n]));
      const opt = new FusedRMSPropOptimizer(c.learningRate, c.decay, c.momentum, c.epsilon, c.centered, true);
      for (let t = 0; t < 2; t++) opt.applyGradients({ [w.name]: tf.tensor1d(g) });
      results.push(Array.from(w.dataSync()));
      w.dispose();
      opt.dispose();
    }
    const c = cases[2]!;
    const k = 1 - c.decay;
    const expected = Array.from(g, (gi) => {
      let [v, mg, x] = [0, 0, 0];
      for (let t = 0; t < 2; t++) {
        v = c.decay * v + k * gi * gi;
        mg = c.decay * mg + k * gi;
        x -= (c.learningRate * gi) / (Math.sqrt(v - mg * mg) + c.epsilon);
      }
      return x;
    });
    for (const r of results) {
      for (let i = 0; i < n; i++) expect(Math.abs(r[i]! - expected[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(expected[i]!) + 1e-9);
    }
    await initBackend('cpu', { quiet: true });
  });
});

describe('optimizer config', () => {
  it('fills documented defaults and remembers the config', () => {
    expect(resolveOptimizerConfig({ type: 'adam', learningRate: 1e-3 })).toEqual({
      type: 'adam',
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    const opt = createOptimizer({ type: 'rmsprop', learningRate: 0.01 });
    expect(getOptimizerConfig(opt)).toMatchObject({ decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
  });
  it('lists every problem by path', () => {
    let err: unknown;
    try {
      createOptimizer({ type: 'adam', learningRate: -1, beta1: 1.5, betta2: 0.9 } as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OptimizerConfigError);
    const text = (err as Error).message;
    expect(text).toMatch(/optimizer\.learningRate: expected a number > 0/);
    expect(text).toMatch(/optimizer\.beta1: expected a number in \[0, 1\)/);
    expect(text).toMatch(/optimizer: unknown field\(s\) 'betta2'/);
    expect(() => createOptimizer({ type: 'lion', learningRate: 1 } as never)).toThrow(/optimizer\.type: expected type to be one of 'sgd'/);
  });
});

describe('getWeights/setWeights carry the complete state', () => {
  for (const config of [
    { type: 'adam', learningRate: 0.1 },
    { type: 'adamax', learningRate: 0.1 },
    { type: 'rmsprop', learningRate: 0.01, centered: true, momentum: 0.3 },
    { type: 'adadelta', learningRate: 1 },
  ] as OptimizerConfigInput[]) {
    it(`${config.type}: a copy restored through getWeights → setWeights continues bit for bit`, async () => {
      const run = quadraticStep;
      const w1 = tf.variable(tf.tensor1d(W0));
      const opt1 = createOptimizer(config);
      for (let i = 0; i < 5; i++) run(opt1, w1);
      // as a checkpoint would: copy values out, build fresh tensors
      const saved = (await opt1.getWeights()).map((n) => ({ name: n.name, values: n.tensor.dataSync().slice(), shape: n.tensor.shape, dtype: n.tensor.dtype }));
      const w2 = tf.variable(tf.tensor1d(Array.from(w1.dataSync())));
      const opt2 = createOptimizer(config);
      const restored = saved.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape, s.dtype) }));
      await opt2.setWeights(restored);
      tf.dispose(restored.map((r) => r.tensor));
      expect(opt2.iterations).toBe(5);
      for (let i = 0; i < 3; i++) {
        run(opt1, w1);
        run(opt2, w2);
      }
      expect(Buffer.from(w2.dataSync().buffer).equals(Buffer.from(w1.dataSync().buffer))).toBe(true);
    });
  }
  it('setWeights rejects state of another optimiser type', async () => {
    const opt = createOptimizer({ type: 'adam', learningRate: 0.1 });
    const w = tf.variable(tf.tensor1d([1, 2]));
    opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    const other = createOptimizer({ type: 'momentum', learningRate: 0.1 });
    await expect(other.setWeights(await opt.getWeights())).rejects.toThrow(/state tensors for momentum with 0 slots, found 4/);
  });
});

describe('the fused optimisers update their state in place, and only where nothing else holds it', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const config of [{ type: 'adam', learningRate: 0.1 }, { type: 'rmsprop', learningRate: 0.01, centered: true, momentum: 0.3 }] as OptimizerConfigInput[]) {
      it(`${config.type} on ${backend}: slots keep their memory, weights get new memory, a caller's tensors are never written`, async () => {
        await initBackend(backend, { quiet: true });
        try {
          const run = quadraticStep;
          const w = tf.variable(tf.tensor1d(W0));
          const opt = createOptimizer(config);
          run(opt, w);
          const slots = (await opt.getWeights()).slice(1).map((n) => n.tensor);
          const slotIds = slots.map((t) => t.dataId);
          const before = slots.map((t) => Array.from(t.dataSync()));
          const weightId = w.dataId;
          run(opt, w);
          const after = (await opt.getWeights()).slice(1).map((n) => n.tensor);
          expect(after.map((t) => t.dataId)).toEqual(slotIds);
          expect(after.map((t) => Array.from(t.dataSync()))).not.toEqual(before);
          expect(w.dataId).not.toBe(weightId);
          // State restored from tensors the caller keeps shares their memory: it must not be written.
          const kept = after.map((t) => tf.clone(t));
          const keptValues = kept.map((t) => Array.from(t.dataSync()));
          const opt2 = createOptimizer(config);
          await opt2.setWeights([{ name: 'iter', tensor: tf.scalar(2) }, ...(await opt.getWeights()).slice(1).map((n, i) => ({ name: n.name, tensor: kept[i] }))]);
          const w2 = tf.variable(tf.tensor1d(Array.from(w.dataSync())));
          run(opt2, w2);
          run(opt, w);
          expect(kept.map((t) => Array.from(t.dataSync()))).toEqual(keptValues);
          expect(Buffer.from(w2.dataSync().buffer).equals(Buffer.from(w.dataSync().buffer))).toBe(true);
          tf.dispose([w, w2, ...kept]);
          opt.dispose();
          opt2.dispose();
        } finally {
          await initBackend('cpu', { quiet: true });
        }
      });
    }
  }
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients by maxNorm / globalNorm when above, and leaves them when below', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // global norm 5
    const { grads: clipped, globalNorm } = clipByGlobalNorm(grads, 1);
    expect(globalNorm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(clipped.a.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    expect(clipped.b.shape).toEqual([1, 2]);
    const same = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 10);
    expect(Array.from(same.grads[0]!.dataSync())).toEqual([3, 0]);
    expect(Array.from(same.grads[1]!.dataSync())).toEqual([0, 4]);
    expect(same.globalNorm.dataSync()[0]).toBeCloseTo(5, 6);
  });
  it('does not leak tensors and rejects a bad maxNorm', () => {
    const g = [tf.ones([10]), tf.ones([3, 3])];
    const before = tf.memory().numTensors;
    const out = clipByGlobalNorm(g, 1);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([out.grads, out.globalNorm]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => clipByGlobalNorm(g, 0)).toThrow(/maxNorm must be a number > 0/);
  });
});
