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
import { allocate, read, type TensorInfo } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';

export const DENSE_KERNEL = 'KeikoDense';

let enabled = true;

/**
 * Benchmarks only: run the lean nets' layers and TD loss through tfjs ops as before (false) or
 * Keiko's fused kernels — KeikoDense, KeikoDenseGrad, KeikoConvGrad, KeikoTdGrad — (true, the default).
 */
export function setDenseKernels(on: boolean): void {
  enabled = on;
}

/** Whether the fused layer kernels run where registered (see setDenseKernels). */
export const denseKernelsEnabled = (): boolean => enabled;

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
  if (!enabled || tf.getKernel(DENSE_KERNEL, tf.getBackend()) === undefined) return tf.fused.matMul({ a: x, b: w, bias, activation }) as tf.Tensor2D;
  const inputs: tf.NamedTensorMap = bias ? { x, w, bias } : { x, w };
  return tf.engine().runKernel(DENSE_KERNEL, inputs, { activation } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

export const DENSE_GRAD_KERNEL = 'KeikoDenseGrad';

export interface DenseGradAttrs {
  /** The forward's activation: relu masks dy by y > 0. */
  activation: 'linear' | 'relu';
  /** Whether to compute dx (not for the first layer). */
  withDx: boolean;
  /** Whether to compute db (the layer has a bias). */
  withBias: boolean;
}

/**
 * KeikoDenseGrad: a dense layer's backward pass as ONE kernel record, for y = act(x·W + b):
 * dz = dy ⊙ (y > 0) (relu) or dy; dW = xᵀ·dz; db = Σ_rows dz; dx = dz·Wᵀ. Inputs dy, x, w and
 * (relu) y; outputs [dW, db?, dx?]. The products go to the backend's own BatchMatMul (Keiko's
 * wasm plans and SIMD gemm), the mask and the column sum are loops over the backend's memory:
 * five engine records (step, multiply, two matMuls, sum) become one.
 */
function denseGradKernel(backendName: 'wasm' | 'cpu') {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const { dy, x, w, y } = args.inputs as { dy: TensorInfo; x: TensorInfo; w: TensorInfo; y?: TensorInfo };
    const { activation, withDx, withBias } = args.attrs as unknown as DenseGradAttrs;
    const [m, k] = x.shape;
    const n = w.shape[1];
    if (x.shape.length !== 2 || w.shape.length !== 2 || w.shape[0] !== k || dy.shape[0] !== m || dy.shape[1] !== n) {
      throw new Error(`${DENSE_GRAD_KERNEL}: need dy [m, n], x [m, k], w [k, n]; got [${dy.shape.join(', ')}], [${x.shape.join(', ')}], [${w.shape.join(', ')}]`);
    }
    if (activation === 'relu' && !y) throw new Error(`${DENSE_GRAD_KERNEL}: relu needs the forward output y`);
    const matMul = tf.getKernel('BatchMatMul', backendName)!;
    const backend = args.backend;
    const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });
    const dz = activation === 'relu' ? reluGrad(backendName, backend, dy, y!) : dy;
    const product = (a: TensorInfo, aShape: number[], b: TensorInfo, bShape: number[], transposeA: boolean, transposeB: boolean): TensorInfo =>
      matMul.kernelFunc({ inputs: { a: view(a, aShape), b: view(b, bShape) }, backend: backend as tf.KernelBackend, attrs: { transposeA, transposeB } } as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
    const outs: TensorInfo[] = [view(product(x, [1, m, k], dz, [1, m, n], true, false), [k, n])];
    if (withBias) outs.push(columnSums(backendName, backend, dz, m, n));
    if (withDx) outs.push(view(product(dz, [1, m, n], w, [1, k, n], false, true), [m, k]));
    if (dz !== dy) disposeInfo(backendName, backend, dz);
    return outs;
  };
}

/** dz = dy ⊙ (y > 0): a new tensor of dy's shape (y is the relu layer's output). */
export function reluGrad(backendName: 'wasm' | 'cpu', backend: unknown, dy: TensorInfo, y: TensorInfo): TensorInfo {
  const dz = allocate(backendName, backend, dy.shape.slice(), false).info; // every element is written below
  const [vz, vdy, vy] = [read(backendName, backend, dz) as Float32Array, read(backendName, backend, dy) as Float32Array, read(backendName, backend, y) as Float32Array];
  const simd = backendName === 'wasm' ? simdOptimiserFor(backendMemory(backend)) : null;
  let done = 0;
  if (simd) {
    const groups = vz.length >> 2;
    simd.reluMask(vdy.byteOffset, vy.byteOffset, vz.byteOffset, groups);
    done = groups * 4;
  }
  for (let i = done; i < vz.length; i++) vz[i] = vy[i] > 0 ? vdy[i] : 0;
  return dz;
}

/** The column sums [n] of z viewed as a row-major [m, n] matrix (a bias gradient). */
export function columnSums(backendName: 'wasm' | 'cpu', backend: unknown, z: TensorInfo, m: number, n: number): TensorInfo {
  const db = allocate(backendName, backend, [n]).info;
  const [vdb, vz] = [read(backendName, backend, db) as Float32Array, read(backendName, backend, z) as Float32Array];
  const simd = backendName === 'wasm' && n % 4 === 0 ? simdOptimiserFor(backendMemory(backend)) : null;
  if (simd) simd.colsum(vz.byteOffset, vdb.byteOffset, m, n * 4);
  else for (let r = 0, o = 0; r < m; r++) for (let j = 0; j < n; j++, o++) vdb[j] += vz[o];
  return db;
}

export function disposeInfo(backendName: 'wasm' | 'cpu', backend: unknown, t: TensorInfo): void {
  (backend as { disposeData(id: object, force?: boolean): void }).disposeData(t.dataId, backendName === 'cpu' ? true : undefined);
}

export const denseGradKernelWasm: tf.KernelConfig = { kernelName: DENSE_GRAD_KERNEL, backendName: 'wasm', kernelFunc: denseGradKernel('wasm') as unknown as tf.KernelFunc };
export const denseGradKernelCpu: tf.KernelConfig = { kernelName: DENSE_GRAD_KERNEL, backendName: 'cpu', kernelFunc: denseGradKernel('cpu') as unknown as tf.KernelFunc };

/**
 * A dense layer's gradients [dW, db?, dx?] (see KeikoDenseGrad) where the backend has the kernel,
 * else null (the caller runs the same maths in tfjs ops).
 */
export function denseBackwardKernel(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D, y: tf.Tensor2D | null, attrs: DenseGradAttrs): tf.Tensor[] | null {
  if (!enabled || tf.getKernel(DENSE_GRAD_KERNEL, tf.getBackend()) === undefined) return null;
  const inputs: tf.NamedTensorMap = attrs.activation === 'relu' ? { dy, x, w, y: y! } : { dy, x, w };
  return tf.engine().runKernel(DENSE_GRAD_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
