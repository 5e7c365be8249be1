/**
 * Typed-array access to tensor memory inside a kernel, for the wasm and cpu backends.
 *
 * The wasm backend keeps every tensor in the module's linear memory; allocating (makeOutput) can
 * grow that memory and detach earlier views, so kernels allocate first and take views after.
 */
import type * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;

/** The parts of the wasm backend (BackendWasm) the kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The parts of the cpu backend (MathBackendCPU) the kernels use. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array): TensorInfo;
}

export type KernelBackend = 'wasm' | 'cpu';

/**
 * Allocates an output tensor and returns it with a writable float32 view, zero-filled unless
 * `zero` is false (for kernels that write every element: the fill is a pass over the memory).
 */
export function allocate(backendName: KernelBackend, backend: unknown, shape: number[], zero = true): { info: TensorInfo; out: Float32Array } {
  const size = shape.reduce((a, b) => a * b, 1);
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackendLike;
    const info = wasm.makeOutput(shape, 'float32');
    const out = wasm.typedArrayFromHeap(info) as Float32Array;
    if (zero) out.fill(0);
    return { info, out };
  }
  const values = new Float32Array(size);
  return { info: (backend as CpuBackendLike).makeTensorInfo(shape, 'float32', values), out: values };
}

/**
 * The output for an optimiser state slot `slot` (each element read before it is written): with
 * `inPlace`, the slot's own memory, one more reference to the same data as tfjs's own Reshape
 * returns, unless another tensor shares that memory (a slot restored from a tensor its caller
 * still holds), so nothing outside the optimiser changes under it; else new memory of its shape.
 */
export function slotOutput(backendName: KernelBackend, backend: unknown, slot: TensorInfo, inPlace: boolean): TensorInfo {
  const b = backend as { refCount(dataId: object): number; incRef(dataId: object): void };
  if (!inPlace || b.refCount(slot.dataId) !== 1) return allocate(backendName, backend, slot.shape.slice(), false).info;
  b.incRef(slot.dataId);
  return { dataId: slot.dataId, shape: slot.shape.slice(), dtype: slot.dtype };
}

/** variable ← value, unless the kernel that made value wrote it in the variable's own memory. */
export function assignUnlessInPlace(variable: tf.Variable, value: tf.Tensor): void {
  if (value.dataId !== variable.dataId) variable.assign(value);
}

/** A view of a tensor's values. On wasm, take it after every allocation in the kernel. */
export function read(backendName: KernelBackend, backend: unknown, info: TensorInfo): ArrayLike<number> {
  if (backendName === 'wasm') return (backend as WasmBackendLike).typedArrayFromHeap(info);
  return (backend as CpuBackendLike).data.get(info.dataId).values;
}

/** A float32 view of an output allocated earlier (re-taken because memory may have grown). */
export function view(backendName: KernelBackend, backend: unknown, info: TensorInfo): Float32Array {
  return read(backendName, backend, info) as Float32Array;
}

/**
 * The value of an optimiser kernel's optional `scale` input (a float32 scalar: the gradient's
 * clip factor), or 1 without one. Kernels on wasm and cpu run synchronously, so it is read here.
 */
export function gradientScale(kernelName: string, backendName: KernelBackend, backend: unknown, scale: TensorInfo | undefined): number {
  if (!scale) return 1;
  if (scale.dtype !== 'float32' || scale.shape.reduce((a, b) => a * b, 1) !== 1) {
    throw new Error(`${kernelName}: scale must be a float32 scalar, got ${scale.dtype} [${scale.shape.join(', ')}]`);
  }
  return read(backendName, backend, scale)[0];
}

/**
 * A float32 tensor's values without the copy `dataSync` makes (on wasm it slices the heap into a
 * new buffer): a view of the wasm heap or the cpu backend's own array, or null on other backends.
 * Valid until the tensor is disposed or a later allocation grows the wasm memory: copy it at once.
 */
export function tensorValuesView(backendName: string, backend: unknown, t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || (backendName !== 'wasm' && backendName !== 'cpu')) return null;
  const values = read(backendName, backend, { dataId: t.dataId, shape: t.shape, dtype: 'float32' });
  return values instanceof Float32Array ? values : null;
}

/** The smallest normal float32. */
export const FLT_MIN = 1.1754943508222875e-38;

/**
 * 0 where |v| < FLT_MIN, else v (NaN kept): optimiser state is flushed to zero, as the SIMD
 * kernels do (simd-optim.ts `flush` says why).
 */
export function flushSubnormal(v: number): number {
  return Math.abs(v) < FLT_MIN ? 0 : v;
}
