/**
 * Global-norm gradient clipping in tfjs ops (every backend). The fused optimisers fold the same
 * factor into their update kernels instead (applyClippedGradients, src/wasm/clip-kernel.ts).
 */
import * as tf from '@tensorflow/tfjs';

export type Gradients = tf.NamedTensorMap | tf.Tensor[];

/**
 * Scale gradients so their global L2 norm sqrt(Σ‖g_i‖²) is at most maxNorm (unchanged if
 * already within). Returns NEW tensors (same structure) and the pre-clipping norm as a scalar
 * tensor (no GPU→CPU sync); the caller disposes inputs and outputs.
 */
export function clipByGlobalNorm<G extends Gradients>(grads: G, maxNorm: number): { grads: G; globalNorm: tf.Scalar } {
  if (!(typeof maxNorm === 'number' && maxNorm > 0)) {
    throw new Error(`clipByGlobalNorm: maxNorm must be a number > 0, got ${JSON.stringify(maxNorm)}`);
  }
  const list: tf.Tensor[] = Array.isArray(grads) ? grads : Object.values(grads);
  return tf.tidy(() => {
    const sumSq = list.length === 0 ? tf.scalar(0) : tf.addN(list.map((g) => tf.sum(tf.square(g))));
    const globalNorm = tf.sqrt(sumSq) as tf.Scalar;
    const scale = tf.div(maxNorm, tf.maximum(globalNorm, maxNorm));
    const clipped = Array.isArray(grads)
      ? grads.map((g) => tf.mul(g, scale))
      : Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
    return { grads: clipped as G, globalNorm } as never;
  }) as { grads: G; globalNorm: tf.Scalar };
}
