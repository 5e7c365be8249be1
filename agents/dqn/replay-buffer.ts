/**
 * A fixed-capacity ring of transitions on preallocated typed arrays. Observations keep their
 * own dtype (Uint8Array for MinAtar grids, Float32Array otherwise); next observations are
 * stored alongside (simple, and n-step transitions need s_{t+k}, not s_{t+1}).
 * Nothing is allocated per add() or per sample().
 */
import { z } from 'zod';
import type { Random } from '../../src/random';
import { integer, parseState, SnapshotError, stateArray, type PartState, type Stateful } from './state';

export type ObsDtype = 'float32' | 'uint8';
type ObsStore = Float32Array | Uint8Array;

export interface ReplayBufferOptions {
  capacity: number;
  obsSize: number;
  obsDtype: ObsDtype;
}

/** A sampled batch, in reusable arrays owned by the buffer (valid until the next sample). */
export interface ReplayBatch {
  size: number;
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  discounts: Float32Array;
  /** Importance weights (all 1 for uniform replay). */
  weights: Float32Array;
  /** Buffer slots of the sampled transitions (for priority updates). */
  indices: Int32Array;
}

function allocObs(dtype: ObsDtype, n: number): ObsStore {
  return dtype === 'uint8' ? new Uint8Array(n) : new Float32Array(n);
}

/** Copy `length` values of `src` into `dst` at `offset`: one native copy for typed arrays. */
function copyInto(dst: ObsStore, src: ArrayLike<number>, offset: number, length: number): void {
  if (ArrayBuffer.isView(src) && src.length === length) {
    dst.set(src as unknown as ArrayLike<number>, offset);
  } else {
    for (let i = 0; i < length; i++) dst[offset + i] = src[i];
  }
}

export class ReplayBuffer implements Stateful {
  readonly capacity: number;
  readonly obsSize: number;
  readonly obsDtype: ObsDtype;
  readonly obs: ObsStore;
  readonly nextObs: ObsStore;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly discounts: Float32Array;
  /** Next slot to write. */
  position = 0;
  /** Transitions stored (≤ capacity). */
  size = 0;
  private batch: ReplayBatch | null = null;

  constructor(options: ReplayBufferOptions) {
    const { capacity, obsSize, obsDtype } = options;
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`replay capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.obsSize = obsSize;
    this.obsDtype = obsDtype;
    this.obs = allocObs(obsDtype, capacity * obsSize);
    this.nextObs = allocObs(obsDtype, capacity * obsSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.discounts = new Float32Array(capacity);
  }

  /** Bytes held by the stored arrays. */
  get memoryBytes(): number {
    return this.obs.byteLength + this.nextObs.byteLength + this.actions.byteLength + this.rewards.byteLength + this.discounts.byteLength;
  }

  /** Store one transition (copies the observations); returns the slot written. */
  add(obs: ArrayLike<number>, action: number, reward: number, discount: number, nextObs: ArrayLike<number>): number {
    const slot = this.position;
    const off = slot * this.obsSize;
    copyInto(this.obs, obs, off, this.obsSize);
    copyInto(this.nextObs, nextObs, off, this.obsSize);
    this.actions[slot] = action;
    this.rewards[slot] = reward;
    this.discounts[slot] = discount;
    this.position = (slot + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    return slot;
  }

  protected batchArrays(batchSize: number): ReplayBatch {
    if (!this.batch || this.batch.size !== batchSize) {
      this.batch = {
        size: batchSize,
        obs: new Float32Array(batchSize * this.obsSize),
        nextObs: new Float32Array(batchSize * this.obsSize),
        actions: new Int32Array(batchSize),
        rewards: new Float32Array(batchSize),
        discounts: new Float32Array(batchSize),
        weights: new Float32Array(batchSize).fill(1),
        indices: new Int32Array(batchSize),
      };
    }
    return this.batch;
  }

  /** Copy the transitions at `batch.indices` into the batch arrays (typed-array set converts uint8 → float32 natively). */
  protected gather(batch: ReplayBatch): void {
    const n = this.obsSize;
    for (let b = 0; b < batch.size; b++) {
      const slot = batch.indices[b];
      const src = slot * n;
      batch.obs.set(this.obs.subarray(src, src + n), b * n);
      batch.nextObs.set(this.nextObs.subarray(src, src + n), b * n);
      batch.actions[b] = this.actions[slot];
      batch.rewards[b] = this.rewards[slot];
      batch.discounts[b] = this.discounts[slot];
    }
  }

  /** Uniform sample with replacement. */
  sample(batchSize: number, rng: Random, _step = 0): ReplayBatch {
    if (this.size === 0) throw new Error('cannot sample from an empty replay buffer');
    const batch = this.batchArrays(batchSize);
    for (let b = 0; b < batchSize; b++) batch.indices[b] = rng.integer(0, this.size);
    this.gather(batch);
    return batch;
  }

  /** Uniform replay ignores TD errors; the prioritised buffer overrides this. */
  updatePriorities(_indices: Int32Array, _tdErrors: ArrayLike<number>): void {}

  /** Counters and arrays for a checkpoint (the arrays are views, not copies). */
  exportState(): PartState {
    return {
      json: { capacity: this.capacity, obsSize: this.obsSize, obsDtype: this.obsDtype, position: this.position, size: this.size },
      arrays: { obs: this.obs, nextObs: this.nextObs, actions: this.actions, rewards: this.rewards, discounts: this.discounts },
    };
  }

  importState(state: PartState): void {
    const j = parseState(z.object({ capacity: integer, obsSize: integer, obsDtype: z.enum(['float32', 'uint8']), position: integer, size: integer }), state.json);
    if (j.capacity !== this.capacity || j.obsSize !== this.obsSize) {
      throw new SnapshotError('capacity', `checkpoint replay buffer is ${j.capacity} × ${j.obsSize}, the config asks for ${this.capacity} × ${this.obsSize}`);
    }
    if (j.obsDtype !== this.obsDtype) throw new SnapshotError('obsDtype', `checkpoint stores ${j.obsDtype} observations, the env gives ${this.obsDtype}`);
    if (j.size > this.capacity || j.position >= this.capacity) throw new SnapshotError('size', `size ${j.size} / position ${j.position} exceed the capacity ${this.capacity}`);
    const obsCtor = this.obsDtype === 'uint8' ? Uint8Array : Float32Array;
    this.obs.set(stateArray(state, 'obs', obsCtor, this.obs.length));
    this.nextObs.set(stateArray(state, 'nextObs', obsCtor, this.nextObs.length));
    this.actions.set(stateArray(state, 'actions', Int32Array, this.capacity));
    this.rewards.set(stateArray(state, 'rewards', Float32Array, this.capacity));
    this.discounts.set(stateArray(state, 'discounts', Float32Array, this.capacity));
    this.position = j.position;
    this.size = j.size;
  }
}
