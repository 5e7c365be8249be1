/**
 * Depthwise conv2d backprop (filter and input) for wasm, missing in tfjs 4.22. Keiko's layer stack
 * has no depthwise layer; these make tf.depthwiseConv2d (and separable convs) trainable on wasm.
 * out[b,oh,ow,c·mult+q] = Σ_{kh,kw} x[b, oh·sh+kh·dh−pt, ow·sw+kw·dw−pl, c] · f[kh,kw,c,q].
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, read, type TensorInfo } from './heap';

type Info = tf.backend_util.Conv2DInfo;

/** Visits every (x index, filter index, dy index) triple of the forward sum. */
function forEachTap(info: Info, visit: (xi: number, fi: number, yi: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const mult = outChannels / inChannels;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const yBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const fBase = (kh * filterWidth + kw) * inChannels * mult;
            for (let c = 0; c < inChannels; c++) {
              for (let q = 0; q < mult; q++) visit(xBase + c, fBase + c * mult + q, yBase + c * mult + q);
            }
          }
        }
      }
    }
  }
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: unknown };

function backpropFilter(args: Args): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const out = allocate('wasm', args.backend, a.filterShape.slice());
  const xv = read('wasm', args.backend, x);
  const dyv = read('wasm', args.backend, dy);
  const dw = read('wasm', args.backend, out.info) as Float32Array;
  forEachTap(info, (xi, fi, yi) => {
    dw[fi] += xv[xi] * dyv[yi];
  });
  return out.info;
}

function backpropInput(args: Args): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const out = allocate('wasm', args.backend, a.inputShape.slice());
  const fv = read('wasm', args.backend, filter);
  const dyv = read('wasm', args.backend, dy);
  const dx = read('wasm', args.backend, out.info) as Float32Array;
  forEachTap(info, (xi, fi, yi) => {
    dx[xi] += fv[fi] * dyv[yi];
  });
  return out.info;
}

export const depthwiseBackpropFilterWasm: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: backpropFilter as unknown as tf.KernelFunc,
};
export const depthwiseBackpropInputWasm: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: backpropInput as unknown as tf.KernelFunc,
};
