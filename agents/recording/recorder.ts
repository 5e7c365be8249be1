/**
 * Records one episode as a replay file (agents/recording/replay-format.ts): per step the frame the
 * agent saw, its action, the reward, the Q-values and ε; the return at the end.
 */
import type { RenderFrame } from '../../envs/core';
import { REPLAY_FORMAT, REPLAY_VERSION, type ReplayFile, type ReplayStep } from './replay-format';

export interface RecorderInfo {
  envId: string;
  family: string;
  actionNames: readonly string[];
  seed: number;
  kind: 'train' | 'eval';
  episode: number;
}

export class EpisodeRecorder {
  steps: ReplayStep[] = [];
  ret = 0;

  constructor(readonly info: RecorderInfo) {}

  step(frame: RenderFrame, action: number, reward: number, q: ArrayLike<number> | null, epsilon: number): void {
    this.steps.push({
      frame,
      action,
      actionName: this.info.actionNames[action] ?? String(action),
      reward,
      q: q ? Array.from(q, (v) => (Number.isFinite(v) ? v : 0)) : null,
      epsilon: Math.min(1, Math.max(0, epsilon)),
    });
    this.ret += reward;
  }

  finish(finalFrame: RenderFrame, trainingStep: number, terminated: boolean, truncated: boolean): ReplayFile {
    return {
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      env: { id: this.info.envId, family: this.info.family },
      actionNames: [...this.info.actionNames],
      seed: this.info.seed,
      kind: this.info.kind,
      episode: this.info.episode,
      trainingStep,
      steps: this.steps,
      finalFrame,
      return: this.ret,
      length: this.steps.length,
      terminated,
      truncated,
    };
  }

  /** Plain data for a checkpoint taken mid-episode. */
  toJSON(): { info: RecorderInfo; steps: ReplayStep[]; ret: number } {
    return { info: this.info, steps: this.steps, ret: this.ret };
  }

  static fromJSON(data: { info: RecorderInfo; steps: ReplayStep[]; ret: number }): EpisodeRecorder {
    const r = new EpisodeRecorder(data.info);
    r.steps = data.steps;
    r.ret = data.ret;
    return r;
  }
}

/** File name inside replays/: zero-padded so that names sort in time order. */
export function replayFileName(kind: 'train' | 'eval', episode: number, step: number, suffix = ''): string {
  const s = String(step).padStart(9, '0');
  return kind === 'train' ? `train-ep${String(episode).padStart(6, '0')}-step${s}${suffix}.json` : `eval-step${s}${suffix}.json`;
}
