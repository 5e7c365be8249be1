/**
 * The Gymnasium-shaped environment contract every Keiko env, wrapper and agent speaks.
 *
 * Observations are typed arrays owned by the env: the array returned by reset()/step() may be
 * overwritten by the next call (that is how envs avoid per-step allocation). Copy it if you keep
 * it — the replay buffer does.
 *
 * The objects returned by reset() and step() may likewise be reused by the env for its next call (Keiko's
 * built-in envs and wrappers do, so that a step allocates nothing): read its fields before the
 * next step()/reset(), do not keep the object itself. Its `info` may be a shared frozen empty
 * object: never mutate an info you did not create.
 */

export type ObservationArray = Float32Array | Uint8Array;

/**
 * Observations: a box of `shape` (row-major, flat in the typed array) between `low` and `high`.
 * float32 observations are Float32Arrays; uint8 and bool (0/1) ones are Uint8Arrays. Any object of
 * this shape is a valid space; `box({...})` (spaces.ts) builds one that also has Gymnasium's
 * `sample(rng)` and `contains(x)`, and `sampleSpace`/`spaceContains` work on every space.
 */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: number | Float32Array;
  readonly high: number | Float32Array;
  readonly dtype: 'float32' | 'uint8' | 'bool';
}

/** Actions: the integers 0 … n − 1, each with a name (`discrete(n, names)` in spaces.ts). */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
  readonly actionNames: readonly string[];
}

export interface EnvSpec {
  readonly id: string;
  readonly maxEpisodeSteps: number | null;
  readonly rewardThreshold: number | null;
  /** The family of the render frames: 'cartpole' | 'mountaincar' | 'acrobot' | 'minatar' | ... */
  readonly family: string;
}

export type Info = Record<string, unknown>;

export interface ResetResult<O = ObservationArray> {
  observation: O;
  info: Info;
}

export interface StepResult<O = ObservationArray> {
  observation: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export interface ResetOptions {
  seed?: number;
}

/** A JSON-serialisable description of one frame, for the viewer (see docs/render-frames.md). */
export type RenderFrame =
  | { family: 'cartpole'; x: number; theta: number; xThreshold: number; thetaThreshold: number }
  | { family: 'mountaincar'; position: number; velocity: number; minPosition: number; maxPosition: number; goalPosition: number }
  | { family: 'acrobot'; theta1: number; theta2: number; linkLength1: number; linkLength2: number }
  | {
      family: 'minatar';
      game: string;
      height: number;
      width: number;
      channels: string[];
      /** Flat HWC indices ((y * width + x) * C + c) of the cells that are on. */
      on: number[];
    }
  | { family: 'observation'; shape: number[]; data: number[] };

/**
 * An env. Write your own against this interface, `register()` it, and check it with
 * `checkEnv(env)` (check-env.ts); docs/envs.md "Your own env" has a complete example.
 */
export interface Env<O extends ObservationArray = ObservationArray> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly spec: EnvSpec;
  /** The innermost env beneath all wrappers. */
  readonly unwrapped: Env<ObservationArray>;
  reset(options?: ResetOptions): ResetResult<O>;
  step(action: number): StepResult<O>;
  render(): RenderFrame;
  close(): void;
}

/** Options every registered env accepts through make(); families add their own. */
export type EnvOptions = Record<string, unknown>;

export type EnvFactory = (options?: EnvOptions) => Env;

/** The registry's register(): how env families (classic control, MinAtar) add their ids. */
export type RegisterFn = (id: string, factory: EnvFactory, spec: EnvSpec) => void;
