/**
 * Q-networks from the shared layer stack. Defaults per observation type:
 * - vectors: MLP 64 → 64 (ReLU);
 * - 10×10×C grids (MinAtar): the MinAtar paper's net, conv 16 filters 3×3 stride 1 (ReLU),
 *   flatten, dense 128 (ReLU).
 * The `network` config key replaces the hidden layers; the head (n linear units, or a dueling
 * V/A head) is always appended here.
 */
import type * as tf from '@tensorflow/tfjs';
import { buildModel, SpecError, type LayerSpec, type NetworkSpec } from '../../src/layers';
import { ConfigError } from './config';

export function defaultHiddenLayers(obsShape: readonly number[]): LayerSpec[] {
  if (obsShape.length === 3) {
    return [
      { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
    ];
  }
  const hidden: LayerSpec[] = obsShape.length > 1 ? [{ type: 'flatten' }] : [];
  return [...hidden, { type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 64, activation: 'relu' }];
}

/**
 * `init: 'pytorch'`: every dense and conv layer that sets no initialiser gets PyTorch's default,
 * U(±1/√fan_in) for kernel and bias ('fanInUniform'); 'keras' leaves the layer stack's defaults
 * (Glorot-uniform kernels, zero biases) and the spec unchanged.
 */
export function withNetworkInit(spec: readonly LayerSpec[], init: 'keras' | 'pytorch'): LayerSpec[] {
  if (init === 'keras') return [...spec];
  return spec.map((layer): LayerSpec => {
    if (layer.type === 'branches') return { ...layer, branches: layer.branches.map((b) => withNetworkInit(b, init)) };
    if (layer.type !== 'dense' && layer.type !== 'conv2d' && layer.type !== 'conv2dTranspose') return layer;
    return { ...layer, kernelInitializer: layer.kernelInitializer ?? 'fanInUniform', biasInitializer: layer.biasInitializer ?? 'fanInUniform' };
  });
}

export function qNetworkSpec(
  hidden: readonly LayerSpec[] | null,
  obsShape: readonly number[],
  nActions: number,
  dueling: boolean,
  init: 'keras' | 'pytorch' = 'keras',
): NetworkSpec {
  const body = [...(hidden ?? defaultHiddenLayers(obsShape))];
  const head: LayerSpec = dueling
    ? {
        type: 'branches',
        merge: 'dueling',
        branches: [[{ type: 'dense', units: 1, name: 'value' }], [{ type: 'dense', units: nActions, name: 'advantage' }]],
      }
    : { type: 'dense', units: nActions, name: 'q' };
  return withNetworkInit([...body, head], init);
}

/** Build the Q-network; a bad `network` spec becomes a ConfigError naming the fields. */
export function buildQNetwork(spec: NetworkSpec, obsShape: readonly number[], seed: number, name: string): tf.LayersModel {
  try {
    return buildModel(spec, [...obsShape], { seed, name });
  } catch (err) {
    if (err instanceof SpecError) {
      throw new ConfigError(err.problems.map((p) => ({ path: p.replace(/^layers/, 'network').split(':')[0], message: p.split(': ').slice(1).join(': ') })));
    }
    throw err;
  }
}
