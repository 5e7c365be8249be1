/**
 * KeikoClipScale: the global-norm clip factor of a set of gradients in one kernel (wasm and cpu),
 *   scale = maxNorm / max(‖g‖, maxNorm),  ‖g‖ = sqrt(Σ over every tensor of Σ g²),
 * the factor clipByGlobalNorm (src/optimizers.ts) multiplies every gradient by. The fused
 * optimiser kernels take it as their `scale` input, so clipping a net's gradients costs this one
 * kernel instead of 3 per variable plus the norm's (22 of the 87 kernels of an MLP update).
 * Inputs g0 … g(n−1) (float32, any shapes); attr maxNorm; output a float32 scalar. On wasm the
 * squares are summed with WebAssembly SIMD in the backend's memory (simd-optim.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type KernelBackend, type TensorInfo } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';
import { clipByGlobalNorm } from '../clip-gradients';

export const CLIP_SCALE_KERNEL = 'KeikoClipScale';

let folded = true;

/** Benchmarks only: clip in tfjs ops as before (false) or folded into the kernels (true, the default). */
export function setFoldedClipping(enabled: boolean): void {
  folded = enabled;
}

export interface ClipScaleAttrs {
  maxNorm: number;
}

/** Σ x² of a float32 array from index `from` (JS; the SIMD path sums whole groups of four). */
export function sumOfSquares(x: ArrayLike<number>, from = 0): number {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** maxNorm / max(sqrt(sumSq), maxNorm), in float32 steps like the tfjs ops of clipByGlobalNorm. */
export function clipScale(sumSq: number, maxNorm: number): number {
  const norm = Math.fround(Math.sqrt(Math.fround(sumSq)));
  return Math.fround(maxNorm / Math.max(norm, maxNorm));
}

function clipScaleKernel(backendName: KernelBackend) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo => {
    const { maxNorm } = args.attrs as unknown as ClipScaleAttrs;
    if (!(typeof maxNorm === 'number' && maxNorm > 0)) throw new Error(`${CLIP_SCALE_KERNEL}: maxNorm must be a number > 0, got ${JSON.stringify(maxNorm)}`);
    const grads = Object.keys(args.inputs).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((k) => args.inputs[k] as TensorInfo);
    for (const [i, g] of grads.entries()) {
      if (g.dtype !== 'float32') throw new Error(`${CLIP_SCALE_KERNEL}: g${i} must be float32, got ${g.dtype}`);
    }
    const out = allocate(backendName, args.backend, []).info;
    const simd = backendName === 'wasm' ? simdOptimiserFor(backendMemory(args.backend)) : null;
    let sumSq = 0;
    for (const g of grads) {
      const v = read(backendName, args.backend, g) as Float32Array;
      let done = 0;
      if (simd) {
        const groups = v.length >> 2;
        sumSq += simd.sumSquares(v.byteOffset, groups);
        done = groups * 4;
      }
      sumSq += sumOfSquares(v, done);
    }
    (read(backendName, args.backend, out) as Float32Array)[0] = clipScale(sumSq, maxNorm);
    return out;
  };
}

/** Runs KeikoClipScale on `grads` (inside a tidy): the scalar clip factor. */
export function clipScaleTensor(grads: tf.Tensor[], maxNorm: number): tf.Scalar {
  const inputs: tf.NamedTensorMap = {};
  grads.forEach((g, i) => (inputs[`g${i}`] = g));
  return tf.engine().runKernel(CLIP_SCALE_KERNEL, inputs, { maxNorm } as unknown as tf.NamedAttrMap) as tf.Scalar;
}

/**
 * The fused optimisers' applyClippedGradients, i.e. applyGradients(clipByGlobalNorm(grads,
 * maxNorm).grads): where their update kernel runs (`fusedKernel`) and folding is on, one
 * KeikoClipScale factor that `applyScaled` hands to the update kernels; else the gradients
 * clipped in tfjs ops (applyScaled still runs the fused update where the kernel exists).
 */
export function applyClipped(
  grads: tf.NamedTensorMap, maxNorm: number, fusedKernel: boolean,
  applyScaled: (grads: tf.NamedTensorMap, scale: tf.Scalar | null) => void,
): void {
  if (!fusedKernel || !folded) {
    tf.tidy(() => applyScaled(clipByGlobalNorm(grads, maxNorm).grads, null));
    return;
  }
  const scale = clipScaleTensor(Object.values(grads), maxNorm);
  applyScaled(grads, scale);
  scale.dispose();
}

export const clipScaleKernelWasm: tf.KernelConfig = { kernelName: CLIP_SCALE_KERNEL, backendName: 'wasm', kernelFunc: clipScaleKernel('wasm') as unknown as tf.KernelFunc };
export const clipScaleKernelCpu: tf.KernelConfig = { kernelName: CLIP_SCALE_KERNEL, backendName: 'cpu', kernelFunc: clipScaleKernel('cpu') as unknown as tf.KernelFunc };
