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
 * MinAtar. `random`: mean return of a uniform random policy on Keiko's own MinAtar envs (defaults:
 * sticky actions 0.1, difficulty ramping), 1,000 episodes, seed 0, measured with
 * envs/minatar/random-policy.ts (`randomPolicyStats(make(id), 1000, 0)`; standard errors ≤ 0.1),
 * per action set: -v1 minimal, -v0 all six actions.
 * `reference`: DQN's training return at 5M frames in Young & Tian 2019, "MinAtar: An
 * Atari-Inspired Testbed for Thorough and Reproducible Reinforcement Learning Experiments",
 * arXiv:1903.03176 (the last point of MINATAR_PAPER_DQN below) — an anchor for ranking configs,
 * not an exact figure (a sweep's `references` key overrides it). MinAtar games have no reward
 * threshold.
 */
const MINATAR: Record<string, { random: { v0: number; v1: number }; reference: number }> = {
  Asterix: { random: { v0: 0.52, v1: 0.5 }, reference: 17 },
  Breakout: { random: { v0: 0.53, v1: 0.39 }, reference: 10 },
  Freeway: { random: { v0: 0.13, v1: 0.36 }, reference: 50 },
  Seaquest: { random: { v0: 0.11, v1: 0.11 }, reference: 20 },
  SpaceInvaders: { random: { v0: 2.8, v1: 4.15 }, reference: 43 },
};

/**
 * The MinAtar paper's DQN learning curves (Young & Tian 2019, arXiv:1903.03176; DQN with
 * experience replay and a target network, the MinAtar README's figure): the training return
 * (ε = 0.1 after the first 100k frames; compared with `recentReturn` of metrics.jsonl, the mean
 * of the last 100 training episodes) at 0.5M, 1M, 2M and 5M frames, mean of 30 runs, read off
 * the plot (±1 on the small scales). The paper ran the full action set with sticky
 * actions 0.1: Keiko's `-v0` ids.
 */
export const MINATAR_PAPER_DQN: Record<string, [frames: number, trainingReturn: number][]> = {
  Breakout: [[500_000, 8.5], [1_000_000, 9.3], [2_000_000, 9.8], [5_000_000, 10]],
  Asterix: [[500_000, 1.5], [1_000_000, 10], [2_000_000, 14.5], [5_000_000, 17]],
  Freeway: [[500_000, 40], [1_000_000, 47], [2_000_000, 51], [5_000_000, 50]],
  Seaquest: [[500_000, 0.8], [1_000_000, 1], [2_000_000, 3.5], [5_000_000, 20]],
  SpaceInvaders: [[500_000, 25], [1_000_000, 30], [2_000_000, 38], [5_000_000, 43]],
};

export const MINATAR_PAPER_SOURCE =
  'Young & Tian 2019 (arXiv:1903.03176), DQN training return, 30 runs, read off the MinAtar README figure (±1 on small scales)';

for (const [game, { random: randoms, reference }] of Object.entries(MINATAR)) {
  for (const version of ['v0', 'v1'] as const) {
    const random = randoms[version];
    ENV_REFERENCES[`MinAtar/${game}-${version}`] = {
      random,
      reference,
      threshold: null,
      source: `random: measured (${random}); reference: DQN training return at 5M frames, Young & Tian 2019 (arXiv:1903.03176), read off the figure`,
    };
  }
}

/** A published learning curve for an env (training return by env step), or null. */
export function paperCurveFor(env: string): { points: [number, number][]; source: string } | null {
  const m = /^MinAtar\/(\w+)-v[01]$/.exec(env);
  const points = m ? MINATAR_PAPER_DQN[m[1]!] : undefined;
  return points ? { points, source: MINATAR_PAPER_SOURCE } : null;
}

/** A published curve's value at exactly `step`, or null where it has no point there. */
export function paperValueAt(curve: { points: [number, number][] } | null | undefined, step: number): number | null {
  return curve?.points.find(([s]) => s === step)?.[1] ?? null;
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
