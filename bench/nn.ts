/**
 * `npm run bench:nn`: DQN-shaped network costs per backend — one learner update (online forward +
 * backward, target forward, Huber on Q(s,a), Adam) for an MLP and a small CNN, and single-
 * observation action selection (tfjs predict, and the pure-JS forward pass the DQN policy uses).
 * Prints the median and the best time of many reps after a warm-up, the FLOP lower bound of each
 * and the implied GFLOP/s. The machine may be shared: medians move with load; the best time is
 * the steadier figure.
 *
 *   npm run bench:nn                      # cpu and wasm (and tensorflow when tfjs-node is installed)
 *   npm run bench:nn -- --backends wasm   # just one
 *   npm run bench:nn -- --seconds 1       # time budget per measurement (default 1.5)
 *   npm run bench:nn -- --stock           # tfjs's stock kernels, without Keiko's (the "before")
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { initNodeBackend, probeNative } from '../node/backend-node';
import type { BackendPreference } from '../src/backend';
import { buildModel } from '../src/layers/index';
import { clipByGlobalNorm, createOptimizer } from '../src/optimizers';
import { huber } from '../src/losses';
import { Random } from '../src/random';
import { NETS, makeBatch, measure, peakMatMul, updateFlops, type Batch, type NetCase, type Row, type Timing } from './nn-shared';
import { restoreStockKernels } from '../src/wasm/index';
import { Learner } from '../agents/dqn/learner';

/** Phase boundaries of one update, ms since its start: upload, target fwd, online fwd, backward, optimiser, read-back. */
export const PHASES = ['upload', 'target fwd', 'online fwd', 'backward', 'optimiser', 'read-back'] as const;
type UpdateFn = (b: Batch, marks?: Float64Array) => number;
type Forward = (x: tf.Tensor) => tf.Tensor2D;

/**
 * The lean forward pass agents/dqn/tf-forward.ts compiles (dense/conv2d as tf.fused ops with
 * bias + activation, flatten as a reshape) — restricted to the layers the bench nets use.
 */
export function leanForward(model: tf.LayersModel): Forward {
  const steps: Array<(x: tf.Tensor) => tf.Tensor> = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const activation = ((cfg.activation as string | undefined) ?? 'linear') as 'linear' | 'relu';
    const [kernel, bias] = layer.weights;
    if (cls === 'InputLayer') continue;
    if (cls === 'Flatten') steps.push((x) => tf.reshape(x, [x.shape[0], -1]));
    else if (cls === 'Dense') steps.push((x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel.read() as tf.Tensor2D, bias: bias?.read(), activation }));
    else if (cls === 'Conv2D') {
      steps.push((x) => tf.fused.conv2d({
        x: x as tf.Tensor4D, filter: kernel.read() as tf.Tensor4D, strides: cfg.strides as [number, number], pad: cfg.padding as 'valid', bias: bias?.read(), activation,
      }));
    } else throw new Error(`leanForward: unsupported layer ${cls}`);
  }
  return (x) => steps.reduce((h, f) => f(h), x) as tf.Tensor2D;
}

/**
 * The reference update before this change (kept as the "plain" row): model.apply, Q(s,a) via
 * tf.oneHot, Huber, one read of the loss only.
 */
function plainUpdate(net: NetCase, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer): UpdateFn {
  const vars = online.trainableWeights.map((w) => w.read() as tf.Variable);
  return (b) => {
    const loss = tf.tidy(() => {
      const obs = tf.tensor(b.obs, [net.batch, ...net.inputShape]);
      const nextObs = tf.tensor(b.nextObs, [net.batch, ...net.inputShape]);
      const mask = tf.oneHot(tf.tensor1d(b.actions, 'int32'), net.actions);
      const y = tf.add(tf.tensor1d(b.rewards), tf.mul(tf.tensor1d(b.discounts), tf.max(target.apply(nextObs) as tf.Tensor, 1)));
      const { value, grads } = tf.variableGrads(() => {
        const q = online.apply(obs, { training: true }) as tf.Tensor;
        return huber(y, tf.sum(tf.mul(q, mask), 1)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
}

export interface UpdateOptions {
  doubleDqn: boolean;
  maxGradNorm: number | null;
}

/**
 * One DQN update shaped exactly like agents/dqn/learner.ts today: six uploads, the one-hot mask
 * built in JS, the lean forward, target y = r + γ·max Q⁻(s′) (or Double DQN), Huber per sample
 * weighted by the importance weights, optional global-norm clipping, one dataSync of
 * loss + mean Q + TD errors + the flat online weights. `marks` (when given) receives the phase
 * boundaries: wasm and cpu run every kernel synchronously inside the op call, so a clock read
 * between ops is an honest split (checked: the phases sum to the total).
 */
export function learnerUpdate(net: NetCase, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer, opts: UpdateOptions): UpdateFn {
  const vars = online.trainableWeights.map((w) => w.read() as tf.Variable);
  const onlineForward = leanForward(online);
  const targetForward = leanForward(target);
  const B = net.batch;
  const n = net.actions;
  const mask = new Float32Array(B * n);
  const weightsOut = new Float32Array(vars.reduce((s, v) => s + v.size, 0));
  return (b, marks) => {
    const t0 = performance.now();
    const mark = (i: number) => {
      if (marks) marks[i] = performance.now() - t0;
    };
    mask.fill(0);
    for (let i = 0; i < B; i++) mask[i * n + b.actions[i]] = 1;
    const packed = tf.tidy(() => {
      const obs = tf.tensor(b.obs, [B, ...net.inputShape]);
      const nextObs = tf.tensor(b.nextObs, [B, ...net.inputShape]);
      const actionMask = tf.tensor2d(mask, [B, n]);
      const rewards = tf.tensor1d(b.rewards);
      const discounts = tf.tensor1d(b.discounts);
      const weights = tf.tensor1d(b.weights);
      mark(0);
      const nextQTarget = targetForward(nextObs);
      let nextValue: tf.Tensor1D;
      if (opts.doubleDqn) {
        const best = tf.oneHot(tf.argMax(onlineForward(nextObs), 1) as tf.Tensor1D, n);
        nextValue = tf.sum(tf.mul(nextQTarget, best), 1);
      } else {
        nextValue = tf.max(nextQTarget, 1);
      }
      const y = tf.add(rewards, tf.mul(discounts, nextValue));
      mark(1);
      const kept: { td?: tf.Tensor; qMean?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        const q = onlineForward(obs);
        const qa = tf.sum(tf.mul(q, actionMask), 1);
        kept.td = tf.keep(tf.sub(y, qa));
        kept.qMean = tf.keep(tf.mean(qa));
        const loss = tf.mean(tf.mul(huber(y, qa, { reduction: 'none' }), weights)) as tf.Scalar;
        mark(2);
        return loss;
      }, vars);
      const applied = opts.maxGradNorm === null ? grads : clipByGlobalNorm(grads, opts.maxGradNorm).grads;
      mark(3);
      optimizer.applyGradients(applied);
      mark(4);
      const parts: tf.Tensor[] = [tf.reshape(value, [1]), tf.reshape(kept.qMean!, [1]), kept.td!];
      for (const v of vars) parts.push(tf.reshape(v, [-1]));
      const out = tf.concat(parts);
      tf.dispose([kept.td!, kept.qMean!]);
      return out;
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    weightsOut.set(data.subarray(2 + B, 2 + B + weightsOut.length));
    mark(5);
    return data[0];
  };
}

/**
 * A chain net (conv2d / flatten / dense, relu or linear) compiled for training without the
 * gradient tape: `forward` runs every layer as one fused tfjs op (conv/matMul + bias + relu —
 * under a tape tfjs splits those into 3 kernels each) and keeps what the backward pass needs;
 * `backward` is the hand-written chain rule in tfjs ops (per dense: dW = xᵀ·dz, db = Σ dz,
 * dx = dz·Wᵀ, relu′ = step(y)); the first layer's input gradient is skipped (tfjs's fused conv2d
 * gradient computes it even when nothing needs it). Runs on every tfjs backend.
 */
export interface Trainable {
  variables: tf.Variable[];
  /** Forward pass; with `keep`, remembers the activations for backward. */
  forward(x: tf.Tensor, keep?: boolean): tf.Tensor2D;
  /** Gradients (in `variables` order) of Σ dOut ⊙ output, for the last forward(…, true). */
  backward(dOut: tf.Tensor2D): tf.Tensor[];
}

type Layer =
  | { kind: 'flatten' }
  | { kind: 'dense'; kernel: tf.Variable; bias: tf.Variable | null; relu: boolean }
  | { kind: 'conv'; kernel: tf.Variable; bias: tf.Variable | null; relu: boolean; strides: [number, number]; pad: 'valid' | 'same' };

export function compileTrainable(model: tf.LayersModel): Trainable {
  const layers: Layer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const activation = (cfg.activation as string | undefined) ?? 'linear';
    if (activation !== 'linear' && activation !== 'relu') throw new Error(`compileTrainable: activation ${activation}`);
    const [kernel, bias] = layer.weights.map((w) => w.read() as tf.Variable);
    const relu = activation === 'relu';
    if (cls === 'InputLayer') continue;
    if (cls === 'Flatten') layers.push({ kind: 'flatten' });
    else if (cls === 'Dense') layers.push({ kind: 'dense', kernel, bias: bias ?? null, relu });
    else if (cls === 'Conv2D') layers.push({ kind: 'conv', kernel, bias: bias ?? null, relu, strides: cfg.strides as [number, number], pad: cfg.padding as 'valid' });
    else throw new Error(`compileTrainable: unsupported layer ${cls}`);
  }
  const variables = layers.flatMap((l) => (l.kind === 'flatten' ? [] : l.bias ? [l.kernel, l.bias] : [l.kernel]));
  // The input and output of every layer in the last kept forward pass.
  let acts: tf.Tensor[] = [];
  const forward = (x: tf.Tensor, keep = false): tf.Tensor2D => {
    if (keep) acts = [x];
    let h = x;
    for (const l of layers) {
      if (l.kind === 'flatten') h = tf.reshape(h, [h.shape[0], -1]);
      else if (l.kind === 'dense') h = tf.fused.matMul({ a: h as tf.Tensor2D, b: l.kernel, bias: l.bias ?? undefined, activation: l.relu ? 'relu' : 'linear' });
      else h = tf.fused.conv2d({ x: h as tf.Tensor4D, filter: l.kernel as tf.Tensor4D, strides: l.strides, pad: l.pad, bias: l.bias ?? undefined, activation: l.relu ? 'relu' : 'linear' });
      if (keep) acts.push(h);
    }
    return h as tf.Tensor2D;
  };
  const backward = (dOut: tf.Tensor2D): tf.Tensor[] => {
    const grads: tf.Tensor[] = [];
    let dy: tf.Tensor = dOut;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const x = acts[i];
      const y = acts[i + 1];
      if (l.kind === 'flatten') {
        dy = tf.reshape(dy, x.shape);
        continue;
      }
      const dz = l.relu ? tf.mul(dy, tf.step(y)) : dy;
      const first = i === 0;
      if (l.kind === 'dense') {
        if (l.bias) grads.push(tf.sum(dz, 0));
        grads.push(tf.matMul(x as tf.Tensor2D, dz as tf.Tensor2D, true, false));
        if (!first) dy = tf.matMul(dz as tf.Tensor2D, l.kernel as tf.Tensor2D, false, true);
      } else {
        const attrs = { strides: l.strides, pad: l.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        if (l.bias) grads.push(tf.sum(dz, [0, 1, 2]));
        grads.push(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...attrs, filterShape: l.kernel.shape } as unknown as tf.NamedAttrMap) as tf.Tensor);
        if (!first) dy = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: l.kernel }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      }
    }
    acts = [];
    return grads.reverse(); // pushed bias-then-kernel from the last layer: reversed = kernel, bias, … in order
  };
  return { variables, forward, backward };
}

/**
 * The same update as learnerUpdate (same maths, same read-back) with the structure this bench
 * recommends for agents/dqn/learner.ts: no tape (compileTrainable's forward/backward), the
 * Huber gradient written out (dq = mask ⊙ clip(qa − y, −δ, δ)·w/B), the loss and mean Q
 * computed in JS from the read-back qa − y and qa, optimiser kernels from createOptimizer.
 */
export function fastUpdate(net: NetCase, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer, opts: UpdateOptions): UpdateFn {
  const on = compileTrainable(online);
  const tg = compileTrainable(target);
  const names = on.variables.map((v) => v.name);
  const B = net.batch;
  const n = net.actions;
  const delta = 1;
  const mask = new Float32Array(B * n);
  const scaledWeights = new Float32Array(B);
  const weightsOut = new Float32Array(on.variables.reduce((s, v) => s + v.size, 0));
  const tdErrors = new Float32Array(B);
  return (b, marks) => {
    const t0 = performance.now();
    const mark = (i: number) => {
      if (marks) marks[i] = performance.now() - t0;
    };
    mask.fill(0);
    for (let i = 0; i < B; i++) {
      mask[i * n + b.actions[i]] = 1;
      scaledWeights[i] = b.weights[i] / B;
    }
    const packed = tf.tidy(() => {
      const obs = tf.tensor(b.obs, [B, ...net.inputShape]);
      const nextObs = tf.tensor(b.nextObs, [B, ...net.inputShape]);
      const actionMask = tf.tensor2d(mask, [B, n]);
      const rewards = tf.tensor1d(b.rewards);
      const discounts = tf.tensor1d(b.discounts);
      const w = tf.tensor1d(scaledWeights);
      mark(0);
      const nextQTarget = tg.forward(nextObs);
      let nextValue: tf.Tensor1D;
      if (opts.doubleDqn) {
        const best = tf.oneHot(tf.argMax(on.forward(nextObs), 1) as tf.Tensor1D, n);
        nextValue = tf.sum(tf.mul(nextQTarget, best), 1);
      } else {
        nextValue = tf.max(nextQTarget, 1);
      }
      const y = tf.add(rewards, tf.mul(discounts, nextValue));
      mark(1);
      const q = on.forward(obs, true);
      const qa = tf.sum(tf.mul(q, actionMask), 1);
      const err = tf.sub(qa, y); // = −TD error
      // d(mean(w·huber(err)))/dq = mask ⊙ clip(err, −δ, δ)·w/B
      const dq = tf.mul(actionMask, tf.reshape(tf.mul(tf.clipByValue(err, -delta, delta), w), [B, 1])) as tf.Tensor2D;
      mark(2);
      let grads = on.backward(dq);
      if (opts.maxGradNorm !== null) grads = clipByGlobalNorm(grads, opts.maxGradNorm).grads;
      mark(3);
      optimizer.applyGradients(grads.map((tensor, i) => ({ name: names[i], tensor })));
      mark(4);
      return tf.concat([err, qa, ...on.variables.map((v) => tf.reshape(v, [-1]))]);
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const e = data[i];
      tdErrors[i] = -e;
      const a = Math.abs(e);
      const quad = Math.min(a, delta);
      loss += scaledWeights[i] * (0.5 * quad * quad + delta * (a - quad));
    }
    weightsOut.set(data.subarray(2 * B, 2 * B + weightsOut.length));
    mark(5);
    return loss;
  };
}

/**
 * The DQN learner itself (agents/dqn/learner.ts), as the loop calls it: the explicit backward
 * pass of lean-net.ts (or autodiff without the spec), with the flat weights read back for the JS
 * forward. The rows the figures of the speed targets come from.
 */
export function dqnLearner(net: NetCase, online: tf.LayersModel, target: tf.LayersModel, optimizer: tf.Optimizer, explicit: boolean, maxGradNorm: number | null = null): UpdateFn {
  const weightsOut = new Float32Array(online.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0));
  const learner = new Learner(online, target, optimizer, net.actions, { doubleDqn: false, loss: 'huber', huberDelta: 1, maxGradNorm, tau: 1 }, weightsOut, explicit ? net.spec : null);
  const indices = new Int32Array(net.batch);
  return (b) => learner.update({ size: net.batch, ...b, indices }).loss;
}

type Variant = {
  what: string;
  make: (net: NetCase, online: tf.LayersModel, target: tf.LayersModel) => UpdateFn;
  phases?: boolean;
};

export const ADAM = { type: 'adam', learningRate: 1e-3 } as const;
/** The MinAtar paper's optimiser (Young & Tian 2019). */
export const CENTERED_RMSPROP = { type: 'rmsprop', learningRate: 2.5e-4, decay: 0.95, momentum: 0, epsilon: 0.01, centered: true } as const;
const DQN_OPTS: UpdateOptions = { doubleDqn: false, maxGradNorm: null };

function variants(stock: boolean): Variant[] {
  const list: Variant[] = [
    { what: 'update, plain (tf Adam)', make: (net, o, t) => plainUpdate(net, o, t, tf.train.adam(1e-3)) },
  ];
  if (stock) return list;
  list.push(
    { what: 'update, learner, Adam', make: (net, o, t) => learnerUpdate(net, o, t, createOptimizer(ADAM), DQN_OPTS), phases: true },
    { what: 'update, learner, centered RMSProp', make: (net, o, t) => learnerUpdate(net, o, t, createOptimizer(CENTERED_RMSPROP), DQN_OPTS), phases: true },
    { what: 'update, fast, Adam', make: (net, o, t) => fastUpdate(net, o, t, createOptimizer(ADAM), DQN_OPTS), phases: true },
    { what: 'update, fast, centered RMSProp', make: (net, o, t) => fastUpdate(net, o, t, createOptimizer(CENTERED_RMSPROP), DQN_OPTS), phases: true },
    { what: 'update, agents/dqn Learner, Adam', make: (net, o, t) => dqnLearner(net, o, t, createOptimizer(ADAM), true) },
    { what: 'update, agents/dqn Learner, centered RMSProp', make: (net, o, t) => dqnLearner(net, o, t, createOptimizer(CENTERED_RMSPROP), true) },
    { what: 'update, agents/dqn Learner (autodiff), Adam', make: (net, o, t) => dqnLearner(net, o, t, createOptimizer(ADAM), false) },
  );
  return list;
}

/**
 * The fast update must be the learner's update: one SGD step of each on copies of the same nets
 * gives the same loss and the same new weights (within float32 rounding), plain and Double DQN.
 */
function checkFastMatchesLearner(net: NetCase, rng: Random): void {
  const batch = makeBatch(net, rng);
  for (const doubleDqn of [false, true]) {
    const after: Array<{ loss: number; weights: Float32Array }> = [];
    for (const make of [learnerUpdate, fastUpdate]) {
      const online = buildModel(net.spec, net.inputShape, { seed: 1 });
      const target = buildModel(net.spec, net.inputShape, { seed: 2 });
      const loss = make(net, online, target, tf.train.sgd(0.1), { doubleDqn, maxGradNorm: 1 })(batch);
      const weights = Float32Array.from(online.trainableWeights.flatMap((w) => Array.from(w.read().dataSync())));
      after.push({ loss, weights });
      online.dispose();
      target.dispose();
    }
    let worst = Math.abs(after[0].loss - after[1].loss) / Math.max(1e-6, Math.abs(after[0].loss));
    let scale = 1e-6;
    for (const v of after[0].weights) scale = Math.max(scale, Math.abs(v));
    after[0].weights.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - after[1].weights[i]) / scale)));
    if (!(worst < 1e-4)) throw new Error(`fast update differs from the learner's on ${net.name}${doubleDqn ? ' (Double DQN)' : ''}: ${worst}`);
  }
}

/**
 * GFLOP/s of the n³ matMul (median of many reps), and a function measuring an update's share
 * of the peak on a shared machine: an (n/2)³ matMul (~7 ms, as long as an update, so as likely to be
 * preempted) and updates are interleaved (rounds of one matMul then ~40 ms of updates); the
 * share is best update GFLOP/s / best matMul GFLOP/s — the least-disturbed samples of both, from
 * the same period. (With a 50 ms matMul, preemption biases any share upwards, past 100%.)
 */
function matMulPeak(seconds: number, n: number): { gflops: number; timing: Timing; share: (fn: () => void, flops: number, seconds: number) => number; dispose: () => void } {
  const peak = peakMatMul(n);
  const timing = measure(peak.run, seconds, 10, 200);
  const probe = peakMatMul(n / 2);
  const share = (fn: () => void, flops: number, secs: number): number => {
    let bestPeak = Infinity;
    let bestUpdate = Infinity;
    let rounds = 0;
    const end = performance.now() + secs * 1000;
    while (rounds++ < 3 || performance.now() < end) {
      let t0 = performance.now();
      probe.run();
      bestPeak = Math.min(bestPeak, performance.now() - t0);
      const roundEnd = performance.now() + 40;
      for (let i = 0; i < 3 || performance.now() < roundEnd; i++) {
        t0 = performance.now();
        fn();
        bestUpdate = Math.min(bestUpdate, performance.now() - t0);
      }
    }
    return flops / bestUpdate / (probe.flops / bestPeak);
  };
  const dispose = () => {
    peak.dispose();
    probe.dispose();
  };
  return { gflops: peak.flops / (timing.medianMs * 1e6), timing, share, dispose };
}

interface PhaseRow {
  backend: string;
  net: string;
  what: string;
  /** Median duration of each phase, ms. */
  medians: number[];
  total: number;
}

/** Median phase durations over `reps` updates (after the timing run, so warm). */
function measurePhases(update: UpdateFn, batch: Batch, reps: number): { medians: number[]; total: number } {
  const marks = new Float64Array(PHASES.length);
  const per = PHASES.map(() => [] as number[]);
  const totals: number[] = [];
  for (let r = 0; r < reps; r++) {
    update(batch, marks);
    let prev = 0;
    for (let i = 0; i < PHASES.length; i++) {
      per[i].push(marks[i] - prev);
      prev = marks[i];
    }
    totals.push(prev);
  }
  const median = (xs: number[]) => xs.sort((p, q) => p - q)[xs.length >> 1];
  return { medians: per.map(median), total: median(totals) };
}

async function benchBackend(backend: BackendPreference, seconds: number, stock: boolean, acting: boolean): Promise<{ rows: Row[]; phases: PhaseRow[]; peak: number }> {
  const info = await initNodeBackend(backend, { quiet: true });
  if (stock && (info.name === 'wasm' || info.name === 'cpu')) restoreStockKernels(info.name);
  const label = (info.wasm ? `${info.name} (SIMD ${info.wasm.simd ? 'on' : 'off'})` : info.name) + (stock ? ', stock tfjs kernels' : '');
  // The plain-JS cpu backend takes seconds per 1024³ product: measure its peak at 256³.
  const n = info.name === 'cpu' ? 256 : 1024;
  const peak = matMulPeak(seconds, n);
  const rows: Row[] = [{ backend: label, net: `matMul ${n}×${n}×${n}`, what: 'peak (tf.matMul)', timing: peak.timing, flops: 2 * n ** 3, share: 1 }];
  const phases: PhaseRow[] = [];
  const rng = new Random(7);
  for (const net of NETS) {
    if (!stock) checkFastMatchesLearner(net, rng);
    for (const { what, make, phases: withPhases } of variants(stock)) {
      const online = buildModel(net.spec, net.inputShape, { seed: 1 });
      const target = buildModel(net.spec, net.inputShape, { seed: 2 });
      const update = make(net, online, target);
      const batch = makeBatch(net, rng);
      try {
        update(batch); // creates the optimiser's state before counting tensors
      } catch (err) {
        console.log(`${label}, ${net.name}, ${what}: cannot run — ${(err as Error).message.split('\n')[0]}`);
        online.dispose();
        target.dispose();
        continue;
      }
      const before = tf.memory().numTensors;
      const timing = measure(() => update(batch), seconds);
      const leaked = tf.memory().numTensors - before;
      if (leaked > 0) console.warn(`warning: ${what} on ${label} leaked ${leaked} tensors`);
      const flops = updateFlops(online, net.batch);
      rows.push({ backend: label, net: net.name, what, timing, flops, share: peak.share(() => update(batch), flops, seconds) });
      if (withPhases) phases.push({ backend: label, net: net.name, what, ...measurePhases(update, batch, Math.min(500, Math.max(10, timing.reps >> 1))) });
      online.dispose();
      target.dispose();
    }
    // Loaded only when asked for: the acting rows live in their own module (bench/nn-act.ts).
    if (acting) rows.push(...(await import('./nn-act')).actingRows(net, label, seconds, rng));
  }
  peak.dispose();
  return { rows, phases, peak: peak.gflops };
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}

const ms = (x: number) => x.toFixed(x < 0.1 ? 4 : x < 1 ? 3 : 2);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seconds = Number(flag('--seconds') ?? 1.5);
  let backends = (flag('--backends') ?? '').split(',').filter(Boolean) as BackendPreference[];
  if (backends.length === 0) {
    backends = ['cpu', 'wasm'];
    if (probeNative('tensorflow').available) backends.push('tensorflow');
  }
  const stock = args.includes('--stock');
  const acting = !args.includes('--no-act');
  const body: string[][] = [];
  const phaseBody: string[][] = [];
  for (const backend of backends) {
    const { rows, phases, peak } = await benchBackend(backend, seconds, stock, acting);
    for (const r of rows) {
      const gflops = r.flops / (r.timing.medianMs * 1e6);
      body.push([
        r.backend, r.net, r.what, ms(r.timing.medianMs), ms(r.timing.bestMs), String(r.timing.reps),
        (r.flops / 1e6).toFixed(r.flops < 1e6 ? 3 : 1), gflops.toFixed(2), `${((100 * gflops) / peak).toFixed(0)}%`,
        r.share === undefined ? '' : `${(100 * r.share).toFixed(0)}%`,
      ]);
    }
    for (const p of phases) phaseBody.push([p.backend, p.net, p.what, ...p.medians.map(ms), ms(p.medians.reduce((a, b) => a + b, 0)), ms(p.total)]);
  }
  printTable(['backend', 'network', 'measurement', 'median ms', 'best ms', 'reps', 'MFLOP', 'GFLOP/s (median)', '% of peak (median)', '% of peak (best/best vs (n/2)³, interleaved)'], body);
  if (phaseBody.length) {
    console.log('\nOne update by phase (median ms of each phase over many updates; Σ = sum of the phase medians):');
    printTable(['backend', 'network', 'update', ...PHASES, 'Σ', 'total'], phaseBody);
  }
}

// Runs when executed (npm run bench:nn), not when imported for its update functions.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
