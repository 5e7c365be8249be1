/**
 * DQN benchmarks. `npm run bench:dqn -- <mode> [options]`
 *   cartpole    [--seeds 5] [--steps 50000] [--out DIR]  acceptance: greedy eval ≥ 475 (20 episodes) in ≥ 4 of 5 seeds
 *   minatar     [--frames 500000] [--games Breakout,Asterix,...] [--out DIR]  learning curves, minatar preset
 *   throughput  [--steps N] [--settings cartpole,minatar,minatar-tf4] [--backend B]  whole-loop steps/s while learning, with a phase breakdown (bench/dqn-throughput.ts)
 * Figures are printed; run directories are kept under --out (default runs/bench-dqn).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTraining } from '../node/run-training';
import { initNodeBackend } from '../node/backend-node';
import { resolveConfig } from '../agents/dqn/config';
import { DqnTrainer } from '../agents/dqn/loop';
import { make } from '../envs/registry';
import { runThroughput } from './dqn-throughput';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string', default: '5' },
    steps: { type: 'string' },
    frames: { type: 'string', default: '500000' },
    games: { type: 'string', default: 'Breakout,Asterix,Freeway,Seaquest,SpaceInvaders' },
    out: { type: 'string', default: join('runs', 'bench-dqn') },
    backend: { type: 'string', default: 'auto' },
    settings: { type: 'string' },
  },
});
const mode = positionals[0] ?? 'cartpole';
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

function evalLines(dir: string): { step: number; meanReturn: number }[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === 'eval');
}

async function cartpole(): Promise<void> {
  const seeds = Number(values.seeds);
  const steps = Number(values.steps ?? 50_000);
  console.log(`CartPole-v1, cartpole preset, ${steps} steps × ${seeds} seeds (final greedy eval over 20 episodes)`);
  console.log('seed  final mean ± std   solved-at (first eval ≥ 475)  wall s   steps/s');
  let passed = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const outDir = join(values.out!, `cartpole-${stamp}-seed${seed}`);
    const s = await runTraining({ env: 'CartPole-v1', preset: 'cartpole', steps, seed, backend: values.backend as 'auto' }, { outDir, quiet: true });
    const solved = evalLines(outDir).find((e) => e.meanReturn >= 475)?.step ?? null;
    const fe = s.finalEval!;
    if (fe.meanReturn >= 475) passed++;
    console.log(
      `${String(seed).padEnd(5)} ${fe.meanReturn.toFixed(1).padStart(6)} ± ${fe.stdReturn.toFixed(1).padEnd(8)} ${String(solved ?? '–').padEnd(29)} ${s.wallSeconds.toFixed(1).padStart(6)}  ${Math.round(s.sps)}  (${s.backend})`,
    );
  }
  console.log(`${passed}/${seeds} seeds reach a final greedy mean ≥ 475 (target: ≥ 4 of 5) — ${passed >= Math.min(4, seeds) ? 'PASS' : 'FAIL'}`);
}

async function minatar(): Promise<void> {
  const frames = Number(values.frames);
  for (const game of values.games!.split(',')) {
    const env = `MinAtar/${game.trim()}-v1`;
    const outDir = join(values.out!, `minatar-${game}-${stamp}`);
    const s = await runTraining(
      { env, preset: 'minatar', steps: frames, seed: 0, evalInterval: Math.max(1, Math.floor(frames / 10)), backend: values.backend as 'auto' },
      { outDir, quiet: true },
    );
    console.log(`${env}: ${frames} frames in ${s.wallSeconds.toFixed(0)} s (${Math.round(s.sps)} frames/s, ${s.backend}); final eval ${s.finalEval?.meanReturn.toFixed(2)}`);
    for (const e of evalLines(outDir)) console.log(`  frames ${String(e.step).padStart(9)}  eval return ${e.meanReturn.toFixed(2)}`);
  }
}

async function throughput(): Promise<void> {
  await runThroughput({ steps: values.steps ? Number(values.steps) : undefined, settings: values.settings?.split(','), backend: values.backend });
}

const modes: Record<string, () => Promise<void>> = { cartpole, minatar, throughput };
if (!modes[mode]) {
  console.error(`unknown mode "${mode}": use one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
await modes[mode]();
