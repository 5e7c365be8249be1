/**
 * Weight initialisers from specs, seeded so one seed gives bitwise-identical weights.
 *
 * Exact formulas (fan_in/fan_out as Keras: dense = input/output units; conv = kernel area ×
 * channels in/out):
 * - glorotUniform: U(−l, l), l = sqrt(6 / (fan_in + fan_out))
 * - glorotNormal:  N(0, σ²) truncated at 2σ, σ = sqrt(2 / (fan_in + fan_out)) (after truncation)
 * - heUniform:     U(−l, l), l = sqrt(6 / fan_in)
 * - heNormal:      N(0, σ²) truncated at 2σ, σ = sqrt(2 / fan_in) (after truncation)
 * - normal(std):   N(0, std²), not truncated
 * - fanInUniform:  U(−l, l), l = 1 / sqrt(fan_in), for kernels and biases alike (a bias takes its
 *                  layer's fan_in): PyTorch's default for Linear and Conv layers
 * - zeros
 * tfjs's own glorotNormal/heNormal draw from a normal truncated at 2σ WITHOUT correcting for the
 * truncation, so their real std is 0.88σ. We use varianceScaling with the scale divided by
 * 0.8796² so the std after truncation is the textbook σ (as Keras ≥ 2.? does).
 */
import * as tf from '@tensorflow/tfjs';
import type { InitializerSpec } from './spec';

/** Std of a standard normal truncated to [−2, 2]. */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

export type TfInitializer = ReturnType<typeof tf.initializers.zeros>;

/**
 * `fanIn`: the layer's fan_in, needed only by fanInUniform on a bias (a kernel's own shape gives
 * its fan_in).
 */
export function makeInitializer(spec: InitializerSpec, seed: number, fanIn?: number): TfInitializer {
  if (typeof spec === 'object') {
    return tf.initializers.randomNormal({ mean: 0, stddev: spec.std, seed });
  }
  const corr = 1 / (TRUNCATED_NORMAL_STD * TRUNCATED_NORMAL_STD);
  switch (spec) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'glorotUniform':
      return tf.initializers.glorotUniform({ seed });
    case 'heUniform':
      return tf.initializers.heUniform({ seed });
    case 'glorotNormal':
      return tf.initializers.varianceScaling({ scale: corr, mode: 'fanAvg', distribution: 'normal', seed });
    case 'heNormal':
      return tf.initializers.varianceScaling({ scale: 2 * corr, mode: 'fanIn', distribution: 'normal', seed });
    case 'fanInUniform':
      // varianceScaling's uniform limit is sqrt(3·scale / fan_in): scale 1/3 gives 1/sqrt(fan_in).
      if (fanIn === undefined) return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
      return tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed });
  }
}
