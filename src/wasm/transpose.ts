/**
 * Transpose on wasm for float32 tensors that swap their last two axes (2-D transposes, and
 * batched ones) with both of those a multiple of 4: 4×4 blocks through WebAssembly SIMD lane
 * shuffles (simd-optim.ts). The stock kernel moves one element at a time (0.6 ms for 1024×128 on
 * a busy 2-core machine); the BatchMatMul wrapper transposes on every dense backward pass and,
 * with this, also to let XNNPACK pack the smaller operand. Everything else: stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackendLike } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';

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
      const rows = x.shape[rank - 2];
      const cols = x.shape[rank - 1];
      const simd = swapsLastTwo && x.dtype === 'float32' && rows % 4 === 0 && cols % 4 === 0 ? simdOptimiserFor(backendMemory(args.backend)) : null;
      if (!simd) return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(perm.map((p) => x.shape[p]), 'float32');
      const xv = backend.typedArrayFromHeap(x);
      const ov = backend.typedArrayFromHeap(out);
      const batches = x.shape.slice(0, rank - 2).reduce((p, d) => p * d, 1);
      const bytes = rows * cols * 4;
      for (let b = 0; b < batches; b++) simd.transpose(xv.byteOffset + b * bytes, ov.byteOffset + b * bytes, rows, cols);
      return out;
    }) as unknown as tf.KernelFunc,
  };
}
