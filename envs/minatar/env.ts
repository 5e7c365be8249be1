import type { BoxSpace, DiscreteSpace, Env, EnvSpec, RenderFrame, ResetOptions, ResetResult, StepResult } from '../core';
import { EMPTY_INFO, EnvOrderError, invalidActionError, isValidAction } from '../errors';
import { DEFAULT_ENV_SEED } from '../classic/base';
import { Random } from '../../src/random';
import { stickyAction } from '../sticky-action';
import { box, discrete } from '../spaces';
import { type DrawSource, type MinAtarGame, FULL_ACTION_NAMES, NOOP } from './draws';

export interface MinAtarEnvConfig {
  /** The registered id, used in error messages and `spec`. */
  id: string;
  /** `-v0` ids use all six actions; `-v1` ids the game's minimal set (default). */
  fullActionSet?: boolean;
  /** Probability that the previously applied action repeats (default 0.1). */
  stickyActionProb?: number;
  /** How a seed becomes a draw source (default: `new Random(seed)`); tests script draws here. */
  createDraws?: (seed: number) => DrawSource;
}

/**
 * A MinAtar game behind Keiko's `Env` API: action-set mapping, sticky actions, the observation
 * buffer and the reset/step contract. One generator feeds both the sticky-action draw (first, on
 * every step) and the game's own draws, as in the original.
 */
export class MinAtarEnv implements Env<Uint8Array> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly spec: EnvSpec;
  readonly stickyActionProb: number;
  /** Full-set action index (0..5) for each of this env's action indices. */
  readonly actionMap: readonly number[];

  private readonly observation: Uint8Array;
  private readonly createDraws: (seed: number) => DrawSource;
  private draws: DrawSource | null = null;
  /** The last applied full-set action; kept across episodes as in the original. */
  private previousAction = NOOP;
  private needsReset = true;
  private readonly result: StepResult<Uint8Array>;

  constructor(
    readonly game: MinAtarGame,
    config: MinAtarEnvConfig,
  ) {
    const sticky = config.stickyActionProb ?? 0.1;
    if (!(sticky >= 0 && sticky <= 1)) {
      throw new RangeError(`${config.id}: stickyActionProb must be a number in [0, 1], got ${sticky}`);
    }
    this.stickyActionProb = sticky;
    this.actionMap = config.fullActionSet ? [0, 1, 2, 3, 4, 5] : [...game.minimalActions];
    const channels = game.channels.length;
    this.observation = new Uint8Array(100 * channels);
    this.observationSpace = box({ shape: [10, 10, channels], low: 0, high: 1, dtype: 'bool' });
    this.actionSpace = discrete(
      this.actionMap.length,
      this.actionMap.map((a) => FULL_ACTION_NAMES[a]),
    );
    this.spec = { id: config.id, maxEpisodeSteps: null, rewardThreshold: null, family: 'minatar' };
    this.createDraws = config.createDraws ?? ((seed) => new Random(seed));
    this.result = { observation: this.observation, reward: 0, terminated: false, truncated: false, info: EMPTY_INFO };
  }

  get unwrapped(): Env {
    return this;
  }

  /**
   * Start an episode. With a seed the generator is re-seeded and the sticky "previous action"
   * returns to no-op, so `reset({ seed })` always replays the same episode; without one the
   * generator and the previous action carry on from the last episode, as in the original.
   */
  reset(options: ResetOptions = {}): ResetResult<Uint8Array> {
    const { seed } = options;
    if (seed !== undefined) {
      if (!Number.isFinite(seed)) throw new RangeError(`${this.spec.id}: reset seed must be a finite number, got ${seed}`);
      this.draws = this.createDraws(seed);
      this.previousAction = NOOP;
    } else if (this.draws === null) {
      this.draws = this.createDraws(DEFAULT_ENV_SEED);
    }
    this.game.reset(this.draws);
    this.game.writeObservation(this.observation);
    this.needsReset = false;
    return { observation: this.observation, info: EMPTY_INFO };
  }

  step(action: number): StepResult<Uint8Array> {
    if (!isValidAction(action, this.actionMap.length)) throw invalidActionError(this.spec.id, this.actionSpace, action);
    if (this.needsReset) throw new EnvOrderError(this.spec.id, this.draws === null ? 'beforeReset' : 'afterDone');
    const draws = this.draws!;
    // Sticky actions: the draw happens on every step (even at probability 0), before the game's.
    const applied = stickyAction(this.previousAction, this.actionMap[action], draws.random(), this.stickyActionProb);
    this.previousAction = applied;
    const reward = this.game.step(applied, draws);
    this.game.writeObservation(this.observation);
    const terminated = this.game.terminal;
    if (terminated) this.needsReset = true;
    const result = this.result;
    result.reward = reward;
    result.terminated = terminated;
    return result;
  }

  render(): RenderFrame {
    const on: number[] = [];
    const obs = this.observation;
    for (let i = 0; i < obs.length; i++) if (obs[i] === 1) on.push(i);
    return {
      family: 'minatar',
      game: this.game.name,
      height: 10,
      width: 10,
      channels: [...this.game.channels],
      on,
    };
  }

  close(): void {}
}
