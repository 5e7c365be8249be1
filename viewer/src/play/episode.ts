/**
 * One episode played from the keyboard: the env from the registry (the same make() as training),
 * reset with the chosen seed, every step recorded with the recorder the training runs use, so the
 * saved file is an ordinary replay (agents/recording/replay-format.ts).
 */
import type { Env, RenderFrame } from '../../../envs/core';
import { make, type MakeOptions } from '../../../envs/registry';
import { EpisodeRecorder } from '../../../agents/recording/recorder';
import type { ReplayFile } from '../../../agents/recording/replay-format';

/** What the page exposes about the episode (also to the browser tests). */
export interface PlayedState {
  envId: string;
  seed: number;
  steps: number;
  actions: number[];
  /** The current observation, flat. */
  observation: number[];
  return: number;
  terminated: boolean;
  truncated: boolean;
}

export class PlayedEpisode {
  readonly env: Env;
  readonly actions: number[] = [];
  private recorder: EpisodeRecorder;
  private observation: ArrayLike<number>;
  private frame: RenderFrame;
  terminated = false;
  truncated = false;

  constructor(readonly envId: string, readonly seed: number, readonly envOptions: MakeOptions = {}) {
    this.env = make(envId, envOptions);
    this.observation = this.env.reset({ seed }).observation;
    this.frame = this.env.render();
    this.recorder = new EpisodeRecorder({
      envId,
      family: this.env.spec.family,
      actionNames: this.env.actionSpace.actionNames,
      seed,
      // A played episode is not training; 'eval' is the schema's kind for an episode that did not learn.
      kind: 'eval',
      episode: 0,
    });
  }

  get done(): boolean {
    return this.terminated || this.truncated;
  }

  get return(): number {
    return this.recorder.ret;
  }

  get steps(): number {
    return this.actions.length;
  }

  /** The frame to draw now (after the last step). */
  get currentFrame(): RenderFrame {
    return this.frame;
  }

  /** Take `action`; a finished episode ignores further steps (returns false). */
  step(action: number): boolean {
    if (this.done) return false;
    const before = this.frame;
    const r = this.env.step(action);
    this.recorder.step(before, action, r.reward, null, 0);
    this.actions.push(action);
    this.observation = r.observation;
    this.terminated = r.terminated;
    this.truncated = r.truncated;
    this.frame = this.env.render();
    return true;
  }

  /** The episode so far as a replay file (an unfinished one is saved as truncated). */
  toReplay(): ReplayFile {
    return this.recorder.finish(this.frame, 0, this.terminated, this.truncated || !this.terminated);
  }

  state(): PlayedState {
    return {
      envId: this.envId,
      seed: this.seed,
      steps: this.steps,
      actions: [...this.actions],
      observation: Array.from(this.observation),
      return: this.return,
      terminated: this.terminated,
      truncated: this.truncated,
    };
  }

  close(): void {
    this.env.close();
  }
}

/** File name for a saved played episode, e.g. play-MinAtar-Breakout-v1-seed7.json. */
export function playReplayName(envId: string, seed: number): string {
  return `play-${envId.replace(/[^\w.-]+/g, '-')}-seed${seed}.json`;
}
