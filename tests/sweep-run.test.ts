/**
 * The sweep runner end to end with the fast fake trainer (tests/fixtures/sweeps/fake-runner.ts):
 * parallel worker threads, crashing runs, results.db ↔ results.csv, the report, skipping finished
 * runs, and SIGKILL of the whole sweep followed by a rerun that resumes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../node/sweep/pool';
import { moduleUrl, runSweep } from '../node/sweep/run-sweep';
import { parseCsv, ResultsStore } from '../node/sweep/store';
import { fakeReturn, resolveConfig as fakeValidate } from './fixtures/sweeps/fake-runner';

const FAKE_RUNNER = resolve('tests/fixtures/sweeps/fake-runner.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'keiko-sweep-run-'));

function writeSweep(dir: string, text: string): string {
  const path = join(dir, 'sweep.yaml');
  writeFileSync(path, text);
  return path;
}

/** Every db row agrees with its results.csv line, cell by cell. */
function expectCsvMatchesDb(outDir: string): number {
  const db = new Database(join(outDir, 'results.db'), { readonly: true });
  const rows = db.prepare('SELECT * FROM runs ORDER BY rowid').all() as Record<string, unknown>[];
  db.close();
  const csv = parseCsv(readFileSync(join(outDir, 'results.csv'), 'utf8'));
  expect(csv).toHaveLength(rows.length);
  csv.forEach((line, i) => {
    for (const [col, text] of Object.entries(line)) {
      const v = rows[i]![col];
      if (v === null || v === undefined) expect(text).toBe('');
      else if (typeof v === 'number') expect(Number(text)).toBe(v);
      else expect(text).toBe(String(v));
    }
  });
  return rows.length;
}

describe('sweep runner (fake trainer)', () => {
  it('runs in parallel threads, records crashes as failures, exports CSV and a report', async () => {
    const dir = tmp();
    const sweep = writeSweep(
      dir,
      `
name: runner test
envs: [CartPole-v1, Acrobot-v1]
base: { fakeMsPerEval: 60 }
steps: 1000
seeds: [1, 2]
grid:
  learningRate: [0.001, 0.0005]
`,
    );
    const out = join(dir, 'out');
    const lines: string[] = [];
    const summary = await runSweep(sweep, { outDir: out, workers: 2, runnerModule: FAKE_RUNNER, log: (l) => lines.push(l) });
    expect(summary.counts).toEqual({ pending: 0, running: 0, done: 8, failed: 0 });
    expect(summary.executed).toBe(8);
    const store = new ResultsStore(join(out, 'results.db'));
    const rows = store.rows();
    store.close();
    for (const r of rows) {
      const config = { steps: 1000, learningRate: r.hyperparams.learningRate, seed: r.seed };
      expect(r.finalMean).toBe(fakeReturn(config, 1000));
      expect(r.curve.map(([s]) => s)).toEqual([200, 400, 600, 800, 1000]);
      expect(r.auc).toBeCloseTo(r.curve.reduce((a, [, v]) => a + v, 0) / 5, 10);
      expect(r.attempts).toBe(1);
      // Each run dir is a normal run directory.
      expect(existsSync(join(out, r.runDir, 'summary.json'))).toBe(true);
      expect(existsSync(join(out, r.runDir, 'config.json'))).toBe(true);
    }
    // CartPole threshold 475: lr 0.001 reaches ≥ 475 only at the last eval (500 + 5·seed).
    expect(rows.filter((r) => r.env === 'CartPole-v1' && r.hyperparams.learningRate === 0.001).map((r) => r.stepsToThreshold)).toEqual([1000, 1000]);
    expect(rows.filter((r) => r.hyperparams.learningRate === 0.0005 && r.env === 'CartPole-v1').map((r) => r.stepsToThreshold)).toEqual([null, null]);
    // Two threads really ran at once: some runs' [start, finish] intervals overlap.
    const spans = rows.map((r) => [Date.parse(r.startedAt!), Date.parse(r.finishedAt!)] as const);
    const overlaps = spans.some(([a0, a1], i) => spans.some(([b0, b1], j) => i !== j && a0 < b1 && b0 < a1));
    expect(overlaps).toBe(true);
    expect(expectCsvMatchesDb(out)).toBe(8);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## CartPole-v1');
    expect(md).toContain('## Acrobot-v1');
    // lr 0.001, seeds 1 and 2: finals 505 and 510 → mean 507.5, half width t(0.975,1)·3.5355/√2 = 31.77.
    expect(md).toMatch(/\*\*best\*\* learningRate=0\.001 \| \w+ \| 2\/2 \| 507\.5 ± 31\.8 \[475\.7, 539\.3\]/);
    expect(md).toContain('## Normalised score across games');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBe(2);
    expect(html).toContain('<polygon'); // the 95% band
    expect(lines.some((l) => l.startsWith('[8/8]'))).toBe(true);

    // Running it again redoes nothing.
    const before = readFileSync(join(out, 'results.csv'), 'utf8');
    const again = await runSweep(sweep, { outDir: out, workers: 2, runnerModule: FAKE_RUNNER });
    expect(again.executed).toBe(0);
    expect(again.skipped).toBe(8);
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toBe(before);
  });

  it('a run that throws or kills its worker thread fails alone; the sweep completes', async () => {
    const dir = tmp();
    const sweep = writeSweep(
      dir,
      `
envs: [CartPole-v1]
base: { fakeMsPerEval: 10 }
steps: 500
seeds: [0]
grid:
  learningRate: [0.001]
  fakeCrash: [false, true]
  fakeExit: [false, true]
`,
    );
    const out = join(dir, 'out');
    const summary = await runSweep(sweep, { outDir: out, workers: 2, runnerModule: FAKE_RUNNER, validate: fakeValidate });
    expect(summary.counts).toEqual({ pending: 0, running: 0, done: 1, failed: 3 });
    const store = new ResultsStore(join(out, 'results.db'));
    const rows = store.rows();
    store.close();
    const byFlags = (crash: boolean, exit: boolean) => rows.find((r) => r.hyperparams.fakeCrash === crash && r.hyperparams.fakeExit === exit)!;
    expect(byFlags(false, false).status).toBe('done');
    expect(byFlags(true, false).error).toContain('fake crash in the middle of training');
    expect(byFlags(false, true).error).toMatch(/worker thread died: exit code 3/);
    expect(byFlags(true, true).status).toBe('failed');
    expectCsvMatchesDb(out);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Failed runs');
  });

  it('sweeps sharing one pool: a freed thread takes the highest-priority run of either sweep', async () => {
    const dir = tmp();
    const text = (lr: number) => `
envs: [CartPole-v1]
base: { fakeMsPerEval: 5, learningRate: ${lr} }
steps: 200
seeds: [0, 1, 2]
`;
    const sweepA = writeSweep(mkdtempSync(join(dir, 'a-')), text(0.001));
    const sweepB = writeSweep(mkdtempSync(join(dir, 'b-')), text(0.002));
    const pool = new WorkerPool({ size: 1, runnerModule: moduleUrl(FAKE_RUNNER) });
    const finished: string[] = [];
    const run = (file: string, name: string, priority: number, onReady?: () => void) =>
      runSweep(file, {
        outDir: join(dir, `out-${name}`),
        pool,
        priority: () => priority,
        validate: fakeValidate,
        ...(onReady ? { onReady } : {}),
        log: (l) => void (/^\[\d+\/\d+\] done/.test(l) && finished.push(name)),
      });
    const runB = () => run(sweepB, 'B', 1, () => readyB());
    // Held until both sweeps have queued their first runs (A, the lower priority, is ready first).
    let readyB = () => {};
    pool.holdUntil(new Promise<void>((r) => (readyB = r)));
    try {
      const [a, b] = await Promise.all([run(sweepA, 'A', 0), new Promise((r) => setTimeout(r, 300)).then(() => runB())]);
      expect(a.counts.done + b.counts.done).toBe(6);
    } finally {
      await pool.close();
    }
    // One thread, so runs finish in the order they start: all of B's (priority 1) first, though
    // A queued first, and a freed thread goes to B's next run, not to A's waiting one.
    expect(finished).toEqual(['B', 'B', 'B', 'A', 'A', 'A']);
  });

  it('SIGKILL of the whole sweep loses no finished run; the rerun resumes the interrupted one', async () => {
    const dir = tmp();
    const sweep = writeSweep(
      dir,
      `
envs: [CartPole-v1]
base: { fakeMsPerEval: 150 }
steps: 1000
seeds: [1, 2, 3, 4]
`,
    );
    const out = join(dir, 'out');
    const child = spawn('node', ['bin/keiko.js', 'bench', sweep, '--out', out, '--workers', '1', '--runner', FAKE_RUNNER], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Wait until two runs are done and the third has checkpointed at least once, then kill -9.
    const dbPath = join(out, 'results.db');
    const deadline = Date.now() + 90_000;
    let killedAt: { done: string[]; running: string | null } | null = null;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(dbPath)) continue;
      let rows: { key: string; status: string; run_dir: string }[];
      try {
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        rows = db.prepare('SELECT key, status, run_dir FROM runs ORDER BY rowid').all() as typeof rows;
        db.close();
      } catch {
        continue; // the sweep is still creating its store
      }
      const done = rows.filter((r) => r.status === 'done').map((r) => r.key);
      const running = rows.find((r) => r.status === 'running');
      if (done.length >= 2 && running && existsSync(join(out, running.run_dir, 'checkpoints', 'latest', 'state.json'))) {
        child.kill('SIGKILL');
        killedAt = { done, running: running.key };
        break;
      }
    }
    if (!killedAt) child.kill('SIGKILL');
    await exited;
    expect(killedAt, `sweep did not progress in time; output:\n${stdout}`).not.toBeNull();
    const store = new ResultsStore(dbPath);
    const finishedBefore = new Map(store.rows().filter((r) => r.status === 'done').map((r) => [r.key, r.finishedAt]));
    store.close();
    expect([...finishedBefore.keys()]).toEqual(expect.arrayContaining(killedAt!.done));

    const summary = await runSweep(sweep, { outDir: out, workers: 1, runnerModule: FAKE_RUNNER });
    expect(summary.counts.done).toBe(4);
    expect(summary.skipped).toBe(finishedBefore.size);
    const after = new ResultsStore(dbPath);
    const rows = after.rows();
    after.close();
    for (const r of rows) {
      expect(r.status).toBe('done');
      const calls = readFileSync(join(out, r.runDir, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { resume: boolean });
      if (finishedBefore.has(r.key)) {
        // Not redone: same row, one call to the trainer.
        expect(r.finishedAt).toBe(finishedBefore.get(r.key));
        expect(calls).toHaveLength(1);
      }
      if (r.key === killedAt!.running) {
        // Resumed from its checkpoint, not restarted.
        expect(calls.map((c) => c.resume)).toEqual([false, true]);
        expect(r.attempts).toBe(2);
        expect(r.curve.map(([s]) => s)).toEqual([200, 400, 600, 800, 1000]);
      }
    }
    expectCsvMatchesDb(out);
  }, 150_000);
});
