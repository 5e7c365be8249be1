/**
 * BatchMatMul on wasm with transposed operands. The stock kernel's transposed paths are naive and
 * 10–50× slower than its XNNPACK path (measured: [32,1024]ᵀ·[32,128] 50 ms vs 0.9 ms for the
 * same product untransposed), and every dense layer's backward pass uses them (dW = xᵀ·dy,
 * dx = dy·Wᵀ). Transposing the operand with the (fast) Transpose kernel first and multiplying
 * untransposed is far cheaper; the Transpose kernel itself is not free (0.65 ms for 1024×128), so
 * the formulation that transposes the fewest elements is chosen.
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
      const backend = args.backend;
      const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);
      const mul = (x: TensorInfo, y: TensorInfo) =>
        stock.kernelFunc({ inputs: { a: x, b: y }, backend: backend as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
      // Transposes cost about as much as the product here, so move the fewest elements:
      // A·Bᵀ is either A·(Bᵀ) or (B·Aᵀ)ᵀ; Aᵀ·B is either (Aᵀ)·B or (Bᵀ·A)ᵀ; Aᵀ·Bᵀ = (B·A)ᵀ.
      const rows = (t: TensorInfo, transposed: boolean) => t.shape[t.shape.length - (transposed ? 1 : 2)];
      const outSize = rows(a, transposeA) * rows(b, !transposeB) * (size(a) / (a.shape[a.shape.length - 1] * a.shape[a.shape.length - 2]));
      let viaOutput: boolean;
      if (transposeA && transposeB) viaOutput = true;
      else if (transposeB) viaOutput = size(a) + outSize < size(b);
      else viaOutput = size(b) + outSize < size(a);
      if (viaOutput) {
        const a2 = transposeA ? a : swapLast(backend, a);
        const b2 = transposeB ? b : swapLast(backend, b);
        const product = mul(b2, a2);
        if (a2 !== a) disposeData(backend, a2);
        if (b2 !== b) disposeData(backend, b2);
        const out = swapLast(backend, product);
        disposeData(backend, product);
        return out;
      }
      const a2 = transposeA ? swapLast(backend, a) : a;
      const b2 = transposeB ? swapLast(backend, b) : b;
      const out = mul(a2, b2);
      if (a2 !== a) disposeData(backend, a2);
      if (b2 !== b) disposeData(backend, b2);
      return out;
    }) as unknown as tf.KernelFunc,
  };
}
