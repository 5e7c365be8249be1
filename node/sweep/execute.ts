/**
 * Run one sweep job in the current thread: fresh start or resume from the run directory's
 * checkpoint, then summarise the run directory. Used inside worker threads (worker-entry.ts).
 * The job's `imports` (modules that register custom envs) are imported first, once per thread,
 * and recorded in the run directory's imports.json, so `keiko train --out RUN --resume` finds them.
 */
import { existsSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobOutcome, JobProgress, RunJob, RunnerModule } from './job';
import { readSummary, summarizeRunDir } from './run-result';
import { importModules, writeRunImports } from '../import-modules';

/** The default trainer (contract 4), resolved relative to this file so it works from any cwd. */
export const DEFAULT_RUNNER_MODULE = new URL('../run-training.ts', import.meta.url).href;

const runnerCache = new Map<string, Promise<RunnerModule>>();

export function loadRunner(moduleUrl: string = DEFAULT_RUNNER_MODULE): Promise<RunnerModule> {
  let p = runnerCache.get(moduleUrl);
  if (!p) {
    p = import(moduleUrl).then((m: Partial<RunnerModule>) => {
      if (typeof m.runTraining !== 'function') throw new Error(`${moduleUrl} does not export runTraining()`);
      return m as RunnerModule;
    });
    runnerCache.set(moduleUrl, p);
  }
  return p;
}

/** A checkpoint to resume from: docs/run-directory.md's checkpoints/latest/. */
export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, 'checkpoints', 'latest'));
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

export async function executeJob(
  job: RunJob,
  runner: RunnerModule,
  options: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
): Promise<JobOutcome> {
  const t0 = performance.now();
  const resume = hasCheckpoint(job.runDir);
  // Without a checkpoint there is nothing to resume: start clean (a run killed before its first
  // checkpoint may have left a partial metrics.jsonl behind).
  if (!resume) rmSync(job.runDir, { recursive: true, force: true });
  mkdirSync(job.runDir, { recursive: true });
  let lastProgress = 0;
  const onEvent = (e: unknown) => {
    if (!options.onProgress || !e || typeof e !== 'object') return;
    const ev = e as { type?: unknown; step?: unknown; meanReturn?: unknown; sps?: unknown };
    if (typeof ev.step !== 'number') return;
    const isEval = ev.type === 'eval';
    const t = performance.now();
    if (!isEval && t - lastProgress < 1000) return; // throttle: progress, not a firehose
    lastProgress = t;
    options.onProgress({
      key: job.key,
      step: ev.step,
      type: String(ev.type ?? 'event'),
      ...(typeof ev.meanReturn === 'number' ? { meanReturn: ev.meanReturn } : {}),
      ...(typeof ev.sps === 'number' ? { sps: ev.sps } : {}),
    });
  };
  try {
    if (job.imports?.length) {
      await importModules(job.imports);
      writeRunImports(job.runDir, job.imports);
    }
    const summary = await runner.runTraining(job.config, {
      outDir: job.runDir,
      resume,
      callbacks: [{ onEvent }],
      signal: options.signal,
      quiet: true,
    });
    if (options.signal?.aborted) return { status: 'aborted' };
    const seconds = (performance.now() - t0) / 1000;
    // runTraining reports some stops (e.g. a non-finite loss) in the summary instead of throwing.
    const stopped = (summary as { error?: unknown; interrupted?: unknown } | null) ?? {};
    if (typeof stopped.error === 'string' && stopped.error) {
      return { status: 'failed', error: stopped.error, wallSeconds: seconds, crashed: false };
    }
    if (stopped.interrupted === true) return { status: 'aborted' };
    // summary.json is the contract; the returned summary is the fallback.
    const fromFile = readSummary(job.runDir);
    const result = summarizeRunDir(job.runDir, job.threshold, fromFile ?? ((summary ?? null) as never), seconds);
    return { status: 'done', result };
  } catch (err) {
    if (options.signal?.aborted) return { status: 'aborted' };
    return { status: 'failed', error: errorText(err), wallSeconds: (performance.now() - t0) / 1000, crashed: false };
  }
}
