/**
 * Small gradient kernels written over typed arrays, registered where tfjs 4.22 is missing them or
 * gets them wrong (see docs/backends.md for how each was found):
 * - MaxPoolGrad (wasm): the stock kernel routes every gradient to element 0 when inputs are negative.
 * - UnsortedSegmentSum (wasm): missing; tf.gather's gradient needs it.
 * - ResizeNearestNeighborGrad (cpu): the stock kernel indexes dy with the input's batch stride, so
 *   every batch element after the first gets wrong gradients (UpSampling2D training on cpu);
 *   (wasm): the stock kernel ignores halfPixelCenters. Both use the forward's exact mapping here.
 * Each is a pure function over arrays plus a thin kernel adapter, so the maths is testable alone.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type KernelBackend, type TensorInfo } from './heap';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown };

/** dx for max pooling (NHWC): each window's dy goes to the first position holding its maximum. */
export function maxPoolBackprop(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const dh = info.dilationHeight;
  const dw = info.dilationWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * channels;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        for (let c = 0; c < channels; c++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < fh; i += dh) {
            const h = h0 + i;
            if (h < 0 || h >= inHeight) continue;
            for (let j = 0; j < fw; j += dw) {
              const w = w0 + j;
              if (w < 0 || w >= inWidth) continue;
              const idx = xb + (h * inWidth + w) * channels + c;
              const v = x[idx];
              if (v > best || at < 0) {
                best = v;
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] += dy[o];
        }
      }
    }
  }
}

function maxPoolGrad(backendName: KernelBackend) {
  return (args: KernelArgs): TensorInfo => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
    );
    const dx = allocate(backendName, args.backend, input.shape.slice());
    maxPoolBackprop(read(backendName, args.backend, input), read(backendName, args.backend, dy), read(backendName, args.backend, dx.info) as Float32Array, info);
    return dx.info;
  };
}

/**
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids out of [0, numSegments) are dropped (as in
 * TensorFlow). `inner` is the number of x elements per segment id.
 */
export function unsortedSegmentSumInto(x: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, inner: number, out: Float32Array): void {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
}

function unsortedSegmentSum(backendName: KernelBackend) {
  return (args: KernelArgs): TensorInfo => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = args.attrs as tf.UnsortedSegmentSumAttrs;
    if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on ${backendName}: only float32 is supported, got ${x.dtype}`);
    const idsSize = tf.util.sizeFromShape(segmentIds.shape);
    const inner = tf.util.sizeFromShape(x.shape) / Math.max(idsSize, 1);
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const out = allocate(backendName, args.backend, outShape);
    unsortedSegmentSumInto(
      read(backendName, args.backend, x), read(backendName, args.backend, segmentIds), numSegments, inner,
      read(backendName, args.backend, out.info) as Float32Array,
    );
    return out.info;
  };
}

/**
 * Gradient of nearest-neighbour resizing (NHWC): scatter dy back through exactly the source
 * mapping the forward kernel uses (alignCorners / halfPixelCenters included).
 */
export function resizeNearestNeighborBackprop(
  dy: ArrayLike<number>, dx: Float32Array,
  xShape: readonly number[], dyShape: readonly number[],
  alignCorners: boolean, halfPixelCenters: boolean,
): void {
  const [batch, inH, inW, channels] = xShape;
  const [, outH, outW] = dyShape;
  const ratio = (inSize: number, outSize: number) =>
    (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize);
  const source = (i: number, r: number, inSize: number) => {
    const frac = halfPixelCenters ? r * (i + 0.5) : r * i;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, nearest) : nearest;
  };
  const rowRatio = ratio(inH, outH);
  const colRatio = ratio(inW, outW);
  const srcCol = new Int32Array(outW);
  for (let c = 0; c < outW; c++) srcCol[c] = source(c, colRatio, inW);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + source(r, rowRatio, inH)) * inW;
      for (let c = 0; c < outW; c++) {
        const base = (rowBase + srcCol[c]) * channels;
        for (let d = 0; d < channels; d++) dx[base + d] += dy[o++];
      }
    }
  }
}

function resizeNearestNeighborGrad(backendName: KernelBackend) {
  return (args: KernelArgs): TensorInfo => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const attrs = (args.attrs ?? {}) as Partial<tf.ResizeNearestNeighborAttrs>;
    const dx = allocate(backendName, args.backend, images.shape.slice());
    resizeNearestNeighborBackprop(
      read(backendName, args.backend, dy), read(backendName, args.backend, dx.info) as Float32Array,
      images.shape, dy.shape, Boolean(attrs.alignCorners), Boolean(attrs.halfPixelCenters),
    );
    return dx.info;
  };
}

export const maxPoolGradWasm: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad('wasm') as unknown as tf.KernelFunc,
};
export const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum('wasm') as unknown as tf.KernelFunc,
};
export const resizeNearestNeighborGradCpu: tf.KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: resizeNearestNeighborGrad('cpu') as unknown as tf.KernelFunc,
};
export const resizeNearestNeighborGradWasm: tf.KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad', backendName: 'wasm', kernelFunc: resizeNearestNeighborGrad('wasm') as unknown as tf.KernelFunc,
};
