/**
 * The run-directory writer as a training callback: metric lines → metrics.jsonl, replays →
 * replays/, checkpoints → checkpoints/latest (with a summary of the run so far), the best
 * evaluation's network → checkpoints/best, and the final summary.json. Every file but
 * metrics.jsonl (append-only, one whole line per write) is written atomically.
 */
import { BaseCallback } from '../agents/dqn/callbacks';
import { isMetricLine, type LoopSummary, type TrainEvent } from '../agents/dqn/events';
import { writeBestModel, writeCheckpoint } from './checkpoint';
import { RUN_FILES, type RunDir } from './run-dir';

export interface RunInfo {
  seed: number;
  backend: string;
  outDir: string;
}

export class RunDirWriter extends BaseCallback {
  constructor(
    readonly runDir: RunDir,
    readonly info: RunInfo,
  ) {
    super();
  }

  onEvent(e: TrainEvent): void {
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
      writeBestModel(dir.path(RUN_FILES.best), this.trainer.agent.online, result);
    }
  }

  /** summary.json at the end of a run, and what runTraining returns. */
  finalSummary(loop: LoopSummary): LoopSummary & RunInfo {
    const summary = { ...loop, ...this.info };
    this.runDir.writeSummary(summary);
    return summary;
  }

  /** summary.json when training stopped on an error (the last checkpoint is kept). */
  writeError(partial: LoopSummary, error: string): void {
    this.runDir.writeSummary({ ...partial, ...this.info, error });
  }
}
