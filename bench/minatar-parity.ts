/**
 * Keiko's MinAtar games against the original's random-policy statistics
 * (tests/fixtures/minatar/original-random-stats.json, measured by bench/minatar-parity.py).
 *
 *   npx tsx bench/minatar-parity.ts [EPISODES=20000] [FREEWAY_EPISODES=4000] [SEED=1]
 *
 * Prints, per game and sticky-action probability, ours vs the original for mean return and mean
 * episode length with the difference in combined standard errors (z), and steps/s (policy
 * included, so a little below the env's own speed).
 */
import { readFileSync } from 'node:fs';
import { makeMinAtar } from '../envs/minatar/index';
import { type SampleStats, randomPolicyStats } from '../envs/minatar/random-policy';

const episodes = Number(process.argv[2] ?? 20000);
const freewayEpisodes = Number(process.argv[3] ?? 4000);
const seed = Number(process.argv[4] ?? 1);
const fixture = JSON.parse(
  readFileSync(new URL('../tests/fixtures/minatar/original-random-stats.json', import.meta.url), 'utf8'),
) as { games: Record<string, Record<string, { return: SampleStats; length: SampleStats }>> };

function z(ours: SampleStats, theirs: SampleStats): string {
  const se = Math.sqrt(ours.std ** 2 / ours.n + theirs.std ** 2 / theirs.n);
  const diff = ours.mean - theirs.mean;
  return se === 0 ? (diff === 0 ? 'z=0 (exact)' : 'MISMATCH (no variance)') : `z=${(diff / se).toFixed(2)}`;
}

const fmt = (s: SampleStats) => `${s.mean.toFixed(4)} ± ${(s.std / Math.sqrt(s.n)).toFixed(4)} (n=${s.n})`;

for (const [game, bySticky] of Object.entries(fixture.games)) {
  for (const [sticky, original] of Object.entries(bySticky)) {
    const env = makeMinAtar(game, 'v1', { stickyActionProb: Number(sticky) });
    const ours = randomPolicyStats(env, game === 'Freeway' ? freewayEpisodes : episodes, seed);
    console.log(
      `${game.padEnd(13)} sticky ${sticky}  return ours ${fmt(ours.return)} orig ${fmt(original.return)} ${z(ours.return, original.return)}` +
        `  length ours ${fmt(ours.length)} orig ${fmt(original.length)} ${z(ours.length, original.length)}` +
        `  ${((ours.steps / ours.seconds) / 1e6).toFixed(2)}M steps/s`,
    );
  }
}
