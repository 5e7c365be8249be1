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
import { buildModel, getModelSpec, type NetworkSpec } from '../src/layers';

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
  /** Keep the base spec's top-level entries [0, cutAfter] and drop the rest. */
  cutAfter: number;
  /** The new head, appended after the kept entries. */
  head: NetworkSpec;
  seed: number;
  name?: string;
}

export interface ReplacedHead {
  model: tf.LayersModel;
  /** Number of tfjs body layers that came from the base (pass to freezeFirst). */
  baseLayers: number;
}

/**
 * A new spec-built model (so it saves with saveModelDir like any other): the base's first spec
 * entries with their trained weights copied over, topped by a freshly initialised head.
 */
export function replaceHead(base: tf.LayersModel, opts: ReplaceHeadOptions): ReplacedHead {
  const info = getModelSpec(base);
  if (!info) throw new Error('replaceHead: the base model was not built from a spec (buildModel or loadModelDir)');
  if (!(Number.isInteger(opts.cutAfter) && opts.cutAfter >= 0 && opts.cutAfter < info.spec.length)) {
    throw new Error(`replaceHead: cutAfter must be an integer in [0, ${info.spec.length - 1}], got ${opts.cutAfter}`);
  }
  const kept = info.spec.slice(0, opts.cutAfter + 1);
  const model = buildModel([...kept, ...opts.head], info.inputShape, { seed: opts.seed, name: opts.name });
  // The kept entries create the same weights in the same order in both models.
  const probe = buildModel(kept, info.inputShape, { seed: opts.seed });
  const nKeptWeights = probe.weights.length;
  const baseLayers = bodyLayers(probe).length;
  probe.dispose();
  const copied = base.weights.slice(0, nKeptWeights).map((w) => w.read());
  const target = model.weights.slice(0, nKeptWeights);
  target.forEach((w, i) => {
    if (!tf.util.arraysEqual(w.shape as number[], copied[i].shape)) {
      throw new Error(`replaceHead: weight ${w.name} has shape [${w.shape}] but the base has [${copied[i].shape}]`);
    }
    w.write(copied[i]); // assign shares the data by reference count; later updates replace it
  });
  return { model, baseLayers };
}
