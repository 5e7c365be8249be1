/**
 * The showcase: while the worker trains, the page plays its own episodes of the same env with the
 * latest network the worker sent (greedy, the plain-JS/wasm forward of src/fast-forward.ts), at a
 * watchable speed. New weights are taken at the start of each episode, so one episode is one
 * network; the panel says which training step that network is from.
 */
import type { Env, RenderFrame } from '../../../envs/core';
import { make } from '../../../envs/registry';
import { compileFastForward, type FastForward } from '../../../src/fast-forward';
import type { NetworkSpec } from '../../../src/layers';
import { argmax } from '../../../agents/dqn/policy';

export interface ShowcaseStep {
  frame: RenderFrame;
  /** Q-values of the observation the action was chosen on (a copy). */
  q: number[];
  action: number;
  reward: number;
  episodeReturn: number;
  t: number;
  episode: number;
  /** Training step of the network playing. */
  networkStep: number;
}

export interface FinishedEpisode {
  episode: number;
  return: number;
  length: number;
  networkStep: number;
}

export class Showcase {
  readonly env: Env;
  private readonly forward: FastForward;
  private pending: { step: number; weights: Float32Array } | null = null;
  private networkStep = -1;
  private obs: ArrayLike<number> | null = null;
  private episode = -1;
  private t = 0;
  private episodeReturn = 0;
  private q: number[] = [];

  constructor(envId: string, envOptions: Record<string, unknown>, spec: NetworkSpec, obsShape: readonly number[]) {
    this.env = make(envId, envOptions);
    const forward = compileFastForward(spec, obsShape);
    if (!forward) throw new Error('the showcase cannot run this network in the page (a layer the fast forward pass does not cover)');
    this.forward = forward;
  }

  /** Steps per second that read well: 30 for control tasks, 10 for MinAtar's 10×10 grids. */
  get baseRate(): number {
    return this.env.spec.family === 'minatar' ? 10 : 30;
  }

  get hasNetwork(): boolean {
    return this.networkStep >= 0 || this.pending !== null;
  }

  /** The newest weights (FastForward layout); used from the next episode on. */
  setWeights(step: number, weights: Float32Array): void {
    if (weights.length !== this.forward.weights.length) throw new Error(`showcase: got ${weights.length} weights, the network has ${this.forward.weights.length}`);
    this.pending = { step, weights };
  }

  /** The frame and Q-values before the first action of an episode (null until weights arrived). */
  current(): ShowcaseStep | null {
    if (!this.obs) return null;
    return { frame: this.env.render(), q: this.q, action: -1, reward: 0, episodeReturn: this.episodeReturn, t: this.t, episode: this.episode, networkStep: this.networkStep };
  }

  /** One greedy env step; `finished` receives the episode when it ends (the next one starts). */
  step(finished: (e: FinishedEpisode) => void): ShowcaseStep | null {
    if (!this.obs && !this.beginEpisode()) return null;
    const q = Array.from(this.forward.forward(this.obs!));
    const action = argmax(q);
    const r = this.env.step(action);
    this.t++;
    this.episodeReturn += r.reward;
    const result: ShowcaseStep = { frame: this.env.render(), q, action, reward: r.reward, episodeReturn: this.episodeReturn, t: this.t, episode: this.episode, networkStep: this.networkStep };
    if (r.terminated || r.truncated) {
      finished({ episode: this.episode, return: this.episodeReturn, length: this.t, networkStep: this.networkStep });
      this.obs = null;
    } else {
      this.obs = r.observation;
      this.q = Array.from(this.forward.forward(this.obs));
    }
    return result;
  }

  private beginEpisode(): boolean {
    if (this.pending) {
      this.forward.weights.set(this.pending.weights);
      this.networkStep = this.pending.step;
      this.pending = null;
    }
    if (this.networkStep < 0) return false;
    this.episode++;
    this.t = 0;
    this.episodeReturn = 0;
    // Fixed reset seeds: the page's episodes differ from training's and evaluation's, and repeat across reloads.
    this.obs = this.env.reset({ seed: 7_000_000 + this.episode }).observation;
    this.q = Array.from(this.forward.forward(this.obs));
    return true;
  }

  close(): void {
    this.env.close();
  }
}
