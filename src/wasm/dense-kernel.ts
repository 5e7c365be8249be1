/**
 * KeikoDense: y = act(x·W + b) for a 2-D x [m, k] and W [k, n] (act linear or relu) as ONE kernel
 * (wasm and cpu). tf.fused.matMul costs five engine records for the same product (reshapes of
 * x and W to 3-D, the kernel, the reshape back, and its custom-gradient op); at ~10 µs of engine
 * bookkeeping each, that was a third of an MLP update. The kernel hands 3-D views of the same
 * data to the backend's own _FusedMatMul (Keiko's wasm wrapper: the SIMD gemm for fresh weights,
 * XNNPACK for the ones that stay) and returns its output viewed as 2-D: no copies.
 *
 * No gradient is registered: it is for forward passes whose backward is written out
 * (agents/dqn/lean-net.ts), used only where the kernel is registered (denseForwardKernel).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './heap';

export const DENSE_KERNEL = 'KeikoDense';

export interface DenseKernelAttrs {
  activation: 'linear' | 'relu';
}

function denseKernel(backendName: 'wasm' | 'cpu') {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo => {
    const { x, w, bias } = args.inputs as { x: TensorInfo; w: TensorInfo; bias?: TensorInfo };
    const { activation } = args.attrs as unknown as DenseKernelAttrs;
    if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) {
      throw new Error(`${DENSE_KERNEL}: x must be [m, k] and w [k, n], got [${x.shape.join(', ')}] and [${w.shape.join(', ')}]`);
    }
    if (activation !== 'linear' && activation !== 'relu') throw new Error(`${DENSE_KERNEL}: activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`);
    const fused = tf.getKernel('_FusedMatMul', backendName);
    if (!fused) throw new Error(`${DENSE_KERNEL}: the ${backendName} backend has no _FusedMatMul kernel`);
    const [m, k] = x.shape;
    const n = w.shape[1];
    const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });
    const inputs: Record<string, TensorInfo> = { a: view(x, [1, m, k]), b: view(w, [1, k, n]) };
    if (bias) inputs.bias = bias;
    const out = fused.kernelFunc({
      inputs,
      backend: args.backend as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false, activation },
    } as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
    return view(out, [m, n]);
  };
}

export const denseKernelWasm: tf.KernelConfig = { kernelName: DENSE_KERNEL, backendName: 'wasm', kernelFunc: denseKernel('wasm') as unknown as tf.KernelFunc };
export const denseKernelCpu: tf.KernelConfig = { kernelName: DENSE_KERNEL, backendName: 'cpu', kernelFunc: denseKernel('cpu') as unknown as tf.KernelFunc };

/**
 * act(x·W + b) by KeikoDense where the current backend has it, else tf.fused.matMul (e.g. on
 * tfjs-node or webgl). Forward only: no gradient flows through the kernel.
 */
export function denseForwardKernel(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor | undefined, activation: 'linear' | 'relu'): tf.Tensor2D {
  if (tf.getKernel(DENSE_KERNEL, tf.getBackend()) === undefined) return tf.fused.matMul({ a: x, b: w, bias, activation }) as tf.Tensor2D;
  const inputs: tf.NamedTensorMap = bias ? { x, w, bias } : { x, w };
  return tf.engine().runKernel(DENSE_KERNEL, inputs, { activation } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
