/**
 * KeikoTdGrad: a Q-learning loss's output gradient in one kernel (wasm and cpu). From the online
 * Q(s, ·), the target net's Q(s', ·) (and the online net's, for Double DQN), the actions, rewards,
 * discounts and per-sample gradient scales it computes
 *   y   = r + discount · Q_target(s', a*),  a* = argmax Q_target(s', ·) or, with Double DQN, argmax Q_online(s', ·)
 *   qa  = Q(s, a),  td = y − qa
 *   dQ  = onehot(a) · scale · ℓ′(td),  ℓ′ = clip(td, ±huberDelta) (huber) or td (mse)
 * and returns [dQ, td, qa]. The same maths in tfjs ops is ten kernels (max or argMax/oneHot, the
 * mask product, sums, the clip and products), each ~10 µs of engine bookkeeping at DQN's batch
 * sizes. Every step is rounded to float32 as those ops round; ties pick the first maximum, as
 * tf.argMax and tdTargets do.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type KernelBackend, type TensorInfo } from './heap';
import { denseKernelsEnabled } from './dense-kernel';

export const TD_GRAD_KERNEL = 'KeikoTdGrad';

export interface TdGradAttrs {
  loss: 'huber' | 'mse';
  huberDelta: number;
}

export interface TdGradArrays {
  q: ArrayLike<number>;
  nextQTarget: ArrayLike<number>;
  nextQOnline: ArrayLike<number> | null;
  actions: ArrayLike<number>;
  rewards: ArrayLike<number>;
  discounts: ArrayLike<number>;
  scale: ArrayLike<number>;
}

/** The kernel's maths on plain arrays (rows of `nActions`); dQ must start zeroed. */
export function tdGrad(a: TdGradArrays, nActions: number, attrs: TdGradAttrs, dQ: Float32Array, td: Float32Array, qa: Float32Array): void {
  const f = Math.fround;
  const delta = attrs.huberDelta;
  // The net whose argmax picks a*: the online one for Double DQN.
  const select = a.nextQOnline ?? a.nextQTarget;
  for (let i = 0; i < td.length; i++) {
    const row = i * nActions;
    let best = 0;
    for (let k = 1; k < nActions; k++) if (select[row + k] > select[row + best]) best = k;
    const y = f(a.rewards[i] + f(a.discounts[i] * a.nextQTarget[row + best]));
    const action = a.actions[i];
    const qi = a.q[row + action];
    const d = f(y - qi);
    td[i] = d;
    qa[i] = qi;
    const g = attrs.loss === 'huber' ? Math.min(delta, Math.max(-delta, d)) : d;
    dQ[row + action] = f(g * a.scale[i]);
  }
}

function makeTdGradKernel(backendName: KernelBackend) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const inputs = args.inputs as Record<'q' | 'nextQTarget' | 'actions' | 'rewards' | 'discounts' | 'scale', TensorInfo> & { nextQOnline?: TensorInfo };
    const attrs = args.attrs as unknown as TdGradAttrs;
    if (attrs.loss !== 'huber' && attrs.loss !== 'mse') throw new Error(`${TD_GRAD_KERNEL}: loss must be 'huber' or 'mse', got ${JSON.stringify(attrs.loss)}`);
    const [B, n] = inputs.q.shape;
    for (const name of ['nextQTarget', 'nextQOnline'] as const) {
      const t = inputs[name];
      if (t && (t.shape[0] !== B || t.shape[1] !== n)) throw new Error(`${TD_GRAD_KERNEL}: ${name} must be [${B}, ${n}] like q, got [${t.shape.join(', ')}]`);
    }
    for (const name of ['actions', 'rewards', 'discounts', 'scale'] as const) {
      if (inputs[name].shape.length !== 1 || inputs[name].shape[0] !== B) throw new Error(`${TD_GRAD_KERNEL}: ${name} must be [${B}], got [${inputs[name].shape.join(', ')}]`);
    }
    if (inputs.actions.dtype !== 'int32') throw new Error(`${TD_GRAD_KERNEL}: actions must be int32, got ${inputs.actions.dtype}`);
    const outs = [allocate(backendName, args.backend, [B, n]).info, allocate(backendName, args.backend, [B], false).info, allocate(backendName, args.backend, [B], false).info];
    // Views after every allocation (wasm memory may have grown).
    const r = (t: TensorInfo) => read(backendName, args.backend, t);
    const [dQ, td, qa] = outs.map((t) => r(t) as Float32Array);
    tdGrad(
      { q: r(inputs.q), nextQTarget: r(inputs.nextQTarget), nextQOnline: inputs.nextQOnline ? r(inputs.nextQOnline) : null, actions: r(inputs.actions), rewards: r(inputs.rewards), discounts: r(inputs.discounts), scale: r(inputs.scale) },
      n, attrs, dQ, td, qa,
    );
    return outs;
  };
}

export interface TdGradInputs {
  q: tf.Tensor2D;
  nextQTarget: tf.Tensor2D;
  nextQOnline: tf.Tensor2D | null;
  actions: tf.Tensor1D;
  rewards: tf.Tensor1D;
  discounts: tf.Tensor1D;
  scale: tf.Tensor1D;
}

/** Whether KeikoTdGrad runs on the current backend (registered, and not switched off for a benchmark). */
export const tdGradOnCurrentBackend = (): boolean => denseKernelsEnabled() && tf.getKernel(TD_GRAD_KERNEL, tf.getBackend()) !== undefined;

/** [dQ, td, qa] by KeikoTdGrad where the current backend has it, else null (the caller runs tfjs ops). */
export function tdGradKernel(inputs: TdGradInputs, attrs: TdGradAttrs): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] | null {
  if (!tdGradOnCurrentBackend()) return null;
  const { nextQOnline, ...rest } = inputs;
  const named: tf.NamedTensorMap = nextQOnline ? { ...rest, nextQOnline } : { ...rest };
  return tf.engine().runKernel(TD_GRAD_KERNEL, named, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
}

export const tdGradKernelWasm: tf.KernelConfig = { kernelName: TD_GRAD_KERNEL, backendName: 'wasm', kernelFunc: makeTdGradKernel('wasm') as unknown as tf.KernelFunc };
export const tdGradKernelCpu: tf.KernelConfig = { kernelName: TD_GRAD_KERNEL, backendName: 'cpu', kernelFunc: makeTdGradKernel('cpu') as unknown as tf.KernelFunc };
