/**
 * Conv2DBackpropFilter for the wasm backend (stock tfjs 4.22 wasm lacks it, so conv nets cannot
 * train). dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[b,oh,ow,co]:
 * we write the input patches transposed (im2colᵀ, [K, M] with K = kh·kw·ci, M = b·oh·ow) straight
 * into wasm memory and hand the product im2colᵀ · dy ([K, M]·[M, co] = [K, co] = the filter layout)
 * to the backend's own BatchMatMul, which is XNNPACK-fast. One JS pass, one matmul, no transposes.
 * (XNNPACK packs the right-hand operand on every call, so it must be the small one: dy, not the
 * patches — the untransposed [M, K] layout with colsᵀ·dy measured 2× slower for that reason.)
 * Where the SIMD gemm runs (simd-gemm.ts, output channels a multiple of 16) the patches are
 * written by its wasm im2col as rows and the gemm reads them transposed: no packing, no JS pass.
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type TensorInfo, type WasmBackendLike } from './heap';
import { convGradInfo, matMul, type ConvGradAttrs } from './conv-common';
import { GEMM_COLS, runGemm, simdGemmFor } from './simd-gemm';
import { backendMemory } from './simd-optim';
import { simdGemmEnabled } from './batch-mat-mul';

/** Fills colsT ([K, M], row-major) with the transposed im2col of x (NHWC), zero where padded. */
export function im2colTransposed(
  x: ArrayLike<number>,
  colsT: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const dilH = info.dilationHeight;
  const dilW = info.dilationWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const m = batchSize * outHeight * outWidth;
  const rowStride = inWidth * inChannels;
  const batchStride = inHeight * rowStride;
  // The valid output columns for each kw are a contiguous range: zero-fill outside it, and copy
  // without a bounds check inside (this pass was ~70% of the kernel at MinAtar sizes).
  const owLo = new Int32Array(filterWidth);
  const owHi = new Int32Array(filterWidth);
  for (let kw = 0; kw < filterWidth; kw++) {
    const off = kw * dilW - padLeft; // iw = ow·sw + off
    let lo = 0;
    while (lo < outWidth && lo * strideWidth + off < 0) lo++;
    let hi = outWidth;
    while (hi > lo && (hi - 1) * strideWidth + off >= inWidth) hi--;
    owLo[kw] = lo;
    owHi[kw] = hi;
  }
  let k = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const lo = owLo[kw];
      const hi = owHi[kw];
      const off = kw * dilW - padLeft;
      for (let ci = 0; ci < inChannels; ci++, k++) {
        let o = k * m;
        for (let b = 0; b < batchSize; b++) {
          const xb = b * batchStride + ci;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh * dilH - padTop;
            if (ih < 0 || ih >= inHeight) {
              colsT.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            if (lo > 0) colsT.fill(0, o, o + lo);
            let xi = xb + ih * rowStride + (lo * strideWidth + off) * inChannels;
            const step = strideWidth * inChannels;
            for (let ow = lo; ow < hi; ow++, xi += step) colsT[o + ow] = x[xi];
            if (hi < outWidth) colsT.fill(0, o + hi, o + outWidth);
            o += outWidth;
          }
        }
      }
    }
  }
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as ConvGradAttrs & { filterShape: [number, number, number, number] };
  const backend = args.backend as WasmBackendLike;
  const info = convGradInfo('Conv2DBackpropFilter', attrs, x.shape, attrs.filterShape);
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const g = simdGemmEnabled() ? simdGemmFor(backendMemory(backend)) : null;
  if (g && info.outChannels % GEMM_COLS === 0) {
    // Patches as rows ([M, K], in wasm), then dW = colsᵀ·dy by the gemm with A read transposed.
    const cols = backend.makeOutput([m, k], 'float32');
    const out = backend.makeOutput(attrs.filterShape.slice(), 'float32');
    const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
    g.im2col(at(x), at(cols), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
      info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth);
    runGemm(g, at(cols), at(dy), at(out), 0, k, info.outChannels, m, 4, 4 * k, 0);
    backend.disposeData(cols.dataId);
    return out;
  }
  const cols = allocate('wasm', backend, [k, m]);
  im2colTransposed(read('wasm', backend, x), read('wasm', backend, cols.info) as Float32Array, info);
  // The small operand (dy) is the one XNNPACK packs; see the header.
  const product = matMul(backend, cols.info, [k, m], dy, [m, info.outChannels]);
  backend.disposeData(cols.info.dataId);
  return { dataId: product.dataId, shape: attrs.filterShape.slice(), dtype: 'float32' };
}

export const conv2DBackpropFilterWasm: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
