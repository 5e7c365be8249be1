/**
 * A lean tfjs forward pass for simple sequential Q-networks built by the layer stack: the same
 * variables, but called as fused tfjs ops instead of through LayersModel.apply, whose per-layer
 * bookkeeping costs more than the maths for small nets. Gradients flow to the model's variables.
 * Unsupported layers (branches, pooling, batch norm, dropout in training, ...) → null, and the
 * caller uses model.apply.
 */
import * as tf from '@tensorflow/tfjs';

type Fused = 'linear' | 'relu' | 'elu' | 'sigmoid';
const FUSED = new Set(['linear', 'relu', 'elu', 'sigmoid']);
const UNFUSED: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  tanh: (x) => tf.tanh(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  softmax: (x) => tf.softmax(x),
};

export type TfForward = (x: tf.Tensor) => tf.Tensor;

export function compileTfForward(model: tf.LayersModel): TfForward | null {
  const steps: TfForward[] = [];
  const chain = chainLayers(model);
  if (!chain) return null;
  for (const layer of chain) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const activation = (cfg.activation as string | undefined) ?? 'linear';
    // Dense and Conv2D hold [kernel, bias?] in this order (names may carry uniquifying suffixes).
    const kernel = layer.weights[0];
    const bias = layer.weights[1];
    const fused = FUSED.has(activation) ? (activation as Fused) : 'linear';
    const after = FUSED.has(activation) ? null : UNFUSED[activation];
    if (after === undefined) return null;
    if (cls === 'Flatten') {
      steps.push((x) => tf.reshape(x, [x.shape[0], -1]));
    } else if (cls === 'Activation') {
      const f = FUSED.has(activation) ? (x: tf.Tensor) => tf.layers.activation({ activation: activation as 'relu' }).apply(x) as tf.Tensor : after;
      if (activation === 'linear') continue;
      steps.push(f!);
    } else if (cls === 'LeakyReLU') {
      const alpha = cfg.alpha as number;
      steps.push((x) => tf.leakyRelu(x, alpha));
    } else if (cls === 'Dense' && kernel) {
      steps.push((x) => {
        const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel.read() as tf.Tensor2D, bias: bias?.read(), activation: fused });
        return after ? after(y) : y;
      });
    } else if (cls === 'Conv2D' && kernel) {
      if (cfg.dataFormat !== 'channelsLast') return null;
      const strides = cfg.strides as [number, number];
      const padding = cfg.padding as 'valid' | 'same';
      const dil = cfg.dilationRate as number[] | number;
      if ((Array.isArray(dil) ? dil : [dil, dil]).some((d) => d !== 1)) return null;
      steps.push((x) => {
        const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: kernel.read() as tf.Tensor4D, strides, pad: padding, bias: bias?.read(), activation: fused });
        return after ? after(y) : y;
      });
    } else {
      return null;
    }
  }
  return (x) => steps.reduce((h, f) => f(h), x);
}

/**
 * The layers of a model that is a simple chain (each layer's single input is the layer before
 * it), input layer excluded; null for anything with branches or merges.
 */
function chainLayers(model: tf.LayersModel): tf.layers.Layer[] | null {
  const chain: tf.layers.Layer[] = [];
  let previous: tf.layers.Layer | null = null;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') {
      previous = layer;
      continue;
    }
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
    if (inbound.length !== 1 || inbound[0].inboundLayers.length !== 1 || inbound[0].inboundLayers[0] !== previous) return null;
    previous = layer;
    chain.push(layer);
  }
  return chain;
}
