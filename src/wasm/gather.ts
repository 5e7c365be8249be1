/**
 * GatherV2 on wasm with batchDims > 0: the stock kernel reads out of bounds and returns garbage
 * (e.g. tf.gather(q, actions, 1, 1), the usual way to pick Q(s, a)). batchDims = 0 keeps the
 * stock (C++) kernel; batched gathers run this typed-array loop.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type TensorInfo } from './heap';

/** out[b, o, i, s] = x[b, o, indices[b, i], s] over the flattened gather shape. */
export function batchedGather(
  x: ArrayLike<number>, indices: ArrayLike<number>, out: Float32Array | Int32Array,
  batchSize: number, outerSize: number, dimSize: number, sliceSize: number,
): void {
  const perBatch = indices.length / batchSize;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let outer = 0; outer < outerSize; outer++) {
      const base = (b * outerSize + outer) * dimSize;
      for (let i = 0; i < perBatch; i++) {
        const index = indices[b * perBatch + i];
        if (index < 0 || index >= dimSize) throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
        const src = (base + index) * sliceSize;
        for (let s = 0; s < sliceSize; s++) out[o++] = x[src + s];
      }
    }
  }
}

export function gatherV2WasmConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: 'GatherV2',
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.GatherV2Attrs }) => {
      const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
      const { axis, batchDims } = args.attrs;
      if (!batchDims && stock) return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
      const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
        x as unknown as tf.TensorInfo & tf.Tensor, indices as unknown as tf.Tensor, parsedAxis, batchDims ?? 0,
      );
      if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`GatherV2 on wasm: dtype ${x.dtype} is not supported with batchDims > 0`);
      const backend = args.backend as { makeOutput(s: number[], d: tf.DataType): TensorInfo; typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array };
      let result: TensorInfo;
      if (x.dtype === 'float32') {
        result = allocate('wasm', backend, info.outputShape).info;
      } else {
        result = backend.makeOutput(info.outputShape, 'int32');
      }
      batchedGather(
        read('wasm', backend, x), read('wasm', backend, indices), backend.typedArrayFromHeap(result),
        info.batchSize, info.outerSize, info.dimSize, info.sliceSize,
      );
      return result;
    }) as unknown as tf.KernelFunc,
  };
}
