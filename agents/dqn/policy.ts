/** ε-greedy action selection (pure: the Q-values come from the caller's function). */
import type { Random } from '../../src/random';

export function argmax(q: ArrayLike<number>): number {
  let best = 0;
  for (let a = 1; a < q.length; a++) if (q[a] > q[best]) best = a;
  return best;
}

export interface ActionChoice {
  action: number;
  /** The Q-values when they were computed (greedy step or `alwaysQ`), else null. */
  q: Float32Array | null;
}

/**
 * With probability ε a uniformly random action, else argmax Q. The generator is always advanced
 * the same way for a given draw, so runs replay exactly. `alwaysQ` computes Q even for random
 * actions (for recordings).
 */
export function epsilonGreedy(
  epsilon: number,
  nActions: number,
  rng: Random,
  qValues: () => Float32Array,
  alwaysQ = false,
): ActionChoice {
  if (rng.random() < epsilon) {
    const action = rng.integer(0, nActions);
    return { action, q: alwaysQ ? qValues() : null };
  }
  const q = qValues();
  return { action: argmax(q), q };
}
