/** L1/L2 weight penalties from specs, and the total penalty of a model for custom training loops. */
import * as tf from '@tensorflow/tfjs';
import type { RegularizerSpec } from './spec';

export function makeRegularizer(spec: RegularizerSpec | undefined) {
  if (spec === undefined) return undefined;
  const l1 = spec.l1 ?? 0;
  const l2 = spec.l2 ?? 0;
  if (l1 === 0 && l2 === 0) return undefined;
  return tf.regularizers.l1l2({ l1, l2 });
}

/**
 * Sum of every layer's regulariser penalty (l1·Σ|w| + l2·Σw²), as a scalar; 0 if none.
 * `model.fit` adds this itself; a custom loop (optimizer.minimize) must add it to its loss,
 * inside the function being minimised so the gradient flows.
 */
export function regularizationLoss(model: tf.LayersModel): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const layer of model.layers) {
      for (const lossFn of layer.losses as Array<() => tf.Scalar>) total = tf.add(total, lossFn());
    }
    return total;
  });
}
