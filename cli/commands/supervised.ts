/**
 * `keiko supervised`: train a classifier/regressor on MNIST, a toy set or a CSV file and write
 * metrics.jsonl (the learning curve), model/ (saveModelDir), config.json and summary.json.
 * `runSupervised` is also used by the bench scripts and the GAN's classifier score.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../node/backend-node';
import { saveModelDir } from '../../node/model-dir';
import { atomicWriteJson } from '../../node/atomic';
import { loadMnist } from '../../node/datasets/mnist';
import { loadCsvFile } from '../../node/datasets/csv-file';
import { buildModel, SpecError, type NetworkSpec } from '../../src/layers';
import { ModelLoadError } from '../../src/model-io';
import { BackendError } from '../../src/backend';
import { createOptimizer } from '../../src/optimizers';
import { deriveSeed } from '../../src/random';
import { spiral, xor, circles, trainValTestSplit, fitStandardizer, applyNormalizer, type Dataset, CsvError } from '../../supervised/datasets';
import { fit, evaluate, type EpochRecord } from '../../supervised/fit';
import { mlpSpec, cnnSpec } from '../../supervised/models';
import { ImageAugmenter } from '../../supervised/augment';
import { resolveSupervisedConfig, SupervisedConfigError, OPTIMIZER_NAMES, type SupervisedConfig } from '../../supervised/config';
import { UserError } from '../errors';
import { jsonFileFlag, numberFlag } from '../flags';
import { readConfigFile } from './train';

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

export function loadSupervisedData(cfg: SupervisedConfig): LoadedData {
  if (cfg.dataset === 'mnist') {
    return { train: loadMnist('train', cfg.trainLimit ? { limit: cfg.trainLimit } : {}), test: loadMnist('test'), image: true };
  }
  let all: Dataset;
  const seed = deriveSeed(cfg.seed, 'dataset');
  if (cfg.dataset === 'spiral') all = spiral({ arms: 3, pointsPerArm: 100, seed });
  else if (cfg.dataset === 'xor') all = xor({ size: 400, seed });
  else if (cfg.dataset === 'circles') all = circles({ size: 400, seed });
  else {
    const path = cfg.dataset.slice(4);
    try {
      all = loadCsvFile(path, { ...(cfg.label !== undefined ? { label: cfg.label } : {}), task: cfg.task });
    } catch (err) {
      if (err instanceof CsvError) throw new UserError(err.message);
      throw err;
    }
  }
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
  const out = opts.outDir;
  const metricsPath = out ? join(out, 'metrics.jsonl') : null;
  if (out) {
    mkdirSync(out, { recursive: true });
    rmSync(metricsPath!, { force: true });
    atomicWriteJson(join(out, 'config.json'), { ...cfg, backend: info.name });
  }
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
        if (metricsPath) appendFileSync(metricsPath, JSON.stringify({ type: 'epoch', ...r }) + '\n');
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
  if (out) {
    if (metricsPath) appendFileSync(metricsPath, JSON.stringify({ type: 'test', ...ev }) + '\n');
    saveModelDir(join(out, 'model'), model);
    atomicWriteJson(join(out, 'summary.json'), summary);
  }
  optimizer.dispose();
  return { summary, model, history: result.history };
}

/** Spec, backend and model-file problems are the user's to fix: report them without a stack. */
export function asUserError(err: unknown): unknown {
  if (err instanceof SpecError || err instanceof ModelLoadError || err instanceof BackendError || err instanceof CsvError) {
    return new UserError(err.message);
  }
  return err;
}

export function registerSupervised(program: Command): void {
  program
    .command('supervised')
    .description('Train a supervised model (MNIST, toy sets or a CSV file) and write metrics, model and summary')
    .option('--dataset <name>', 'mnist | spiral | xor | circles | csv:FILE', 'mnist')
    .option('--model <name>', 'mlp | cnn | SPEC.json (a JSON array of layer specs)', 'mlp')
    .option('--epochs <n>', 'training epochs (default per dataset/model)')
    .option('--batch-size <n>', 'mini-batch size')
    .option('--learning-rate <lr>', 'learning rate')
    .option('--optimizer <name>', OPTIMIZER_NAMES.join(' | '))
    .option('--seed <n>', 'seed of everything', '0')
    .option('--out <dir>', 'output directory', 'runs/supervised')
    .option('--config <file>', 'JSON or YAML file of config keys (flags override it); see docs/supervised.md')
    .option('--label <column>', 'CSV: label column name or 0-based index (default: last)')
    .option('--task <task>', 'CSV: classification | regression')
    .option('--train-limit <n>', 'use only the first N training samples')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu')
    .option('--quiet', 'no progress output')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const input: Record<string, unknown> = o.config ? readConfigFile(String(o.config)) : {};
      const flag = (name: string) => program.commands.find((c) => c.name() === 'supervised')!.getOptionValueSource(name) === 'cli';
      if (!o.config || flag('dataset')) input.dataset = o.dataset;
      if (!o.config || flag('seed')) input.seed = numberFlag(o.seed, '--seed');
      if (!o.config || flag('model') || input.model === undefined) {
        const m = String(o.model);
        if (m === 'mlp' || m === 'cnn') input.model = m;
        else input.model = jsonFileFlag(m, '--model', `--model: expected mlp, cnn or a SPEC.json file; ${m} does not exist`);
      }
      if (o.epochs !== undefined) input.epochs = numberFlag(o.epochs, '--epochs');
      if (o.batchSize !== undefined) input.batchSize = numberFlag(o.batchSize, '--batch-size');
      if (o.learningRate !== undefined) input.learningRate = numberFlag(o.learningRate, '--learning-rate');
      if (o.optimizer !== undefined) input.optimizer = o.optimizer;
      if (o.trainLimit !== undefined) input.trainLimit = numberFlag(o.trainLimit, '--train-limit');
      if (o.label !== undefined) input.label = /^\d+$/.test(String(o.label)) ? Number(o.label) : o.label;
      if (o.task !== undefined) input.task = o.task;
      let cfg: SupervisedConfig;
      try {
        cfg = resolveSupervisedConfig(input);
      } catch (err) {
        if (err instanceof SupervisedConfigError) throw new UserError(err.message);
        throw err;
      }
      const log = o.quiet ? () => {} : (l: string) => console.log(l);
      let summary: SupervisedSummary;
      try {
        ({ summary } = await runSupervised(cfg, { outDir: String(o.out), ...(o.backend ? { backend: String(o.backend) } : {}), log }));
      } catch (err) {
        throw asUserError(err);
      }
      const acc = summary.testAccuracy !== null ? `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, ` : `test MAE ${summary.testMae?.toFixed(4)}, `;
      console.log(`${acc}test loss ${summary.testLoss.toFixed(4)}, ${summary.epochs} epochs in ${summary.wallSeconds.toFixed(1)}s on ${summary.backend} → ${o.out}`);
    });
}
