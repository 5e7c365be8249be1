/**
 * KeikoAdamUpdate: one Adam step for one variable in a single kernel (wasm and cpu), instead of
 * the ~12 kernels tfjs's AdamOptimizer dispatches per variable. Inputs x, m, v, g and optionally
 * scale (a scalar the gradient is multiplied by first: the global-norm clip factor of
 * KeikoClipScale, so clipping costs no kernel per variable); outputs the new x, m, v. The per-op dispatch overhead dominates small DQN nets, so this is most of the win.
 * On wasm the loop runs as WebAssembly SIMD over the backend's memory (simd-optim.ts), with this
 * JS loop as the fallback and for the 0–3 trailing elements.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, flushSubnormal, gradientScale, read, slotOutput, type KernelBackend, type TensorInfo } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';

export const ADAM_KERNEL = 'KeikoAdamUpdate';

export interface AdamKernelAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − beta1^t and 1 − beta2^t for this step t (1-based). */
  biasCorrection1: number;
  biasCorrection2: number;
  /** The caller owns m and v (optimiser slots): update them in place where nothing else holds them. */
  inPlaceState?: boolean;
}

/** m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; x ← x − lr·(m/c1)/(√(v/c2) + ε), as tf.train.adam (m and v flushed to zero below FLT_MIN). */
export function adamStep(
  x: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
  xOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamKernelAttrs, from = 0, gScale = 1,
): void {
  const { beta1, beta2, epsilon } = a;
  const k1 = 1 - beta1;
  const k2 = 1 - beta2;
  // lr·(m/c1)/(√(v/c2) + ε) = (lr/c1)·m / (√v·(1/√c2) + ε): one sqrt and one division per element.
  const stepScale = a.learningRate / a.biasCorrection1;
  const invSqrtC2 = 1 / Math.sqrt(a.biasCorrection2);
  const n = xOut.length;
  for (let i = from; i < n; i++) {
    const gi = gScale === 1 ? g[i] : Math.fround(g[i] * gScale);
    const mi = flushSubnormal(m[i] * beta1 + gi * k1);
    const vi = flushSubnormal(v[i] * beta2 + gi * gi * k2);
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = x[i] - (stepScale * mi) / (Math.sqrt(vi) * invSqrtC2 + epsilon);
  }
}

function adamKernel(backendName: KernelBackend) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const { x, m, v, g, scale } = args.inputs as Record<'x' | 'm' | 'v' | 'g', TensorInfo> & { scale?: TensorInfo };
    const a = args.attrs as AdamKernelAttrs;
    // adamStep (and the SIMD loop before it) writes every element of the three outputs. x always
    // gets new memory: the products' caches (batch-mat-mul.ts) know a tensor by its id.
    const xo = allocate(backendName, args.backend, x.shape.slice(), false).info;
    const mo = slotOutput(backendName, args.backend, m, a.inPlaceState === true);
    const vo = slotOutput(backendName, args.backend, v, a.inPlaceState === true);
    for (const [name, t] of [['x', x], ['m', m], ['v', v], ['g', g]] as const) {
      if (t.dtype !== 'float32') throw new Error(`${ADAM_KERNEL}: ${name} must be float32, got ${t.dtype}`);
    }
    const r = (t: TensorInfo) => read(backendName, args.backend, t) as Float32Array;
    const gScale = gradientScale(ADAM_KERNEL, backendName, args.backend, scale);
    const views = [r(x), r(m), r(v), r(g), r(xo), r(mo), r(vo)] as const;
    const simd = backendName === 'wasm' ? simdOptimiserFor(backendMemory(args.backend)) : null;
    let done = 0;
    if (simd) {
      const groups = views[0].length >> 2;
      const [px, pm, pv, pg, pxo, pmo, pvo] = views.map((t) => t.byteOffset);
      simd.adam(px, pm, pv, pg, pxo, pmo, pvo, groups,
        a.learningRate / a.biasCorrection1, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, 1 / Math.sqrt(a.biasCorrection2), a.epsilon, gScale);
      done = groups * 4;
    }
    adamStep(...views, a, done, gScale);
    return [xo, mo, vo];
  };
}

export const adamKernelWasm: tf.KernelConfig = { kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamKernel('wasm') as unknown as tf.KernelFunc };
export const adamKernelCpu: tf.KernelConfig = { kernelName: ADAM_KERNEL, backendName: 'cpu', kernelFunc: adamKernel('cpu') as unknown as tf.KernelFunc };
