/**
 * Turns the stream of 1-step transitions into n-step transitions for the replay buffer.
 * A transition s_t is emitted once s_{t+n} is known, with R = Σ_{i<n} γ^i r_{t+i} and discount γ^n.
 * At an episode end every pending transition is flushed with the steps that remain:
 * terminated ⇒ discount 0 (no bootstrap), truncated ⇒ γ^k and bootstrap from the true final
 * observation. With n = 1 this is a pass-through. Preallocated: no per-step allocation.
 */
import { z } from 'zod';
import type { ReplayBuffer } from './replay-buffer';
import { integer, parseState, SnapshotError, stateArray, type PartState, type Stateful } from './state';

export class NStepAccumulator implements Stateful {
  readonly n: number;
  readonly gamma: number;
  private readonly obsSize: number;
  /** Ring of pending observations, actions and rewards; `head` is the oldest, `count` pending. */
  private readonly obs: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float64Array;
  private head = 0;
  private count = 0;

  constructor(n: number, gamma: number, obsSize: number) {
    this.n = n;
    this.gamma = gamma;
    this.obsSize = obsSize;
    this.obs = new Float32Array(n * obsSize);
    this.actions = new Int32Array(n);
    this.rewards = new Float64Array(n);
  }

  /** Add the step (obs, action, reward) → nextObs and write every transition that is now complete. */
  push(
    obs: ArrayLike<number>,
    action: number,
    reward: number,
    terminated: boolean,
    truncated: boolean,
    nextObs: ArrayLike<number>,
    buffer: ReplayBuffer,
  ): void {
    if (this.n === 1) {
      buffer.add(obs, action, reward, terminated ? 0 : this.gamma, nextObs);
      return;
    }
    const slot = (this.head + this.count) % this.n;
    this.obs.set(obs as ArrayLike<number>, slot * this.obsSize);
    this.actions[slot] = action;
    this.rewards[slot] = reward;
    this.count++;
    if (terminated || truncated) {
      while (this.count > 0) this.emit(terminated ? 0 : this.gamma ** this.count, nextObs, buffer);
    } else if (this.count === this.n) {
      this.emit(this.gamma ** this.n, nextObs, buffer);
    }
  }

  private emit(discount: number, nextObs: ArrayLike<number>, buffer: ReplayBuffer): void {
    let ret = 0;
    let g = 1;
    for (let i = 0; i < this.count; i++) {
      ret += g * this.rewards[(this.head + i) % this.n];
      g *= this.gamma;
    }
    const h = this.head;
    buffer.add(this.obs.subarray(h * this.obsSize, (h + 1) * this.obsSize), this.actions[h], ret, discount, nextObs);
    this.head = (this.head + 1) % this.n;
    this.count--;
  }

  /** Transitions waiting for their n-th next observation. */
  get pending(): number {
    return this.count;
  }

  exportState(): PartState {
    return { json: { n: this.n, head: this.head, count: this.count }, arrays: { obs: this.obs, actions: this.actions, rewards: this.rewards } };
  }

  importState(state: PartState): void {
    const j = parseState(z.object({ n: integer, head: integer, count: integer }), state.json);
    if (j.n !== this.n) throw new SnapshotError('n', `checkpoint has nStep ${j.n}, the config has ${this.n}`);
    if (j.head >= this.n || j.count >= this.n) throw new SnapshotError('head', `head ${j.head} / count ${j.count} out of range for n = ${this.n}`);
    this.obs.set(stateArray(state, 'obs', Float32Array, this.obs.length));
    this.actions.set(stateArray(state, 'actions', Int32Array, this.n));
    this.rewards.set(stateArray(state, 'rewards', Float64Array, this.n));
    this.head = j.head;
    this.count = j.count;
  }
}
