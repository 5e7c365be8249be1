/**
 * `npm run bench:kill -- [options]`: kill -9 at random moments, then resume until done.
 *
 * train  A tiny CartPole run (cpu backend, a checkpoint every 100 steps, so that many kills land
 *        in a checkpoint write) runs in a child process that is SIGKILLed at seeded random
 *        moments: during start-up / restore (the metrics.jsonl truncation), or a random
 *        sub-second offset into training. After each kill it is resumed (`resume: true`; a run
 *        killed before its first checkpoint is started again, as a sweep does). Once it finishes,
 *        metrics.jsonl (without `sps`), summary.finalEval and the replay files must equal those of
 *        an uninterrupted run of the same config; then the next round starts, until `--kills`.
 *        Per resume: steps lost = the furthest step reached before the kill − the step resumed
 *        from; it must be ≤ checkpointInterval.
 * sweep  A `keiko bench` sweep of tiny real runs (same trainer, cpu backend, 2 worker threads)
 *        SIGKILLed at random moments — some right after results.db's WAL file changes (a
 *        SQLite write in progress) — and rerun until it completes. Then every run must be in
 *        results.db exactly once, done, with the same results (final/best mean, AUC, curve) and
 *        the same metrics.jsonl as an uninterrupted sweep; results.csv one line per run.
 *
 * Options: --kills N (50, train), --sweep-kills N (50), --seed S (0), --only train|sweep,
 *          --keep (keep the work directory, printed).
 * Exit code 0 when every check passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '50' },
    'sweep-kills': { type: 'string', default: '50' },
    seed: { type: 'string', default: '0' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    // Internal: the child process of the train variant.
    child: { type: 'string' },
    config: { type: 'string' },
    progress: { type: 'string' },
    resume: { type: 'boolean', default: false },
    // Internal: pause (for the parent to kill) inside the n-th checkpoint write, 'n:point'.
    'pause-at': { type: 'string' },
  },
});

/** Where inside a checkpoint write the child pauses for the kill (node/checkpoint.ts, node/atomic.ts). */
const WRITE_POINTS = ['half-written', 'fsynced', 'between-renames'] as const;
type WritePoint = (typeof WRITE_POINTS)[number];

const CHECKPOINT_INTERVAL = 100;
const TRAIN_CONFIG = {
  env: 'CartPole-v1',
  preset: 'default',
  backend: 'cpu',
  steps: 2_000,
  seed: 3,
  network: [{ type: 'dense', units: 16, activation: 'relu' }],
  bufferSize: 1_000,
  batchSize: 16,
  learningStarts: 100,
  trainFrequency: 4,
  targetUpdateInterval: 100,
  epsilonDecaySteps: 500,
  prioritized: true,
  nStep: 2,
  doubleDqn: true,
  evalInterval: 500,
  evalEpisodes: 2,
  finalEvalEpisodes: 3,
  checkpointInterval: CHECKPOINT_INTERVAL,
  recordEvery: 10,
  logInterval: 100,
};

const SWEEP_YAML = `# bench/kill.ts: tiny real runs, SIGKILLed and rerun
name: kill test
envs: [{ id: CartPole-v1, preset: default }]
base:
  backend: cpu
  network: [{ type: dense, units: 16, activation: relu }]
  bufferSize: 500
  batchSize: 16
  learningStarts: 100
  trainFrequency: 8
  targetUpdateInterval: 100
  epsilonDecaySteps: 300
  evalInterval: 200
  evalEpisodes: 2
  finalEvalEpisodes: 2
  checkpointInterval: 100
  recordEvery: 0
  logInterval: 100
steps: 600
seeds: [0, 1, 2, 3, 4, 5]
grid:
  learningRate: [0.001, 0.0005]
`;

// ---------------------------------------------------------------------------------------------
// The child of the train variant: one life of the run.
if (values.child) {
  const fd = openSync(values.progress!, 'w');
  if (values['pause-at']) {
    // Fault injection: block (Atomics.wait) at one point of the n-th checkpoint write of this life
    // and tell the parent, which kills the process there. The write itself is unchanged.
    const [nth, point] = values['pause-at'].split(':') as [string, WritePoint];
    const fs = (await import('node:fs')).default;
    const { syncBuiltinESMExports } = await import('node:module');
    const orig = { writeSync: fs.writeSync, fsyncSync: fs.fsyncSync, renameSync: fs.renameSync, openSync: fs.openSync };
    let writes = 0;
    let tmpFd = -1;
    const pause = () => {
      orig.writeSync(1, `pause ${point}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
    };
    const ours = () => writes === Number(nth);
    (fs as { openSync: unknown }).openSync = (path: string, ...rest: unknown[]) => {
      const f = (orig.openSync as (...a: unknown[]) => number)(path, ...rest);
      if (/\.checkpoint\.bin\..*\.tmp$/.test(String(path))) {
        writes++;
        tmpFd = f;
      }
      return f;
    };
    (fs as { writeSync: unknown }).writeSync = (f: number, data: Uint8Array, off = 0, len = data.length - off, ...rest: unknown[]) => {
      if (f === tmpFd && ours() && point === 'half-written' && len > 1) {
        const half = Math.floor(len / 2);
        (orig.writeSync as (...a: unknown[]) => number)(f, data, off, half, ...rest);
        pause();
      }
      return (orig.writeSync as (...a: unknown[]) => number)(f, data, off, len, ...rest);
    };
    (fs as { fsyncSync: unknown }).fsyncSync = (f: number) => {
      orig.fsyncSync(f);
      if (f === tmpFd && ours() && point === 'fsynced') pause();
    };
    (fs as { renameSync: unknown }).renameSync = (from: string, to: string) => {
      orig.renameSync(from, to);
      if (ours() && point === 'between-renames' && String(to).endsWith('previous.bin')) pause();
    };
    syncBuiltinESMExports();
  }
  const { runTraining } = await import('../node/run-training');
  const buf = Buffer.alloc(12);
  let first = true;
  await runTraining(values.resume ? {} : JSON.parse(readFileSync(values.config!, 'utf8')), {
    outDir: values.child,
    resume: values.resume,
    quiet: true,
    onWarning: (m) => process.stdout.write(`fallback ${m.replace(/\n/g, ' ')}\n`),
    callbacks: [
      {
        onStep: (s) => {
          if (first) {
            first = false;
            process.stdout.write(`start ${s.step - 1}\n`);
          }
          // The furthest step reached, where the parent reads it after the kill.
          buf.write(String(s.step).padStart(12), 0, 'latin1');
          writeSync(fd, buf, 0, 12, 0);
        },
      },
    ],
  });
  process.stdout.write('done\n');
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
/** mulberry32: a small seeded generator for the kill schedule. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(Number(values.seed));
const uniform = (a: number, b: number) => a + (b - a) * random();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SELF = resolve(process.argv[1]);
const work = mkdtempSync(join(tmpdir(), 'keiko-kill-'));

interface Life {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  started: Promise<void>;
  paused: Promise<void>;
}

function launch(cmd: string, args: string[]): Life {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onStart: () => void = () => {};
  const started = new Promise<void>((r) => (onStart = r));
  let onPause: () => void = () => {};
  const paused = new Promise<void>((r) => (onPause = r));
  child.stdout!.on('data', (d) => {
    out += String(d);
    if (/^start /m.test(out)) onStart();
    if (/^pause /m.test(out)) onPause();
  });
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, stdout: () => out, stderr: () => err, started, paused };
}

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { sps: _sps, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
const sameLines = (a: string, b: string) => {
  const x = readLines(a);
  const y = readLines(b);
  return x.length === y.length && x.every((l, i) => l === y[i]);
};
const tmpFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tmp')) : []);
const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.tmp')).sort().join(',') : '');
/** Temp files of atomic writes left anywhere under `dir` (a kill mid-write leaves one behind). */
const staleTemps = (dir: string): string[] =>
  existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp')) : [];

// ---------------------------------------------------------------------------------------------
async function trainVariant(kills: number): Promise<boolean> {
  const configFile = join(work, 'train-config.json');
  writeFileSync(configFile, JSON.stringify(TRAIN_CONFIG));
  const progressFile = join(work, 'progress');
  const childArgs = (dir: string, resume: boolean, pauseAt?: string) => [
    '--import',
    'tsx',
    SELF,
    '--child',
    dir,
    '--config',
    configFile,
    '--progress',
    progressFile,
    ...(resume ? ['--resume'] : []),
    ...(pauseAt ? ['--pause-at', pauseAt] : []),
  ];
  const readProgress = () => (existsSync(progressFile) ? Number(readFileSync(progressFile, 'latin1').trim() || 0) : 0);

  console.log(`train: CartPole-v1, ${TRAIN_CONFIG.steps} steps, cpu backend, checkpointInterval ${CHECKPOINT_INTERVAL}; ${kills} kills (seed ${values.seed})`);
  const t0 = performance.now();
  const ref = join(work, 'train-ref');
  const refLife = launch('node', childArgs(ref, false));
  const refExit = await refLife.exited;
  if (refExit.code !== 0) {
    console.log(`FAIL  the uninterrupted run failed: ${refLife.stderr()}`);
    return false;
  }
  const refSummary = JSON.parse(readFileSync(join(ref, 'summary.json'), 'utf8'));
  const refSeconds = (performance.now() - t0) / 1000;
  console.log(`uninterrupted run: ${refSeconds.toFixed(1)} s (final eval ${refSummary.finalEval.meanReturn})`);

  const c = {
    kills: 0,
    killsInStartup: 0,
    killsInCheckpointWrite: 0,
    injected: Object.fromEntries(WRITE_POINTS.map((p) => [p, 0])) as Record<WritePoint, number>,
    resumes: 0,
    resumesOk: 0,
    fallbacks: 0,
    freshRestarts: 0,
    maxLost: 0,
    rounds: 0,
    roundsEqual: 0,
    staleTmp: 0,
    tempsAtResume: 0,
    failures: [] as string[],
  };
  let startupMs = 3000;
  while (c.kills < kills) {
    c.rounds++;
    const dir = join(work, `train-${c.rounds}`);
    let frontier = 0;
    let roundKills = 0;
    for (;;) {
      const latest = join(dir, 'checkpoints', 'latest');
      const resume = existsSync(join(latest, 'checkpoint.bin')) || existsSync(join(latest, 'previous.bin'));
      if (!resume) rmSync(dir, { recursive: true, force: true });
      else c.tempsAtResume += staleTemps(dir).length;
      if (existsSync(progressFile)) rmSync(progressFile);
      const tmpBefore = new Set(tmpFiles(latest));
      const killing = c.kills < kills;
      const mode = !killing ? 'none' : random() < 0.3 ? 'write' : 'random';
      const point = WRITE_POINTS[Math.floor(random() * WRITE_POINTS.length)];
      const pauseAt = mode === 'write' ? `${1 + Math.floor(random() * 4)}:${point}` : undefined;
      const life = launch('node', childArgs(dir, resume, pauseAt));
      const spawned = performance.now();
      let killed = false;
      let inStartup = false;
      let inWrite = false;
      if (mode === 'write') {
        // Kill inside a checkpoint write, at the point the child paused.
        await Promise.race([life.paused, life.exited]);
        inWrite = life.stdout().includes(`pause ${point}`);
        if (life.child.exitCode === null && life.child.signalCode === null) killed = life.child.kill('SIGKILL');
      } else if (killing) {
        if (random() < 0.2) {
          inStartup = true;
          await Promise.race([sleep(uniform(0, startupMs)), life.exited]);
        } else {
          await Promise.race([life.started, life.exited]);
          startupMs = 0.8 * startupMs + 0.2 * (performance.now() - spawned);
          await Promise.race([sleep(uniform(0, 1500)), life.exited]);
        }
        if (life.child.exitCode === null && life.child.signalCode === null) {
          killed = life.child.kill('SIGKILL');
        }
      }
      const exit = await life.exited;
      const out = life.stdout();
      const startLine = /^start (\d+)$/m.exec(out);
      if (resume && startLine) {
        // This life resumed (and got as far as its first step): it counts as one resume.
        c.resumes++;
        const from = Number(startLine[1]);
        const lost = frontier - from;
        c.maxLost = Math.max(c.maxLost, lost);
        if (lost > CHECKPOINT_INTERVAL) c.failures.push(`round ${c.rounds}: resumed at ${from}, ${lost} steps after the furthest step ${frontier}`);
        else c.resumesOk++;
      } else if (!resume && startLine) {
        if (frontier > 0) c.freshRestarts++;
        c.maxLost = Math.max(c.maxLost, frontier);
        if (frontier > CHECKPOINT_INTERVAL) c.failures.push(`round ${c.rounds}: restarted from 0 after reaching ${frontier}`);
      }
      if (/^fallback /m.test(out)) c.fallbacks++;
      frontier = Math.max(frontier, readProgress());
      if (killed && exit.signal === 'SIGKILL') {
        c.kills++;
        roundKills++;
        if (inStartup && !startLine) c.killsInStartup++;
        const tmpAfter = tmpFiles(latest).filter((f) => !tmpBefore.has(f));
        const between = existsSync(join(latest, 'previous.bin')) && !existsSync(join(latest, 'checkpoint.bin'));
        if (inWrite) c.injected[point]++;
        else if (tmpAfter.some((f) => f.includes('checkpoint.bin')) || between) c.killsInCheckpointWrite++;
        continue;
      }
      if (exit.code !== 0) {
        c.failures.push(`round ${c.rounds}: ${resume ? 'resume' : 'start'} exited with ${exit.code ?? exit.signal}: ${life.stderr().trim().split('\n').slice(-3).join(' | ')}`);
        break;
      }
      // Finished: compare with the uninterrupted run.
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      const equal =
        sameLines(join(dir, 'metrics.jsonl'), join(ref, 'metrics.jsonl')) &&
        JSON.stringify(summary.finalEval) === JSON.stringify(refSummary.finalEval) &&
        summary.episodes === refSummary.episodes &&
        summary.interrupted === false &&
        listing(join(dir, 'replays')) === listing(join(ref, 'replays'));
      if (equal) c.roundsEqual++;
      else c.failures.push(`round ${c.rounds}: the resumed run differs from the uninterrupted one`);
      c.staleTmp += staleTemps(dir).length;
      console.log(`round ${c.rounds}: ${roundKills} kills, finished; equal to uninterrupted: ${equal ? 'yes' : 'NO'}`);
      break;
    }
    if (c.failures.length > 0 && c.failures.some((f) => /exited with/.test(f))) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log('\ntrain variant');
  console.log(`  kills (SIGKILL)                              ${c.kills}`);
  console.log(`    during start-up / restore                  ${c.killsInStartup}`);
  console.log(`    in a checkpoint write, paused there:`);
  for (const p of WRITE_POINTS) console.log(`      ${`temp file ${p}`.padEnd(39)}  ${c.injected[p]}`);
  console.log(`    in a checkpoint write, by chance           ${c.killsInCheckpointWrite}`);
  console.log(`    at a random moment of training             ${c.kills - c.killsInStartup - c.killsInCheckpointWrite - WRITE_POINTS.reduce((n, p) => n + c.injected[p], 0)}`);
  console.log(`  resumes / ok                                 ${c.resumes} / ${c.resumesOk}`);
  console.log(`  fresh restarts (killed before 1st checkpt)   ${c.freshRestarts}`);
  console.log(`  fallbacks to previous.bin                    ${c.fallbacks}`);
  console.log(`  steps lost, max (≤ ${CHECKPOINT_INTERVAL} allowed)              ${c.maxLost}`);
  console.log(`  runs completed / equal to uninterrupted      ${c.rounds} / ${c.roundsEqual}  (${c.roundsEqual === c.rounds ? 'yes' : 'NO'})`);
  console.log(`  temp files of killed writes, before resumes  ${c.tempsAtResume}`);
  console.log(`  stale .tmp files left in the finished runs   ${c.staleTmp}`);
  console.log(`  wall time                                    ${seconds.toFixed(0)} s`);
  for (const f of c.failures) console.log(`  FAIL ${f}`);
  const ok = c.failures.length === 0 && c.resumes === c.resumesOk && c.roundsEqual === c.rounds && c.maxLost <= CHECKPOINT_INTERVAL && c.staleTmp === 0;
  console.log(`${ok ? 'PASS' : 'FAIL'}  train: every resume succeeded, lost ≤ ${CHECKPOINT_INTERVAL} steps, equal to the uninterrupted run, no stale temp files`);
  return ok;
}

// ---------------------------------------------------------------------------------------------
interface DbRun {
  key: string;
  status: string;
  final_mean: number | null;
  final_std: number | null;
  best_mean: number | null;
  auc: number | null;
  steps_to_threshold: number | null;
  curve: string | null;
  run_dir: string;
  attempts: number;
}
function dbRows(dir: string): DbRun[] {
  const db = new Database(join(dir, 'results.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT key, status, final_mean, final_std, best_mean, auc, steps_to_threshold, curve, run_dir, attempts FROM runs ORDER BY rowid').all() as DbRun[];
  } finally {
    db.close();
  }
}

async function sweepVariant(kills: number): Promise<boolean> {
  const sweepFile = join(work, 'kill-sweep.yaml');
  writeFileSync(sweepFile, SWEEP_YAML);
  const keiko = resolve('bin/keiko.js');
  const bench = (out: string) => launch('node', [keiko, 'bench', sweepFile, '--out', out, '--workers', '2']);
  const nRuns = 12;
  console.log(`\nsweep: keiko bench of ${nRuns} tiny CartPole runs (600 steps, cpu backend, 2 worker threads); ${kills} kills (seed ${values.seed})`);
  const t0 = performance.now();
  const ref = join(work, 'sweep-ref');
  const refLife = bench(ref);
  const refExit = await refLife.exited;
  if (refExit.code !== 0) {
    console.log(`FAIL  the uninterrupted sweep failed: ${refLife.stderr()}`);
    return false;
  }
  const refSeconds = (performance.now() - t0) / 1000;
  console.log(`uninterrupted sweep: ${refSeconds.toFixed(1)} s`);
  const refRows = new Map(dbRows(ref).map((r) => [r.key, r]));

  const c = { kills: 0, killsOnWalWrite: 0, invocations: 0, rounds: 0, roundsOk: 0, maxAttempts: 0, stale: 0, failures: [] as string[] };
  while (c.kills < kills && c.failures.length === 0) {
    c.rounds++;
    const out = join(work, `sweep-${c.rounds}`);
    mkdirSync(out, { recursive: true });
    const wal = join(out, 'results.db-wal');
    const walStamp = () => {
      try {
        const st = statSync(wal);
        return `${st.size}:${st.mtimeMs}`;
      } catch {
        return '';
      }
    };
    let roundKills = 0;
    let invocationFailures = 0;
    for (;;) {
      c.invocations++;
      const life = bench(out);
      let killed = false;
      let onWal = false;
      if (c.kills < kills) {
        if (random() < 0.4) {
          // Kill right after the WAL changes: a SQLite transaction is being written or has just been.
          onWal = true;
          const skip = Math.floor(uniform(0, 6)); // not always the first write of the invocation
          let seen = 0;
          let last = walStamp();
          const deadline = performance.now() + refSeconds * 1000 * 2;
          while (life.child.exitCode === null && performance.now() < deadline) {
            const now = walStamp();
            if (now !== last) {
              last = now;
              if (seen++ >= skip) break;
            }
            await sleep(1);
          }
        } else {
          await Promise.race([sleep(uniform(0, refSeconds * 1000 * 0.6)), life.exited]);
        }
        if (life.child.exitCode === null && life.child.signalCode === null) killed = life.child.kill('SIGKILL');
      }
      const exit = await life.exited;
      if (killed && exit.signal === 'SIGKILL') {
        c.kills++;
        roundKills++;
        if (onWal) c.killsOnWalWrite++;
        continue;
      }
      if (exit.code !== 0) {
        c.failures.push(`round ${c.rounds}, invocation ${c.invocations} exited with ${exit.code ?? exit.signal}: ${life.stderr().trim().split('\n').slice(-3).join(' | ')}`);
        if (++invocationFailures >= 3) break;
        continue;
      }
      break;
    }
    // The sweep completed: check results.db, results.csv and every run directory.
    const before = c.failures.length;
    const rows = existsSync(join(out, 'results.db')) ? dbRows(out) : [];
    const keys = rows.map((r) => r.key);
    if (rows.length !== nRuns || new Set(keys).size !== nRuns) c.failures.push(`round ${c.rounds}: ${rows.length} rows, ${new Set(keys).size} keys (expected ${nRuns})`);
    for (const r of rows) {
      const f = refRows.get(r.key);
      if (r.status !== 'done') c.failures.push(`round ${c.rounds}: ${r.key} is ${r.status}`);
      if (!f) {
        c.failures.push(`round ${c.rounds}: ${r.key} is not in the uninterrupted sweep`);
        continue;
      }
      const fields = ['final_mean', 'final_std', 'best_mean', 'auc', 'steps_to_threshold', 'curve'] as const;
      if (!fields.every((k) => r[k] === f[k])) c.failures.push(`round ${c.rounds}: ${r.key}: results differ from the uninterrupted sweep`);
      if (!sameLines(join(out, r.run_dir, 'metrics.jsonl'), join(ref, f.run_dir, 'metrics.jsonl'))) c.failures.push(`round ${c.rounds}: ${r.key}: metrics.jsonl differs`);
      c.maxAttempts = Math.max(c.maxAttempts, r.attempts);
    }
    const csvKeys = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    if (csvKeys.length !== nRuns || new Set(csvKeys).size !== nRuns || !keys.every((k) => csvKeys.includes(k))) c.failures.push(`round ${c.rounds}: results.csv is not one line per run`);
    const stale = staleTemps(out).length;
    c.stale += stale;
    if (c.failures.length === before) c.roundsOk++;
    console.log(`round ${c.rounds}: ${roundKills} kills, completed; ${nRuns} runs each recorded once, done, equal to uninterrupted: ${c.failures.length === before ? 'yes' : 'NO'}; stale temp files ${stale}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log('\nsweep variant');
  console.log(`  kills (SIGKILL)                              ${c.kills}`);
  console.log(`    right after a results.db WAL write         ${c.killsOnWalWrite}`);
  console.log(`    at a random moment                         ${c.kills - c.killsOnWalWrite}`);
  console.log(`  invocations (kills + completing reruns)      ${c.invocations}`);
  console.log(`  sweeps completed / all runs once + equal     ${c.rounds} / ${c.roundsOk}  (${nRuns} runs each)`);
  console.log(`  attempts of one run, max                     ${c.maxAttempts}`);
  console.log(`  stale .tmp files left in the sweep dirs      ${c.stale}`);
  console.log(`  wall time                                    ${seconds.toFixed(0)} s`);
  for (const f of c.failures) console.log(`  FAIL ${f}`);
  const ok = c.failures.length === 0 && c.roundsOk === c.rounds;
  console.log(`${ok ? 'PASS' : 'FAIL'}  sweep: every run recorded exactly once in results.db, done, equal to the uninterrupted sweep`);
  return ok;
}

let ok = true;
try {
  if (!values.only || values.only === 'train') ok = (await trainVariant(Number(values.kills))) && ok;
  if (!values.only || values.only === 'sweep') ok = (await sweepVariant(Number(values['sweep-kills']))) && ok;
} finally {
  if (values.keep) console.log(`work directory kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
