/**
 * VectorEnv: N copies of an env stepped in lockstep, with batched typed arrays and automatic
 * reset. Autoreset is SAME-STEP (Gymnasium's AutoresetMode.SAME_STEP, the pre-1.0 behaviour):
 * when copy i ends (terminated or truncated) on a step, it is reset within that same step, so
 * `observations` row i already holds the first observation of its next episode, while the
 * finished episode's last observation is in `info.finalObservation` row i and its info in
 * `info.finalInfo[i]` (null for copies that did not finish). rewards/terminated/truncated row i
 * belong to the finished step. Every action is applied: no step is spent on a reset.
 *
 * All arrays and the result object are owned and reused: copy what you keep.
 */
import type { BoxSpace, DiscreteSpace, Env, EnvSpec, Info, ObservationArray, ResetOptions } from './core';
import { make, type MakeOptions } from './registry';
import { DEFAULT_ENV_SEED } from './classic/base';

export interface VectorInfo {
  /** Row i (N×obs layout) is the final observation of copy i's episode when it ended this step. */
  finalObservation: ObservationArray;
  /** finalInfo[i] is copy i's info on its final step, or null if it did not finish. */
  finalInfo: (Info | null)[];
}

export interface VectorStepResult {
  /** N × observation size, row-major. */
  observations: ObservationArray;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  info: VectorInfo;
}

export interface VectorResetResult {
  observations: ObservationArray;
  infos: Info[];
}

export class VectorEnv {
  /** See the module comment: finished copies restart within the step that ended them. */
  readonly autoresetMode = 'same-step' as const;
  readonly numEnvs: number;
  /** The single-copy spaces; batched observations are numEnvs × observationSpace. */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly spec: EnvSpec;
  readonly observationSize: number;
  private readonly result: VectorStepResult;
  private needsReset = true;
  private seeded = false;

  constructor(readonly envs: Env[]) {
    if (envs.length === 0) throw new RangeError('VectorEnv: needs at least one env');
    this.numEnvs = envs.length;
    const first = envs[0];
    this.observationSpace = first.observationSpace;
    this.actionSpace = first.actionSpace;
    this.spec = first.spec;
    for (const env of envs) {
      if (env.observationSpace.shape.join('x') !== first.observationSpace.shape.join('x') || env.actionSpace.n !== first.actionSpace.n) {
        throw new RangeError(`VectorEnv: every copy must have the same spaces (${first.spec.id} vs ${env.spec.id})`);
      }
    }
    this.observationSize = first.observationSpace.shape.reduce((a, b) => a * b, 1);
    const batch = () =>
      first.observationSpace.dtype === 'float32'
        ? new Float32Array(this.numEnvs * this.observationSize)
        : new Uint8Array(this.numEnvs * this.observationSize);
    this.result = {
      observations: batch(),
      rewards: new Float32Array(this.numEnvs),
      terminated: new Uint8Array(this.numEnvs),
      truncated: new Uint8Array(this.numEnvs),
      info: { finalObservation: batch(), finalInfo: new Array<Info | null>(this.numEnvs).fill(null) },
    };
  }

  /**
   * Resets every copy; with a seed, copy i is seeded with seed + i. Without one, copies continue
   * their generators — except on the very first reset, which seeds copy i with
   * DEFAULT_ENV_SEED + i so unseeded copies still differ.
   */
  reset(options?: ResetOptions): VectorResetResult {
    const infos: Info[] = [];
    const { observations } = this.result;
    const seed = options?.seed ?? (this.seeded ? undefined : DEFAULT_ENV_SEED);
    this.seeded = true;
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i].reset(seed === undefined ? undefined : { seed: seed + i });
      observations.set(r.observation, i * this.observationSize);
      infos.push(r.info);
    }
    this.needsReset = false;
    return { observations, infos };
  }

  /** Steps copy i with actions[i]; finished copies are reset in the same step (see above). */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (this.needsReset) throw new Error(`VectorEnv(${this.spec.id}): step() called before reset()`);
    if (actions.length !== this.numEnvs) {
      throw new RangeError(`VectorEnv(${this.spec.id}): expected ${this.numEnvs} actions, got ${actions.length}`);
    }
    const res = this.result;
    const { observations, rewards, terminated, truncated, info } = res;
    const size = this.observationSize;
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i];
      const r = env.step(actions[i]);
      rewards[i] = r.reward;
      terminated[i] = r.terminated ? 1 : 0;
      truncated[i] = r.truncated ? 1 : 0;
      if (r.terminated || r.truncated) {
        copyRow(r.observation, info.finalObservation, i * size, size);
        info.finalInfo[i] = r.info;
        copyRow(env.reset().observation, observations, i * size, size);
      } else {
        info.finalInfo[i] = null;
        copyRow(r.observation, observations, i * size, size);
      }
    }
    return res;
  }

  close(): void {
    for (const env of this.envs) env.close();
  }
}

/** A plain loop beats TypedArray#set's call overhead for classic control's 2–6 values. */
function copyRow(src: ObservationArray, dst: ObservationArray, offset: number, size: number): void {
  if (size > 32) dst.set(src, offset);
  else for (let j = 0; j < size; j++) dst[offset + j] = src[j];
}

/** N copies of a registered env (each with make()'s TimeLimit), stepped in lockstep. */
export function makeVector(id: string, numEnvs: number, options?: MakeOptions): VectorEnv {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`makeVector: numEnvs must be a positive integer, got ${numEnvs}`);
  return new VectorEnv(Array.from({ length: numEnvs }, () => make(id, options)));
}
