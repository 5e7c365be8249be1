/**
 * Browser-safe model serialisation: a model built from a spec (plus, optionally, its optimiser
 * with its full state) ⇄ plain artifacts (JSON objects and byte arrays). File I/O lives in
 * node/model-dir.ts; the artifact names below are the file names in a model directory.
 *
 * The model is REBUILT from its spec on load (so custom layers such as the dueling merge work
 * without any tfjs registry), then its weights are set; every tensor round-trips bitwise.
 * Each byte blob carries its length and a CRC-32 in its JSON manifest, so truncation or
 * corruption is reported by file name instead of surfacing as garbage weights.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { buildModel, getModelSpec, networkSpecSchema, type ModelSpecInfo, type NetworkSpec } from './layers';
import {
  createOptimizer,
  getOptimizerConfig,
  getOptimizerState,
  optimizerConfigSchema,
  setOptimizerState,
  type OptimizerConfig,
} from './optimizers';

export const MODEL_FORMAT = 'keiko-model';
export const MODEL_FORMAT_VERSION = 1;

/** File names inside a model directory. */
export const MODEL_FILES = {
  spec: 'spec.json',
  weightsManifest: 'weights.json',
  weights: 'weights.bin',
  optimizerManifest: 'optimizer.json',
  optimizer: 'optimizer.bin',
} as const;

/** A model artifact is missing, malformed or inconsistent; `file` names the culprit. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Checksums

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib/PNG), as an unsigned integer. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// File schemas

const tensorEntrySchema = z.strictObject({
  name: z.string(),
  shape: z.array(z.int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  offset: z.int().nonnegative(),
  byteLength: z.int().nonnegative(),
});
export type TensorEntry = z.infer<typeof tensorEntrySchema>;

const blobFields = {
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  byteLength: z.int().nonnegative(),
  crc32: z.int().nonnegative(),
  tensors: z.array(tensorEntrySchema),
};

export const specFileSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  name: z.string().optional(),
  inputShape: z.array(z.int().positive()).min(1),
  seed: z.int(),
  spec: networkSpecSchema,
});
export type SpecFile = z.infer<typeof specFileSchema>;

export const weightsManifestSchema = z.strictObject(blobFields);
export type WeightsManifest = z.infer<typeof weightsManifestSchema>;

export const optimizerManifestSchema = z.strictObject({
  ...blobFields,
  config: optimizerConfigSchema,
  /** Completed optimiser steps. */
  iterations: z.int().nonnegative(),
  /** Number of variables with per-variable state (slots). */
  slotCount: z.int().nonnegative(),
});
export type OptimizerManifest = z.infer<typeof optimizerManifestSchema>;

export interface ModelArtifacts {
  spec: SpecFile;
  weightsManifest: WeightsManifest;
  weights: Uint8Array;
  optimizerManifest?: OptimizerManifest;
  optimizer?: Uint8Array;
}

export interface LoadedModel {
  model: tf.LayersModel;
  spec: NetworkSpec;
  inputShape: number[];
  seed: number;
  name?: string;
  optimizer?: tf.Optimizer;
  optimizerConfig?: OptimizerConfig;
}

/** Parse and validate one JSON artifact, naming the file on failure. */
export function parseArtifactJson<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(file, `not valid JSON (${(err as Error).message})`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ModelLoadError(file, `unexpected content: ${problems.slice(0, 5).join('; ')}`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Tensors ⇄ bytes

function packTensors(named: { name: string; tensor: tf.Tensor }[]): { tensors: TensorEntry[]; data: Uint8Array } {
  const parts: Uint8Array[] = [];
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`cannot save tensor ${name} of dtype ${tensor.dtype}`);
    }
    const values = tensor.dataSync() as Float32Array | Int32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    parts.push(bytes);
    tensors.push({ name, shape: [...tensor.shape], dtype: tensor.dtype, offset, byteLength: bytes.byteLength });
    offset += bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  return { tensors, data };
}

function checkBlob(file: string, manifest: { byteLength: number; crc32: number; tensors: TensorEntry[] }, data: Uint8Array): void {
  if (data.byteLength !== manifest.byteLength) {
    throw new ModelLoadError(
      file,
      `expected ${manifest.byteLength} bytes, found ${data.byteLength} (${data.byteLength < manifest.byteLength ? 'truncated' : 'wrong file'}?)`,
    );
  }
  const crc = crc32(data);
  if (crc !== manifest.crc32) {
    throw new ModelLoadError(file, `checksum mismatch (CRC-32 ${crc.toString(16)}, manifest says ${manifest.crc32.toString(16)}): the file is corrupted`);
  }
  for (const t of manifest.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.byteLength !== size * 4 || t.offset + t.byteLength > data.byteLength) {
      throw new ModelLoadError(file, `tensor ${t.name} [${t.shape}] does not fit the data (offset ${t.offset}, ${t.byteLength} bytes)`);
    }
  }
}

function unpackTensor(t: TensorEntry, data: Uint8Array): tf.Tensor {
  // Copy to an aligned buffer: file buffers may start at any byte offset.
  const bytes = data.slice(t.offset, t.offset + t.byteLength);
  const values = t.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
  return tf.tensor(values, t.shape, t.dtype);
}

// ---------------------------------------------------------------------------------------------
// Optimiser state (see getOptimizerState in optimizers.ts: complete, positional per variable).

function restoreOptimizerState(optimizer: tf.Optimizer, manifest: OptimizerManifest, data: Uint8Array, file: string): void {
  const tensors = manifest.tensors.map((entry) => ({ name: entry.name, tensor: unpackTensor(entry, data) }));
  try {
    setOptimizerState(optimizer, { iterations: manifest.iterations, slotCount: manifest.slotCount, tensors });
  } catch (err) {
    throw new ModelLoadError(file, (err as Error).message);
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
  }
}

/**
 * The full state of an optimiser made by createOptimizer, as a manifest (JSON) and bytes — for
 * training checkpoints. Unlike tfjs's getWeights() it includes Adam's β powers (so a resumed run
 * is bitwise identical) and works for every type (tfjs has no getWeights for Adamax).
 */
export function exportOptimizerState(optimizer: tf.Optimizer): { manifest: OptimizerManifest; data: Uint8Array } {
  const config = getOptimizerConfig(optimizer);
  if (!config) throw new Error('exportOptimizerState: the optimizer was not made by createOptimizer, so its config is unknown');
  const state = getOptimizerState(optimizer);
  const blob = packTensors(state.tensors);
  return {
    manifest: {
      formatVersion: MODEL_FORMAT_VERSION,
      byteLength: blob.data.byteLength,
      crc32: crc32(blob.data),
      tensors: blob.tensors,
      config,
      iterations: state.iterations,
      slotCount: state.slotCount,
    },
    data: blob.data,
  };
}

/**
 * A new optimiser (from the saved config) carrying the saved state. Its per-variable state is
 * positional: use it with the same variable list, in the same order, as the saved one.
 * `file` names the source in errors.
 */
export function importOptimizerState(manifest: OptimizerManifest, data: Uint8Array, file: string = MODEL_FILES.optimizer): tf.Optimizer {
  const parsed = optimizerManifestSchema.safeParse(manifest);
  if (!parsed.success) throw new ModelLoadError(file, `bad optimizer manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  checkBlob(file, parsed.data, data);
  const optimizer = createOptimizer(parsed.data.config);
  restoreOptimizerState(optimizer, parsed.data, data, file);
  return optimizer;
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface SerializeOptions {
  /** Save this optimiser (made by createOptimizer) and its state alongside the weights. */
  optimizer?: tf.Optimizer;
  /** The spec, if the model was not made by buildModel in this process. */
  specInfo?: ModelSpecInfo;
}

/** Model (+ optimiser) → artifacts. The model must come from buildModel (or pass specInfo). */
export function serializeModel(model: tf.LayersModel, options: SerializeOptions = {}): ModelArtifacts {
  const info = options.specInfo ?? getModelSpec(model);
  if (!info) throw new Error('serializeModel: this model was not made by buildModel; pass options.specInfo');
  const spec: SpecFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...(info.name !== undefined ? { name: info.name } : {}),
    inputShape: info.inputShape,
    seed: info.seed,
    spec: info.spec,
  };
  const packed = packTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  const artifacts: ModelArtifacts = {
    spec,
    weightsManifest: {
      formatVersion: MODEL_FORMAT_VERSION,
      byteLength: packed.data.byteLength,
      crc32: crc32(packed.data),
      tensors: packed.tensors,
    },
    weights: packed.data,
  };
  if (options.optimizer) {
    const { manifest, data } = exportOptimizerState(options.optimizer);
    artifacts.optimizerManifest = manifest;
    artifacts.optimizer = data;
  }
  return artifacts;
}

/**
 * Every `units` / `filters` in a spec, with its path. Each such layer owns at least that many
 * parameters (its bias, or a kernel with that many columns), so none can exceed the number of
 * values the weights file holds: checking that before building keeps a damaged or hostile spec
 * (`units: 1e9`) from allocating gigabytes of weights only to fail the shape check afterwards.
 */
function layerSizes(v: unknown, path: string, out: { path: string; size: number }[] = []): { path: string; size: number }[] {
  if (Array.isArray(v)) v.forEach((x, i) => layerSizes(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'units' || k === 'filters') && typeof x === 'number') out.push({ path: `${path}.${k}`, size: x });
      else layerSizes(x, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Artifacts → a rebuilt model with its weights (and the optimiser with its state, if saved). */
export function deserializeModel(artifacts: ModelArtifacts): LoadedModel {
  const spec = artifacts.spec;
  checkBlob(MODEL_FILES.weights, artifacts.weightsManifest, artifacts.weights);
  const savedValues = artifacts.weightsManifest.tensors.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  const tooLarge = layerSizes(spec.spec, 'spec').find((l) => l.size > savedValues);
  if (tooLarge) throw new ModelLoadError(MODEL_FILES.spec, `${tooLarge.path}: ${tooLarge.size} is more than the ${savedValues} values ${MODEL_FILES.weights} holds`);
  let model: tf.LayersModel;
  try {
    model = buildModel(spec.spec, spec.inputShape, { seed: spec.seed, ...(spec.name !== undefined ? { name: spec.name } : {}) });
  } catch (err) {
    throw new ModelLoadError(MODEL_FILES.spec, `cannot build the model: ${(err as Error).message}`);
  }
  const entries = artifacts.weightsManifest.tensors;
  const weights = model.weights;
  if (entries.length !== weights.length) {
    model.dispose();
    throw new ModelLoadError(MODEL_FILES.weightsManifest, `has ${entries.length} tensors but the spec builds a model with ${weights.length}`);
  }
  entries.forEach((e, i) => {
    if (!tf.util.arraysEqual(e.shape, weights[i]!.shape as number[])) {
      model.dispose();
      throw new ModelLoadError(MODEL_FILES.weightsManifest, `tensor ${i} (${e.name}) has shape [${e.shape}], the model expects [${weights[i]!.shape}]`);
    }
    if (e.dtype !== weights[i]!.dtype) {
      model.dispose();
      throw new ModelLoadError(MODEL_FILES.weightsManifest, `tensors.${i}.dtype: ${e.dtype} (${e.name}), the model expects ${weights[i]!.dtype}`);
    }
  });
  const tensors = entries.map((e) => unpackTensor(e, artifacts.weights));
  model.setWeights(tensors);
  tf.dispose(tensors);
  const loaded: LoadedModel = {
    model,
    spec: spec.spec,
    inputShape: spec.inputShape,
    seed: spec.seed,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
  };
  if (artifacts.optimizerManifest) {
    if (!artifacts.optimizer) throw new ModelLoadError(MODEL_FILES.optimizer, 'missing (optimizer.json is present)');
    const optimizer = importOptimizerState(artifacts.optimizerManifest, artifacts.optimizer, MODEL_FILES.optimizer);
    loaded.optimizer = optimizer;
    loaded.optimizerConfig = getOptimizerConfig(optimizer);
  }
  return loaded;
}
