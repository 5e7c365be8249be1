/**
 * Mini-batch training of a tfjs LayersModel with a custom loop: seeded shuffling from `Random`,
 * any optimiser of the stack, regulariser penalties added to the loss, dropout/batch norm in
 * training mode, one host sync per epoch, and memory flat across epochs (every batch tensor is
 * created and disposed inside tf.tidy). Frozen layers (trainable = false) are excluded from the
 * variable list on every call, so freezing/unfreezing between fit calls needs no recompilation.
 */
import * as tf from '@tensorflow/tfjs';
import { Random, deriveSeed } from '../src/random';
import { crossEntropy, mse } from '../src/losses';
import { regularizationLoss } from '../src/layers';
import { sampleSize, type Dataset } from './datasets/types';
import { permutation, trainValTestSplit } from './datasets/split';
import { countCorrect, sumAbsError, sumSquaredError } from './metrics';
import type { ImageAugmenter } from './augment';

/** (yTrue, yPred) → scalar mean loss. Classification targets are int32 labels [batch]. */
export type SupervisedLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export type MonitorName = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'valMae';

export interface EarlyStoppingConfig {
  /** Metric to watch (default 'valLoss'); accuracies are maximised, losses minimised. */
  monitor?: MonitorName;
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default true). */
  restoreBest?: boolean;
}

/** One line of the learning curve. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches (data term + regularisation). */
  loss: number;
  /** Training accuracy measured on the fly (training mode, so with dropout active). */
  accuracy?: number;
  mae?: number;
  valLoss?: number;
  valAccuracy?: number;
  valMae?: number;
  seconds: number;
  learningRate?: number;
}

export interface FitCallbacks {
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
  /** Called after every batch with the global batch index (cheap: no host sync). */
  onBatchEnd?: (batch: number, epoch: number) => void;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer: tf.Optimizer;
  /** Default: crossEntropy from logits (classification) or mse (regression). */
  loss?: SupervisedLoss;
  /** Hold out this fraction of the training data (seeded) when no validationData is given. */
  validationSplit?: number;
  validationData?: Dataset;
  /** Reshuffle the training data every epoch (default true). */
  shuffle?: boolean;
  earlyStopping?: EarlyStoppingConfig;
  callbacks?: FitCallbacks;
  augment?: ImageAugmenter;
  seed: number;
  /** Stop after the current epoch when aborted. */
  signal?: AbortSignal;
}

export interface FitResult {
  history: EpochRecord[];
  /** Epochs actually run. */
  epochs: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
}

export function defaultLoss(task: Dataset['task']): SupervisedLoss {
  return task === 'classification' ? (y, p) => crossEntropy(y, p) : (y, p) => mse(y, p);
}

/** The tf.Variables a fit step may change: trainable weights of trainable layers only. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Reusable host buffers for gathering batches without per-batch allocation. */
class BatchGatherer {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array;
  private readonly f: number;
  private readonly t: number;

  constructor(private readonly ds: Dataset, readonly batchSize: number) {
    this.f = sampleSize(ds);
    this.t = ds.task === 'classification' ? 1 : ds.targetSize;
    this.x = new Float32Array(batchSize * this.f);
    this.y = ds.task === 'classification' ? new Int32Array(batchSize) : new Float32Array(batchSize * this.t);
  }

  /** Copy rows order[start .. start+n) into the buffers. */
  gather(order: ArrayLike<number> | null, start: number, n: number): void {
    const { ds, f, t } = this;
    for (let i = 0; i < n; i++) {
      const r = order ? order[start + i] : start + i;
      this.x.set(ds.x.subarray(r * f, r * f + f), i * f);
      if (ds.task === 'classification') this.y[i] = ds.labels[r];
      else this.y.set(ds.targets.subarray(r * t, r * t + t), i * t);
    }
  }

  tensors(n: number): { xs: tf.Tensor; ys: tf.Tensor } {
    const xs = tf.tensor(this.x.subarray(0, n * this.f), [n, ...this.ds.sampleShape], 'float32');
    const ys =
      this.ds.task === 'classification'
        ? tf.tensor1d(this.y.subarray(0, n) as Int32Array, 'int32')
        : tf.tensor2d(this.y.subarray(0, n * this.t) as Float32Array, [n, this.t]);
    return { xs, ys };
  }
}

export interface EvalResult {
  loss: number;
  accuracy?: number;
  mae?: number;
  mse?: number;
}

/** Loss and accuracy (classification) or MSE/MAE (regression) in inference mode. */
export function evaluate(model: tf.LayersModel, ds: Dataset, opts: { batchSize?: number; loss?: SupervisedLoss } = {}): EvalResult {
  const batchSize = opts.batchSize ?? 512;
  const loss = opts.loss ?? defaultLoss(ds.task);
  const g = new BatchGatherer(ds, batchSize);
  let lossSum = tf.scalar(0);
  let metricSum = tf.scalar(0);
  let sqSum = tf.scalar(0);
  for (let start = 0; start < ds.size; start += batchSize) {
    const n = Math.min(batchSize, ds.size - start);
    g.gather(null, start, n);
    const [l, m, s] = tf.tidy(() => {
      const { xs, ys } = g.tensors(n);
      const pred = model.apply(xs, { training: false }) as tf.Tensor;
      const batchLoss = tf.mul(loss(ys, pred), n);
      const metric = ds.task === 'classification' ? countCorrect(ys, pred) : sumAbsError(ys, pred);
      const sq = ds.task === 'regression' ? sumSquaredError(ys, pred) : tf.scalar(0);
      return [tf.add(lossSum, batchLoss), tf.add(metricSum, metric), tf.add(sqSum, sq)];
    });
    lossSum.dispose();
    metricSum.dispose();
    sqSum.dispose();
    [lossSum, metricSum, sqSum] = [l, m, s];
  }
  const [ls, ms, ss] = [lossSum.dataSync()[0], metricSum.dataSync()[0], sqSum.dataSync()[0]];
  tf.dispose([lossSum, metricSum, sqSum]);
  const n = Math.max(1, ds.size);
  return ds.task === 'classification'
    ? { loss: ls / n, accuracy: ms / n }
    : { loss: ls / n, mae: ms / n, mse: ss / n };
}

/** Model outputs for every sample, batched, in inference mode (logits for classifiers). */
export function predict(model: tf.LayersModel, x: Float32Array, sampleShape: readonly number[], opts: { batchSize?: number; softmax?: boolean } = {}): Float32Array {
  const batchSize = opts.batchSize ?? 512;
  const f = sampleShape.reduce((a, b) => a * b, 1);
  const n = x.length / f;
  const outWidth = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * outWidth);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const y = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * f, (start + m) * f), [m, ...sampleShape]);
      const p = model.apply(xs, { training: false }) as tf.Tensor;
      return opts.softmax ? tf.softmax(p.reshape([m, outWidth])) : p;
    });
    out.set(y.dataSync(), start * outWidth);
    y.dispose();
  }
  return out;
}

function monitorValue(rec: EpochRecord, monitor: MonitorName): number | undefined {
  return rec[monitor];
}

/** Train `model` on `data`. Returns the learning curve. */
export async function fit(model: tf.LayersModel, data: Dataset, options: FitOptions): Promise<FitResult> {
  const { epochs, batchSize, optimizer, shuffle = true } = options;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new Error(`fit: epochs must be an integer ≥ 0, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`fit: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const loss = options.loss ?? defaultLoss(data.task);
  let train = data;
  let validation = options.validationData;
  if (!validation && options.validationSplit) {
    const s = trainValTestSplit(data, { validation: options.validationSplit, seed: deriveSeed(options.seed, 'validation-split') });
    train = s.train;
    validation = s.validation;
  }
  if (train.size === 0) throw new Error('fit: the training set is empty');
  const shuffleRng = new Random(deriveSeed(options.seed, 'shuffle'));
  const augmentRng = new Random(deriveSeed(options.seed, 'augment'));
  const g = new BatchGatherer(train, batchSize);
  const es = options.earlyStopping;
  const monitor: MonitorName = es?.monitor ?? (validation ? 'valLoss' : 'loss');
  if (es && monitor.startsWith('val') && !validation) {
    throw new Error(`fit: earlyStopping.monitor '${monitor}' needs validationData or validationSplit`);
  }
  const maximise = monitor.includes('ccuracy');
  let best = maximise ? -Infinity : Infinity;
  let bestEpoch: number | undefined;
  let bestWeights: tf.Tensor[] | null = null;
  let wait = 0;
  let stoppedEarly = false;
  const history: EpochRecord[] = [];
  let batchIndex = 0;
  const isClass = train.task === 'classification';

  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    const order = shuffle ? permutation(train.size, shuffleRng) : null;
    // Variables are re-read every epoch so (un)freezing between fit calls just works.
    const vars = trainableVariables(model);
    if (vars.length === 0) throw new Error('fit: the model has no trainable weights (are all layers frozen?)');
    let lossSum = tf.scalar(0);
    let metricSum = tf.scalar(0);
    for (let start = 0; start < train.size; start += batchSize) {
      const n = Math.min(batchSize, train.size - start);
      g.gather(order, start, n);
      if (options.augment?.active) options.augment.apply(g.x, n, augmentRng);
      const [l, m] = tf.tidy(() => {
        const { xs, ys } = g.tensors(n);
        let metric: tf.Scalar | null = null;
        const cost = optimizer.minimize(
          () => {
            const pred = model.apply(xs, { training: true }) as tf.Tensor;
            metric = tf.keep(isClass ? countCorrect(ys, pred) : sumAbsError(ys, pred));
            return tf.add(loss(ys, pred), regularizationLoss(model)) as tf.Scalar;
          },
          true,
          vars,
        )!;
        const kept = metric as tf.Scalar | null;
        const out = [tf.add(lossSum, tf.mul(cost, n)), tf.add(metricSum, kept!)];
        kept!.dispose(); // tf.keep'd inside the tape: not owned by this tidy
        return out;
      });
      lossSum.dispose();
      metricSum.dispose();
      lossSum = l as tf.Scalar;
      metricSum = m as tf.Scalar;
      options.callbacks?.onBatchEnd?.(batchIndex++, epoch);
    }
    const trainLoss = (await lossSum.data())[0] / train.size;
    const trainMetric = (await metricSum.data())[0] / train.size;
    tf.dispose([lossSum, metricSum]);
    const rec: EpochRecord = { epoch: epoch + 1, loss: trainLoss, seconds: 0 };
    if (isClass) rec.accuracy = trainMetric;
    else rec.mae = trainMetric;
    if (validation) {
      const v = evaluate(model, validation, { loss });
      rec.valLoss = v.loss;
      if (v.accuracy !== undefined) rec.valAccuracy = v.accuracy;
      if (v.mae !== undefined) rec.valMae = v.mae;
    }
    rec.seconds = (performance.now() - t0) / 1000;
    history.push(rec);
    await options.callbacks?.onEpochEnd?.(rec);

    if (es) {
      const value = monitorValue(rec, monitor);
      if (value === undefined) throw new Error(`fit: earlyStopping.monitor '${monitor}' is not measured for a ${train.task} task`);
      const minDelta = es.minDelta ?? 0;
      const improved = maximise ? value > best + minDelta : value < best - minDelta;
      if (improved) {
        best = value;
        bestEpoch = epoch + 1;
        wait = 0;
        if (es.restoreBest ?? true) {
          tf.dispose(bestWeights ?? []);
          bestWeights = model.getWeights().map((w) => w.clone());
        }
      } else if (++wait >= es.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (options.signal?.aborted) break;
  }
  if (bestWeights) {
    if (stoppedEarly || bestEpoch !== history.length) model.setWeights(bestWeights);
    tf.dispose(bestWeights);
  }
  return { history, epochs: history.length, stoppedEarly, ...(bestEpoch !== undefined ? { bestEpoch } : {}) };
}
