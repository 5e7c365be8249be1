/**
 * The classifier score for generated digits (the Inception-score idea, computed with Keiko's own
 * MNIST classifier): exp( mean_i KL( p(y|x_i) ‖ p(y) ) ), where p(y) is the mean of the p(y|x_i).
 * It is 1 when every sample gets the same prediction and reaches K (the number of classes) when
 * each prediction is confident and the classes are used equally.
 */

export interface ClassifierScore {
  score: number;
  /** Count of samples per argmax class. */
  histogram: number[];
  /** Marginal class distribution p(y). */
  marginal: number[];
}

/** `probs` is an n × k row-major table of class probabilities (rows sum to 1). */
export function classifierScore(probs: Float32Array | number[], k: number): ClassifierScore {
  const n = probs.length / k;
  if (!Number.isInteger(n) || n === 0) throw new Error(`probability table of ${probs.length} values is not n × ${k}`);
  const eps = 1e-12;
  const marginal = new Array<number>(k).fill(0);
  const histogram = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      marginal[j] += p / n;
      if (p > probs[i * k + arg]) arg = j;
    }
    histogram[arg]++;
  }
  let klSum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (p > 0) klSum += p * (Math.log(p + eps) - Math.log(marginal[j] + eps));
    }
  }
  return { score: Math.exp(klSum / n), histogram, marginal };
}
