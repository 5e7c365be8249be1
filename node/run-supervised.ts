/**
 * runSupervised: train a classifier/regressor on MNIST, a toy set or a CSV file and write its run
 * directory through RunDir: config.json, metrics.jsonl (one `epoch` line per epoch, then one
 * `test` line), model/ (saveModelDir) and summary.json. Used by `keiko supervised`, the bench
 * scripts and the GAN's classifier score.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './backend-node';
import { saveModelDir } from './model-dir';
import { RunDir } from './run-dir';
import { loadMnist } from './datasets/mnist';
import { loadCsvFile } from './datasets/csv-file';
import { buildModel, type NetworkSpec } from '../src/layers';
import { createOptimizer } from '../src/optimizers';
import { deriveSeed } from '../src/random';
import { spiral, xor, circles, trainValTestSplit, fitStandardizer, applyNormalizer, type Dataset } from '../supervised/datasets';
import { fit, evaluate, type EpochRecord } from '../supervised/fit';
import { mlpSpec, cnnSpec } from '../supervised/models';
import { ImageAugmenter } from '../supervised/augment';
import type { SupervisedConfig } from '../supervised/config';

export interface SupervisedSummary {
  testAccuracy: number | null;
  testLoss: number;
  testMae?: number;
  trainAccuracy: number | null;
  epochs: number;
  wallSeconds: number;
  backend: string;
  trainSamples: number;
  testSamples: number;
  stoppedEarly: boolean;
}

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  /** Pixel data: augmentation applies. */
  image: boolean;
}

/** The config's data, split into train and test. A bad CSV file throws CsvError. */
export function loadSupervisedData(cfg: SupervisedConfig): LoadedData {
  if (cfg.dataset === 'mnist') {
    return { train: loadMnist('train', cfg.trainLimit ? { limit: cfg.trainLimit } : {}), test: loadMnist('test'), image: true };
  }
  let all: Dataset;
  const seed = deriveSeed(cfg.seed, 'dataset');
  if (cfg.dataset === 'spiral') all = spiral({ arms: 3, pointsPerArm: 100, seed });
  else if (cfg.dataset === 'xor') all = xor({ size: 400, seed });
  else if (cfg.dataset === 'circles') all = circles({ size: 400, seed });
  else all = loadCsvFile(cfg.dataset.slice(4), { ...(cfg.label !== undefined ? { label: cfg.label } : {}), task: cfg.task });
  const s = trainValTestSplit(all, { validation: 0, test: cfg.testSplit, seed: deriveSeed(cfg.seed, 'test-split') });
  let { train, test } = s;
  if (cfg.dataset.startsWith('csv:')) {
    // Statistics from the training rows only, applied to both.
    const norm = fitStandardizer(train);
    train = applyNormalizer(train, norm);
    test = applyNormalizer(test, norm);
  }
  return { train: cfg.trainLimit ? trimmed(train, cfg.trainLimit) : train, test, image: false };
}

function trimmed(ds: Dataset, n: number): Dataset {
  const m = Math.min(ds.size, n);
  const f = ds.x.length / Math.max(1, ds.size);
  if (ds.task === 'classification') return { ...ds, size: m, x: ds.x.subarray(0, m * f), labels: ds.labels.subarray(0, m) };
  return { ...ds, size: m, x: ds.x.subarray(0, m * f), targets: ds.targets.subarray(0, m * ds.targetSize) };
}

export function modelSpecFor(cfg: SupervisedConfig, train: Dataset): NetworkSpec {
  const outputs = train.task === 'classification' ? train.numClasses : train.targetSize;
  const init = cfg.init === 'normal001' ? ({ type: 'normal', std: 0.01 } as const) : cfg.init;
  const t = { dropout: cfg.dropout, batchNorm: cfg.batchNorm, l1: cfg.l1, l2: cfg.l2, init };
  if (cfg.model === 'mlp') return mlpSpec(cfg.hidden, outputs, t, train.sampleShape.length);
  if (cfg.model === 'cnn') return cnnSpec(outputs, t);
  return cfg.model;
}

export interface RunSupervisedOptions {
  /** The run directory; without it nothing is written. */
  outDir?: string;
  backend?: string;
  log?: (line: string) => void;
  /** Pre-loaded data (benches reuse one load). */
  data?: LoadedData;
}

export async function runSupervised(
  cfg: SupervisedConfig,
  opts: RunSupervisedOptions = {},
): Promise<{ summary: SupervisedSummary; model: tf.LayersModel; history: EpochRecord[] }> {
  const log = opts.log ?? (() => {});
  const info = await initNodeBackend((opts.backend ?? process.env.KEIKO_BACKEND ?? 'auto') as 'auto', { quiet: true });
  const t0 = performance.now();
  const data = opts.data ?? loadSupervisedData(cfg);
  const { train, test } = data;
  const spec = modelSpecFor(cfg, train);
  const model = buildModel(spec, [...train.sampleShape], { seed: deriveSeed(cfg.seed, 'init'), name: 'supervised' });
  const optimizer = createOptimizer(cfg.optimizer);
  const runDir = opts.outDir ? new RunDir(opts.outDir) : null;
  runDir?.createWith({ ...cfg, backend: info.name });
  const augment =
    data.image && (cfg.augment.maxShift > 0 || cfg.augment.noiseStd > 0)
      ? new ImageAugmenter(train.sampleShape as [number, number, number], cfg.augment)
      : undefined;
  log(`training ${Array.isArray(cfg.model) ? 'custom model' : cfg.model} on ${cfg.dataset}: ${train.size} train / ${test.size} test samples, backend ${info.name}`);
  const result = await fit(model, train, {
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    optimizer,
    seed: cfg.seed,
    ...(cfg.validationSplit > 0 ? { validationSplit: cfg.validationSplit } : {}),
    ...(cfg.earlyStopping ? { earlyStopping: cfg.earlyStopping } : {}),
    ...(augment ? { augment } : {}),
    callbacks: {
      onEpochEnd: (r) => {
        runDir?.appendMetric({ type: 'epoch', ...r });
        const acc = r.accuracy !== undefined ? ` acc ${(r.accuracy * 100).toFixed(2)}%` : ` mae ${r.mae?.toFixed(4)}`;
        const val = r.valLoss !== undefined ? ` | val loss ${r.valLoss.toFixed(4)}${r.valAccuracy !== undefined ? ` acc ${(r.valAccuracy * 100).toFixed(2)}%` : ''}` : '';
        log(`epoch ${r.epoch}/${cfg.epochs}: loss ${r.loss.toFixed(4)}${acc}${val} (${r.seconds.toFixed(1)}s)`);
      },
    },
  });
  const ev = evaluate(model, test);
  const trainEval = train.task === 'classification' ? evaluate(model, train) : null;
  const summary: SupervisedSummary = {
    testAccuracy: ev.accuracy ?? null,
    testLoss: ev.loss,
    ...(ev.mae !== undefined ? { testMae: ev.mae } : {}),
    trainAccuracy: trainEval?.accuracy ?? null,
    epochs: result.epochs,
    wallSeconds: (performance.now() - t0) / 1000,
    backend: info.name,
    // fit holds validationSplit of the training data out; trainAccuracy covers all of it.
    trainSamples: train.size - Math.round(train.size * cfg.validationSplit),
    testSamples: test.size,
    stoppedEarly: result.stoppedEarly,
  };
  if (runDir) {
    runDir.appendMetric({ type: 'test', ...ev });
    saveModelDir(runDir.path('model'), model);
    runDir.writeSummary(summary);
  }
  optimizer.dispose();
  return { summary, model, history: result.history };
}
