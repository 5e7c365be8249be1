/**
 * Transfer learning helpers: freeze the first k layers of a (loaded) model, swap its head for a
 * new one, and unfreeze for fine-tuning. `fit` re-reads the trainable variable list each epoch, so
 * no recompilation is needed; create a fresh optimiser (at a lower learning rate) for fine-tuning
 * so that no stale moment estimates are applied.
 *
 * Caveat: a frozen batch-norm layer still updates its moving statistics when run in training
 * mode; keep batch norm out of the frozen part or accept that (the weights themselves stay fixed).
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, type NetworkSpec } from '../layers';

/** Layers that hold weights or transform data (the InputLayer is not counted). */
export function bodyLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer');
}

/** Set trainable = false on the first `k` body layers and true on the rest. */
export function freezeFirst(model: tf.LayersModel, k: number): void {
  const layers = bodyLayers(model);
  if (!(Number.isInteger(k) && k >= 0 && k <= layers.length)) {
    throw new Error(`freeze: k must be an integer in [0, ${layers.length}], got ${k}`);
  }
  layers.forEach((l, i) => {
    l.trainable = i >= k;
  });
}

export function unfreezeAll(model: tf.LayersModel): void {
  model.trainable = true;
  for (const l of model.layers) l.trainable = true;
}

/** Index (among body layers) of the last layer whose name starts with `prefix`, or of the last flatten. */
export function findFeatureLayer(model: tf.LayersModel, prefix?: string): number {
  const layers = bodyLayers(model);
  for (let i = layers.length - 1; i >= 0; i--) {
    const name = layers[i].name;
    if (prefix ? name.startsWith(prefix) : layers[i].getClassName() === 'Flatten') return i;
  }
  throw new Error(prefix ? `no layer named ${prefix}* in model ${model.name}` : `model ${model.name} has no flatten layer to cut at`);
}

export interface ReplaceHeadOptions {
  /** Keep body layers [0, cutAfter] and drop the rest. */
  cutAfter: number;
  /** The new head, built on the cut layer's output. */
  head: NetworkSpec;
  seed: number;
  name?: string;
}

/**
 * A new model sharing the kept layers (same weight variables) with `base`, topped by a freshly
 * initialised head. Freeze with `freezeFirst(newModel, cutAfter + 1)`.
 */
export function replaceHead(base: tf.LayersModel, opts: ReplaceHeadOptions): tf.LayersModel {
  const layers = bodyLayers(base);
  if (!(opts.cutAfter >= 0 && opts.cutAfter < layers.length)) {
    throw new Error(`replaceHead: cutAfter must be in [0, ${layers.length - 1}], got ${opts.cutAfter}`);
  }
  const features = layers[opts.cutAfter].output as tf.SymbolicTensor;
  const featureShape = features.shape.slice(1) as number[];
  const head = buildModel(opts.head, featureShape, { seed: opts.seed, name: `${opts.name ?? 'transfer'}_head` });
  const out = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: base.inputs, outputs: out, name: opts.name });
}
