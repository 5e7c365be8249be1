/**
 * Model directories on disk:
 *   spec.json       format version, network spec, input shape, seed
 *   weights.json    manifest of weights.bin (tensor names, shapes, offsets, byte length, CRC-32)
 *   weights.bin     all weights, little-endian float32, in model.weights order
 *   optimizer.json  optimiser config, step count and manifest of optimizer.bin (only if saved)
 *   optimizer.bin   the optimiser's full state (moments, accumulators, β powers)
 * Every file is written atomically; binaries go first, so a manifest never describes bytes that
 * are not yet there, and any mix of old and new files fails its checksum instead of loading.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelSpecInfo } from '../src/layers';
import {
  MODEL_FILES,
  ModelLoadError,
  deserializeModel,
  optimizerManifestSchema,
  parseArtifactJson,
  serializeModel,
  specFileSchema,
  weightsManifestSchema,
  type LoadedModel,
  type ModelArtifacts,
} from '../src/model-io';
import { atomicWriteFile, atomicWriteJson } from './atomic';

export interface SaveModelOptions {
  /** Also save this optimiser (from createOptimizer) and its state. */
  optimizer?: tf.Optimizer;
  /** Needed only for models not made by buildModel in this process. */
  specInfo?: ModelSpecInfo;
}

export function saveModelDir(dir: string, model: tf.LayersModel, options: SaveModelOptions = {}): void {
  const a = serializeModel(model, options);
  atomicWriteFile(join(dir, MODEL_FILES.weights), a.weights);
  atomicWriteJson(join(dir, MODEL_FILES.weightsManifest), a.weightsManifest);
  if (a.optimizerManifest && a.optimizer) {
    atomicWriteFile(join(dir, MODEL_FILES.optimizer), a.optimizer);
    atomicWriteJson(join(dir, MODEL_FILES.optimizerManifest), a.optimizerManifest);
  } else {
    // A stale optimiser from an earlier save must not be paired with these weights.
    rmSync(join(dir, MODEL_FILES.optimizerManifest), { force: true });
    rmSync(join(dir, MODEL_FILES.optimizer), { force: true });
  }
  atomicWriteJson(join(dir, MODEL_FILES.spec), a.spec);
}

function readFile(dir: string, name: string): Buffer {
  const path = join(dir, name);
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelLoadError(path, code === 'ENOENT' ? 'missing' : `cannot read (${code ?? (err as Error).message})`);
  }
}

/** Rethrow a ModelLoadError with the full path of its file. */
function withDir<T>(dir: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ModelLoadError && !err.file.includes('/')) {
      throw new ModelLoadError(join(dir, err.file), err.message.slice(err.file.length + 2));
    }
    throw err;
  }
}

/** Load a model directory; every missing or corrupted file is a ModelLoadError naming its path. */
export function loadModelDir(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new ModelLoadError(dir, 'model directory does not exist');
  const text = (name: string) => readFile(dir, name).toString('utf8');
  const artifacts: ModelArtifacts = withDir(dir, () => ({
    spec: parseArtifactJson(MODEL_FILES.spec, text(MODEL_FILES.spec), specFileSchema),
    weightsManifest: parseArtifactJson(MODEL_FILES.weightsManifest, text(MODEL_FILES.weightsManifest), weightsManifestSchema),
    weights: new Uint8Array(readFile(dir, MODEL_FILES.weights)),
  }));
  if (existsSync(join(dir, MODEL_FILES.optimizerManifest))) {
    withDir(dir, () => {
      artifacts.optimizerManifest = parseArtifactJson(
        MODEL_FILES.optimizerManifest,
        text(MODEL_FILES.optimizerManifest),
        optimizerManifestSchema,
      );
      artifacts.optimizer = new Uint8Array(readFile(dir, MODEL_FILES.optimizer));
    });
  }
  return withDir(dir, () => deserializeModel(artifacts));
}
