/**
 * Callbacks observe the training loop, in the manner of Stable-Baselines3's BaseCallback and
 * CallbackList. A callback may implement any of:
 *   init(trainer)   once, before training (keep the trainer to read its state or emit events)
 *   onStep(step)    after every env step (hot path: the context object is reused; allocate nothing)
 *   onUpdate(r)     after every gradient step
 *   onEvent(e)      every event of the run (events.ts), awaited in order
 * and ask the loop to stop (`trainer.requestStop`) or to checkpoint at the end of the current
 * step (`trainer.requestCheckpoint`). Stateful callbacks also implement `exportState`/
 * `importState` under a unique `stateKey`, and are restored with the rest of a checkpoint.
 */
import type { ObservationArray } from '../../envs/core';
import type { CheckpointReason, TrainEvent } from './events';
import type { UpdateResult } from './learner';
import type { DqnTrainer } from './loop';
import type { PartState } from './state';

/** What onStep sees (one reused object). */
export interface StepContext {
  /** Env steps done, this one included. */
  step: number;
  /** The episode this step belongs to. */
  episode: number;
  /** The observation the action was chosen on. */
  obs: ObservationArray | Float32Array;
  action: number;
  /** The env's own reward (not clipped). */
  reward: number;
  terminated: boolean;
  truncated: boolean;
  epsilon: number;
}

export interface Callback {
  init?(trainer: DqnTrainer): void;
  onStep?(step: StepContext): void;
  onUpdate?(result: UpdateResult): void;
  onEvent?(event: TrainEvent): void | Promise<void>;
  /** With exportState/importState: the key of this callback's part of a checkpoint. */
  readonly stateKey?: string;
  exportState?(): PartState;
  importState?(state: PartState): void;
}

/** Base class with the trainer at hand; override what you need. */
export abstract class BaseCallback implements Callback {
  protected trainer!: DqnTrainer;

  init(trainer: DqnTrainer): void {
    this.trainer = trainer;
  }
}

/** Several callbacks as one, called in list order. */
export class CallbackList implements Callback {
  readonly callbacks: Callback[];
  private readonly stepping: Callback[];
  private readonly updating: Callback[];

  constructor(callbacks: readonly Callback[]) {
    this.callbacks = [...callbacks];
    this.stepping = this.callbacks.filter((c) => c.onStep);
    this.updating = this.callbacks.filter((c) => c.onUpdate);
  }

  init(trainer: DqnTrainer): void {
    for (const c of this.callbacks) c.init?.(trainer);
  }

  onStep(step: StepContext): void {
    for (let i = 0; i < this.stepping.length; i++) this.stepping[i].onStep!(step);
  }

  onUpdate(result: UpdateResult): void {
    for (let i = 0; i < this.updating.length; i++) this.updating[i].onUpdate!(result);
  }

  /** Synchronous unless a callback returns a promise; then the rest wait for it, in order. */
  onEvent(event: TrainEvent, from = 0): void | Promise<void> {
    for (let i = from; i < this.callbacks.length; i++) {
      const r = this.callbacks[i].onEvent?.(event);
      if (r instanceof Promise) return r.then(() => this.onEvent(event, i + 1));
    }
  }

  /** The callbacks that checkpoint themselves, by key. */
  stateful(): Map<string, Required<Pick<Callback, 'exportState' | 'importState'>>> {
    const out = new Map<string, Required<Pick<Callback, 'exportState' | 'importState'>>>();
    for (const c of this.callbacks) {
      if (!c.exportState || !c.importState) continue;
      const key = c.stateKey ?? c.constructor.name;
      if (out.has(key)) throw new Error(`two stateful callbacks share the stateKey "${key}"`);
      out.set(key, { exportState: c.exportState.bind(c), importState: c.importState.bind(c) });
    }
    return out;
  }
}

/** A callback from plain functions, for scripts: `fromFunctions({ onEvent: (e) => … })`. */
export function fromFunctions(fns: Pick<Callback, 'onStep' | 'onUpdate' | 'onEvent'>): Callback {
  return { ...fns };
}

/** Stop training once a periodic evaluation reaches `threshold` (SB3's StopTrainingOnRewardThreshold). */
export class StopOnRewardThreshold extends BaseCallback {
  constructor(readonly threshold: number) {
    super();
    if (!Number.isFinite(threshold)) throw new RangeError(`StopOnRewardThreshold: threshold must be a finite number, got ${threshold}`);
  }

  onEvent(e: TrainEvent): void {
    if (e.type === 'eval' && e.meanReturn >= this.threshold) {
      this.trainer.requestStop(`evaluation mean return ${e.meanReturn} ≥ ${this.threshold} at step ${e.step}`);
    }
  }
}

/**
 * Checkpoint every `every` env steps, and when training ends or is interrupted: the loop takes
 * the snapshot at the end of that step and emits a 'checkpoint' event, which a writer persists
 * (node/run-training.ts writes it to the run directory; a page could keep it in IndexedDB).
 */
export class CheckpointCallback extends BaseCallback {
  constructor(readonly every: number) {
    super();
  }

  onStep(s: StepContext): void {
    if (this.every > 0 && s.step % this.every === 0 && s.step < this.trainer.config.steps) this.trainer.requestCheckpoint('interval');
  }

  onEvent(e: TrainEvent): void | Promise<void> {
    if (e.type === 'end') return this.trainer.checkpoint(e.summary.interrupted ? 'interrupt' : ('end' satisfies CheckpointReason));
  }
}
