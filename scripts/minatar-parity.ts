/**
 * Keiko's MinAtar games against the original (run as a black box by scripts/minatar-parity.py).
 *
 *   npx tsx scripts/minatar-parity.ts stats [EPISODES=20000] [FREEWAY_EPISODES=4000] [SEED=1]
 *     Random-policy mean return and length, ours vs tests/fixtures/minatar/original-random-stats.json,
 *     with the difference in combined standard errors (z) and steps/s (policy included).
 *   npx tsx scripts/minatar-parity.ts replay FILE
 *     Step-for-step replay of trajectories recorded from the original (`minatar-parity.py record`).
 *     The original's random generator cannot be shared, so each step's draws are recovered from
 *     what the original showed: every draw sequence the rules allow at that step (which spawns are
 *     due, what the new entity can be) is tried on a copy of our state, and the one reproducing
 *     the original's observation, reward and terminal flag is kept. A step no candidate
 *     reproduces is a rule mismatch. Freeway's car draws are read off the observation directly.
 */
import { readFileSync } from 'node:fs';
import {
  Asterix,
  Breakout,
  Freeway,
  MINATAR_GAMES,
  type DrawSource,
  type MinAtarGame,
  Seaquest,
  SpaceInvaders,
  makeMinAtar,
} from '../envs/minatar/index';
import { type SampleStats, randomPolicyStats } from '../envs/minatar/random-policy';

const [mode = 'stats', ...rest] = process.argv.slice(2);

// ---- stats -------------------------------------------------------------------------------------

function stats(): void {
  const episodes = Number(rest[0] ?? 20000);
  const freewayEpisodes = Number(rest[1] ?? 4000);
  const seed = Number(rest[2] ?? 1);
  const fixture = JSON.parse(
    readFileSync(new URL('../tests/fixtures/minatar/original-random-stats.json', import.meta.url), 'utf8'),
  ) as { games: Record<string, Record<string, { return: SampleStats; length: SampleStats }>> };
  const z = (ours: SampleStats, theirs: SampleStats): string => {
    const se = Math.sqrt(ours.std ** 2 / ours.n + theirs.std ** 2 / theirs.n);
    const diff = ours.mean - theirs.mean;
    return se === 0 ? (diff === 0 ? 'z=0 (exact)' : 'MISMATCH (no variance)') : `z=${(diff / se).toFixed(2)}`;
  };
  const fmt = (s: SampleStats) => `${s.mean.toFixed(4)} ± ${(s.std / Math.sqrt(s.n)).toFixed(4)} (n=${s.n})`;
  for (const [game, bySticky] of Object.entries(fixture.games)) {
    for (const [sticky, original] of Object.entries(bySticky)) {
      const env = makeMinAtar(game, 'v1', { stickyActionProb: Number(sticky) });
      const ours = randomPolicyStats(env, game === 'Freeway' ? freewayEpisodes : episodes, seed);
      console.log(
        `${game.padEnd(13)} sticky ${sticky}  return ours ${fmt(ours.return)} orig ${fmt(original.return)} ${z(ours.return, original.return)}` +
          `  length ours ${fmt(ours.length)} orig ${fmt(original.length)} ${z(ours.length, original.length)}` +
          `  ${(ours.steps / ours.seconds / 1e6).toFixed(2)}M steps/s`,
      );
    }
  }
}

// ---- replay ------------------------------------------------------------------------------------

interface Recorded {
  game: string;
  episodes: { reset: number[]; steps: { a: number; r: number; d: boolean; on: number[] }[] }[];
}

/** Deep copy of a game (typed arrays and helper objects included), to try a candidate on. */
function cloneDeep<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as Uint8Array).slice() as unknown as T;
  if (Array.isArray(value)) return value.map(cloneDeep) as unknown as T;
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) copy[k] = cloneDeep(v);
  return copy as T;
}

/** Answers draws from a fixed list, in call order, whatever their kind; throws when exhausted. */
function fixedDraws(values: number[]): DrawSource & { used: () => boolean } {
  let i = 0;
  const next = () => {
    if (i >= values.length) throw new Error('candidate exhausted');
    return values[i++];
  };
  return { random: next, integer: next, used: () => i === values.length };
}

const onCells = (game: MinAtarGame): string => {
  const obs = new Uint8Array(100 * game.channels.length);
  game.writeObservation(obs);
  const on: number[] = [];
  for (let i = 0; i < obs.length; i++) if (obs[i] === 1) on.push(i);
  return on.join();
};

const side = [0.25, 0.75]; // u < 1/2: moving right (from x 0); else left (from x 9)

/** Freeway's 8 speeds then 8 direction uniforms, read off an observation's car trails. */
function freewayCarDraws(on: number[]): number[] {
  const C = 7;
  const carX = new Array<number>(8).fill(-1);
  const speed = new Array<number>(8).fill(0);
  const trailX = new Array<number>(8).fill(-1);
  for (const i of on) {
    const c = i % C, cell = Math.floor(i / C), y = Math.floor(cell / 10), x = cell % 10;
    if (y < 1 || y > 8) continue;
    if (c === 1) carX[y - 1] = x;
    else if (c >= 2) [speed[y - 1], trailX[y - 1]] = [c - 1, x];
  }
  const directions = carX.map((x, k) => ((x + 9) % 10 === trailX[k] ? 0.75 : 0.25));
  return [...speed, ...directions];
}

/** Every draw sequence the rules allow for the next reset or step of `game`. */
function candidates(game: MinAtarGame, target: number[], phase: 'reset' | 'step'): number[][] {
  if (game instanceof Breakout) return phase === 'reset' ? [[0], [1]] : [[]];
  if (game instanceof SpaceInvaders) return [[]];
  if (game instanceof Freeway) return phase === 'reset' ? [freewayCarDraws(target)] : [[], freewayCarDraws(target)];
  if (game instanceof Asterix) {
    if (phase === 'reset' || game.spawnTimer !== 0) return [[]];
    const empty = game.active.reduce((n, a) => n + (a === 0 ? 1 : 0), 0);
    const out: number[][] = [];
    for (const u1 of side) for (const u2 of [0.1, 0.9]) {
      if (empty === 0) out.push([u1, u2]);
      for (let k = 0; k < empty; k++) out.push([u1, u2, k]);
    }
    return out;
  }
  if (game instanceof Seaquest) {
    if (phase === 'reset') return [[]];
    const enemies: number[][] = [];
    if (game.enemySpawnTimer === 0) {
      for (const u1 of side) for (const u2 of [0.1, 0.9]) for (let y = 1; y <= 8; y++) enemies.push([u1, u2, y]);
    } else enemies.push([]);
    const divers: number[][] = [];
    if (game.diverSpawnTimer === 0) {
      for (const u of side) for (let y = 1; y <= 8; y++) divers.push([u, y]);
    } else divers.push([]);
    return enemies.flatMap((e) => divers.map((d) => [...e, ...d]));
  }
  throw new Error(`no replay rules for ${game.name}`);
}

function replay(file: string): void {
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
  const Game = MINATAR_GAMES[recorded.game];
  let steps = 0;
  let mismatches = 0;
  let ambiguous = 0;
  const start = performance.now();
  recorded.episodes.forEach((episode, e) => {
    // Try each candidate on a copy; keep the first that reproduces the original.
    const advance = (game: MinAtarGame, target: { on: number[]; r?: number; d?: boolean }, act: number | null) => {
      const want = target.on.join();
      let kept: MinAtarGame | null = null;
      let keptState = '';
      for (const draws of candidates(game, target.on, act === null ? 'reset' : 'step')) {
        const trial = cloneDeep(game);
        const source = fixedDraws(draws);
        let reward = 0;
        try {
          if (act === null) trial.reset(source);
          else reward = trial.step(trial.minimalActions[act], source);
        } catch {
          continue; // asked for more draws than this candidate has
        }
        if (!source.used()) continue;
        if (onCells(trial) !== want || (act !== null && (reward !== target.r || trial.terminal !== target.d))) continue;
        const state = JSON.stringify(trial, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
        if (kept === null) [kept, keptState] = [trial, state];
        else if (state !== keptState) ambiguous++;
      }
      return kept;
    };
    let game: MinAtarGame | null = advance(new Game(), { on: episode.reset }, null);
    for (let t = 0; game !== null && t < episode.steps.length; t++) {
      game = advance(game, episode.steps[t], episode.steps[t].a);
      steps++;
      if (game === null) {
        if (mismatches < 5) console.log(`episode ${e}, step ${t + 1}: no draw sequence reproduces the original`);
      }
    }
    if (game === null) mismatches++;
  });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${recorded.game}: ${recorded.episodes.length} episodes, ${steps} steps replayed, ${mismatches} episodes diverged, ` +
      `${ambiguous} ambiguous candidates (kept the first), ${seconds.toFixed(1)}s`,
  );
  if (mismatches > 0) process.exitCode = 1;
}

if (mode === 'stats') stats();
else if (mode === 'replay' && rest[0]) replay(rest[0]);
else {
  console.error('usage: npx tsx scripts/minatar-parity.ts stats [EPISODES] [FREEWAY_EPISODES] [SEED] | replay FILE');
  process.exitCode = 2;
}
