import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir, saveModelDir } from '../node/model-dir';
import { buildModel, type NetworkSpec } from '../src/layers';
import { huber } from '../src/losses';
import { crc32, deserializeModel, ModelLoadError, serializeModel } from '../src/model-io';
import { createOptimizer, type OptimizerConfigInput } from '../src/optimizers';

const root = mkdtempSync(join(tmpdir(), 'keiko-model-io-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const duelingSpec: NetworkSpec = [
  { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'flatten' },
  {
    type: 'branches',
    merge: 'dueling',
    branches: [
      [{ type: 'dense', units: 8, activation: 'swish' }, { type: 'dense', units: 1 }],
      [{ type: 'dense', units: 8, activation: { type: 'leakyRelu', alpha: 0.1 } }, { type: 'dense', units: 3 }],
    ],
  },
];
const inputShape = [5, 5, 2];
const x = () => tf.randomUniform([6, 5, 5, 2], 0, 1, 'float32', 11);
const target = () => tf.randomNormal([6, 3], 0, 1, 'float32', 12);

/** One custom-loop training step, as the DQN does it. */
function trainStep(model: tf.LayersModel, opt: tf.Optimizer): void {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    const xs = x();
    const ys = target();
    opt.minimize(() => huber(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
  });
}

function bytesOf(model: tf.LayersModel): Buffer[] {
  return model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer));
}

const optimizerConfigs: OptimizerConfigInput[] = [
  { type: 'adam', learningRate: 0.01 },
  { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true },
  { type: 'adamax', learningRate: 0.01 },
  { type: 'momentum', learningRate: 0.01, nesterov: true },
  { type: 'adagrad', learningRate: 0.01 },
  { type: 'adadelta', learningRate: 1 },
  { type: 'sgd', learningRate: 0.01 },
];

describe('model directory round trip', () => {
  for (const config of optimizerConfigs) {
    it(`${config.type}: weights and optimiser state are bitwise identical and training continues identically`, () => {
      const dir = join(root, `rt-${config.type}`);
      const model = buildModel(duelingSpec, inputShape, { seed: 7, name: 'q' });
      const opt = createOptimizer(config);
      trainStep(model, opt);
      trainStep(model, opt);
      saveModelDir(dir, model, { optimizer: opt });
      const loaded = loadModelDir(dir);
      expect(loaded.spec).toEqual(duelingSpec);
      expect(loaded.inputShape).toEqual(inputShape);
      expect(loaded.optimizerConfig?.type).toBe(config.type);
      const a = bytesOf(model);
      const b = bytesOf(loaded.model);
      expect(b.length).toBe(a.length);
      a.forEach((buf, i) => expect(buf.equals(b[i]!)).toBe(true));
      // identical predictions, and one more step from the restored optimiser lands on the same bits
      const pa = (model.predict(x()) as tf.Tensor).dataSync();
      const pb = (loaded.model.predict(x()) as tf.Tensor).dataSync();
      expect(Buffer.from(pa.buffer).equals(Buffer.from(pb.buffer))).toBe(true);
      trainStep(model, opt);
      trainStep(loaded.model, loaded.optimizer!);
      const a2 = bytesOf(model);
      const b2 = bytesOf(loaded.model);
      a2.forEach((buf, i) => expect(buf.equals(b2[i]!)).toBe(true));
      expect(a2.some((buf, i) => !buf.equals(a[i]!))).toBe(true); // the step did change something
    });
  }

  it('saves without an optimiser and removes a stale optimizer file', () => {
    const dir = join(root, 'no-opt');
    const model = buildModel(duelingSpec, inputShape, { seed: 1 });
    saveModelDir(dir, model, { optimizer: createOptimizer({ type: 'sgd', learningRate: 0.1 }) });
    expect(existsSync(join(dir, 'optimizer.json'))).toBe(true);
    saveModelDir(dir, model);
    expect(existsSync(join(dir, 'optimizer.json'))).toBe(false);
    const loaded = loadModelDir(dir);
    expect(loaded.optimizer).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'))).toMatchObject({ format: 'keiko-model', formatVersion: 1 });
  });

  it('in-memory artifacts round-trip (browser path)', () => {
    const model = buildModel([{ type: 'dense', units: 3 }], [2], { seed: 3 });
    const opt = createOptimizer({ type: 'adam', learningRate: 0.1 });
    opt.minimize(() => tf.sum(model.apply(tf.ones([1, 2])) as tf.Tensor) as tf.Scalar, false, model.trainableWeights.map((w) => w.read() as tf.Variable));
    const a = serializeModel(model, { optimizer: opt });
    // what a browser would store: JSON text and byte arrays
    const json = JSON.parse(JSON.stringify({ spec: a.spec, weightsManifest: a.weightsManifest, optimizerManifest: a.optimizerManifest }));
    const loaded = deserializeModel({ ...json, weights: a.weights.slice(), optimizer: a.optimizer!.slice() });
    const before = bytesOf(model);
    bytesOf(loaded.model).forEach((buf, i) => expect(buf.equals(before[i]!)).toBe(true));
    expect(loaded.optimizer!.iterations).toBe(1);
  });
});

describe('tfjs topology JSON', () => {
  it('custom layers (dueling merge, seeded dropout) serialise and load through tf.models.modelFromJSON', async () => {
    const model = buildModel([{ type: 'dropout', rate: 0.25 }, ...duelingSpec], inputShape, { seed: 4 });
    const json = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
    const text = JSON.stringify(json);
    expect(text).toContain('KeikoDuelingMerge');
    expect(text).toContain('KeikoSeededDropout');
    const copy = await tf.models.modelFromJSON({ modelTopology: JSON.parse(text) } as never);
    copy.setWeights(model.getWeights());
    const pa = (model.predict(x()) as tf.Tensor).dataSync();
    const pb = (copy.predict(x()) as tf.Tensor).dataSync();
    expect(Array.from(pb)).toEqual(Array.from(pa));
  });
});

describe('corrupted or missing files', () => {
  function freshDir(name: string): string {
    const dir = join(root, name);
    const model = buildModel(duelingSpec, inputShape, { seed: 2 });
    const opt = createOptimizer({ type: 'adam', learningRate: 0.01 });
    trainStep(model, opt);
    saveModelDir(dir, model, { optimizer: opt });
    return dir;
  }
  function loadError(dir: string): ModelLoadError {
    try {
      loadModelDir(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ModelLoadError);
      return err as ModelLoadError;
    }
    throw new Error('expected loadModelDir to fail');
  }

  it('missing directory or file', () => {
    expect(loadError(join(root, 'nope')).message).toMatch(/nope: model directory does not exist/);
    const dir = freshDir('missing');
    rmSync(join(dir, 'weights.bin'));
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, 'weights.bin'));
    expect(err.message).toMatch(/weights\.bin: missing/);
  });

  it('bad JSON', () => {
    const dir = freshDir('badjson');
    writeFileSync(join(dir, 'spec.json'), '{"format": "keiko-model",');
    expect(loadError(dir).message).toMatch(/spec\.json: not valid JSON/);
  });

  it('JSON of the wrong shape', () => {
    const dir = freshDir('badspec');
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    spec.spec[0].filters = -4;
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    expect(loadError(dir).message).toMatch(/spec\.json: unexpected content: spec\.0\.filters/);
  });

  it('truncated weights', () => {
    const dir = freshDir('trunc');
    truncateSync(join(dir, 'weights.bin'), 100);
    expect(loadError(dir).message).toMatch(/weights\.bin: expected \d+ bytes, found 100 \(truncated\?\)/);
  });

  it('flipped byte → checksum mismatch, in weights and in optimiser state', () => {
    for (const file of ['weights.bin', 'optimizer.bin']) {
      const dir = freshDir(`flip-${file}`);
      const bytes = readFileSync(join(dir, file));
      bytes[17] = bytes[17]! ^ 0x40;
      writeFileSync(join(dir, file), bytes);
      const err = loadError(dir);
      expect(err.file).toBe(join(dir, file));
      expect(err.message).toMatch(/checksum mismatch/);
    }
  });

  it('weights that do not fit the spec', () => {
    const dir = freshDir('mismatch');
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    spec.spec[0].filters = 5;
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    expect(loadError(dir).message).toMatch(/weights\.json: tensor 0 .* has shape \[3,3,2,4\], the model expects \[3,3,2,5\]/);
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
