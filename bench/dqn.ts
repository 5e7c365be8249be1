/**
 * DQN benchmarks. `npm run bench:dqn -- <mode> [options]`
 *   classic     [--workers 2] [--out runs/bench-classic] [--sweeps a.yaml,...] [--report-only]
 *               CartPole-v1 / Acrobot-v1 / MountainCar-v0 (cartpole, acrobot, mountaincar presets) × 5 seeds,
 *               50k / 100k / 120k steps: sweeps/classic-*.yaml through the sweep runner (resumable);
 *               per env a table (seed, final greedy mean ± std over 20 episodes, first eval ≥ threshold,
 *               wall s, steps/s) and PASS when ≥ 4 of 5 seeds reach 475 / −100 / −110
 *   minatar     [--workers 2] [--out runs/bench-minatar] [--sweeps ...] [--at 250000,500000,1000000] [--report-only]
 *               the five MinAtar -v0 games × 1M frames: minatar-tuned × 3 seeds (sweeps/minatar.yaml) and
 *               minatar × 1 seed (sweeps/minatar-baseline.yaml); training return (recentReturn) at ¼, ½ and
 *               all of the frames, mean ± 95% CI over seeds, beside the paper's DQN values; every run's
 *               curve every 25k frames in <out>/minatar-curves.csv; --curves FILE adds the runs of such a
 *               file (e.g. docs/bench/minatar-curves.csv) whose run directories are not under --out, if
 *               their config fingerprint is what the sweeps resolve to now (a preset's old runs stay out);
 *               --report-only refuses run directories made with other values, as a run does
 *   minatar-tuning [--workers 2] [--out runs/bench-minatar-tuning] [--report-only] [--remeasure]
 *               stage 1, sweeps/minatar-tuning.yaml (a factorial on Breakout and SpaceInvaders × 150k frames),
 *               ranked by normalised training return per frame and at equal compute time (each config's
 *               frames per CPU second, measured once by the report and kept; --steps N frames each,
 *               default 10000); then stage 2, sweeps/minatar-tuning-asterix.yaml (Asterix × 400k), and
 *               the config with the best worst game over both stages
 *   cartpole    [--seeds 5] [--steps 50000] [--out DIR]  the cartpole preset alone, sequential runs, no sweep
 *   throughput  [--steps N] [--settings cartpole,minatar,minatar-tf4] [--game Breakout] [--backend B] [--before]  whole-loop steps/s while learning, with a phase breakdown (bench/dqn-throughput.ts)
 * Figures are printed; run directories are kept under --out. The sweep modes are resumable: run the
 * same command again after Ctrl-C or a crash (docs/benchmarks.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTraining } from '../node/run-training';
import { initNodeBackend } from '../node/backend-node';
import { PRESET_VALUES, resolveConfig } from '../agents/dqn/config';
import { DqnTrainer } from '../agents/dqn/loop';
import { envSpec, make } from '../envs/registry';
import { atomicWriteFile, atomicWriteJson } from '../node/atomic';
import { canonicalJson, expandSweep, type SweepRun } from '../node/sweep/expand';
import { MINATAR_PAPER_SOURCE, normalisedScore, paperCurveFor, referenceFor } from '../node/sweep/references';
import { curveAt, curvesSvg, readTrainingCurve, runCurveAt, summarizeSweepDir, trainingCheckpoints, type ConfigSummary } from '../node/sweep/report';
import Papa from 'papaparse';
import type { JobProgress } from '../node/sweep/job';
import { WorkerPool } from '../node/sweep/pool';
import { runSweep } from '../node/sweep/run-sweep';
import { loadSweepFile, SweepError, type Sweep } from '../node/sweep/schema';
import { meanCi, type Curve, type MeanCi } from '../node/sweep/stats';
import { judgeGame, judgePresets, PAPER_PRESET_SHARE, type GameResult } from '../node/sweep/minatar-targets';
import { parseCsv, ResultsStore, type RunRow } from '../node/sweep/store';
import { assertRunConfigsCurrent, configFingerprint, savedConfigFingerprint } from '../node/sweep/config-drift';
import { runThroughput } from './dqn-throughput';

/** The training config validator a sweep's runs resolve with (the default runner's). */
const validateDqn = (input: Record<string, unknown>) => resolveConfig(input);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string', default: '5' },
    steps: { type: 'string' },
    out: { type: 'string' },
    workers: { type: 'string', default: '2' },
    sweeps: { type: 'string' },
    at: { type: 'string' },
    curves: { type: 'string' },
    'report-only': { type: 'boolean', default: false },
    remeasure: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    settings: { type: 'string' },
    game: { type: 'string' },
    before: { type: 'boolean' },
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
    const outDir = join(values.out ?? join('runs', 'bench-dqn'), `cartpole-${stamp}-seed${seed}`);
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

// ── Sweep-backed modes (classic, minatar, minatar-tuning) ─────────────────────────────────────
// Each runs sweep files through node/sweep/run-sweep.ts (what `keiko bench` runs): resumable,
// one worker thread per run, results in <out>/<part>/results.db. Running the mode again skips
// finished runs and resumes unfinished ones; --report-only prints the tables from what is there.
// A config's run directories are keyed by its training INPUT (preset name, keys), not by the
// preset's values: after changing a preset's values, use a new --out.

/** One sweep file of a mode, loaded and expanded once. */
interface SweepPart {
  name: string;
  file: string;
  out: string;
  sweep: Sweep;
  runs: SweepRun[];
}

function sweepFiles(defaults: string[]): string[] {
  return values.sweeps ? values.sweeps.split(',').map((s) => s.trim()) : defaults;
}

function partsOf(files: string[], out: string): SweepPart[] {
  return files.map((file) => {
    const name = basename(file).replace(/\.(ya?ml|json)$/, '');
    const sweep = loadSweepFile(file);
    return { name, file, out: join(out, name), sweep, runs: expandSweep(sweep) };
  });
}

/**
 * Run the parts' sweeps; with --report-only, only check that their run directories were made with
 * the values the sweeps resolve to now (as a run does), so a report never mixes a preset's old runs in.
 */
async function runOrCheckParts(parts: SweepPart[], workers: number): Promise<void> {
  if (!values['report-only']) return runParts(parts, workers);
  for (const part of parts) assertRunConfigsCurrent(part.file, part.runs, part.out, validateDqn);
}

/** Rough cost of one run (for scheduling): steps × (1 + updates per step × batch / 32). */
function runCost(run: SweepRun): number {
  const c = resolveConfig(run.config);
  return c.steps * (1 + (c.gradientSteps / c.trainFrequency) * (c.batchSize / 32));
}

/**
 * Run the sweeps side by side on one pool of `workers` threads, so that no thread idles while any
 * sweep has a run left. A free thread takes the costliest waiting run whatever its sweep (the
 * pool waits until every sweep has queued its first runs), so the long runs do not end up alone
 * at the tail. Ctrl-C checkpoints the running trainings (run the mode again to resume).
 */
async function runParts(parts: SweepPart[], workers: number): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const stop = () => {
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Once a minute, where each running training is (and its last evaluation).
  const latest = new Map<string, { step: number; sps?: number; lastEval?: number }>();
  const onProgress = (p: JobProgress) => {
    if (p.type === 'finished') return void latest.delete(p.key);
    const prev = latest.get(p.key);
    latest.set(p.key, { step: p.step, sps: p.sps ?? prev?.sps, lastEval: p.type === 'eval' ? p.meanReturn : prev?.lastEval });
  };
  const ticker = setInterval(() => {
    for (const [key, p] of latest) {
      console.log(`  … ${key}: step ${p.step}${p.sps ? ` (${Math.round(p.sps)} steps/s)` : ''}${p.lastEval === undefined ? '' : `, last eval ${p.lastEval.toFixed(1)}`}`);
    }
  }, 60_000);
  ticker.unref();
  const pool = new WorkerPool({ size: Math.max(1, workers), onProgress });
  // Each sweep is ready once it queued its first runs, or once it ended (done, or refused).
  const ready = parts.map(() => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  pool.holdUntil(Promise.all(ready.map((r) => r.promise)));
  try {
    await Promise.all(
      parts.map((part, i) =>
        runSweep(part.file, {
          outDir: part.out, pool, priority: runCost, onProgress, signal: controller.signal,
          onReady: () => ready[i]!.resolve(), log: (l) => console.log(`[${part.name}] ${l}`),
        }).finally(() => ready[i]!.resolve()),
      ),
    );
  } finally {
    clearInterval(ticker);
    await pool.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (controller.signal.aborted) {
    console.log('interrupted: run the same command again to resume');
    process.exitCode = 130;
  }
}

/** A run's directory: the store keeps it relative to the sweep's output directory. */
function runDirOf(part: SweepPart, row: RunRow): string {
  return isAbsolute(row.runDir) ? row.runDir : join(part.out, row.runDir);
}

/** The part's rows in sweep order, with each run's training input; [] before the sweep ran. */
function partRows(part: SweepPart): { row: RunRow; config: Record<string, unknown> }[] {
  const db = join(part.out, 'results.db');
  if (!existsSync(db)) return [];
  const runs = part.runs;
  const store = new ResultsStore(db);
  try {
    const byKey = new Map(store.rows(runs.map((r) => r.key)).map((r) => [r.key, r]));
    return runs.filter((r) => byKey.has(r.key)).map((r) => ({ row: byKey.get(r.key)!, config: r.config }));
  } finally {
    store.close();
  }
}

const num = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function mdTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Every config of the parts, summarised by the sweep report (curves included), labelled by preset. */
function partConfigs(parts: SweepPart[]): ConfigSummary[] {
  return parts.flatMap((part) => {
    const rows = partRows(part);
    if (rows.length === 0) return [];
    const presets = new Map(rows.map(({ row, config }) => [row.configHash, String(config.preset ?? 'default')]));
    return summarizeSweepDir(part.out, part.sweep, rows.map((r) => r.row)).configs.map((c) => ({
      ...c,
      label: [`${presets.get(c.configHash)} preset`, c.label].filter((l) => l && l !== 'base').join(' '),
    }));
  });
}

/** One SVG of learning curves per env under <out>/plots/ (small enough to commit under docs/). */
function writePlots(out: string, configs: ConfigSummary[], kind: 'eval' | 'training'): string[] {
  const files: string[] = [];
  for (const env of [...new Set(configs.map((c) => c.env))]) {
    const mine = configs.filter((c) => c.env === env);
    const paper = paperCurveFor(env);
    const svg =
      kind === 'eval'
        ? curvesSvg(mine, `${env}: greedy evaluation return (mean and 95% band over seeds)`)
        : curvesSvg(mine, `${env}: training return, mean of the last 100 episodes (95% band over seeds)`, {
            band: (c) => c.trainBand,
            yLabel: 'training return (last 100 episodes)',
            points: paper ? { points: paper.points, label: 'Young & Tian 2019, DQN (training return, 30 runs)' } : undefined,
          });
    if (!svg.startsWith('<svg')) continue;
    const file = join(out, 'plots', `${env.replace(/\//g, '-')}.svg`);
    atomicWriteFile(file, svg + '\n');
    files.push(file);
  }
  return files;
}

async function classic(): Promise<void> {
  const workers = Number(values.workers);
  const out = values.out ?? join('runs', 'bench-classic');
  const parts = partsOf(sweepFiles(['sweeps/classic-cartpole.yaml', 'sweeps/classic-acrobot.yaml', 'sweeps/classic-mountaincar.yaml']), out);
  await runOrCheckParts(parts, workers);
  const md: string[] = ['# Classic control: final greedy evaluation (20 episodes) per seed', ''];
  for (const part of parts) {
    const { sweep, runs } = part;
    const rows = partRows(part);
    for (const env of [...new Set(runs.map((r) => r.env))]) {
      const threshold = envSpec(env).rewardThreshold!;
      const mine = rows.filter((r) => r.row.env === env);
      const preset = String(runs.find((r) => r.env === env)?.config.preset ?? 'default');
      const title = `${env} — ${preset} preset, ${sweep.steps} steps × ${runs.filter((r) => r.env === env).length} seeds; threshold ${threshold} (${part.file})`;
      const table = mine.map(({ row: r }) => [
        String(r.seed),
        r.status,
        r.finalMean === null ? '–' : `${num(r.finalMean)} ± ${num(r.finalStd)}`,
        r.stepsToThreshold === null ? (r.status === 'done' ? 'never' : '–') : String(r.stepsToThreshold),
        num(r.wallSeconds, 0),
        num(r.sps, 0),
      ]);
      const planned = Math.max(mine.length, runs.filter((r) => r.env === env).length);
      const passed = mine.filter((r) => r.row.status === 'done' && (r.row.finalMean ?? -Infinity) >= threshold).length;
      const open = planned - mine.filter((r) => r.row.status === 'done').length;
      const need = Math.ceil(0.8 * planned);
      const verdict = passed >= need ? 'PASS' : passed + open < need ? 'FAIL' : `pending (${open} run${open === 1 ? '' : 's'} unfinished)`;
      const line = `${passed}/${planned} seeds reach a final greedy mean ≥ ${threshold} (target: ≥ ${need} of ${planned}) — ${verdict}`;
      const header = ['seed', 'status', 'final mean ± std', `first eval ≥ ${threshold}`, 'wall s', 'steps/s'];
      console.log(`\n${title}`);
      console.log(header.map((h, i) => h.padEnd([5, 8, 18, 20, 8, 8][i]!)).join(' '));
      for (const t of table) console.log(t.map((c, i) => c.padEnd([5, 8, 18, 20, 8, 8][i]!)).join(' '));
      console.log(line);
      md.push(`## ${title}`, '', ...mdTable(header, table), '', line, '');
    }
  }
  atomicWriteFile(join(out, 'classic.md'), md.join('\n'));
  const plots = writePlots(out, partConfigs(parts), 'eval');
  console.log(`\ntables: ${join(out, 'classic.md')}; plots: ${plots.join(', ') || '–'}; reports: ${parts.map((p) => join(p.out, 'report.html')).join(', ')}`);
}

/** One run of the MinAtar sweeps, its training curve read once for the tables, the targets and the CSV. */
interface MinatarRun {
  sweep: string;
  key: string;
  env: string;
  preset: string;
  configHash: string;
  seed: number;
  status: string;
  steps: number;
  curve: Curve;
  finalMean: number | null;
  /** configFingerprint of the config the run was made with (its config.json); null if unknown. */
  fingerprint: string | null;
}

/** Every stored run of the parts, and how many runs each sweep plans per env. */
function minatarRuns(parts: SweepPart[]): { runs: MinatarRun[]; planned: Map<string, number>; plannedKeys: Map<string, string | null> } {
  const runs: MinatarRun[] = [];
  const planned = new Map<string, number>();
  // sweep and run key → the fingerprint of the config the sweep resolves to now
  const plannedKeys = new Map<string, string | null>();
  for (const part of parts) {
    for (const run of part.runs) {
      const k = `${part.name}\u0000${run.env}`;
      planned.set(k, (planned.get(k) ?? 0) + 1);
      plannedKeys.set(`${part.name}\u0000${run.key}`, configFingerprint(validateDqn, run.config));
    }
    for (const { row, config } of partRows(part)) {
      runs.push({
        sweep: part.name, key: row.key, env: row.env, preset: String(config.preset ?? 'default'), configHash: row.configHash,
        seed: row.seed, status: row.status, steps: row.steps, curve: readTrainingCurve(runDirOf(part, row)), finalMean: row.finalMean,
        fingerprint: savedConfigFingerprint(validateDqn, runDirOf(part, row)),
      });
    }
  }
  return { runs, planned, plannedKeys };
}

/** Training return (recentReturn) of the runs, by env and preset, at the given steps. */
function trainingTable(runs: MinatarRun[], at: number[]): { env: string; preset: string; seeds: number; cells: string[]; paper: string }[] {
  const groups = new Map<string, { env: string; preset: string; runs: MinatarRun[] }>();
  for (const run of runs) {
    const k = `${run.sweep}\u0000${run.env}\u0000${run.preset}\u0000${run.configHash}`;
    if (!groups.has(k)) groups.set(k, { env: run.env, preset: run.preset, runs: [] });
    if (run.curve.length > 0) groups.get(k)!.runs.push(run);
  }
  const out = [...groups.values()].map((g) => {
    const cells = at.map((step) => {
      const ci = meanCi(g.runs.map((r) => runCurveAt(r.curve, step, r)).filter((v): v is number => v !== null));
      if (ci.n === 0) return '–';
      return ci.n === 1 ? `${num(ci.mean, 2)} (1 seed)` : `${num(ci.mean, 2)} ± ${num(ci.halfWidth, 2)} (${ci.n})`;
    });
    const paper = paperCurveFor(g.env)?.points.map(([s, v]) => `${v}@${s / 1e6}M`).join(' ') ?? '–';
    return { env: g.env, preset: g.preset, seeds: g.runs.length, cells, paper };
  });
  return out.sort((a, b) => a.env.localeCompare(b.env) || a.preset.localeCompare(b.preset));
}

/** The targets table and the issue's three verdicts (node/sweep/minatar-targets.ts), from the finished runs. */
function minatarVerdicts(runs: MinatarRun[], planned: Map<string, number>, steps: number): { header: string[]; rows: string[][]; summary: string[] } {
  const byGame = new Map<string, GameResult>();
  for (const run of runs) {
    const k = `${run.sweep}\u0000${run.env}`;
    const g = byGame.get(k) ?? { env: run.env, preset: run.preset, planned: planned.get(k) ?? 0, returns: [], evals: [] };
    byGame.set(k, g);
    if (run.status !== 'done') continue;
    const value = curveAt(run.curve, steps, true);
    if (value !== null) g.returns.push(value);
    if (run.finalMean !== null) g.evals.push(run.finalMean);
  }
  const results = [...byGame.values()];
  const games = results.map(judgeGame).sort((a, b) => a.env.localeCompare(b.env) || a.preset.localeCompare(b.preset));
  const ci = (c: MeanCi) => (c.n === 0 ? '–' : c.n === 1 ? num(c.mean, 2) : `${num(c.mean, 2)} ± ${num(c.halfWidth, 2)}`);
  const header = ['game', 'preset', 'seeds done', `training return at ${steps / 1e6}M`, 'paper 1M', 'ratio', 'paper 5M', 'final greedy eval', 'verdict'];
  const rows = games.map((g) => {
    const share = g.preset === 'minatar' ? `${PAPER_PRESET_SHARE * 100}% of 1M` : '1M';
    const verdict = !g.complete
      ? `running (${g.returns.length} of ${g.planned})`
      : `${g.meets1M === null ? '–' : g.meets1M ? 'PASS' : 'FAIL'} (≥ ${share}); ${g.reaches5M ? '≥' : '<'} 5M`;
    const ratio = g.trainingReturn.n === 0 || !g.paper1M ? '–' : `${Math.round((100 * g.trainingReturn.mean) / g.paper1M)}%`;
    return [g.env, g.preset, `${g.returns.length} of ${g.planned}`, ci(g.trainingReturn), num(g.paper1M, 1), ratio, num(g.paper5M, 1), ci(g.greedyEval), verdict];
  });
  const summary = judgePresets(games).map(
    (v) => `${v.preset} ${v.rule}: ${v.meeting} of ${v.games} — ${v.pass === null ? `so far (${v.judged} of ${v.games} games done)` : v.pass ? 'PASS' : 'FAIL'}`,
  );
  return { header, rows, summary };
}

/** The paper's exploration after the decay (the `minatar` preset's): its curve is measured under it. */
const PAPER_EPSILON_END = PRESET_VALUES.minatar.epsilonEnd!;

/**
 * A line per preset that explores otherwise than the paper after the decay: its training return
 * is not like for like with the paper's curve, and its greedy eval is the figure to set beside it.
 */
function explorationCaveats(parts: SweepPart[]): string[] {
  const seen = new Map<string, number>();
  for (const part of parts) {
    for (const run of part.runs) {
      const c = resolveConfig(run.config);
      seen.set(String(run.config.preset ?? 'default'), c.epsilonEnd);
    }
  }
  return [...seen].filter(([, eps]) => eps !== PAPER_EPSILON_END).map(
    ([preset, eps]) => `${preset} explores ${eps < PAPER_EPSILON_END ? 'less' : 'more'} than the paper's DQN (ε ${eps} after the decay, the paper ${PAPER_EPSILON_END}): its training return is not like for like with the paper's curve; its final greedy eval (ε 0.01) stands beside it`,
  );
}

/** Bad input to a mode (a flag's file): printed without a stack trace. */
class BenchInputError extends Error {}

/**
 * The runs of a minatar-curves.csv (written by curvesCsv) that the sweeps plan now and `present`
 * lacks: their curves are the CSV's points, so the tables read the same values at those steps.
 * `planned` maps sweep and run key to the fingerprint of the config the sweep resolves to now; a
 * row of another key, or of the same key made with other values (a preset changed since), is left out.
 */
function runsFromCurvesCsv(file: string, text: string, planned: Map<string, string | null>, present: MinatarRun[]): { runs: MinatarRun[]; unplanned: number } {
  const data = parseCsv(text);
  const fields = Object.keys(data[0] ?? {});
  const missing = ['sweep', 'key', 'config_fingerprint', 'env', 'preset', 'seed', 'status', 'steps', 'final_greedy_eval'].filter((c) => !fields.includes(c));
  if (missing.length > 0) throw new BenchInputError(`--curves ${file}: not a minatar-curves.csv (missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')})`);
  const points = fields.flatMap((f) => (/^return_at_\d+$/.test(f) ? [[f, Number(f.slice('return_at_'.length))] as const] : []));
  const have = new Set(present.map((r) => `${r.sweep}\u0000${r.key}`));
  const noResults = (row: Record<string, string>) => row.final_greedy_eval === '' && points.every(([f]) => row[f] === '');
  const ofSweeps = data.filter((row) => {
    const now = planned.get(`${row.sweep}\u0000${row.key}`);
    if (now === undefined) return false;
    // A run not started yet has no config to compare, and no results to mix in.
    return row.config_fingerprint === '' ? noResults(row) : row.config_fingerprint === now;
  });
  const runs = ofSweeps
    .filter((row) => !have.has(`${row.sweep}\u0000${row.key}`))
    .map((row) => ({
      sweep: row.sweep!, key: row.key!, env: row.env!, preset: row.preset!, configHash: row.key!.split('/')[1] ?? '',
      seed: Number(row.seed), status: row.status!, steps: Number(row.steps),
      curve: points.filter(([f]) => row[f] !== '').map(([f, step]): [number, number] => [step, Number(row[f])]),
      finalMean: row.final_greedy_eval === '' ? null : Number(row.final_greedy_eval),
      fingerprint: row.config_fingerprint!,
    }));
  return { runs, unplanned: data.length - ofSweeps.length };
}

/** The runs' training curves every `every` frames, one row per run (docs/bench/minatar-curves.csv). */
function curvesCsv(runs: MinatarRun[], every: number): string {
  const steps = Math.max(0, ...runs.map((r) => r.steps));
  const at = Array.from({ length: Math.floor(steps / every) }, (_, i) => (i + 1) * every);
  const rows = runs.map((r) => ({
    sweep: r.sweep, key: r.key, config_fingerprint: r.fingerprint ?? '', env: r.env, preset: r.preset, seed: r.seed, status: r.status, steps: r.steps,
    final_greedy_eval: r.finalMean ?? '',
    ...Object.fromEntries(at.map((s) => [`return_at_${s}`, runCurveAt(r.curve, s, r) ?? ''])),
  }));
  return Papa.unparse(rows, { newline: '\n' }) + '\n';
}

async function minatar(): Promise<void> {
  const workers = Number(values.workers);
  const out = values.out ?? join('runs', 'bench-minatar');
  const parts = partsOf(sweepFiles(['sweeps/minatar.yaml', 'sweeps/minatar-baseline.yaml']), out);
  await runOrCheckParts(parts, workers);
  const steps = Math.max(...parts.map((p) => p.sweep.steps));
  const at = values.at ? values.at.split(',').map(Number) : trainingCheckpoints(steps);
  const { runs, planned, plannedKeys } = minatarRuns(parts);
  if (values.curves) {
    if (!existsSync(values.curves)) throw new BenchInputError(`--curves ${values.curves}: no such file (a minatar-curves.csv, e.g. docs/bench/minatar-curves.csv)`);
    const joined = runsFromCurvesCsv(values.curves, readFileSync(values.curves, 'utf8'), plannedKeys, runs);
    runs.push(...joined.runs);
    if (joined.unplanned > 0) console.log(`--curves ${values.curves}: ${joined.unplanned} row(s) are runs the sweeps do not plan now (another sweep, or made with other values than the sweeps resolve to now): left out`);
  }
  const rows = trainingTable(runs, at);
  const header = ['game', 'preset', 'seeds', ...at.map((s) => `at ${s} frames: mean ± 95% CI (n)`), 'paper DQN (Young & Tian 2019)'];
  const table = rows.map((r) => [r.env, r.preset, String(r.seeds), ...r.cells, r.paper]);
  console.log('\nTraining return: recentReturn (mean of the last 100 training episodes, metrics.jsonl) over seeds');
  for (const t of [header, ...table]) console.log(t.join('  |  '));
  const verdicts = minatarVerdicts(runs, planned, steps);
  console.log('\nTargets (training return at the last frame; final greedy eval: ε 0.01)');
  for (const t of [verdicts.header, ...verdicts.rows]) console.log(t.join('  |  '));
  for (const line of verdicts.summary) console.log(line);
  const caveats = explorationCaveats(parts);
  for (const line of caveats) console.log(line);
  const md = ['# MinAtar: training return (mean of the last 100 training episodes) over seeds', '', ...mdTable(header, table), ''];
  md.push('## Targets', '', ...mdTable(verdicts.header, verdicts.rows), '', ...verdicts.summary.map((l) => `- ${l}`), ...caveats.map((l) => `- ${l}`), '');
  md.push(`Paper values: ${MINATAR_PAPER_SOURCE}.`, '');
  atomicWriteFile(join(out, 'minatar.md'), md.join('\n'));
  // The curves as data: small enough to commit, and they outlive the run directories.
  atomicWriteFile(join(out, 'minatar-curves.csv'), curvesCsv(runs, 25_000));
  const plots = writePlots(out, partConfigs(parts), 'training');
  console.log(`\ntable: ${join(out, 'minatar.md')}; plots (both presets and the paper's points): ${plots.join(', ') || '–'}; reports with the curves and the paper's points: ${parts.map((p) => join(p.out, 'report.html')).join(', ')}`);
}

/**
 * Frames per CPU second of one config while it learns: a short training of that config on one
 * game, timed with this process's CPU time from the first update on. CPU time, unlike the sweep
 * runs' wall time, does not count the other processes that shared the machine during the sweep.
 */
async function cpuFramesPerSecond(config: Record<string, unknown>, frames: number): Promise<number> {
  const learningStarts = 2_000;
  const input = { ...config, learningStarts, steps: learningStarts + frames, evalInterval: 0, recordEvery: 0, checkpointInterval: 0, finalEvalEpisodes: 1, logInterval: 1_000 };
  let cpu0: NodeJS.CpuUsage | null = null;
  const trainer = new DqnTrainer(resolveConfig(input as never), make, {
    callbacks: [{ onStep: (s) => void (s.step === learningStarts && (cpu0 = process.cpuUsage())) }],
  });
  await trainer.run();
  const cpu = process.cpuUsage(cpu0!);
  trainer.dispose();
  return frames / ((cpu.user + cpu.system) / 1e6);
}

async function minatarTuning(): Promise<void> {
  const workers = Number(values.workers);
  const out = values.out ?? join('runs', 'bench-minatar-tuning');
  const [part] = partsOf(sweepFiles(['sweeps/minatar-tuning.yaml']), out);
  await runOrCheckParts([part!], workers);
  const rows = partRows(part!).filter((r) => r.row.status === 'done');
  if (rows.length === 0) return void console.log('no finished runs yet');
  // A config is its swept values (the config hash differs per game: it covers the env id).
  const byConfig = new Map<string, { label: string; config: Record<string, unknown>; runs: typeof rows }>();
  for (const r of rows) {
    const key = canonicalJson(r.row.hyperparams);
    if (!byConfig.has(key)) byConfig.set(key, { label: r.row.configLabel, config: r.config, runs: [] });
    byConfig.get(key)!.runs.push(r);
  }
  // Per config, its speed: frames per CPU second, measured on the first game of the sweep once
  // and kept in <out>/minatar-tuning-speed.json, so --report-only prints the same ranking again
  // (a measurement on a loaded machine can flip a tie-break); --remeasure measures again.
  await initNodeBackend(values.backend as 'auto', { quiet: true });
  const speedFrames = Number(values.steps ?? 10_000);
  const speedFile = join(out, 'minatar-tuning-speed.json');
  const saved: Record<string, number> = existsSync(speedFile) && !values.remeasure ? JSON.parse(readFileSync(speedFile, 'utf8')) : {};
  const fps = new Map<string, number>();
  for (const [key, g] of byConfig) {
    const known = saved[key];
    fps.set(key, known ?? (await cpuFramesPerSecond(g.config, speedFrames)));
    console.log(`speed of ${g.label}: ${Math.round(fps.get(key)!)} frames per CPU second (${known === undefined ? `measured now, ${speedFrames} frames while learning` : `from ${speedFile}`})`);
  }
  atomicWriteJson(speedFile, Object.fromEntries(fps));
  // Per frame: the normalised training return at the end of the run. Per minute: at the same
  // compute time T for every config, T = the fastest config's time for the whole budget; a
  // config reaches T × its frames per second frames by then.
  const budgetSeconds = Math.min(...[...byConfig].map(([key, g]) => g.runs[0]!.row.steps / fps.get(key)!));
  const ranked = [...byConfig.entries()]
    .map(([key, g]) => {
      const frame: number[] = [];
      const minute: number[] = [];
      for (const { row } of g.runs) {
        const ref = referenceFor(row.env)!;
        const curve = readTrainingCurve(runDirOf(part!, row));
        const end = curveAt(curve, row.steps, true);
        if (end !== null) frame.push(normalisedScore(end, ref));
        const atBudget = curveAt(curve, budgetSeconds * fps.get(key)!, true);
        if (atBudget !== null) minute.push(normalisedScore(atBudget, ref));
      }
      return { key, label: g.label, fps: fps.get(key)!, f: meanCi(frame), m: meanCi(minute) };
    })
    .filter((r) => r.f.n > 0);
  ranked.sort((a, b) => b.f.mean - a.f.mean);
  // The winner: best per frame; configs whose per-frame interval overlaps the top one's are tied,
  // and the tie goes to the best per minute.
  const top = ranked[0];
  const overlaps = (r: (typeof ranked)[number]) => r === top || (Number.isFinite(r.f.high) && Number.isFinite(top!.f.low) && r.f.high >= top!.f.low);
  const tied = top ? ranked.filter(overlaps) : [];
  const winner = [...tied].sort((a, b) => (Number.isFinite(b.m.mean) ? b.m.mean : -Infinity) - (Number.isFinite(a.m.mean) ? a.m.mean : -Infinity))[0];
  const header = ['config', 'runs', 'normalised training return at the end (per frame): mean ± 95% CI', `at ${Math.round(budgetSeconds)} CPU s of training (per minute)`, 'frames per CPU s'];
  const table = ranked.map((r) => [
    `${r.key === winner?.key ? '**winner** ' : ''}${r.label}`,
    String(r.f.n),
    `${num(r.f.mean, 3)} ± ${num(r.f.halfWidth, 3)}`,
    `${num(r.m.mean, 3)} ± ${num(r.m.halfWidth, 3)}`,
    num(r.fps, 0),
  ]);
  for (const t of [header, ...table]) console.log(t.join('  |  '));
  const md = ['# MinAtar tuning: ranking', '', ...mdTable(header, table), ''];
  md.push(
    'Normalised: (return − random) / (reference − random), node/sweep/references.ts, averaged over games and seeds. ' +
      'Speed: frames per CPU second of each config while learning, measured by this report in one process. ' +
      'Winner: the best per frame; configs whose 95% interval overlaps the best one are tied, and the tie goes to the best at equal compute time.',
    '',
  );
  console.log(`\nstage 1 winner: ${winner ? winner.label : '– (no finished runs)'}`);
  md.push(...(await tuningStage2(part!, out, workers)));
  atomicWriteFile(join(out, 'minatar-tuning.md'), md.join('\n'));
  console.log(`table: ${join(out, 'minatar-tuning.md')}`);
}

/** The options the two tuning stages vary; a config is identified across stages by their resolved values. */
const TUNED_KEYS = ['doubleDqn', 'dueling', 'trainFrequency', 'nStep', 'prioritized', 'learningRate'] as const;
const tunedKey = (config: Record<string, unknown>): string => {
  const c = resolveConfig(config as never) as unknown as Record<string, unknown>;
  return canonicalJson(Object.fromEntries(TUNED_KEYS.map((k) => [k, c[k]])));
};

/** Per config (tunedKey): its label and the normalised training return at the end of each game's run. */
function scoresByGame(part: SweepPart): Map<string, { label: string; games: Map<string, number> }> {
  const out = new Map<string, { label: string; games: Map<string, number> }>();
  for (const { row, config } of partRows(part)) {
    if (row.status !== 'done') continue;
    const curve = readTrainingCurve(runDirOf(part, row));
    const end = curveAt(curve, row.steps, true);
    if (end === null) continue;
    const key = tunedKey(config);
    if (!out.has(key)) out.set(key, { label: row.configLabel, games: new Map() });
    out.get(key)!.games.set(row.env, normalisedScore(end, referenceFor(row.env)!));
  }
  return out;
}

/**
 * Stage 2 (sweeps/minatar-tuning-asterix.yaml): Asterix at 400k frames, where stage 1's games
 * rise early and Asterix late. The final pick maximises the WORST game's normalised training
 * return over both stages (the benchmark's target covers every game); configs missing a game
 * are listed but not ranked.
 */
async function tuningStage2(stage1: SweepPart, out: string, workers: number): Promise<string[]> {
  const [part] = partsOf(['sweeps/minatar-tuning-asterix.yaml'], out);
  await runOrCheckParts([part!], workers);
  const first = scoresByGame(stage1);
  const second = scoresByGame(part!);
  const games = [...new Set([...first.values(), ...second.values()].flatMap((c) => [...c.games.keys()]))].sort();
  const rows = [...second].map(([key, c]) => {
    const all = new Map([...(first.get(key)?.games ?? []), ...c.games]);
    const worst = games.every((g) => all.has(g)) ? Math.min(...games.map((g) => all.get(g)!)) : null;
    return { label: c.label, all, worst };
  });
  rows.sort((a, b) => (b.worst ?? -Infinity) - (a.worst ?? -Infinity));
  const header = ['config (stage 2)', ...games.map((g) => `${g.replace('MinAtar/', '')} (normalised)`), 'worst game'];
  const table = rows.map((r, i) => [
    `${i === 0 && r.worst !== null ? '**chosen** ' : ''}${r.label}`,
    ...games.map((g) => num(r.all.get(g), 3)),
    r.worst === null ? '– (a game is missing)' : num(r.worst, 3),
  ]);
  console.log('\nstage 2 (Asterix), with each config\'s stage-1 games:');
  for (const t of [header, ...table]) console.log(t.join('  |  '));
  return [
    '## Stage 2: Asterix (sweeps/minatar-tuning-asterix.yaml)', '', ...mdTable(header, table), '',
    'Each game: normalised training return at the end of its run (stage 1: 150k frames, stage 2: 400k). Chosen: the best worst game.', '',
  ];
}

async function throughput(): Promise<void> {
  await runThroughput({ steps: values.steps ? Number(values.steps) : undefined, settings: values.settings?.split(','), backend: values.backend, before: values.before === true, minatarGame: values.game });
}

const modes: Record<string, () => Promise<void>> = { classic, minatar, 'minatar-tuning': minatarTuning, cartpole, throughput };
if (!modes[mode]) {
  console.error(`unknown mode "${mode}": use one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
try {
  await modes[mode]!();
} catch (err) {
  if (!(err instanceof BenchInputError || err instanceof SweepError)) throw err;
  console.error(`bench:dqn ${mode}: ${err.message}`);
  process.exit(2);
}
