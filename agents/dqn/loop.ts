/**
 * The DQN training loop (browser-safe). Each env step reads in CleanRL's order:
 *   act → env step → store → [every trainFrequency] sample → target → loss → [every
 *   targetUpdateInterval] target update
 * plus the evaluation schedule. Everything else — metric lines, recordings, checkpoints, progress
 * bars, early stopping — is a callback listening to the one event stream (callbacks.ts).
 *
 * The training env is make(id) → RecordEpisodeStatistics → ClipReward: the learner sees clipped
 * rewards, the logged returns stay the game's own.
 *
 * A checkpoint can be taken at the end of any step. On restore, the env is rebuilt by resetting
 * with the episode's seed and replaying the episode's actions (envs are deterministic given
 * both), so a resumed run continues exactly where it stopped.
 */
import { z } from 'zod';
import type { Env, EnvOptions } from '../../envs/core';
import { ClipReward, RecordEpisodeStatistics } from '../../envs/wrappers';
import { epsilonAt, linearAt, type EpsilonSchedule } from '../../src/schedules';
import { replayFileName } from '../recording/recorder';
import { DqnAgent } from './agent';
import { CallbackList, CheckpointCallback, type Callback, type StepContext } from './callbacks';
import { configSchema, type DqnConfig } from './config';
import { evaluate, type EvalResult } from './evaluate';
import type { CheckpointReason, EvalLine, LoopSummary, TrainEvent, TrainingSnapshot } from './events';
import { NStepAccumulator } from './n-step';
import { PrioritizedReplayBuffer } from './prioritized-replay';
import { RecordEpisodes } from './record-episodes';
import { ReplayBuffer } from './replay-buffer';
import { RunState } from './run-state';
import { importPart, parseState, SnapshotError, type PartState, type Stateful } from './state';
import { TrainLogger } from './train-logger';

export type MakeEnv = (id: string, options?: EnvOptions) => Env;

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(readonly step: number, loss: number) {
    super(`training diverged: the loss became ${loss} at step ${step} (try a lower learningRate, maxGradNorm, or rewardClip); the last good checkpoint is kept`);
  }
}

export interface TrainerOptions {
  /** Listeners, after the built-in logger, recorder and checkpointer (in this order). */
  callbacks?: readonly Callback[];
  /**
   * How the loop hands control back every 256 steps (default: one macrotask, so timers, signals
   * and messages run). A page's Web Worker passes one that also waits while training is paused.
   */
  yieldControl?: () => Promise<void>;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** Let timers, signals and I/O run (Ctrl-C, progress redraws) without the 1 ms clamp of setTimeout in Node. */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

export const SNAPSHOT_VERSION = 2;

const snapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION, { error: (i) => `checkpoint format version ${String(i.input)} is not supported (this Keiko reads version ${SNAPSHOT_VERSION})` }),
  config: z.record(z.string(), z.unknown()),
  parts: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export class DqnTrainer {
  /** The env the agent learns on (rewards clipped); `evalEnv` is a plain second copy. */
  readonly env: Env;
  readonly evalEnv: Env;
  readonly agent: DqnAgent;
  readonly buffer: ReplayBuffer;
  readonly nStep: NStepAccumulator;
  readonly callbacks: CallbackList;
  readonly obsSize: number;
  private readonly stats: RecordEpisodeStatistics;
  /** Counters, generators and the episode in progress (run-state.ts). */
  readonly runState: RunState;
  private readonly schedule: EpsilonSchedule;
  private readonly obs: Float32Array;
  private stopReason: string | null = null;
  private checkpointReason: CheckpointReason | null = null;
  private runStart = now();
  private readonly ctx: StepContext;
  private readonly yieldControl: () => Promise<void>;

  constructor(readonly config: DqnConfig, makeEnv: MakeEnv, options: TrainerOptions = {}) {
    const game = makeEnv(config.env, config.envOptions);
    if (game.actionSpace.kind !== 'discrete') throw new Error(`DQN needs a discrete action space; ${config.env} has none`);
    this.stats = new RecordEpisodeStatistics(game);
    this.env = config.rewardClip === null ? this.stats : new ClipReward(this.stats, -config.rewardClip, config.rewardClip);
    this.evalEnv = makeEnv(config.env, config.envOptions);
    const obsShape = [...this.env.observationSpace.shape];
    this.obsSize = obsShape.reduce((a, b) => a * b, 1);
    this.agent = new DqnAgent(config, obsShape, this.env.actionSpace.n);
    const obsDtype = this.env.observationSpace.dtype === 'float32' ? 'float32' : 'uint8';
    const base = { capacity: config.bufferSize, obsSize: this.obsSize, obsDtype } as const;
    this.buffer = config.prioritized
      ? new PrioritizedReplayBuffer({ ...base, alpha: config.priorityAlpha, beta0: config.priorityBeta0, betaSteps: config.steps, priorityEpsilon: config.priorityEpsilon })
      : new ReplayBuffer(base);
    this.nStep = new NStepAccumulator(config.nStep, config.gamma, this.obsSize);
    this.schedule = { kind: config.epsilonSchedule, start: config.epsilonStart, end: config.epsilonEnd, decaySteps: config.epsilonDecaySteps };
    this.runState = new RunState(config.seed);
    this.obs = new Float32Array(this.obsSize);
    this.ctx = { step: 0, episode: 0, obs: this.obs, action: 0, reward: 0, terminated: false, truncated: false, epsilon: 1 };
    this.callbacks = new CallbackList([
      new TrainLogger(config.logInterval),
      new RecordEpisodes(config.recordEvery),
      new CheckpointCallback(config.checkpointInterval),
      ...(options.callbacks ?? []),
    ]);
    this.callbacks.init(this);
    this.yieldControl = options.yieldControl ?? yieldToEventLoop;
  }

  get epsilon(): number {
    return epsilonAt(this.schedule, this.step);
  }

  /** Env steps done. */
  get step(): number {
    return this.runState.step;
  }

  get episode(): number {
    return this.runState.episode;
  }

  get updates(): number {
    return this.runState.updates;
  }

  /** Mean return of the last 100 training episodes, or null before the first one ends. */
  get recentReturn(): number | null {
    return this.runState.recentReturn;
  }

  /** Send an event to every callback (synchronous unless a callback is asynchronous). */
  emit(event: TrainEvent): void | Promise<void> {
    return this.callbacks.onEvent(event);
  }

  /** Ask the loop to stop after the current step (the final evaluation still runs). */
  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** Ask the loop for a checkpoint at the end of the current step. */
  requestCheckpoint(reason: CheckpointReason): void {
    this.checkpointReason ??= reason;
  }

  /** Train until `config.steps`, an abort signal or a callback's stop request. */
  async run(signal?: AbortSignal): Promise<LoopSummary> {
    const c = this.config;
    this.runStart = now();
    await this.emit({ type: 'start', step: this.step, totalSteps: c.steps, resumed: this.step > 0 });
    const run = this.runState;
    if (run.step === 0 && run.episodeActions.length === 0) await this.beginEpisode();
    let interrupted = false;
    while (run.step < c.steps) {
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      // 1. act (ε-greedy on the online network)
      const epsilon = this.epsilon;
      const action = this.agent.act(this.obs, epsilon);
      // 2. env step
      const r = this.env.step(action);
      run.step++;
      run.episodeActions.push(action);
      // 3. store (n-step transitions, clipped reward)
      this.nStep.push(this.obs, action, r.reward, r.terminated, r.truncated, r.observation, this.buffer);
      this.observeStep(action, this.stats.lastReward, r.terminated, r.truncated, epsilon);
      if (r.terminated || r.truncated) await this.endEpisode();
      else this.obs.set(r.observation);
      const s = run.step;
      // 4–6. sample → target → loss, `gradientSteps` times
      if (s > c.learningStarts && s % c.trainFrequency === 0) this.learn(c.gradientSteps);
      // 7. target update
      if (s > c.learningStarts && s % c.targetUpdateInterval === 0) this.agent.updateTarget();
      if (c.evalInterval > 0 && s % c.evalInterval === 0) await this.periodicEval();
      if (this.checkpointReason) await this.checkpoint(this.checkpointReason);
      if (this.stopReason) break;
      if ((s & 255) === 0) await this.yieldControl();
    }
    let finalEval: LoopSummary['finalEval'] = null;
    if (!interrupted) {
      const r = this.runEval('final-eval', c.finalEvalEpisodes);
      if (r.replay) await this.emit({ type: 'replay', step: this.step, name: replayFileName('eval', 0, this.step, '-final'), file: r.replay });
      finalEval = { meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes };
    }
    const summary = this.summary(finalEval, interrupted);
    await this.emit({ type: 'end', step: this.step, summary });
    return summary;
  }

  /** The summary of the run so far. */
  summary(finalEval: LoopSummary['finalEval'] = null, interrupted = false): LoopSummary {
    const wallSeconds = this.wallSeconds();
    return {
      env: this.config.env,
      steps: this.step,
      episodes: this.episode,
      updates: this.updates,
      finalEval,
      bestEval: this.runState.bestEval,
      recentReturn: this.runState.recentReturn,
      wallSeconds,
      sps: wallSeconds > 0 ? this.step / wallSeconds : 0,
      interrupted,
      ...(this.stopReason ? { stoppedBy: this.stopReason } : {}),
    };
  }

  /** Wall-clock seconds of training so far, summed over the run's resumes. */
  wallSeconds(): number {
    return this.runState.wallBefore + (now() - this.runStart) / 1000;
  }

  private async beginEpisode(): Promise<void> {
    const run = this.runState;
    run.episodeSeed = run.envRng.uint32();
    this.obs.set(this.env.reset({ seed: run.episodeSeed }).observation);
    run.episodeActions = [];
    await this.emit({ type: 'episode-start', step: run.step, episode: run.episode, seed: run.episodeSeed });
  }

  private observeStep(action: number, reward: number, terminated: boolean, truncated: boolean, epsilon: number): void {
    const ctx = this.ctx;
    ctx.step = this.step;
    ctx.episode = this.episode;
    ctx.action = action;
    ctx.reward = reward;
    ctx.terminated = terminated;
    ctx.truncated = truncated;
    ctx.epsilon = epsilon;
    this.callbacks.onStep(ctx);
  }

  private async endEpisode(): Promise<void> {
    const { return: ret, length } = this.stats.lastEpisode!;
    this.runState.addReturn(ret);
    await this.emit({ type: 'episode', step: this.step, episode: this.episode, return: ret, length });
    this.runState.episode++;
    await this.beginEpisode();
  }

  private learn(gradientSteps: number): void {
    const c = this.config;
    if (c.learningRateEnd !== null) this.agent.setLearningRate(linearAt(this.agent.baseLearningRate, c.learningRateEnd, c.steps, this.step));
    for (let g = 0; g < gradientSteps; g++) {
      const batch = this.buffer.sample(c.batchSize, this.runState.replayRng, this.step);
      const r = this.agent.learn(batch);
      if (!Number.isFinite(r.loss)) throw new NonFiniteLossError(this.step, r.loss);
      if (c.prioritized) this.buffer.updatePriorities(batch.indices, r.tdErrors);
      this.runState.updates++;
      this.callbacks.onUpdate(r);
    }
  }

  private runEval(stream: string, episodes: number): EvalResult {
    return evaluate(this.evalEnv, (o) => this.agent.qValues(o), {
      episodes,
      epsilon: this.config.evalEpsilon,
      seed: this.config.seed,
      stream,
      record: true,
      trainingStep: this.step,
    });
  }

  private async periodicEval(): Promise<void> {
    const r = this.runEval('eval', this.config.evalEpisodes);
    const line: EvalLine = { type: 'eval', step: this.step, meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes };
    await this.emit(line);
    if (r.replay) await this.emit({ type: 'replay', step: this.step, name: replayFileName('eval', 0, this.step), file: r.replay });
    if (!this.runState.bestEval || r.meanReturn > this.runState.bestEval.meanReturn) {
      this.runState.bestEval = { step: this.step, meanReturn: r.meanReturn, stdReturn: r.stdReturn };
      await this.emit({ type: 'best', step: this.step, meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes });
    }
  }

  /** Take a snapshot now and hand it to the listeners as a 'checkpoint' event. */
  async checkpoint(reason: CheckpointReason): Promise<void> {
    this.checkpointReason = null;
    await this.emit({ type: 'checkpoint', step: this.step, reason, snapshot: await this.snapshot() });
  }

  /** The parts of the training state that checkpoint themselves, by name. */
  private parts(): Map<string, Stateful> {
    const parts = new Map<string, Stateful>([
      ['run', { exportState: () => this.runState.exportState(this.wallSeconds()), importState: (st) => this.runState.importState(st) }],
      ['agent', this.agent],
      ['replay', this.buffer],
      ['nStep', this.nStep],
    ]);
    for (const [key, part] of this.callbacks.stateful()) {
      if (parts.has(key)) throw new Error(`a callback's stateKey "${key}" is reserved`);
      parts.set(key, part);
    }
    return parts;
  }

  /** The whole training state: each part's own state, under its name. */
  async snapshot(): Promise<TrainingSnapshot> {
    const arrays: TrainingSnapshot['arrays'] = {};
    const parts: Record<string, Record<string, unknown>> = {};
    for (const [name, part] of this.parts()) {
      const state = await part.exportState();
      parts[name] = state.json;
      for (const [k, a] of Object.entries(state.arrays)) arrays[`${name}/${k}`] = a;
    }
    // step and episode at the top are for readers of the file (meta.json, tools); restore uses parts.run.
    return { json: { version: SNAPSHOT_VERSION, config: this.config, step: this.step, episode: this.episode, parts }, arrays };
  }

  /**
   * Continue from a snapshot of a run with the same config (only `steps` may differ). Throws a
   * SnapshotError naming the field when the snapshot is malformed or belongs to another run.
   */
  async restore(snap: TrainingSnapshot): Promise<void> {
    const j = parseState(snapshotSchema, snap.json);
    const config = configSchema.safeParse(j.config);
    if (!config.success) throw new SnapshotError(`config.${config.error.issues[0].path.join('.')}`, config.error.issues[0].message);
    for (const key of ['env', 'network', 'dueling', 'bufferSize', 'nStep', 'prioritized'] as const) {
      if (JSON.stringify(config.data[key]) !== JSON.stringify(this.config[key])) {
        throw new SnapshotError(`config.${key}`, `the checkpoint was written with ${JSON.stringify(config.data[key])}, this run has ${JSON.stringify(this.config[key])}`);
      }
    }
    for (const [name, part] of this.parts()) {
      const json = j.parts[name];
      if (json === undefined) throw new SnapshotError(`parts.${name}`, 'missing');
      const prefix = `${name}/`;
      const arrays: PartState['arrays'] = {};
      for (const [k, a] of Object.entries(snap.arrays)) if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = a;
      await importPart(name, part, { json, arrays });
    }
    this.rebuildEpisode();
  }

  /** Bring the env back to the episode in progress: same reset seed, same actions. */
  private rebuildEpisode(): void {
    const { episodeSeed, episodeActions } = this.runState;
    let obs = this.env.reset({ seed: episodeSeed }).observation;
    for (const action of episodeActions) {
      if (action >= this.env.actionSpace.n) throw new SnapshotError('run.currentEpisode.actions', `action ${action} is not in this env's ${this.env.actionSpace.n} actions`);
      const r = this.env.step(action);
      if (r.terminated || r.truncated) throw new SnapshotError('run.currentEpisode.actions', 'the episode ended while replaying its actions: the env is not deterministic given its seed, or the checkpoint is of another env');
      obs = r.observation;
    }
    this.obs.set(obs);
  }

  dispose(): void {
    this.agent.dispose();
    this.env.close();
    this.evalEnv.close();
  }
}
