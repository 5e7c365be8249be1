/**
 * Default generator / discriminator specs (contract-1 layer specs, JSON). Discriminators output
 * one logit; generators output tanh images in [−1, 1] (or raw 2-D points for the ring).
 */
import type { NetworkSpec } from '../src/layers';

/**
 * DCGAN for 28×28×1 MNIST, sized for a 2-core CPU: z → dense 7·7·f → BN → ReLU → reshape →
 * convT f/2 (k×k, stride 2) → BN → ReLU → convT 1 (k×k, stride 2, tanh); defaults f = 64, k = 4.
 * `upsample: 'resize'` swaps each transposed conv for nearest-neighbour upsampling + a 'same'
 * conv (resize-convolution); on tfjs wasm it measured slower to train, so it is not the default.
 */
export function dcganGenerator28(opts: { baseFilters?: number; kernelSize?: number; upsample?: 'resize' | 'transpose' } = {}): NetworkSpec {
  const f = opts.baseFilters ?? 64;
  const k = opts.kernelSize ?? 4;
  if (opts.upsample === 'resize') {
    return [
      { type: 'dense', units: 7 * 7 * f, useBias: false, name: 'g_dense' },
      { type: 'batchNorm', momentum: 0.9, name: 'g_bn0' },
      { type: 'activation', activation: 'relu' },
      { type: 'reshape', targetShape: [7, 7, f] },
      { type: 'upSampling2d', size: 2 },
      { type: 'conv2d', filters: f / 2, kernelSize: k, padding: 'same', useBias: false, name: 'g_conv1' },
      { type: 'batchNorm', momentum: 0.9, name: 'g_bn1' },
      { type: 'activation', activation: 'relu' },
      { type: 'upSampling2d', size: 2 },
      { type: 'conv2d', filters: 1, kernelSize: k, padding: 'same', activation: 'tanh', name: 'g_out' },
    ];
  }
  return [
    { type: 'dense', units: 7 * 7 * f, useBias: false, name: 'g_dense' },
    { type: 'batchNorm', momentum: 0.9, name: 'g_bn0' },
    { type: 'activation', activation: 'relu' },
    { type: 'reshape', targetShape: [7, 7, f] },
    { type: 'conv2dTranspose', filters: f / 2, kernelSize: k, strides: 2, padding: 'same', useBias: false, name: 'g_convT1' },
    { type: 'batchNorm', momentum: 0.9, name: 'g_bn1' },
    { type: 'activation', activation: 'relu' },
    { type: 'conv2dTranspose', filters: 1, kernelSize: k, strides: 2, padding: 'same', activation: 'tanh', name: 'g_out' },
  ];
}

/** Strided convs with leaky ReLU and dropout → one logit. Works for any small image size. */
export function dcganDiscriminator(opts: { baseFilters?: number; kernelSize?: number; dropout?: number } = {}): NetworkSpec {
  const f = opts.baseFilters ?? 32;
  const k = opts.kernelSize ?? 4;
  const rate = opts.dropout ?? 0.3;
  return [
    { type: 'conv2d', filters: f, kernelSize: k, strides: 2, padding: 'same', activation: { type: 'leakyRelu', alpha: 0.2 }, name: 'd_conv1' },
    { type: 'dropout', rate },
    { type: 'conv2d', filters: f * 2, kernelSize: k, strides: 2, padding: 'same', activation: { type: 'leakyRelu', alpha: 0.2 }, name: 'd_conv2' },
    { type: 'dropout', rate },
    { type: 'flatten' },
    { type: 'dense', units: 1, name: 'd_logit' },
  ];
}

/** Generator for h×w×c game frames (e.g. MinAtar 10×10×C): an MLP into a tanh image. */
export function frameGenerator(shape: readonly number[], hidden = 256): NetworkSpec {
  const [h, w, c] = shape;
  return [
    { type: 'dense', units: hidden, activation: 'relu' },
    { type: 'batchNorm', momentum: 0.9 },
    { type: 'dense', units: hidden, activation: 'relu' },
    { type: 'batchNorm', momentum: 0.9 },
    { type: 'dense', units: h * w * c, activation: 'tanh' },
    { type: 'reshape', targetShape: [h, w, c] },
  ];
}

export function frameDiscriminator(hidden = 256): NetworkSpec {
  return [
    { type: 'flatten' },
    { type: 'dense', units: hidden, activation: { type: 'leakyRelu', alpha: 0.2 } },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: hidden / 2, activation: { type: 'leakyRelu', alpha: 0.2 } },
    { type: 'dense', units: 1 },
  ];
}

/** MLP generator for 2-D points (the ring): z → hidden → hidden → 2 (linear). */
export function ringGenerator(hidden = 128): NetworkSpec {
  return [
    { type: 'dense', units: hidden, activation: 'relu' },
    { type: 'dense', units: hidden, activation: 'relu' },
    { type: 'dense', units: 2 },
  ];
}

export function ringDiscriminator(hidden = 128): NetworkSpec {
  return [
    { type: 'dense', units: hidden, activation: { type: 'leakyRelu', alpha: 0.2 } },
    { type: 'dense', units: hidden, activation: { type: 'leakyRelu', alpha: 0.2 } },
    { type: 'dense', units: 1 },
  ];
}
