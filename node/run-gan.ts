/**
 * runGan: train a GAN on MNIST digits, the 2-D ring of Gaussians or a run's replay frames, and
 * write its run directory through RunDir: config.json, metrics.jsonl (`gan` loss lines and, for
 * MNIST, `score` lines), samples/step-NNNNNN.png (sample grids), generator/ (the saved generator,
 * EMA weights when enabled) and summary.json with the quality measures. Used by `keiko gan` and
 * the GAN bench.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './backend-node';
import { saveModelDir, loadModelDir } from './model-dir';
import { RunDir } from './run-dir';
import { writeImageGrid, writeScatter } from './png';
import { loadMnist } from './datasets/mnist';
import { loadReplayFrames } from './datasets/replay-frames';
import { runSupervised } from './run-supervised';
import { buildModel, type NetworkSpec } from '../src/layers';
import { createOptimizer, setLearningRate } from '../src/optimizers';
import { Random, deriveSeed } from '../src/random';
import { linearAt } from '../src/schedules';
import { GanTrainer, type GanLosses } from '../gan/train';
import type { GanConfig } from '../gan/config';
import * as specs from '../gan/specs';
import { sampleRing, ringMetrics, RING_DEFAULTS, type RingMetrics } from '../gan/ring';
import { classifierScore } from '../gan/classifier-score';
import { predict } from '../supervised/fit';
import { resolveSupervisedConfig } from '../supervised/config';
import { sampleSize, type Dataset } from '../supervised/datasets';

const SAMPLES_DIR = 'samples';
const GENERATOR_DIR = 'generator';

/** Samples behind each point of the MNIST score curve (the final score uses evalSamples). */
const SCORE_CURVE_SAMPLES = 1000;

export interface GanSummary {
  dataset: string;
  /** Steps trained (fewer than configured when maxMinutes stopped the run). */
  steps: number;
  wallSeconds: number;
  backend: string;
  finalLosses: GanLosses | null;
  ring?: RingMetrics;
  classifierScore?: number;
  classHistogram?: number[];
}

/** The classifier for the MNIST score: loaded from DIR (a `keiko supervised` output or model dir), or trained there once. */
export async function loadOrTrainClassifier(dir: string, log: (l: string) => void, backend?: string): Promise<tf.LayersModel> {
  const modelDir = existsSync(join(dir, 'model', 'spec.json')) ? join(dir, 'model') : dir;
  if (existsSync(join(modelDir, 'spec.json'))) return loadModelDir(modelDir).model;
  log(`no classifier in ${dir}: training the MNIST CNN there (keiko supervised --dataset mnist --model cnn)`);
  const cfg = resolveSupervisedConfig({ dataset: 'mnist', model: 'cnn' });
  const { model, summary } = await runSupervised(cfg, { outDir: dir, log, ...(backend ? { backend } : {}) });
  log(`classifier test accuracy ${((summary.testAccuracy ?? 0) * 100).toFixed(2)}%`);
  return model;
}

/** Classifier score of generated digits in [−1, 1] (mapped to the classifier's [0, 1]). */
export function scoreDigits(classifier: tf.LayersModel, samples: Float32Array): { score: number; histogram: number[] } {
  const x = samples.map((v) => (v + 1) / 2);
  const probs = predict(classifier, x, [28, 28, 1], { softmax: true });
  const s = classifierScore(probs, 10);
  return { score: s.score, histogram: s.histogram };
}

interface Setup {
  shape: number[];
  gSpec: NetworkSpec;
  dSpec: NetworkSpec;
  /** Fill `out` with a batch of real samples. */
  real: (out: Float32Array, n: number) => void;
  grid: (path: string, samples: Float32Array) => void;
}

function setupData(cfg: GanConfig, rng: Random): Setup {
  if (cfg.family === 'ring') {
    const reference = sampleRing(2000, new Random(1));
    return {
      shape: [2],
      gSpec: cfg.generator ?? specs.ringGenerator(),
      dSpec: cfg.discriminator ?? specs.ringDiscriminator(),
      real: (out, n) => void sampleRing(n, rng, RING_DEFAULTS, out as Float32Array<ArrayBuffer>),
      grid: (path, s) => writeScatter(path, s, reference),
    };
  }
  let ds: Dataset;
  let zoom = 1;
  if (cfg.family === 'mnist') ds = loadMnist('train', { scale: 'symmetric' });
  else {
    ds = loadReplayFrames(cfg.dataset.slice('replays:'.length), { rgb: cfg.rgb });
    zoom = 8;
  }
  const shape = [...ds.sampleShape];
  const f = sampleSize(ds);
  const order = Int32Array.from({ length: ds.size }, (_, i) => i);
  let cursor = ds.size;
  return {
    shape,
    gSpec: cfg.generator ?? (cfg.family === 'mnist' ? specs.dcganGenerator28() : specs.frameGenerator(shape)),
    dSpec: cfg.discriminator ?? (cfg.family === 'mnist' ? specs.dcganDiscriminator() : specs.frameDiscriminator()),
    real: (out, n) => {
      for (let i = 0; i < n; i++) {
        if (cursor >= ds.size) {
          // Reshuffle once per pass over the data.
          for (let k = ds.size - 1; k > 0; k--) {
            const j = rng.integer(0, k + 1);
            [order[k], order[j]] = [order[j], order[k]];
          }
          cursor = 0;
        }
        const r = order[cursor++];
        out.set(ds.x.subarray(r * f, r * f + f), i * f);
      }
    },
    grid: (path, s) => writeImageGrid(path, s, shape, { zoom, cols: 8 }),
  };
}

export interface RunGanOptions {
  /** The run directory. */
  outDir: string;
  backend?: string;
  /** MNIST: the classifier for the score (default runs/mnist-classifier; trained there if missing). */
  classifierDir?: string;
  log?: (line: string) => void;
}

export async function runGan(cfg: GanConfig, opts: RunGanOptions): Promise<GanSummary> {
  const log = opts.log ?? (() => {});
  const info = await initNodeBackend((opts.backend ?? process.env.KEIKO_BACKEND ?? 'auto') as 'auto', { quiet: true });
  const runDir = new RunDir(opts.outDir);
  runDir.createWith({ ...cfg, backend: info.name }, [SAMPLES_DIR]);

  const dataRng = new Random(deriveSeed(cfg.seed, 'data'));
  const setup = setupData(cfg, dataRng);
  const gSeed = deriveSeed(cfg.seed, 'generator');
  const G = buildModel(setup.gSpec, [cfg.latentDim], { seed: gSeed, name: 'generator' });
  const featureCount = setup.shape.reduce((a, b) => a * b, 1);
  const dInput = cfg.pack > 1 ? [cfg.pack * featureCount] : setup.shape;
  const D = buildModel(setup.dSpec, dInput, { seed: deriveSeed(cfg.seed, 'discriminator'), name: 'discriminator' });
  const ema = cfg.emaDecay > 0 ? buildModel(setup.gSpec, [cfg.latentDim], { seed: gSeed, name: 'generator' }) : undefined;
  const adam = () => createOptimizer({ type: 'adam', learningRate: cfg.learningRate, beta1: cfg.beta1 });
  const gOpt = adam();
  const dOpt = adam();
  const trainer = new GanTrainer(G, D, gOpt, dOpt, {
    latentDim: cfg.latentDim,
    batchSize: cfg.batchSize,
    labelSmoothing: cfg.labelSmoothing,
    pack: cfg.pack,
    dSteps: cfg.dSteps,
    emaDecay: cfg.emaDecay,
  }, deriveSeed(cfg.seed, 'latent'), ema);

  // A fixed latent batch so successive grids show the same z.
  const gridCount = cfg.family === 'ring' ? 2000 : 64;
  const fixedZ = new Random(deriveSeed(cfg.seed, 'grid'));
  const zBuf = new Float32Array(gridCount * cfg.latentDim).map(() => fixedZ.normal());
  const zGrid = tf.tensor2d(zBuf, [gridCount, cfg.latentDim]);
  const realBuf = new Float32Array(cfg.batchSize * featureCount);
  let last: GanLosses | null = null;
  // MNIST: the classifier is loaded (or trained) before the clock starts, for the score curve.
  const classifier = cfg.family === 'mnist' ? await loadOrTrainClassifier(opts.classifierDir ?? 'runs/mnist-classifier', log, opts.backend) : undefined;
  // Score samples draw z from their own stream, so scoring does not change the training run.
  const scoreRng = new Random(deriveSeed(cfg.seed, 'score'));
  const t0 = performance.now();
  const deadline = cfg.maxMinutes !== undefined ? t0 + cfg.maxMinutes * 60_000 : Infinity;
  const budget = cfg.maxMinutes !== undefined ? ` or ${cfg.maxMinutes} minutes` : '';
  log(`GAN on ${cfg.dataset}: ${cfg.steps} steps${budget} of batch ${cfg.batchSize}, backend ${info.name}`);
  let stepsDone = 0;
  for (let step = 1; step <= cfg.steps; step++) {
    if (cfg.learningRateEnd !== undefined) {
      // Training progress: by steps, or by the clock when a time budget ends the run sooner.
      const progress = Math.max((step - 1) / cfg.steps, (performance.now() - t0) / (deadline - t0));
      const lr = linearAt(cfg.learningRate, cfg.learningRateEnd, 1, progress);
      setLearningRate(gOpt, lr);
      setLearningRate(dOpt, lr);
    }
    setup.real(realBuf, cfg.batchSize);
    const real = tf.tensor(realBuf, [cfg.batchSize, ...setup.shape]);
    const t = trainer.stepTensors(real);
    real.dispose();
    if (step % cfg.logEvery === 0 || step === cfg.steps) {
      last = GanTrainer.read(t);
      runDir.appendMetric({ type: 'gan', step, ...last, seconds: (performance.now() - t0) / 1000 });
    } else tf.dispose([t.dLoss, t.gLoss, t.dReal, t.dFake]);
    stepsDone = step;
    const outOfTime = performance.now() >= deadline;
    const final = step === cfg.steps || outOfTime;
    if (step % cfg.sampleEvery === 0 || final) {
      setup.grid(runDir.path(SAMPLES_DIR, `step-${String(step).padStart(6, '0')}.png`), trainer.sampleFrom(zGrid));
      const l = last ? ` D loss ${last.dLoss.toFixed(3)}, G loss ${last.gLoss.toFixed(3)}, D(real) ${last.dReal.toFixed(2)}, D(fake) ${last.dFake.toFixed(2)}` : '';
      log(`step ${step}/${cfg.steps}:${l} (${((performance.now() - t0) / 1000).toFixed(0)}s)`);
    }
    if (classifier && cfg.scoreEvery > 0 && step % cfg.scoreEvery === 0 && !final) {
      const s = scoreDigits(classifier, trainer.sample(SCORE_CURVE_SAMPLES, { rng: scoreRng }));
      runDir.appendMetric({ type: 'score', step, classifierScore: s.score, samples: SCORE_CURVE_SAMPLES, seconds: (performance.now() - t0) / 1000 });
      log(`step ${step}: classifier score ${s.score.toFixed(2)} (${SCORE_CURVE_SAMPLES} samples)`);
    }
    if (outOfTime) {
      log(`stopping at step ${step}: the ${cfg.maxMinutes}-minute budget is used`);
      break;
    }
  }
  zGrid.dispose();
  const trainSeconds = (performance.now() - t0) / 1000;
  saveModelDir(runDir.path(GENERATOR_DIR), trainer.sampler);
  const summary: GanSummary = { dataset: cfg.dataset, steps: stepsDone, wallSeconds: trainSeconds, backend: info.name, finalLosses: last };
  if (cfg.family === 'ring') {
    summary.ring = ringMetrics(trainer.sample(cfg.evalSamples));
    log(`ring: ${summary.ring.modesCovered}/${summary.ring.modes} modes covered, ${(summary.ring.highQualityShare * 100).toFixed(1)}% high-quality samples`);
  } else if (classifier) {
    const s = scoreDigits(classifier, trainer.sample(cfg.evalSamples));
    summary.classifierScore = s.score;
    summary.classHistogram = s.histogram;
    log(`classifier score ${s.score.toFixed(2)} (max 10); class histogram ${s.histogram.join(' ')}`);
  }
  runDir.writeSummary(summary);
  gOpt.dispose();
  dOpt.dispose();
  return summary;
}

