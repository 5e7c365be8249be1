/**
 * Sweeps beyond one machine: BullMQ on Redis. `keiko bench --queue URL` enqueues the unfinished
 * runs (job id = `<sweep-id>/<run key>`, so enqueueing again is idempotent), then gathers the
 * results from the jobs' return values into DIR/results.db and writes the report.
 * `keiko worker --queue URL` executes jobs anywhere on its own pool of worker threads.
 *
 * Run directories are written by the worker at the absolute path in the job (a shared filesystem,
 * e.g. NFS, mounted at the same path), or under the worker's own `--out-root` (results-only: the
 * metrics come back through the queue; the run dirs stay on the worker machines).
 */
import { assertRunConfigsCurrent } from './config-drift';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Job, Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import type { JobOutcome, RunJob } from './job';
import { WorkerPool } from './pool';
import {
  describeOutcome,
  finishSweep,
  loadValidator,
  moduleUrl,
  openSweepDir,
  prepareSweep,
  recordOutcome,
  runJob,
  type SweepSummary,
} from './run-sweep';
import type { RunResult } from './store';

export const DEFAULT_QUEUE_NAME = 'keiko-runs';

/** What a queued job carries. */
export interface QueueJobData {
  job: RunJob;
  /** Identifies the sweep directory (hash of its absolute path). */
  sweepId: string;
  /** The run directory relative to the sweep directory. */
  relDir: string;
}

/** `redis://[user:password@]host[:port][/db]` → BullMQ connection options. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--queue: not a URL: "${url}" (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`--queue: unsupported protocol "${u.protocol}" (allowed: redis:, rediss:)`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Required by BullMQ workers (blocking commands must not time out).
    maxRetriesPerRequest: null,
  };
}

export function sweepIdOf(outDir: string): string {
  return createHash('sha256').update(resolve(outDir)).digest('hex').slice(0, 12);
}

export interface QueuedBenchOptions {
  outDir: string;
  redisUrl: string;
  queueName?: string;
  /** Validator module (the workers choose their own runner); see run-sweep.ts. */
  runnerModule?: string;
  retryFailed?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How often to poll job states (ms, default 500). */
  pollMs?: number;
  /** Attempts per job for retryable failures (worker thread died, interrupted; default 3). */
  attempts?: number;
}

export async function runSweepQueued(sweepFile: string, options: QueuedBenchOptions): Promise<SweepSummary> {
  const runnerModule = options.runnerModule ? moduleUrl(options.runnerModule) : undefined;
  const validate = await loadValidator(runnerModule);
  const connection = redisConnection(options.redisUrl);
  const prepared = await prepareSweep(sweepFile, validate);
  const outDir = resolve(options.outDir);
  const log = options.log ?? (() => {});
  assertRunConfigsCurrent(prepared.source, prepared.runs, outDir, validate);
  const { store, todo, skipped } = openSweepDir(prepared, outDir, options.retryFailed ?? true);
  const sweepId = sweepIdOf(outDir);
  const queue = new Queue<QueueJobData, RunResult>(options.queueName ?? DEFAULT_QUEUE_NAME, { connection });
  const total = prepared.runs.length;
  log(`sweep: ${total} runs (${skipped} already done, ${todo.length} to run) → queue "${queue.name}" on ${options.redisUrl}`);
  const jobIdOf = (key: string) => `${sweepId}/${key}`;
  let aborted = false;
  let finished = 0;
  try {
    for (const run of todo) {
      const jobId = jobIdOf(run.key);
      const existing = await Job.fromId<QueueJobData, RunResult>(queue, jobId);
      if (existing && (options.retryFailed ?? true) && (await existing.getState()) === 'failed') await existing.remove();
      await queue.add(
        'run',
        { job: runJob(prepared, run, outDir), sweepId, relDir: run.relDir },
        {
          jobId,
          attempts: options.attempts ?? 3,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      );
    }
    const outstanding = new Map(todo.map((r) => [r.key, r]));
    const running = new Set<string>();
    while (outstanding.size > 0) {
      if (options.signal?.aborted) {
        aborted = true;
        log('sweep: stopped gathering; queued jobs stay in the queue — run the same command again to collect them');
        break;
      }
      for (const [key, run] of outstanding) {
        const id = jobIdOf(key);
        const state = await queue.getJobState(id);
        let outcome: JobOutcome | null = null;
        if (state === 'completed' || state === 'failed') {
          // Read the job after its state is final, so the return value / reason is there.
          const job = await Job.fromId<QueueJobData, RunResult>(queue, id);
          if (!job) continue;
          if (state === 'completed') {
            if (!job.returnvalue) continue;
            outcome = { status: 'done', result: job.returnvalue };
          } else outcome = { status: 'failed', error: job.failedReason ?? 'failed', wallSeconds: null, crashed: false };
        } else if (state === 'active' && !running.has(key)) {
          running.add(key);
          store.markRunning(key);
        }
        if (outcome) {
          outstanding.delete(key);
          if (!running.has(key)) store.markRunning(key);
          recordOutcome(store, key, outcome);
          finished++;
          log(`[${skipped + finished}/${total}] ${describeOutcome(run, outcome)}`);
          store.exportCsv(join(outDir, 'results.csv'), prepared.runs.map((r) => r.key));
        }
      }
      if (outstanding.size > 0) await sleep(options.pollMs ?? 500, options.signal);
    }
    if (aborted) for (const key of running) store.markPending(key);
  } finally {
    await queue.close();
  }
  const reportPath = finishSweep(prepared, store, outDir);
  const counts = store.counts(prepared.runs.map((r) => r.key));
  store.close();
  log(`sweep: ${counts.done} done, ${counts.failed} failed, ${counts.pending + counts.running} unfinished; report: ${reportPath}`);
  return { outDir, total, executed: finished, skipped, counts, aborted, reportPath };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        res();
      },
      { once: true },
    );
  });
}

export interface QueueWorkerOptions {
  redisUrl: string;
  queueName?: string;
  /** Runs at once (worker threads; default 1). */
  concurrency?: number;
  runnerModule?: string;
  /** Write run dirs under this root (`<root>/<sweep-id>/<relDir>`) instead of the job's path. */
  outRoot?: string;
  /** BullMQ lock duration (ms): a worker silent this long counts as dead (default 30000). */
  lockDuration?: number;
  /** How often stalled jobs are checked (ms, default 30000). */
  stalledInterval?: number;
  /** How often a job may stall before it fails (default 2). */
  maxStalledCount?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Execute queued sweep runs until `signal` aborts. */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<{ processed: number }> {
  const connection = redisConnection(options.redisUrl);
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 1;
  const runnerModule = options.runnerModule ? moduleUrl(options.runnerModule) : undefined;
  const pool = new WorkerPool({ size: concurrency, runnerModule });
  let processed = 0;
  const worker = new Worker<QueueJobData, RunResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job) => {
      const data = job.data;
      const runDir = options.outRoot ? join(resolve(options.outRoot), data.sweepId, data.relDir) : data.job.runDir;
      log(`start  ${data.job.key} (attempt ${job.attemptsMade + 1})`);
      const outcome = await pool.run({ ...data.job, runDir });
      processed++;
      if (outcome.status === 'done') {
        log(`done   ${data.job.key}`);
        return outcome.result;
      }
      if (outcome.status === 'failed') {
        log(`FAILED ${data.job.key}: ${outcome.error.split('\n')[0]}`);
        // A training exception is deterministic: do not retry it. A dead thread may be transient.
        if (outcome.crashed) throw new Error(outcome.error);
        throw new UnrecoverableError(outcome.error);
      }
      throw new Error('interrupted (the run checkpointed; a retry resumes it)');
    },
    {
      connection,
      concurrency,
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
    },
  );
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  log(`worker: ${concurrency} thread(s) on queue "${worker.name}" at ${options.redisUrl}`);
  await new Promise<void>((res) => {
    if (options.signal?.aborted) return res();
    options.signal?.addEventListener('abort', () => res(), { once: true });
  });
  log('worker: stopping (running jobs checkpoint and return to the queue)');
  pool.abort();
  await worker.close();
  await pool.close();
  return { processed };
}
