/**
 * Where the DQN learning target is computed: `tdTargetTensor`, the batched tensor version the
 * learner calls, next to `tdTargets`, its pure oracle on plain arrays (a test keeps them equal).
 *
 * Every stored transition carries a `discount`: γ^k for a k-step transition that may be
 * bootstrapped (including a truncated episode, which bootstraps from its true final observation),
 * and 0 when the episode terminated inside those k steps (no future value after a terminal state).
 * The target is then one formula for all cases:  y = R + discount · Q_target(s', a*)
 * with a* = argmax_a Q_target(s', a) (DQN) or argmax_a Q_online(s', a) (Double DQN).
 */
import * as tf from '@tensorflow/tfjs';

/** Clip a reward to [−clip, clip]; null means no clipping. Learning only: logged returns are unclipped. */
export function clipReward(reward: number, clip: number | null): number {
  if (clip === null) return reward;
  return reward > clip ? clip : reward < -clip ? -clip : reward;
}

function argmaxRow(q: ArrayLike<number>, row: number, n: number): number {
  let best = 0;
  let bestValue = q[row * n];
  for (let a = 1; a < n; a++) {
    const v = q[row * n + a];
    if (v > bestValue) {
      bestValue = v;
      best = a;
    }
  }
  return best;
}

/**
 * TD targets for a batch. `nextQTarget` and `nextQOnline` are row-major [batch, nActions].
 * Pass `nextQOnline` for Double DQN (online net selects, target net evaluates), or null for DQN.
 */
export function tdTargets(
  rewards: ArrayLike<number>,
  discounts: ArrayLike<number>,
  nextQTarget: ArrayLike<number>,
  nextQOnline: ArrayLike<number> | null,
  nActions: number,
  out: Float32Array = new Float32Array(rewards.length),
): Float32Array {
  for (let i = 0; i < rewards.length; i++) {
    const a = argmaxRow(nextQOnline ?? nextQTarget, i, nActions);
    out[i] = rewards[i] + discounts[i] * nextQTarget[i * nActions + a];
  }
  return out;
}

/**
 * The learner's TD targets, as tensors (call inside tf.tidy): rewards and discounts [batch],
 * next-state Q-values [batch, nActions] from the target net, and from the online net for Double
 * DQN (null for DQN). Same formula and tie-breaking (first maximum) as tdTargets.
 */
export function tdTargetTensor(rewards: tf.Tensor1D, discounts: tf.Tensor1D, nextQTarget: tf.Tensor2D, nextQOnline: tf.Tensor2D | null): tf.Tensor1D {
  const nextValue: tf.Tensor1D =
    nextQOnline === null
      ? tf.max(nextQTarget, 1)
      : tf.sum(tf.mul(nextQTarget, tf.oneHot(tf.argMax(nextQOnline, 1) as tf.Tensor1D, nextQTarget.shape[1])), 1);
  return tf.add(rewards, tf.mul(discounts, nextValue));
}

/** One transition as the env produced it (reward already clipped for learning). */
export interface StepOutcome {
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/**
 * The n-step return of transitions[0 .. k): R = Σ γ^i r_i, stopping at the first episode end,
 * and the discount to apply to the bootstrap value: γ^k if the last used step did not
 * terminate (truncation still bootstraps), 0 if it did. Also returns k, the steps used.
 */
export function nStepReturn(transitions: readonly StepOutcome[], gamma: number): { reward: number; discount: number; steps: number } {
  let reward = 0;
  let g = 1;
  let steps = 0;
  for (const t of transitions) {
    reward += g * t.reward;
    g *= gamma;
    steps++;
    if (t.terminated) return { reward, discount: 0, steps };
    if (t.truncated) break;
  }
  return { reward, discount: g, steps };
}

/** Huber loss of a TD error (quadratic within ±delta, linear outside). */
export function huber(x: number, delta = 1): number {
  const a = Math.abs(x);
  return a <= delta ? 0.5 * x * x : delta * (a - 0.5 * delta);
}
