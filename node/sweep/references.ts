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
    random: 22.2,
    reference: 500,
    threshold: 475,
    source: 'random: measured (22.2); 500 is the maximum return (500-step limit); threshold 475: Gymnasium spec',
  },
  'MountainCar-v0': {
    random: -200,
    reference: -100,
    threshold: -110,
    source: 'random: measured (−200: never reaches the goal in 200 steps); reference ≈ −100, SB3 rl-baselines3-zoo DQN benchmark; threshold −110: Gymnasium spec',
  },
  'Acrobot-v1': {
    random: -498.6,
    reference: -75,
    threshold: -100,
    source: 'random: measured (−498.6); reference ≈ −75, SB3 rl-baselines3-zoo DQN benchmark; threshold −100: Gymnasium spec',
  },
};

/**
 * MinAtar. `random`: mean return of a uniform random policy on Keiko's own MinAtar envs (-v1,
 * defaults: sticky actions 0.1, difficulty ramping), 1,000 episodes, seed 0, measured with
 * envs/minatar/random-policy.ts (standard errors ≤ 0.1; docs/sweeps.md has the command).
 * `reference`: the approximate final return of DQN (experience replay + target network, 5M
 * frames) in Young & Tian 2019, "MinAtar: An Atari-Inspired Testbed for Thorough and Reproducible
 * Reinforcement Learning Experiments", arXiv:1903.03176, rounded as read off its learning curves
 * — an order-of-magnitude anchor for ranking configs, not an exact figure (a sweep's `references`
 * key overrides it). MinAtar games have no reward threshold.
 */
const MINATAR: Record<string, { random: number; reference: number }> = {
  Asterix: { random: 0.5, reference: 25 },
  Breakout: { random: 0.39, reference: 15 },
  Freeway: { random: 0.36, reference: 55 },
  Seaquest: { random: 0.11, reference: 20 },
  SpaceInvaders: { random: 4.15, reference: 90 },
};

for (const [game, { random, reference }] of Object.entries(MINATAR)) {
  for (const version of ['v0', 'v1']) {
    ENV_REFERENCES[`MinAtar/${game}-${version}`] = {
      random,
      reference,
      threshold: null,
      source: `random: measured (${random}); reference ≈ final DQN return, Young & Tian 2019 (arXiv:1903.03176), approximate`,
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
