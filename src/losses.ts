/**
 * Losses as pure functions of (yTrue, yPred). Each returns the mean over the batch as a scalar
 * (reduction 'mean', the default) or one loss per sample, shape [batch] (reduction 'none', e.g.
 * for prioritised-replay weights). Per-sample losses average over every non-batch axis.
 * Classification losses take LOGITS (unnormalised scores) and are computed in a stable form.
 */
import * as tf from '@tensorflow/tfjs';

export type Reduction = 'mean' | 'none';

export interface LossOptions {
  /** 'mean' (default): scalar mean over the batch; 'none': per-sample losses, shape [batch]. */
  reduction?: Reduction;
  /** Huber threshold (default 1). Ignored by the other losses. */
  delta?: number;
}

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor, options?: LossOptions) => tf.Tensor;

function checkReduction(name: string, reduction: unknown): Reduction {
  if (reduction === undefined) return 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new Error(`${name}: options.reduction must be 'mean' or 'none', got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

function checkSameShape(name: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  if (yPred.rank === 0) throw new Error(`${name}: yPred must have a batch axis, got a scalar`);
  if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
    throw new Error(`${name}: yTrue shape [${yTrue.shape}] does not match yPred shape [${yPred.shape}]`);
  }
}

/** Mean over every axis but the first: [batch, ...] → [batch]. */
function perSample(x: tf.Tensor): tf.Tensor {
  if (x.rank <= 1) return x;
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
  return tf.mean(x, axes);
}

function reduce(perSampleLoss: tf.Tensor, reduction: Reduction): tf.Tensor {
  return reduction === 'mean' ? tf.mean(perSampleLoss) : perSampleLoss;
}

/** Mean squared error: mean((yTrue − yPred)²). */
export function mse(yTrue: tf.Tensor, yPred: tf.Tensor, options: LossOptions = {}): tf.Tensor {
  const reduction = checkReduction('mse', options.reduction);
  checkSameShape('mse', yTrue, yPred);
  return tf.tidy(() => reduce(perSample(tf.squaredDifference(tf.cast(yTrue, yPred.dtype), yPred)), reduction));
}

function huberLoss(yTrue: tf.Tensor, yPred: tf.Tensor, options: LossOptions = {}): tf.Tensor {
  const reduction = checkReduction('huber', options.reduction);
  const delta = options.delta ?? 1;
  if (!(typeof delta === 'number' && delta > 0 && Number.isFinite(delta))) {
    throw new Error(`huber: delta must be a finite number > 0, got ${JSON.stringify(delta)}`);
  }
  checkSameShape('huber', yTrue, yPred);
  return tf.tidy(() => {
    // 0.5·e² for |e| ≤ δ, δ·(|e| − 0.5·δ) beyond: written as 0.5·q² + δ·(|e| − q), q = min(|e|, δ).
    const absErr = tf.abs(tf.sub(yPred, tf.cast(yTrue, yPred.dtype)));
    const quadratic = tf.minimum(absErr, delta);
    const linear = tf.sub(absErr, quadratic);
    const elementwise = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear));
    return reduce(perSample(elementwise), reduction);
  });
}

/**
 * Huber (smooth L1) loss: 0.5·e² where |e| ≤ delta, delta·(|e| − 0.5·delta) beyond.
 * Call it directly, `huber(yTrue, yPred, { delta })`, or make a loss with a fixed delta,
 * `huber(2)` → `(yTrue, yPred, options) => ...`.
 */
export function huber(delta: number): LossFn;
export function huber(yTrue: tf.Tensor, yPred: tf.Tensor, options?: LossOptions): tf.Tensor;
export function huber(a: number | tf.Tensor, yPred?: tf.Tensor, options?: LossOptions): LossFn | tf.Tensor {
  if (typeof a === 'number') {
    const delta = a;
    if (!(delta > 0 && Number.isFinite(delta))) {
      throw new Error(`huber: delta must be a finite number > 0, got ${JSON.stringify(delta)}`);
    }
    return (yTrue, yPred2, opts = {}) => huberLoss(yTrue, yPred2, { ...opts, delta: opts.delta ?? delta });
  }
  if (yPred === undefined) throw new Error('huber: expected (yTrue, yPred, options?) or (delta)');
  return huberLoss(a, yPred, options);
}

/**
 * Softmax cross-entropy from logits, over the last axis. yTrue is either integer class labels
 * with one axis fewer than the logits (sparse; e.g. [batch] for logits [batch, classes]) or a
 * one-hot / probability tensor shaped like the logits. Loss = −Σ y·log softmax(logits).
 */
export function crossEntropy(yTrue: tf.Tensor, logits: tf.Tensor, options: LossOptions = {}): tf.Tensor {
  const reduction = checkReduction('crossEntropy', options.reduction);
  if (logits.rank < 2) {
    throw new Error(`crossEntropy: logits must be [batch, ..., classes], got shape [${logits.shape}]`);
  }
  const classes = logits.shape[logits.rank - 1]!;
  const sparse = yTrue.rank === logits.rank - 1;
  if (sparse) {
    if (!tf.util.arraysEqual(yTrue.shape, logits.shape.slice(0, -1))) {
      throw new Error(
        `crossEntropy: sparse labels shape [${yTrue.shape}] must equal logits shape without the class axis [${logits.shape.slice(0, -1)}]`,
      );
    }
  } else {
    checkSameShape('crossEntropy', yTrue, logits);
  }
  return tf.tidy(() => {
    const target = sparse ? tf.oneHot(tf.cast(yTrue, 'int32').flatten(), classes).reshape(logits.shape) : yTrue;
    const perPosition = tf.neg(tf.sum(tf.mul(tf.cast(target, 'float32'), tf.logSoftmax(logits, -1)), -1));
    return reduce(perSample(perPosition), reduction);
  });
}

/**
 * Sigmoid (binary) cross-entropy from logits z, labels y in [0, 1]:
 * −y·log σ(z) − (1−y)·log(1−σ(z)) = softplus(z) − y·z, which never overflows and has the
 * exact gradient σ(z) − y everywhere (incl. z = 0).
 */
export function binaryCrossEntropy(yTrue: tf.Tensor, logits: tf.Tensor, options: LossOptions = {}): tf.Tensor {
  const reduction = checkReduction('binaryCrossEntropy', options.reduction);
  checkSameShape('binaryCrossEntropy', yTrue, logits);
  return tf.tidy(() => {
    const elementwise = tf.sub(tf.softplus(logits), tf.mul(tf.cast(yTrue, 'float32'), logits));
    return reduce(perSample(elementwise), reduction);
  });
}
