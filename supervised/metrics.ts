/** Batched metric maths on tensors (kept inside the caller's tf.tidy). */
import * as tf from '@tensorflow/tfjs';

/** Number of rows whose argmax of `logits` equals the integer label (labels: int32 [n]). */
export function countCorrect(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}

/** Sum over rows of the absolute error, averaged over output columns. */
export function sumAbsError(targets: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mean(tf.abs(tf.sub(targets, preds)), -1)) as tf.Scalar);
}

/** Sum over rows of the squared error, averaged over output columns. */
export function sumSquaredError(targets: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mean(tf.square(tf.sub(targets, preds)), -1)) as tf.Scalar);
}
