/**
 * runTraining (contract 4): resolve the config, pick the backend, train, and write the run
 * directory of docs/run-directory.md through a RunDirWriter callback. Used by `keiko train`,
 * sweeps (worker threads) and scripts; `callbacks` observe the same event stream.
 *
 * Resume: with `resume: true` the run continues from checkpoints/latest (config.json of the run
 * directory wins; `steps` may be raised). Ctrl-C / `signal` abort: a checkpoint is written and
 * the promise resolves with `interrupted: true`. SIGKILL loses at most the steps since the last
 * checkpoint. A non-finite loss throws NonFiniteLossError and keeps the last good checkpoint.
 */

import { initNodeBackend } from './backend-node';
import { make } from '../envs/registry';
import { checkEnvConfig, ConfigError, resolveConfig, type DqnConfig, type TrainInput } from '../agents/dqn/config';
import type { Callback } from '../agents/dqn/callbacks';
import type { LoopSummary, TrainEvent } from '../agents/dqn/events';
import { DqnTrainer } from '../agents/dqn/loop';
import { SnapshotError } from '../agents/dqn/state';
import { RunDir, RUN_FILES } from './run-dir';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, checkpointFiles, hasCheckpoint, readCheckpoint } from './checkpoint';
import { RunDirWriter } from './run-dir-writer';
import { removeStaleTempFiles } from './atomic';

export type { TrainInput, TrainEvent };

export interface RunTrainingOptions {
  outDir: string;
  /** Continue the run in outDir from its latest checkpoint (an error if there is none). */
  resume?: boolean;
  /** With resume: allow changing keys other than `steps` (each change is recorded in resumes.jsonl). */
  override?: boolean;
  /** Listeners of the run's event stream (after the run-directory writer). */
  callbacks?: readonly Callback[];
  signal?: AbortSignal;
  /** No backend banner. */
  quiet?: boolean;
  /** Where a resume reports that it skipped an unusable checkpoint (default console.warn). */
  onWarning?: (message: string) => void;
}

export interface RunSummary extends LoopSummary {
  seed: number;
  backend: string;
  outDir: string;
  /** Set when training stopped on an error (e.g. a non-finite loss). */
  error?: string;
}


/** What a run will do, before it starts: its config, the checkpoint to continue, the changes a resume makes. */
export interface ResolvedRun {
  config: DqnConfig;
  /** The checkpoint files to resume from, newest first (empty for a fresh run). */
  checkpoints: string[];
  /** Keys a resume changes (`steps`, or any key with `override`), from the saved value to the new one. */
  changes: Record<string, { from: unknown; to: unknown }>;
}

/**
 * Resolve the config of a fresh or resumed run. A resume uses the run's own config.json: it
 * needs an existing directory with a checkpoint, may raise `steps`, and changes other keys only
 * with `override`. Throws ConfigError (nothing written) otherwise.
 */
export function resolveRun(input: TrainInput, options: Pick<RunTrainingOptions, 'outDir' | 'resume' | 'override'>): ResolvedRun {
  const runDir = new RunDir(options.outDir);
  if (!options.resume) {
    const config = resolveConfig(input);
    if (runDir.hasRun()) {
      throw new ConfigError([{ path: 'outDir', message: `${options.outDir} already holds a run; pass resume to continue it, or choose another directory` }]);
    }
    return { config, checkpoints: [], changes: {} };
  }
  const latest = runDir.path(RUN_FILES.latest);
  if (!existsSync(options.outDir)) throw new ConfigError([{ path: 'outDir', message: `${options.outDir} does not exist: there is no run to resume` }]);
  if (!hasCheckpoint(latest)) {
    throw new ConfigError([{ path: 'outDir', message: `${options.outDir} has no checkpoint to resume (${join(RUN_FILES.latest, 'checkpoint.bin')} is missing); start a fresh run in another directory` }]);
  }
  let saved: Record<string, unknown>;
  try {
    saved = runDir.readConfig() as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([{ path: 'outDir', message: `${runDir.path(RUN_FILES.config)} cannot be read: ${(err as Error).message}` }]);
  }
  const changes: ResolvedRun['changes'] = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    // 'auto' picks a backend; the run recorded the one it got.
    if (key === 'backend' && value === 'auto') continue;
    if (JSON.stringify(value) !== JSON.stringify(saved[key])) changes[key] = { from: saved[key], to: value };
  }
  const refused = Object.keys(changes).filter((k) => k !== 'steps');
  if (refused.length > 0 && !options.override) {
    throw new ConfigError(
      refused.map((k) => ({ path: k, message: `the run was started with ${JSON.stringify(changes[k].from)}; a resume keeps the run's config (only steps may be raised) — pass override to change it to ${JSON.stringify(changes[k].to)}` })),
    );
  }
  const config = resolveConfig({ ...saved, ...Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to])) });
  return { config, checkpoints: checkpointFiles(latest), changes };
}

export async function runTraining(input: TrainInput, options: RunTrainingOptions): Promise<RunSummary> {
  const runDir = new RunDir(options.outDir);
  const { config, checkpoints, changes } = resolveRun(input, options);
  checkEnvConfig(config);
  const backend = await initNodeBackend(config.backend, { quiet: options.quiet });
  const resolved: DqnConfig = { ...config, backend: backend.name === 'webgl' ? 'auto' : backend.name };
  const writer = new RunDirWriter(runDir, { seed: resolved.seed, backend: backend.name, outDir: options.outDir });
  const newTrainer = () => new DqnTrainer(resolved, make, { callbacks: [writer, ...(options.callbacks ?? [])] });
  let trainer: DqnTrainer | null = null;
  try {
    if (checkpoints.length > 0) {
      // Newest first; an unreadable or invalid one is skipped with a warning naming it.
      const problems: string[] = [];
      for (const file of checkpoints) {
        const candidate = newTrainer();
        try {
          const ck = readCheckpoint(runDir.path(RUN_FILES.latest), file);
          await candidate.restore(ck.snapshot).catch((err: unknown) => {
            throw err instanceof SnapshotError ? new CheckpointError(file, err.message) : err;
          });
          if (problems.length > 0) (options.onWarning ?? console.warn)(`${problems.join('; ')} — resuming from ${file} (step ${candidate.step})`);
          runDir.reopen(ck.extra.metricsBytes);
          // A run killed mid-write leaves temp files behind (a partial checkpoint is as large as the replay buffer).
          removeStaleTempFiles(options.outDir);
          trainer = candidate;
          break;
        } catch (err) {
          candidate.dispose();
          if (!(err instanceof CheckpointError)) throw err;
          problems.push(err.message);
        }
      }
      if (!trainer) throw new CheckpointError(checkpoints.join(' and '), `no usable checkpoint: ${problems.join('; ')}`);
      if (Object.keys(changes).length > 0) {
        runDir.writeConfig(resolved);
        runDir.recordResume({ at: new Date().toISOString(), step: trainer.step, changes });
      }
    } else {
      trainer = newTrainer();
      runDir.create(resolved);
    }
    let loop: LoopSummary;
    try {
      loop = await trainer.run(options.signal);
    } catch (err) {
      writer.writeError(trainer.summary(), (err as Error).message);
      throw err;
    }
    return writer.finalSummary(loop);
  } finally {
    trainer?.dispose();
  }
}
