/**
 * Statistical parity with the original MinAtar: under a uniformly random policy over the minimal
 * action set, mean return and mean episode length must match the original's (measured by
 * scripts/minatar-parity.py, committed as a fixture) within three combined standard errors.
 * 2,000 episodes per game and sticky setting; Freeway's episodes are 2,501 steps, so 1,000 there.
 */
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/minatar/original-random-stats.json';
import { makeMinAtar } from '../envs/minatar/index';
import { type SampleStats, randomPolicyStats } from '../envs/minatar/random-policy';

const EPISODES = 2000;
const FREEWAY_EPISODES = 1000;

function combinedStandardError(a: SampleStats, b: SampleStats): number {
  return Math.sqrt(a.std ** 2 / a.n + b.std ** 2 / b.n);
}

const games = fixture.games as Record<string, Record<string, { return: SampleStats; length: SampleStats }>>;

describe('MinAtar random-policy statistics match the original', () => {
  for (const [game, bySticky] of Object.entries(games)) {
    for (const [sticky, original] of Object.entries(bySticky)) {
      it(`${game} with sticky actions ${sticky}`, () => {
        const env = makeMinAtar(game, 'v1', { stickyActionProb: Number(sticky) });
        const episodes = game === 'Freeway' ? FREEWAY_EPISODES : EPISODES;
        const ours = randomPolicyStats(env, episodes, 2024);
        expect(ours.return.n).toBe(episodes);
        for (const key of ['return', 'length'] as const) {
          const se = combinedStandardError(ours[key], original[key]);
          const gap = Math.abs(ours[key].mean - original[key].mean);
          // Freeway's length never varies (2,501 steps): there the means must be equal.
          expect(gap, `${game} sticky ${sticky} mean ${key}: ours ${ours[key].mean}, original ${original[key].mean}, SE ${se}`).toBeLessThanOrEqual(3 * se + 1e-9);
        }
      });
    }
  }
});
