/**
 * Distributed sweeps through BullMQ against a real redis-server (installed by
 * scripts/ensure-redis.sh): idempotent enqueueing, gathering after a bench restart, and a worker
 * process killed with SIGKILL mid-run whose job another worker picks up (stalled-job detection)
 * and resumes from its checkpoint.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection, runSweepQueued } from '../node/sweep/queue';
import { ResultsStore } from '../node/sweep/store';

const FAKE_RUNNER = resolve('tests/fixtures/sweeps/fake-runner.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'keiko-sweep-queue-'));
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

let redis: ChildProcess | null = null;
let redisUrl = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!hasRedis) throw new Error('redis-server is missing: run scripts/ensure-redis.sh (npm test does)');
  const port = await freePort();
  const dir = tmp();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis-server did not start:\n${log}`)), 15_000);
    redis!.stdout!.on('data', (d) => {
      log += String(d);
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        res();
      }
    });
    redis!.on('exit', (code) => rej(new Error(`redis-server exited (${code}):\n${log}`)));
  });
  redisUrl = `redis://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (redis && redis.exitCode === null) {
    const exited = new Promise((r) => redis!.on('exit', r));
    redis.kill('SIGTERM');
    await exited;
  }
});

function startWorker(queueName: string, { real = false } = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(
    'node',
    [
      'bin/keiko.js',
      'worker',
      '--queue',
      redisUrl,
      '--queue-name',
      queueName,
      ...(real ? [] : ['--runner', FAKE_RUNNER]),
      '--lock-duration',
      '2000',
      '--stalled-interval',
      '1000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, output: () => out };
}

async function waitFor(what: string, cond: () => boolean, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sweep over a Redis queue (BullMQ)', () => {
  it('enqueues idempotently, gathers after a restart, survives a worker killed mid-run', async () => {
    const dir = tmp();
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(
      sweep,
      `
envs: [CartPole-v1]
base: { fakeMsPerEval: 300 }
steps: 1000
seeds: [1, 2, 3, 4]
`,
    );
    const out = join(dir, 'out');
    const queueName = `keiko-test-${process.pid}-${Date.now()}`;

    // 1. A bench that enqueues and is interrupted before any worker exists.
    const early = new AbortController();
    setTimeout(() => early.abort(), 300);
    const first = await runSweepQueued(sweep, { outDir: out, redisUrl, queueName, runnerModule: FAKE_RUNNER, signal: early.signal, pollMs: 100 });
    expect(first.aborted).toBe(true);
    expect(first.counts.done).toBe(0);

    // 2. Two workers; the bench runs again (re-enqueueing the same job ids) and gathers.
    const a = startWorker(queueName);
    const b = startWorker(queueName);
    const lines: string[] = [];
    const gathering = runSweepQueued(sweep, { outDir: out, redisUrl, queueName, runnerModule: FAKE_RUNNER, pollMs: 100, log: (l) => lines.push(l) });

    // 3. Kill worker A with SIGKILL once its first job has checkpointed.
    let killedKey = '';
    await waitFor('worker A to checkpoint a job', () => {
      const m = /start\s+(\S+)/.exec(a.output());
      if (!m) return false;
      killedKey = m[1]!;
      return existsSync(join(out, 'runs', killedKey, 'checkpoints', 'latest', 'state.json'));
    });
    a.child.kill('SIGKILL');

    const summary = await gathering;
    expect(summary.counts).toEqual({ pending: 0, running: 0, done: 4, failed: 0 });
    const store = new ResultsStore(join(out, 'results.db'));
    const rows = store.rows();
    store.close();
    expect(rows.map((r) => r.finalMean)).toEqual([505, 510, 515, 520]);
    // The killed job was retried by worker B, resuming from A's checkpoint.
    const calls = readFileSync(join(out, 'runs', killedKey, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { resume: boolean });
    expect(calls.map((c) => c.resume)).toEqual([false, true]);
    expect(b.output()).toContain(`start  ${killedKey} `);
    expect(rows.find((r) => `runs/${killedKey}` === r.runDir)!.curve.map(([s]) => s)).toEqual([200, 400, 600, 800, 1000]);

    // Re-enqueueing reused the job ids: exactly four jobs exist.
    const queue = new Queue(queueName, { connection: redisConnection(redisUrl) });
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    await queue.close();
    expect(counts).toEqual({ completed: 4, failed: 0, waiting: 0, active: 0, delayed: 0 });

    // 4. Running the bench once more does nothing but rebuild the report.
    const again = await runSweepQueued(sweep, { outDir: out, redisUrl, queueName, runnerModule: FAKE_RUNNER, pollMs: 100 });
    expect(again.skipped).toBe(4);
    expect(again.executed).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('4 runs: 4 done');
    b.child.kill('SIGTERM');
  }, 180_000);

  it('a worker runs a real (tiny) DQN training and the bench gathers it', async () => {
    const dir = tmp();
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(
      sweep,
      `
envs: [CartPole-v1]
base: { preset: cartpole, learningStarts: 100, trainFrequency: 4, gradientSteps: 1, evalInterval: 200, evalEpisodes: 1, finalEvalEpisodes: 2 }
steps: 400
seeds: [5]
`,
    );
    const out = join(dir, 'out');
    const queueName = `keiko-test-real-${process.pid}-${Date.now()}`;
    const w = startWorker(queueName, { real: true });
    const summary = await runSweepQueued(sweep, { outDir: out, redisUrl, queueName, pollMs: 200 });
    w.child.kill('SIGTERM');
    expect(summary.counts, w.output()).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
    const store = new ResultsStore(join(out, 'results.db'));
    const [row] = store.rows();
    store.close();
    const s = JSON.parse(readFileSync(join(out, row!.runDir, 'summary.json'), 'utf8')) as { finalEval: { meanReturn: number } };
    expect(row!.finalMean).toBe(s.finalEval.meanReturn);
    expect(row!.curve.map(([step]) => step)).toEqual(expect.arrayContaining([200, 400]));
  }, 180_000);
});
