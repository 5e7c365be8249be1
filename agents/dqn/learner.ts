/**
 * The DQN update step: one tf.tidy per gradient step. The sampled batch is uploaded with one
 * tf.tensor per array; the target y = R + discount · Q⁻(s', a*) is computed in the same tidy,
 * outside the gradient (one KeikoTdGrad kernel on wasm and cpu, else tdTargetTensor in targets.ts
 * and tfjs ops); the loss (Huber or MSE, weighted by the importance weights) is minimised with
 * global-norm gradient clipping (folded into the fused optimisers' kernels where they run). The
 * TD errors (for priorities), Q(s,a) and, when the policy acts with the JS forward, the new
 * weights are then read back: from the heap on wasm and cpu, else in one dataSync.
 */
import * as tf from '@tensorflow/tfjs';
import { huber, mse } from '../../src/losses';
import { clipByGlobalNorm } from '../../src/optimizers';
import type { ReplayBatch } from './replay-buffer';
import type { NetworkSpec } from '../../src/layers';
import { compileLeanNet, newLeanCache, type LeanNet } from './lean-net';
import { tdTargetTensor } from './targets';
import { compileTfForward, type TfForward } from './tf-forward';
import { tensorValuesView } from '../../src/wasm/heap';
import { tdGradKernel, tdGradOnCurrentBackend } from '../../src/wasm/td-kernel';

/** Whether tensors can be read where they lie (wasm, cpu): then a copy per tensor beats a concat. */
const readsInPlace = (): boolean => {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
};

/** Copies tensors' values into `out`, back to back, straight from the backend's memory. */
function copyInPlace(tensors: readonly tf.Tensor[], out: Float32Array): void {
  const backendName = tf.getBackend();
  const backend = tf.backend();
  let at = 0;
  for (const t of tensors) {
    out.set(tensorValuesView(backendName, backend, t) ?? (t.dataSync() as Float32Array), at);
    at += t.size;
  }
}

/** An optimiser that clips by global norm itself (FusedAdamOptimizer, FusedRMSPropOptimizer). */
interface ClippingOptimizer {
  applyClippedGradients(grads: tf.NamedTensorMap, maxNorm: number): void;
}

/** One optimiser step on `grads`, clipped to global norm `maxNorm` unless null. */
function applyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, maxNorm: number | null): void {
  if (maxNorm === null) optimizer.applyGradients(grads);
  else if (typeof (optimizer as Partial<ClippingOptimizer>).applyClippedGradients === 'function') (optimizer as unknown as ClippingOptimizer).applyClippedGradients(grads, maxNorm);
  else optimizer.applyGradients(clipByGlobalNorm(grads, maxNorm).grads);
}

export interface LearnerOptions {
  doubleDqn: boolean;
  loss: 'huber' | 'mse';
  huberDelta: number;
  maxGradNorm: number | null;
  /** 1 = hard copy; < 1 = Polyak. */
  tau: number;
}

export interface UpdateResult {
  loss: number;
  qMean: number;
  /** TD errors y − Q(s, a) per sample (view into a reused array). */
  tdErrors: Float32Array;
}

export class Learner {
  private readonly variables: tf.Variable[];
  private readonly weightsSize: number;
  /** One-hot of the batch actions, filled in JS (saves a cast and a oneHot kernel per update). */
  private actionMask = new Float32Array(0);
  /** Forward passes of the two nets (lean fused ops when possible, else model.apply). */
  private readonly onlineForward: (x: tf.Tensor, training: boolean) => tf.Tensor2D;
  private readonly targetForward: (x: tf.Tensor) => tf.Tensor2D;
  readonly obsShape: number[];
  private readonly lean: { online: LeanNet; target: LeanNet } | null;
  /**
   * Benchmarks: when set, each explicit update writes the ms since its start at the end of its
   * phases (upload, target fwd, online fwd, backward, optimiser, read-back). wasm and cpu run
   * kernels synchronously inside the op call, so a clock read between ops is an honest split.
   */
  phaseMarks: Float64Array | null = null;
  /** −w/B (Huber) or −2w/B (MSE) per sample: ∂loss/∂Q(s,a) = scale · ℓ′ factor, filled in JS. */
  private gradScale = new Float32Array(0);
  /** The last update's TD errors and Q(s, a), read back into arrays reused across updates. */
  private tdErrors = new Float32Array(0);
  private qTaken = new Float32Array(0);

  constructor(
    readonly online: tf.LayersModel,
    readonly target: tf.LayersModel,
    readonly optimizer: tf.Optimizer,
    readonly nActions: number,
    readonly options: LearnerOptions,
    /** When set, receives the online weights (trainableWeights order, flat) after every update. */
    readonly weightsOut: Float32Array | null,
    /** The networks' spec: when lean-net.ts covers it, updates use its explicit backward pass. */
    spec: NetworkSpec | null = null,
  ) {
    this.obsShape = online.inputs[0].shape.slice(1) as number[];
    this.variables = online.trainableWeights.map((w) => w.read() as tf.Variable);
    this.weightsSize = weightsOut ? weightsOut.length : 0;
    const lean = (m: tf.LayersModel): TfForward | null => compileTfForward(m);
    const on = lean(online);
    const tg = lean(target);
    this.onlineForward = on ? (x) => on(x) as tf.Tensor2D : (x, training) => online.apply(x, { training }) as tf.Tensor2D;
    this.targetForward = tg ? (x) => tg(x) as tf.Tensor2D : (x) => target.apply(x) as tf.Tensor2D;
    const leanOnline = spec ? compileLeanNet(spec, online) : null;
    const leanTarget = spec ? compileLeanNet(spec, target) : null;
    this.lean = leanOnline && leanTarget ? { online: leanOnline, target: leanTarget } : null;
  }

  /** Whether updates run the explicit backward pass of lean-net.ts (else tfjs autodiff). */
  get explicitBackward(): boolean {
    return this.lean !== null;
  }

  /** One gradient step on `batch`. */
  update(batch: ReplayBatch): UpdateResult {
    return this.lean ? this.updateExplicit(batch, this.lean) : this.updateAutodiff(batch);
  }

  private fillMask(batch: ReplayBatch): Float32Array {
    const B = batch.size;
    const n = this.nActions;
    if (this.actionMask.length !== B * n) this.actionMask = new Float32Array(B * n);
    const mask = this.actionMask;
    mask.fill(0);
    for (let i = 0; i < B; i++) mask[i * n + batch.actions[i]] = 1;
    return mask;
  }

  /**
   * The same update with the gradient written out: for loss = mean_i w_i ℓ(td_i), td = y − Q(s,a),
   * ∂loss/∂Q(s,·) = onehot(a) · (−w/B) ℓ′(td), with ℓ′ = clip(td, ±δ) for Huber and 2·td for MSE.
   * The loss and mean Q are computed in JS from the TD errors and Q(s,a) read back.
   */
  private updateExplicit(batch: ReplayBatch, lean: { online: LeanNet; target: LeanNet }): UpdateResult {
    const B = batch.size;
    const n = this.nActions;
    const opts = this.options;
    if (this.gradScale.length !== B) {
      this.gradScale = new Float32Array(B);
      this.tdErrors = new Float32Array(B);
      this.qTaken = new Float32Array(B);
    }
    const factor = opts.loss === 'huber' ? -1 / B : -2 / B;
    for (let i = 0; i < B; i++) this.gradScale[i] = factor * batch.weights[i];
    const fusedTd = tdGradOnCurrentBackend();
    const inPlace = readsInPlace();
    const marks = this.phaseMarks;
    const t0 = marks ? performance.now() : 0;
    const mark = (i: number) => {
      if (marks) marks[i] = performance.now() - t0;
    };
    const kept = tf.tidy(() => {
      const obs = tf.tensor(batch.obs, [B, ...this.obsShape]);
      const nextObs = tf.tensor(batch.nextObs, [B, ...this.obsShape]);
      const rewards = tf.tensor1d(batch.rewards);
      const discounts = tf.tensor1d(batch.discounts);
      const gradScale = tf.tensor1d(this.gradScale);
      // The fused TD kernel takes the actions; the tfjs ops take them as a one-hot mask.
      const actions = fusedTd ? tf.tensor1d(batch.actions, 'int32') : tf.tensor2d(this.fillMask(batch), [B, n]);
      mark(0);
      // Q⁻(s', ·) evaluates a*; the online net selects it with Double DQN.
      const nextQTarget = lean.target.forward(nextObs);
      const nextQOnline = opts.doubleDqn ? lean.online.forward(nextObs) : null;
      mark(1);
      const cache = newLeanCache();
      const q = lean.online.forward(obs, cache);
      // y = R + discount · Q⁻(s', a*); td = y − Q(s, a); dQ = ∂loss/∂Q(s, ·).
      const [dQ, td, qa] = fusedTd
        ? tdGradKernel({ q, nextQTarget, nextQOnline, actions: actions as tf.Tensor1D, rewards, discounts, scale: gradScale }, { loss: opts.loss, huberDelta: opts.huberDelta })!
        : this.tdGradOps(q, nextQTarget, nextQOnline, actions as tf.Tensor2D, rewards, discounts, gradScale);
      mark(2);
      const grads = lean.online.backward(dQ, cache);
      const named = Object.fromEntries(lean.online.variables.map((v, i) => [v.name, grads[i]]));
      mark(3);
      applyGradients(this.optimizer, named, opts.maxGradNorm);
      mark(4);
      // In-process backends: read td, Q(s,a) and the new weights where they lie. Others: one
      // host read of them concatenated.
      if (inPlace) return [td, qa];
      const parts: tf.Tensor[] = [td, qa];
      if (this.weightsOut) for (const v of lean.online.variables) parts.push(tf.reshape(v, [-1]));
      return [tf.concat(parts)];
    });
    const tdErrors = this.tdErrors;
    const qTaken = this.qTaken;
    if (inPlace) {
      copyInPlace([kept[0]], tdErrors);
      copyInPlace([kept[1]], qTaken);
      if (this.weightsOut) copyInPlace(lean.online.variables, this.weightsOut);
    } else {
      const data = kept[0].dataSync() as Float32Array;
      tdErrors.set(data.subarray(0, B));
      qTaken.set(data.subarray(B, 2 * B));
      if (this.weightsOut) this.weightsOut.set(data.subarray(2 * B, 2 * B + this.weightsSize));
    }
    tf.dispose(kept);
    mark(5);
    let loss = 0;
    let qSum = 0;
    const delta = opts.huberDelta;
    for (let i = 0; i < B; i++) {
      const d = tdErrors[i];
      const a = Math.abs(d);
      loss += batch.weights[i] * (opts.loss === 'huber' ? (a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta)) : d * d);
      qSum += qTaken[i];
    }
    return { loss: loss / B, qMean: qSum / B, tdErrors };
  }

  /** KeikoTdGrad's maths in tfjs ops (backends without the kernel): [dQ, td, qa]. */
  private tdGradOps(q: tf.Tensor2D, nextQTarget: tf.Tensor2D, nextQOnline: tf.Tensor2D | null, actionMask: tf.Tensor2D, rewards: tf.Tensor1D, discounts: tf.Tensor1D, gradScale: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
    const opts = this.options;
    const y = tdTargetTensor(rewards, discounts, nextQTarget, nextQOnline);
    const qa = tf.sum(tf.mul(q, actionMask), 1) as tf.Tensor1D;
    const td = tf.sub(y, qa) as tf.Tensor1D;
    const dLoss = tf.mul(opts.loss === 'huber' ? tf.clipByValue(td, -opts.huberDelta, opts.huberDelta) : td, gradScale);
    return [tf.mul(actionMask, tf.reshape(dLoss, [q.shape[0], 1])) as tf.Tensor2D, td, qa];
  }

  private updateAutodiff(batch: ReplayBatch): UpdateResult {
    const B = batch.size;
    const n = this.nActions;
    const opts = this.options;
    const mask = this.fillMask(batch);
    const packed = tf.tidy(() => {
      const obs = tf.tensor(batch.obs, [B, ...this.obsShape]);
      const nextObs = tf.tensor(batch.nextObs, [B, ...this.obsShape]);
      const actionMask = tf.tensor2d(mask, [B, n]);
      const rewards = tf.tensor1d(batch.rewards);
      const discounts = tf.tensor1d(batch.discounts);
      const weights = tf.tensor1d(batch.weights);

      // y = R + discount · Q⁻(s', a*): the target network evaluates, and selects unless Double DQN.
      const nextQOnline = opts.doubleDqn ? this.onlineForward(nextObs, false) : null;
      const y = tdTargetTensor(rewards, discounts, this.targetForward(nextObs), nextQOnline);

      const kept: { td?: tf.Tensor; qMean?: tf.Tensor } = {};
      const { value, grads } = tf.variableGrads(() => {
        const q = this.onlineForward(obs, true);
        const qa = tf.sum(tf.mul(q, actionMask), 1);
        kept.td = tf.keep(tf.sub(y, qa));
        kept.qMean = tf.keep(tf.mean(qa));
        const perSample = opts.loss === 'huber' ? huber(y, qa, { reduction: 'none', delta: opts.huberDelta }) : mse(y, qa, { reduction: 'none' });
        return tf.mean(tf.mul(perSample, weights)) as tf.Scalar;
      }, this.variables);
      applyGradients(this.optimizer, grads, opts.maxGradNorm);
      const parts: tf.Tensor[] = [tf.reshape(value, [1]), tf.reshape(kept.qMean!, [1]), kept.td!];
      if (this.weightsOut) for (const v of this.variables) parts.push(tf.reshape(v, [-1]));
      const out = tf.concat(parts);
      tf.dispose([kept.td!, kept.qMean!]);
      return out;
    });
    const data = packed.dataSync() as Float32Array;
    packed.dispose();
    if (this.weightsOut) this.weightsOut.set(data.subarray(2 + B, 2 + B + this.weightsSize));
    return { loss: data[0], qMean: data[1], tdErrors: data.subarray(2, 2 + B) };
  }

  /** Copy (τ = 1) or Polyak-average (τ < 1) the online weights into the target network. */
  updateTarget(): void {
    const tau = this.options.tau;
    const src = this.online.weights;
    const dst = this.target.weights;
    tf.tidy(() => {
      for (let i = 0; i < src.length; i++) {
        const s = src[i].read();
        dst[i].write(tau >= 1 ? s : tf.add(tf.mul(s, tau), tf.mul(dst[i].read(), 1 - tau)));
      }
    });
  }

  /** Q-values of a batch of observations with the online network (one sync). */
  qValues(obs: Float32Array, count: number): Float32Array {
    return tf.tidy(() => (this.online.predict(tf.tensor(obs, [count, ...this.obsShape])) as tf.Tensor).dataSync() as Float32Array);
  }
}
