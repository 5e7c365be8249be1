/**
 * BatchMatMul on wasm with transposed operands. The stock kernel's transposed paths are naive and
 * 10–50× slower than its XNNPACK path (measured: [32,1024]ᵀ·[32,128] 50 ms vs 0.9 ms for the
 * same product untransposed), and every dense layer's backward pass uses them (dW = xᵀ·dy,
 * dx = dy·Wᵀ). Transposing the operand with the (fast) Transpose kernel first and multiplying
 * untransposed is far cheaper.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './heap';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.BatchMatMulAttrs };

export function batchMatMulWasmConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  if (!stock) throw new Error('BatchMatMul wrapper: the stock wasm BatchMatMul kernel is missing');
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  if (!transposeKernel) throw new Error('BatchMatMul wrapper: the wasm Transpose kernel is missing');
  const disposeData = (backend: unknown, info: TensorInfo) => (backend as { disposeData(id: object): void }).disposeData(info.dataId);
  const swapLast = (backend: unknown, x: TensorInfo): TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return transposeKernel.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: { perm } }) as TensorInfo;
  };
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: ((args: Args) => {
      const { transposeA, transposeB } = args.attrs;
      if (!transposeA && !transposeB) return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const a2 = transposeA ? swapLast(args.backend, a) : a;
      const b2 = transposeB ? swapLast(args.backend, b) : b;
      const out = stock.kernelFunc({
        inputs: { a: a2, b: b2 },
        backend: args.backend as tf.KernelBackend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      if (transposeA) disposeData(args.backend, a2);
      if (transposeB) disposeData(args.backend, b2);
      return out;
    }) as unknown as tf.KernelFunc,
  };
}
