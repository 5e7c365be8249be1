/**
 * Transpose on wasm for float32 tensors that swap their last two axes (2-D transposes, and
 * batched ones): 4×4 blocks through WebAssembly SIMD lane shuffles (simd-optim.ts) when both of
 * those axes are multiples of 4, else a JS loop over the heap. The stock kernel moves one element
 * at a time (0.6 ms for 1024×128 on a busy 2-core machine) and has a fixed cost of ~30 µs even
 * for a 128×6 Q-head weight; the dense backward passes transpose on every update. Everything
 * else: stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackendLike } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';

/**
 * Writes each of `batches` row-major [rows, cols] float32 matrices of `src` transposed into `out`
 * ([cols, rows] each), both tensors on the wasm backend `backend`, allocated by the caller.
 */
export function transposeInto(backend: WasmBackendLike, src: TensorInfo, out: TensorInfo, batches: number, rows: number, cols: number): void {
  const xv = backend.typedArrayFromHeap(src) as Float32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  const simd = rows % 4 === 0 && cols % 4 === 0 ? simdOptimiserFor(backendMemory(backend)) : null;
  const n = rows * cols;
  for (let b = 0; b < batches; b++) {
    if (simd) {
      simd.transpose(xv.byteOffset + b * n * 4, ov.byteOffset + b * n * 4, rows, cols);
      continue;
    }
    for (let r = 0, i = b * n; r < rows; r++) for (let c = 0; c < cols; c++, i++) ov[b * n + c * rows + r] = xv[i];
  }
}

/** A new [cols, rows] float32 tensor: the row-major [rows, cols] matrix `src` transposed. */
export function transposed(backend: WasmBackendLike, src: TensorInfo, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput([cols, rows], 'float32');
  transposeInto(backend, src, out, 1, rows, cols);
  return out;
}

export function transposeWasmConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  if (!stock) throw new Error('Transpose wrapper: the stock wasm Transpose kernel is missing');
  return {
    kernelName: 'Transpose',
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.TransposeAttrs }) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { perm } = args.attrs;
      const rank = x.shape.length;
      const swapsLastTwo = rank >= 2 && perm.every((p, i) => (i < rank - 2 ? p === i : p === (i === rank - 2 ? rank - 1 : rank - 2)));
      if (!swapsLastTwo || x.dtype !== 'float32') return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(perm.map((p) => x.shape[p]), 'float32');
      const batches = x.shape.slice(0, rank - 2).reduce((p, d) => p * d, 1);
      transposeInto(backend, x, out, batches, x.shape[rank - 2], x.shape[rank - 1]);
      return out;
    }) as unknown as tf.KernelFunc,
  };
}
