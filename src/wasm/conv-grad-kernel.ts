/**
 * KeikoConvGrad: a conv2d layer's gradients in one kernel record (wasm and cpu), the conv twin of
 * KeikoDenseGrad: dz = dy ⊙ (y > 0) (relu) or dy; dW by the backend's Conv2DBackpropFilter
 * (Keiko's wasm im2col + gemm); db = Σ over batch and positions of dz; dx by Conv2DBackpropInput.
 * Inputs dy, x, filter and (relu) y, all NHWC; outputs [dW, db?, dx?]. Four or five engine
 * records (step, multiply, the filter gradient, a sum that transposes first, the input gradient)
 * become one.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from './heap';
import { columnSums, denseKernelsEnabled, disposeInfo, reluGrad } from './dense-kernel';

export const CONV_GRAD_KERNEL = 'KeikoConvGrad';

export interface ConvGradKernelAttrs {
  activation: 'linear' | 'relu';
  withBias: boolean;
  withDx: boolean;
  strides: [number, number];
  pad: 'valid' | 'same';
}

function makeConvGradKernel(backendName: 'wasm' | 'cpu') {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const { dy, x, filter, y } = args.inputs as { dy: TensorInfo; x: TensorInfo; filter: TensorInfo; y?: TensorInfo };
    const a = args.attrs as unknown as ConvGradKernelAttrs;
    if (dy.shape.length !== 4 || x.shape.length !== 4 || filter.shape.length !== 4 || dy.shape[0] !== x.shape[0] || dy.shape[3] !== filter.shape[3]) {
      throw new Error(`${CONV_GRAD_KERNEL}: need NHWC dy and x with the same batch and a [kh, kw, ci, co] filter; got [${dy.shape.join(', ')}], [${x.shape.join(', ')}], [${filter.shape.join(', ')}]`);
    }
    if (a.activation === 'relu' && !y) throw new Error(`${CONV_GRAD_KERNEL}: relu needs the forward output y`);
    const backend = args.backend;
    const conv = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' };
    const run = (name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo =>
      tf.getKernel(name, backendName)!.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
    const dz = a.activation === 'relu' ? reluGrad(backendName, backend, dy, y!) : dy;
    const outs = [run('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape.slice() })];
    const channels = dy.shape[3];
    if (a.withBias) outs.push(columnSums(backendName, backend, dz, dz.shape.reduce((p, d) => p * d, 1) / channels, channels));
    if (a.withDx) outs.push(run('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape.slice() }));
    if (dz !== dy) disposeInfo(backendName, backend, dz);
    return outs;
  };
}

export const convGradKernelWasm: tf.KernelConfig = { kernelName: CONV_GRAD_KERNEL, backendName: 'wasm', kernelFunc: makeConvGradKernel('wasm') as unknown as tf.KernelFunc };
export const convGradKernelCpu: tf.KernelConfig = { kernelName: CONV_GRAD_KERNEL, backendName: 'cpu', kernelFunc: makeConvGradKernel('cpu') as unknown as tf.KernelFunc };

/**
 * A conv layer's gradients [dW, db?, dx?] (see KeikoConvGrad) where the backend has the kernel,
 * else null (the caller runs the same maths in tfjs ops).
 */
export function convBackwardKernel(dy: tf.Tensor4D, x: tf.Tensor4D, filter: tf.Tensor4D, y: tf.Tensor4D | null, attrs: ConvGradKernelAttrs): tf.Tensor[] | null {
  if (!denseKernelsEnabled() || tf.getKernel(CONV_GRAD_KERNEL, tf.getBackend()) === undefined) return null;
  const inputs: tf.NamedTensorMap = attrs.activation === 'relu' ? { dy, x, filter, y: y! } : { dy, x, filter };
  return tf.engine().runKernel(CONV_GRAD_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
