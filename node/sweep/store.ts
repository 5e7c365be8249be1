/**
 * The sweep's results store: `DIR/results.db` (SQLite through better-sqlite3, WAL mode), one row
 * per run. Every status transition is its own transaction, so killing the sweep at any moment
 * loses no finished run. `DIR/results.csv` is an export of the same rows (atomic write).
 */
import Database from 'better-sqlite3';
import Papa from 'papaparse';
import { atomicWriteFile } from '../atomic';
import type { SweepRun } from './expand';
import type { Curve } from './stats';

export type RunStatus = 'pending' | 'running' | 'done' | 'failed';

/** What a finished run measured (computed from its run directory by summarizeRunDir). */
export interface RunResult {
  finalMean: number | null;
  finalStd: number | null;
  bestMean: number | null;
  /** Mean evaluation return over the evaluation points (docs/sweeps.md). */
  auc: number | null;
  stepsToThreshold: number | null;
  wallSeconds: number;
  sps: number | null;
  /** The evaluation curve: [step, mean return] per evaluation. */
  curve: Curve;
}

export interface RunRow {
  key: string;
  env: string;
  configHash: string;
  configLabel: string;
  hyperparams: Record<string, unknown>;
  seed: number;
  steps: number;
  runDir: string;
  status: RunStatus;
  finalMean: number | null;
  finalStd: number | null;
  bestMean: number | null;
  auc: number | null;
  stepsToThreshold: number | null;
  wallSeconds: number | null;
  sps: number | null;
  error: string | null;
  attempts: number;
  curve: Curve;
  startedAt: string | null;
  finishedAt: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  key TEXT PRIMARY KEY,
  env TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  config_label TEXT NOT NULL,
  hyperparams TEXT NOT NULL,
  params_key TEXT NOT NULL,
  seed INTEGER NOT NULL,
  steps INTEGER NOT NULL,
  config TEXT NOT NULL,
  run_dir TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  final_mean REAL,
  final_std REAL,
  best_mean REAL,
  auc REAL,
  steps_to_threshold INTEGER,
  wall_seconds REAL,
  sps REAL,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  curve TEXT,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The columns of results.csv, in order (also the report's raw table). */
export const CSV_COLUMNS = [
  'key',
  'env',
  'config_hash',
  'config_label',
  'hyperparams',
  'seed',
  'steps',
  'status',
  'final_mean',
  'final_std',
  'best_mean',
  'auc',
  'steps_to_threshold',
  'wall_seconds',
  'sps',
  'error',
  'attempts',
  'run_dir',
] as const;

interface DbRow {
  key: string;
  env: string;
  config_hash: string;
  config_label: string;
  hyperparams: string;
  params_key: string;
  seed: number;
  steps: number;
  config: string;
  run_dir: string;
  status: RunStatus;
  final_mean: number | null;
  final_std: number | null;
  best_mean: number | null;
  auc: number | null;
  steps_to_threshold: number | null;
  wall_seconds: number | null;
  sps: number | null;
  error: string | null;
  attempts: number;
  curve: string | null;
  started_at: string | null;
  finished_at: string | null;
}

function toRow(r: DbRow): RunRow {
  return {
    key: r.key,
    env: r.env,
    configHash: r.config_hash,
    configLabel: r.config_label,
    hyperparams: JSON.parse(r.hyperparams) as Record<string, unknown>,
    seed: r.seed,
    steps: r.steps,
    runDir: r.run_dir,
    status: r.status,
    finalMean: r.final_mean,
    finalStd: r.final_std,
    bestMean: r.best_mean,
    auc: r.auc,
    stepsToThreshold: r.steps_to_threshold,
    wallSeconds: r.wall_seconds,
    sps: r.sps,
    error: r.error,
    attempts: r.attempts,
    curve: r.curve ? (JSON.parse(r.curve) as Curve) : [],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

const now = () => new Date().toISOString();

export class ResultsStore {
  readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed transition survives power loss too, not only a killed process.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Insert every run not yet in the store as pending (existing rows keep their status). */
  addRuns(runs: readonly SweepRun[], label: (run: SweepRun) => string, runDir: (run: SweepRun) => string): void {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO runs
      (key, env, config_hash, config_label, hyperparams, params_key, seed, steps, config, run_dir, status)
      VALUES (@key, @env, @configHash, @label, @hyperparams, @paramsKey, @seed, @steps, @config, @runDir, 'pending')`);
    this.db.transaction(() => {
      for (const run of runs) {
        insert.run({
          key: run.key,
          env: run.env,
          configHash: run.configHash,
          label: label(run),
          hyperparams: JSON.stringify(run.hyperparams),
          paramsKey: run.paramsKey,
          seed: run.seed,
          steps: run.steps,
          config: JSON.stringify(run.config),
          runDir: runDir(run),
        });
      }
    })();
  }

  /**
   * Runs left 'running' by a sweep that died are unfinished: make them pending again (they resume
   * from their checkpoints). Failed runs are retried too unless `retryFailed` is false.
   */
  requeueUnfinished(keys: readonly string[], retryFailed = true): number {
    const stmt = this.db.prepare(
      `UPDATE runs SET status = 'pending' WHERE key = ? AND (status = 'running'${retryFailed ? " OR status = 'failed'" : ''})`,
    );
    let n = 0;
    this.db.transaction(() => {
      for (const key of keys) n += stmt.run(key).changes;
    })();
    return n;
  }

  markRunning(key: string): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = ?, error = NULL WHERE key = ?`)
      .run(now(), key);
  }

  markPending(key: string): void {
    this.db.prepare(`UPDATE runs SET status = 'pending' WHERE key = ? AND status = 'running'`).run(key);
  }

  markDone(key: string, result: RunResult): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'done', final_mean = @finalMean, final_std = @finalStd, best_mean = @bestMean,
         auc = @auc, steps_to_threshold = @stepsToThreshold, wall_seconds = @wallSeconds, sps = @sps,
         curve = @curve, error = NULL, finished_at = @finishedAt WHERE key = @key`,
      )
      .run({
        key,
        finalMean: result.finalMean,
        finalStd: result.finalStd,
        bestMean: result.bestMean,
        auc: result.auc,
        stepsToThreshold: result.stepsToThreshold,
        wallSeconds: result.wallSeconds,
        sps: result.sps,
        curve: JSON.stringify(result.curve),
        finishedAt: now(),
      });
  }

  markFailed(key: string, error: string, wallSeconds: number | null = null): void {
    this.db
      .prepare(`UPDATE runs SET status = 'failed', error = ?, wall_seconds = ?, finished_at = ? WHERE key = ?`)
      .run(error, wallSeconds, now(), key);
  }

  get(key: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE key = ?').get(key) as DbRow | undefined;
    return r ? toRow(r) : undefined;
  }

  /** All rows (or those whose key is in `keys`), in insertion order. */
  rows(keys?: readonly string[]): RunRow[] {
    const all = (this.db.prepare('SELECT * FROM runs ORDER BY rowid').all() as DbRow[]).map(toRow);
    if (!keys) return all;
    const wanted = new Set(keys);
    return all.filter((r) => wanted.has(r.key));
  }

  counts(keys?: readonly string[]): Record<RunStatus, number> {
    const c: Record<RunStatus, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.rows(keys)) c[r.status]++;
    return c;
  }

  /** Write results.csv (atomically) from the same rows. */
  exportCsv(path: string, keys?: readonly string[]): void {
    const raw = this.db.prepare('SELECT * FROM runs ORDER BY rowid').all() as DbRow[];
    const wanted = keys ? new Set(keys) : null;
    const records: unknown[][] = [[...CSV_COLUMNS]];
    for (const r of raw) {
      if (wanted && !wanted.has(r.key)) continue;
      records.push(CSV_COLUMNS.map((c) => (r as unknown as Record<string, unknown>)[c]));
    }
    // null cells become empty fields.
    atomicWriteFile(path, Papa.unparse(records, { newline: '\n' }) + '\n');
  }
}

/** Parse results.csv back (RFC 4180 quoting), for tests and tools. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...body] = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: true }).data;
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}
