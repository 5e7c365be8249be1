import type * as tf from '@tensorflow/tfjs';

/**
 * The layers of a model that is a simple chain (each layer's single input is the layer before
 * it), input layer excluded; null for anything with branches or merges. The fast forward paths
 * (js-forward.ts, tf-forward.ts) only compile chains and fall back to model.predict otherwise.
 */
export function chainLayers(model: tf.LayersModel): tf.layers.Layer[] | null {
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
