import { Random, deriveSeed } from '../../src/random';
import type { Env } from '../core';

export interface SampleStats {
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  n: number;
}

export interface RandomPolicyStats {
  return: SampleStats;
  length: SampleStats;
  steps: number;
  seconds: number;
}

function summarise(values: Float64Array): SampleStats {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0, n };
}

/**
 * Play `episodes` whole episodes with actions drawn uniformly from the env's action space — the
 * statistic MinAtar's parity with the original is judged on. The env is seeded once (its draws
 * then carry on across episodes, as in the original); the policy has its own stream.
 */
export function randomPolicyStats(env: Env, episodes: number, seed: number): RandomPolicyStats {
  const policy = new Random(deriveSeed(seed, 'policy'));
  const n = env.actionSpace.n;
  const returns = new Float64Array(episodes);
  const lengths = new Float64Array(episodes);
  let steps = 0;
  const start = performance.now();
  env.reset({ seed: deriveSeed(seed, 'env') });
  for (let e = 0; e < episodes; e++) {
    if (e > 0) env.reset();
    let total = 0;
    let length = 0;
    for (;;) {
      const result = env.step(Math.floor(policy.random() * n));
      total += result.reward;
      length++;
      if (result.terminated || result.truncated) break;
    }
    returns[e] = total;
    lengths[e] = length;
    steps += length;
  }
  const seconds = (performance.now() - start) / 1000;
  return { return: summarise(returns), length: summarise(lengths), steps, seconds };
}
