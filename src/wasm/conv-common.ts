/**
 * What the wasm conv-gradient kernels share: reading their attrs into a Conv2DInfo and handing a
 * product of two tensors (viewed as matrices) to the backend's XNNPACK BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackendLike } from './heap';

export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

/** The forward conv's geometry (x = the conv's input, filter [kh, kw, ci, co]); NHWC only. */
export function convGradInfo(kernelName: string, attrs: ConvGradAttrs, xShape: readonly number[], filterShape: readonly number[]): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${kernelName} on wasm: dataFormat 'NCHW' is not supported; Keiko's layers use 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/** a · b (or a · bᵀ) for tensors read as [rows, inner] and [inner, cols] (or [cols, inner]) matrices. */
export function matMul(backend: WasmBackendLike, a: TensorInfo, aShape: [number, number], b: TensorInfo, bShape: [number, number], transposeB = false): TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (!kernel) throw new Error('the wasm conv-gradient kernels need the BatchMatMul kernel');
  return kernel.kernelFunc({
    inputs: {
      a: { dataId: a.dataId, shape: [1, ...aShape], dtype: 'float32' },
      b: { dataId: b.dataId, shape: [1, ...bShape], dtype: 'float32' },
    },
    backend: backend as unknown as tf.KernelBackend,
    attrs: { transposeA: false, transposeB },
  }) as TensorInfo;
}
