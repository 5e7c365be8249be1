/**
 * The run-directory writer as a training callback: metric lines → metrics.jsonl, replays →
 * replays/, checkpoints → checkpoints/latest (with a summary of the run so far), the best
 * evaluation's agent → checkpoints/best, the final agent → final/ (and → checkpoints/best too
 * when no periodic evaluation ran), and the final summary.json. Agents are agent directories
 * (node/agent-dir.ts). Every file but metrics.jsonl (append-only, one whole line per write) is
 * written atomically.
 */
import { BaseCallback } from '../agents/dqn/callbacks';
import { isMetricLine, type LoopSummary, type TrainEvent } from '../agents/dqn/events';
import { writeCheckpoint } from './checkpoint';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteJson } from './atomic';
import { RUN_AGENTS, saveAgentDir } from './agent-dir';
import { RUN_FILES, type RunDir } from './run-dir';

export interface RunInfo {
  seed: number;
  backend: string;
  outDir: string;
}

/**
 * A file of the run could not be written (disk full, no permission, …). Training stops; the
 * files written before — the last checkpoint above all — are intact, since every write that
 * replaces a file is atomic.
 */
export class RunWriteError extends Error {
  override name = 'RunWriteError';
  constructor(
    readonly path: string,
    readonly code: string,
    detail: string,
  ) {
    super(`cannot write ${path} (${code}: ${detail}); training stopped, the last good checkpoint is kept — fix the cause and resume with --resume`);
  }
}

function pathOf(err: NodeJS.ErrnoException, fallback: string): string {
  return typeof err.path === 'string' ? err.path : fallback;
}

export class RunDirWriter extends BaseCallback {
  constructor(
    readonly runDir: RunDir,
    readonly info: RunInfo,
  ) {
    super();
  }

  onEvent(e: TrainEvent): void {
    try {
      this.write(e);
    } catch (err) {
      const io = err as NodeJS.ErrnoException;
      if (typeof io.code === 'string' && typeof io.syscall === 'string') throw new RunWriteError(pathOf(io, this.runDir.dir), io.code, io.message.replace(/^[A-Z]+: /, '').split(',')[0]);
      throw err;
    }
  }

  private write(e: TrainEvent): void {
    const dir = this.runDir;
    if (isMetricLine(e)) {
      dir.appendMetric(e);
    } else if (e.type === 'replay') {
      dir.writeReplay(e.name, e.file);
    } else if (e.type === 'checkpoint') {
      writeCheckpoint(dir.path(RUN_FILES.latest), e.snapshot, { metricsBytes: dir.metricsBytes });
      dir.writeSummary({ ...this.trainer.summary(), ...this.info });
    } else if (e.type === 'best') {
      const { type: _type, ...result } = e;
      this.writeAgent(RUN_AGENTS.best, e.step, { ...result, evaluation: 'periodic' });
    } else if (e.type === 'end') {
      // The final agent (also on an interrupt: the network at that step); the best one is the
      // final one when no periodic evaluation ran.
      const fe = e.summary.finalEval;
      this.writeAgent(RUN_AGENTS.final, e.step, fe ? { step: e.step, ...fe, evaluation: 'final' } : null);
      if (fe && e.summary.bestEval === null) this.writeAgent(RUN_AGENTS.best, e.step, { step: e.step, ...fe, evaluation: 'final' });
    }
  }

  /** An agent directory of the current online network, with its evaluation in eval.json (or none). */
  private writeAgent(sub: string, step: number, evaluation: Record<string, unknown> | null): void {
    const out = this.runDir.path(sub);
    saveAgentDir(out, this.trainer.agent, { step });
    if (evaluation) atomicWriteJson(join(out, 'eval.json'), evaluation);
    else rmSync(join(out, 'eval.json'), { force: true });
  }

  /** summary.json at the end of a run, and what runTraining returns. */
  finalSummary(loop: LoopSummary): LoopSummary & RunInfo {
    const summary = { ...loop, ...this.info };
    this.runDir.writeSummary(summary);
    return summary;
  }

  /** summary.json when training stopped on an error (the last checkpoint is kept). */
  writeError(partial: LoopSummary, error: string): void {
    try {
      this.runDir.writeSummary({ ...partial, ...this.info, error });
    } catch {
      // The disk that failed the run may fail this too; the error itself still reaches the caller.
    }
  }
}
