/**
 * Reference scores per env for the normalised score of sweep reports:
 *   normalised = (return − random) / (reference − random)
 * so 0 is a uniform random policy and 1 is the reference ("best known") return. Sweeps may
 * override or extend this table with a `references` key. Reward thresholds (steps-to-threshold)
 * are the envs' own spec values (Gymnasium), repeated here so a report needs no env code.
 */

export interface EnvReference {
  /** Mean return of a uniform random policy. */
  random: number;
  /** A best known return: the normalised score's 1. */
  reference: number;
  /** Return at which the env counts as solved (null: none). */
  threshold: number | null;
  /** Where the numbers come from. */
  source: string;
}

export const ENV_REFERENCES: Record<string, EnvReference> = {
  'CartPole-v1': {
    random: 22,
    reference: 500,
    threshold: 475,
    source:
      'random ≈ 22 (uniform random policy, Gymnasium CartPole-v1); 500 is the maximum return (500-step limit); threshold 475 is the Gymnasium spec',
  },
  'MountainCar-v0': {
    random: -200,
    reference: -100,
    threshold: -110,
    source:
      'a random policy almost never reaches the goal within the 200-step limit (−200); ≈ −100 is the best DQN return reported in the SB3 rl-baselines3-zoo benchmark; threshold −110 is the Gymnasium spec',
  },
  'Acrobot-v1': {
    random: -500,
    reference: -75,
    threshold: -100,
    source:
      'a random policy rarely swings up within the 500-step limit (≈ −500); ≈ −75 is the best DQN return reported in the SB3 rl-baselines3-zoo benchmark; threshold −100 is the Gymnasium spec',
  },
};

/**
 * MinAtar (Young & Tian 2019, "MinAtar: An Atari-Inspired Testbed for Thorough and Reproducible
 * Reinforcement Learning Experiments", arXiv:1903.03176). `reference` is the approximate final
 * return of the paper's DQN (experience replay + target network, 5M frames, sticky actions
 * p = 0.1), read off its learning curves. `random` is the mean return of a uniform random
 * policy on Keiko's own MinAtar envs (measured with `measureRandomReturns`, see docs/sweeps.md).
 * MinAtar games have no reward threshold.
 */
const MINATAR: Record<string, { random: number; reference: number }> = {
  Asterix: { random: 0.5, reference: 25 },
  Breakout: { random: 0.5, reference: 15 },
  Freeway: { random: 0, reference: 55 },
  Seaquest: { random: 0.1, reference: 20 },
  SpaceInvaders: { random: 2.9, reference: 90 },
};

for (const [game, { random, reference }] of Object.entries(MINATAR)) {
  for (const version of ['v0', 'v1']) {
    ENV_REFERENCES[`MinAtar/${game}-${version}`] = {
      random,
      reference,
      threshold: null,
      source: `random: uniform random policy on Keiko's MinAtar/${game}; reference: ≈ final DQN return in Young & Tian 2019 (arXiv:1903.03176)`,
    };
  }
}

export function referenceFor(env: string, overrides?: Record<string, Partial<EnvReference>>): EnvReference | null {
  const base = ENV_REFERENCES[env];
  const o = overrides?.[env];
  if (!base && !o) return null;
  if (!base) {
    if (o!.random === undefined || o!.reference === undefined) return null;
    return { random: o!.random, reference: o!.reference, threshold: o!.threshold ?? null, source: o!.source ?? 'sweep file' };
  }
  return { ...base, ...o, source: o ? (o.source ?? 'sweep file') : base.source };
}

/** (return − random) / (reference − random). */
export function normalisedScore(value: number, ref: EnvReference): number {
  return (value - ref.random) / (ref.reference - ref.random);
}
