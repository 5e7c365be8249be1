/**
 * Tile for the wasm backend. The stock tfjs 4.22 kernel computes every output element's source
 * index separately (27 ms to tile [1,1,1,32] to [64,14,14,32]), and tf's batch-norm gradient
 * tiles its per-channel terms to the activation's shape, so it dominated a DCGAN generator step.
 * Here the innermost row is copied once and every outer repetition is a block copy (copyWithin).
 */
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackendLike } from './heap';

type Values = Float32Array | Int32Array | Uint8Array;

/** Writes tile(x, reps) into out (row-major), for any rank ≥ 1. */
export function tileInto(x: Values, shape: readonly number[], reps: readonly number[], out: Values): void {
  const rank = shape.length;
  // outStride[d] = number of output elements spanned by one index step of dimension d.
  const outStride = new Array<number>(rank + 1);
  outStride[rank] = 1;
  for (let d = rank - 1; d >= 0; d--) outStride[d] = outStride[d + 1] * shape[d] * reps[d];
  const inStride = new Array<number>(rank + 1);
  inStride[rank] = 1;
  for (let d = rank - 1; d >= 0; d--) inStride[d] = inStride[d + 1] * shape[d];
  const fill = (d: number, inOff: number, outOff: number): void => {
    const block = shape[d] * outStride[d + 1]; // one copy of this dimension's input extent
    if (d === rank - 1) {
      out.set(x.subarray(inOff, inOff + shape[d]) as never, outOff);
    } else {
      for (let i = 0; i < shape[d]; i++) fill(d + 1, inOff + i * inStride[d + 1], outOff + i * outStride[d + 1]);
    }
    // Repeat the finished block reps[d] − 1 times, doubling the copied span each time.
    let done = 1;
    while (done < reps[d]) {
      const n = Math.min(done, reps[d] - done);
      out.copyWithin(outOff + done * block, outOff, outOff + n * block);
      done += n;
    }
  };
  if (rank === 0) out[0] = x[0];
  else fill(0, 0, 0);
}

function tile(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { reps } = args.attrs as { reps: number[] };
  const backend = args.backend as WasmBackendLike;
  const outShape = x.shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.every((s) => s > 0)) {
    // Views after makeOutput: allocation may have grown wasm memory.
    tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
  }
  return out;
}

export const tileWasm: tf.KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile as unknown as tf.KernelFunc,
};
