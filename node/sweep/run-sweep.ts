/**
 * `keiko bench`: load and validate a sweep, record its runs in DIR/results.db, execute the
 * unfinished ones on a pool of worker threads (or through a Redis queue, queue.ts), export
 * DIR/results.csv and write the report. Running it again skips finished runs and resumes
 * unfinished ones from their checkpoints.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { atomicWriteJson } from '../atomic';
import { assertRunConfigsCurrent } from './config-drift';
import { expandSweep, paramsLabel, validateRuns, type ConfigValidator, type SweepRun } from './expand';
import { DEFAULT_RUNNER_MODULE, loadRunner } from './execute';
import type { JobOutcome, JobProgress, RunJob } from './job';
import { WorkerPool } from './pool';
import { referenceFor } from './references';
import { writeReport } from './report';
import { envSpec } from '../../envs/registry';
import { isObject, parseSweep, readSweepFile, SweepError, SWEEP_CONTROLLED_KEYS, type Sweep } from './schema';
import { validatorIssues } from './expand';
import { ResultsStore, type RunStatus } from './store';
import { importedModules, importModules } from '../import-modules';

export interface BenchOptions {
  /** The sweep directory (DIR). */
  outDir: string;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** Module exporting runTraining (and optionally resolveConfig); default node/run-training.ts. */
  runnerModule?: string;
  /** Config validator; default: the runner module's resolveConfig, else agents/dqn/config.ts. */
  validate?: ConfigValidator;
  /** Retry runs that failed in an earlier invocation (default true). */
  retryFailed?: boolean;
  /**
   * Modules to import first, here and in every worker thread (paths, file: URLs or packages; e.g.
   * ones that register custom envs). Modules already imported with importModules() are passed on too.
   */
  imports?: readonly string[];
  signal?: AbortSignal;
  /**
   * A pool shared with other sweeps (its runner module and progress callback are the pool's;
   * runSweep does not close it). Default: a pool of its own with `workers` threads.
   */
  pool?: WorkerPool;
  /** A run's priority in the pool: higher starts first (default 0, sweep order). */
  priority?: (run: SweepRun) => number;
  /** Called once the sweep is validated and its unfinished runs are about to be queued. */
  onReady?: () => void;
  /** Human-readable progress lines (default: none). */
  log?: (line: string) => void;
  /** Training progress and each run's 'finished' (with a shared pool, progress goes to the pool's callback; this one gets 'finished' only). */
  onProgress?: (p: JobProgress) => void;
}

export interface SweepSummary {
  outDir: string;
  total: number;
  /** Runs executed by this invocation (not skipped as already done). */
  executed: number;
  skipped: number;
  counts: Record<RunStatus, number>;
  aborted: boolean;
  reportPath: string;
}

/** Turn a module path or URL into an importable URL. */
export function moduleUrl(spec: string): string {
  return /^[a-z]+:/i.test(spec) && !/^[a-z]:\\/i.test(spec) ? spec : pathToFileURL(resolve(spec)).href;
}

/** The validator: the runner's own resolveConfig, else the DQN config's. */
export async function loadValidator(runnerModule?: string): Promise<ConfigValidator> {
  if (runnerModule && runnerModule !== DEFAULT_RUNNER_MODULE) {
    const m = await loadRunner(runnerModule);
    if (m.resolveConfig) return m.resolveConfig;
  }
  const config = (await import('../../agents/dqn/config')) as { resolveConfig: ConfigValidator };
  return config.resolveConfig;
}

export interface PreparedSweep {
  sweep: Sweep;
  runs: SweepRun[];
  source: string;
  /** Reward threshold per env id (the env spec's, else the reference table's). */
  thresholds: Record<string, number | null>;
  /** Modules every run imports first (absolute URLs): those this thread imported with importModules(). */
  imports: string[];
}

/** The env's reward threshold from the registry's spec (throws for an unknown id). */
export function registryThreshold(id: string): number | null {
  return envSpec(id).rewardThreshold;
}

/**
 * Load, expand and validate a sweep file: the sweep's shape, every env id (against the env
 * registry) and every expanded training config (with `validate`). Throws one SweepError listing
 * every problem with its path; writes nothing.
 */
export async function prepareSweep(
  sweepFile: string,
  validate: ConfigValidator,
  envThreshold: (id: string) => number | null = registryThreshold,
): Promise<PreparedSweep> {
  const raw = readSweepFile(sweepFile);
  let sweep: Sweep;
  try {
    sweep = parseSweep(raw, sweepFile);
  } catch (err) {
    if (!(err instanceof SweepError)) throw err;
    // The shape is wrong, so there is nothing to expand; still check what can be checked (env
    // ids, config keys and values) so that one pass lists every problem.
    const more = lintRawSweep(raw, validate, envThreshold);
    throw new SweepError(sweepFile, [...new Set([...err.issues, ...more])]);
  }
  const runs = expandSweep(sweep);
  const issues: string[] = [];
  const thresholds: Record<string, number | null> = {};
  sweep.envs.forEach((entry, i) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    try {
      thresholds[id] = envThreshold(id);
    } catch (err) {
      issues.push(`envs[${i}]${typeof entry === 'string' ? '' : '.id'}: ${(err as Error).message}`);
    }
  });
  try {
    validateRuns(sweep, runs, validate, sweepFile);
  } catch (err) {
    if (!(err instanceof SweepError)) throw err;
    issues.push(...err.issues);
  }
  if (issues.length > 0) throw new SweepError(sweepFile, issues);
  return { sweep, runs, source: sweepFile, thresholds, imports: [...importedModules()] };
}

/** Best-effort checks of a sweep whose shape is invalid: env ids and the training config keys. */
export function lintRawSweep(raw: unknown, validate: ConfigValidator, envThreshold: (id: string) => number | null): string[] {
  if (!isObject(raw)) return [];
  const issues: string[] = [];
  const envs = Array.isArray(raw.envs) ? raw.envs : [];
  let firstEnv: string | undefined;
  envs.forEach((entry, i) => {
    const id = typeof entry === 'string' ? entry : isObject(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    if (id === undefined) return;
    try {
      envThreshold(id);
      firstEnv ??= id;
    } catch (err) {
      issues.push(`envs[${i}]${typeof entry === 'string' ? '' : '.id'}: ${(err as Error).message}`);
    }
  });
  const candidate: Record<string, unknown> = {};
  const source = new Map<string, string>();
  const put = (key: string, value: unknown, where: string) => {
    if ((SWEEP_CONTROLLED_KEYS as readonly string[]).includes(key) || value === undefined) return;
    candidate[key] = value;
    source.set(key, where);
  };
  if (isObject(raw.base)) for (const [k, v] of Object.entries(raw.base)) put(k, v, `base.${k}`);
  if (isObject(raw.grid)) for (const [k, v] of Object.entries(raw.grid)) if (Array.isArray(v) && v.length > 0) put(k, v[0], `grid.${k}`);
  if (isObject(raw.random) && isObject(raw.random.space)) {
    for (const [k, d] of Object.entries(raw.random.space)) {
      if (!isObject(d)) continue;
      const v = Array.isArray(d.choice) ? d.choice[0] : [d.uniform, d.logUniform, d.intUniform].find(Array.isArray)?.[1];
      put(k, v, `random.space.${k}`);
    }
  }
  try {
    validate({ ...candidate, env: firstEnv ?? 'CartPole-v1', steps: typeof raw.steps === 'number' && raw.steps > 0 ? raw.steps : 1000, seed: 0 });
  } catch (err) {
    for (const { path, message } of validatorIssues(err)) {
      const where = path[0] !== undefined ? source.get(path[0]) : undefined;
      if (where) issues.push(`${where}${path.slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('')}: ${message}`);
    }
  }
  return issues;
}

export function runJob(prepared: PreparedSweep, run: SweepRun, outDir: string): RunJob {
  return {
    key: run.key,
    env: run.env,
    config: run.config,
    runDir: join(resolve(outDir), run.relDir),
    threshold: prepared.thresholds[run.env] ?? referenceFor(run.env, prepared.sweep.references)?.threshold ?? null,
    ...(prepared.imports?.length ? { imports: prepared.imports } : {}),
  };
}

/**
 * Create DIR, open the store, add the sweep's runs, requeue unfinished ones. Returns the store and
 * the runs still to do, in sweep order.
 */
export function openSweepDir(
  prepared: PreparedSweep,
  outDir: string,
  retryFailed = true,
): { store: ResultsStore; todo: SweepRun[]; skipped: number } {
  mkdirSync(outDir, { recursive: true });
  atomicWriteJson(join(outDir, 'sweep.json'), { source: prepared.source, sweep: prepared.sweep, runs: prepared.runs.length });
  const store = new ResultsStore(join(outDir, 'results.db'));
  store.setMeta('sweep', JSON.stringify(prepared.sweep));
  store.addRuns(prepared.runs, (r) => paramsLabel(r.hyperparams), (r) => r.relDir);
  const keys = prepared.runs.map((r) => r.key);
  store.requeueUnfinished(keys, retryFailed);
  const status = new Map(store.rows(keys).map((r) => [r.key, r.status]));
  const todo = prepared.runs.filter((r) => status.get(r.key) === 'pending');
  return { store, todo, skipped: prepared.runs.length - todo.length };
}

/** Record one job outcome in the store (each transition is its own transaction). */
export function recordOutcome(store: ResultsStore, key: string, outcome: JobOutcome): void {
  if (outcome.status === 'done') store.markDone(key, outcome.result);
  else if (outcome.status === 'failed') store.markFailed(key, outcome.error, outcome.wallSeconds);
  else store.markPending(key);
}

export function describeOutcome(run: SweepRun, outcome: JobOutcome): string {
  const what = `${run.env} ${paramsLabel(run.hyperparams)} seed ${run.seed}`;
  if (outcome.status === 'done') {
    const r = outcome.result;
    const final = r.finalMean === null ? 'n/a' : r.finalMean.toFixed(1);
    return `done   ${what}: final eval ${final} (${r.wallSeconds.toFixed(1)} s)`;
  }
  if (outcome.status === 'failed') return `FAILED ${what}: ${outcome.error.split('\n')[0]}`;
  return `paused ${what} (will resume)`;
}

/** Export results.csv and write report.md / report.html for the sweep's runs. */
export function finishSweep(prepared: PreparedSweep, store: ResultsStore, outDir: string): string {
  const keys = prepared.runs.map((r) => r.key);
  store.exportCsv(join(outDir, 'results.csv'), keys);
  return writeReport(outDir, prepared.sweep, store.rows(keys));
}

export async function runSweep(sweepFile: string, options: BenchOptions): Promise<SweepSummary> {
  // Before the sweep is checked: the modules may register its envs.
  if (options.imports?.length) await importModules(options.imports);
  const runnerModule = options.runnerModule ? moduleUrl(options.runnerModule) : undefined;
  const validate = options.validate ?? (await loadValidator(runnerModule));
  const prepared = await prepareSweep(sweepFile, validate);
  const outDir = resolve(options.outDir);
  const log = options.log ?? (() => {});
  assertRunConfigsCurrent(prepared.source, prepared.runs, outDir, validate);
  const { store, todo, skipped } = openSweepDir(prepared, outDir, options.retryFailed ?? true);
  const total = prepared.runs.length;
  const threads = options.pool?.size ?? options.workers ?? availableParallelism();
  const workers = Math.max(1, Math.min(threads, Math.max(1, todo.length)));
  const shared = options.pool ? ' (shared)' : '';
  log(`sweep: ${total} runs (${skipped} already done, ${todo.length} to run) on ${workers} worker thread(s)${shared} → ${outDir}`);

  const pool = options.pool ?? new WorkerPool({ size: workers, runnerModule, onProgress: options.onProgress });
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    log('sweep: stopping — running jobs checkpoint and will resume on the next run');
    pool.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let finished = 0;
  try {
    const queue = [...todo];
    // One lane per worker thread: a run is marked running only when a worker takes it.
    const lane = async () => {
      while (queue.length > 0 && !aborted) {
        const run = queue.shift()!;
        const outcome = await pool.run(runJob(prepared, run, outDir), {
          priority: options.priority?.(run) ?? 0,
          onStart: () => store.markRunning(run.key),
        });
        recordOutcome(store, run.key, outcome);
        options.onProgress?.({ key: run.key, step: run.steps, type: 'finished' });
        if (outcome.status === 'aborted') continue;
        finished++;
        log(`[${skipped + finished}/${total}] ${describeOutcome(run, outcome)}`);
        store.exportCsv(join(outDir, 'results.csv'), prepared.runs.map((r) => r.key));
      }
    };
    // Each lane queues its first run before its first await, so all are queued here.
    const lanes = Array.from({ length: workers }, lane);
    options.onReady?.();
    await Promise.all(lanes);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!options.pool) await pool.close();
  }
  const reportPath = finishSweep(prepared, store, outDir);
  const counts = store.counts(prepared.runs.map((r) => r.key));
  store.close();
  log(`sweep: ${counts.done} done, ${counts.failed} failed, ${counts.pending + counts.running} unfinished; report: ${reportPath}`);
  return { outDir, total, executed: finished, skipped, counts, aborted, reportPath };
}
