/**
 * Records every N-th training episode as a replay file (agents/recording): per step the frame
 * the agent saw, its action, the env's reward, the Q-values and ε. A listener: it renders the env
 * after each step for the next one, and emits a 'replay' event when the episode ends.
 */
import { z } from 'zod';
import type { RenderFrame } from '../../envs/core';
import { EpisodeRecorder, replayFileName } from '../recording/recorder';
import { BaseCallback, type StepContext } from './callbacks';
import type { TrainEvent } from './events';
import { parseState, SnapshotError, type PartState } from './state';

export class RecordEpisodes extends BaseCallback {
  readonly stateKey = 'recorder';
  private recorder: EpisodeRecorder | null = null;
  /** The frame the next step starts from. */
  private frame: RenderFrame | null = null;
  private lastTerminated = false;
  private lastTruncated = false;

  constructor(readonly every: number) {
    super();
  }

  onStep(s: StepContext): void {
    const rec = this.recorder;
    if (!rec) return;
    rec.step(this.frame!, s.action, s.reward, this.trainer.agent.qValues(s.obs), s.epsilon);
    this.frame = this.trainer.env.render();
    this.lastTerminated = s.terminated;
    this.lastTruncated = s.truncated;
  }

  onEvent(e: TrainEvent): void | Promise<void> {
    if (e.type === 'episode-start') {
      const env = this.trainer.env;
      this.recorder =
        this.every > 0 && e.episode % this.every === 0
          ? new EpisodeRecorder({ envId: this.trainer.config.env, family: env.spec.family, actionNames: env.actionSpace.actionNames, seed: e.seed, kind: 'train', episode: e.episode })
          : null;
      this.frame = this.recorder ? env.render() : null;
    } else if (e.type === 'episode' && this.recorder) {
      const file = this.recorder.finish(this.frame!, e.step, this.lastTerminated, this.lastTruncated);
      this.recorder = null;
      return this.trainer.emit({ type: 'replay', step: e.step, name: replayFileName('train', e.episode, e.step), file });
    }
  }

  exportState(): PartState {
    return { json: { recorder: this.recorder ? this.recorder.toJSON() : null, frame: this.frame }, arrays: {} };
  }

  importState(state: PartState): void {
    const j = parseState(z.object({ recorder: z.unknown(), frame: z.unknown() }), state.json);
    if (j.recorder === null || j.recorder === undefined) {
      this.recorder = null;
      this.frame = null;
      return;
    }
    const r = j.recorder as Parameters<typeof EpisodeRecorder.fromJSON>[0];
    if (typeof r !== 'object' || !Array.isArray(r.steps) || typeof r.info !== 'object') throw new SnapshotError('recorder', 'not a recorded episode');
    this.recorder = EpisodeRecorder.fromJSON(r);
    this.frame = j.frame as RenderFrame;
  }
}
