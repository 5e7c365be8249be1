/**
 * KeikoAdamUpdate: one Adam step for one variable in a single kernel (wasm and cpu), instead of
 * the ~12 kernels tfjs's AdamOptimizer dispatches per variable. Inputs x, m, v, g; outputs the new
 * x, m, v. The per-op dispatch overhead dominates small DQN nets, so this is most of the win.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type KernelBackend, type TensorInfo } from './heap';

export const ADAM_KERNEL = 'KeikoAdamUpdate';

export interface AdamKernelAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − beta1^t and 1 − beta2^t for this step t (1-based). */
  biasCorrection1: number;
  biasCorrection2: number;
}

/** m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; x ← x − lr·(m/c1)/(√(v/c2) + ε), as tf.train.adam. */
export function adamStep(
  x: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, g: ArrayLike<number>,
  xOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamKernelAttrs,
): void {
  const { learningRate: lr, beta1, beta2, epsilon, biasCorrection1: c1, biasCorrection2: c2 } = a;
  const k1 = 1 - beta1;
  const k2 = 1 - beta2;
  for (let i = 0; i < xOut.length; i++) {
    const gi = g[i];
    const mi = m[i] * beta1 + gi * k1;
    const vi = v[i] * beta2 + gi * gi * k2;
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = x[i] - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
  }
}

function adamKernel(backendName: KernelBackend) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const { x, m, v, g } = args.inputs as Record<'x' | 'm' | 'v' | 'g', TensorInfo>;
    const xo = allocate(backendName, args.backend, x.shape.slice()).info;
    const mo = allocate(backendName, args.backend, x.shape.slice()).info;
    const vo = allocate(backendName, args.backend, x.shape.slice()).info;
    const r = (t: TensorInfo) => read(backendName, args.backend, t);
    adamStep(r(x), r(m), r(v), r(g), r(xo) as Float32Array, r(mo) as Float32Array, r(vo) as Float32Array, args.attrs as AdamKernelAttrs);
    return [xo, mo, vo];
  };
}

export const adamKernelWasm: tf.KernelConfig = { kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamKernel('wasm') as unknown as tf.KernelFunc };
export const adamKernelCpu: tf.KernelConfig = { kernelName: ADAM_KERNEL, backendName: 'cpu', kernelFunc: adamKernel('cpu') as unknown as tf.KernelFunc };
