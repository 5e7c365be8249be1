/**
 * The DQN training loop (browser-safe): acting, storing, learning, target updates, logging,
 * evaluation, recording and checkpoint snapshots. Side effects (files, progress bars) go
 * through the injected TrainSink; the loop itself never touches the file system.
 *
 * Checkpoints can be taken at any step: the env's state is rebuilt on restore by resetting with
 * the episode's seed and replaying the episode's actions (envs are deterministic given the
 * reset seed and the actions), so a resumed run continues exactly where it stopped.
 */
import type { Env, EnvOptions, RenderFrame } from '../../envs/core';
import { Random, deriveSeed, type RandomState } from '../../src/random';
import { EpisodeRecorder, replayFileName } from '../recording/recorder';
import type { ReplayFile } from '../recording/replay-format';
import { DqnAgent } from './agent';
import type { DqnConfig } from './config';
import { evaluate, type EvalResult } from './evaluate';
import { NStepAccumulator } from './n-step';
import { epsilonGreedy } from './policy';
import { PrioritizedReplayBuffer } from './prioritized-replay';
import { ReplayBuffer } from './replay-buffer';
import { epsilonAt, linearAt, type EpsilonSchedule } from '../../src/schedules';
import { clipReward } from './targets';

export type MakeEnv = (id: string, options?: EnvOptions) => Env;

export interface EpisodeLine { type: 'episode'; step: number; episode: number; return: number; length: number }
export interface EvalLine { type: 'eval'; step: number; meanReturn: number; stdReturn: number; episodes: number }
export interface TrainLine { type: 'train'; step: number; loss: number | null; qMean: number | null; epsilon: number; sps: number }
/** One line of metrics.jsonl. */
export type MetricLine = EpisodeLine | EvalLine | TrainLine;

/** Everything a caller can observe while training. */
export type TrainEvent =
  | MetricLine
  | { type: 'replay'; step: number; name: string; kind: 'train' | 'eval' }
  | { type: 'checkpoint'; step: number; reason: 'interval' | 'interrupt' | 'end' }
  | { type: 'progress'; step: number; totalSteps: number; episode: number; epsilon: number; recentReturn: number | null; loss: number | null; sps: number };

/** A snapshot of the whole training state: JSON plus named binary arrays. */
export interface TrainingSnapshot {
  json: Record<string, unknown>;
  arrays: Record<string, Float32Array | Float64Array | Int32Array | Uint8Array>;
}

export interface TrainSink {
  metric(line: MetricLine): void;
  replay(name: string, file: ReplayFile): void;
  /** Persist a snapshot (awaited: the loop pauses while it is written). */
  checkpoint(snapshot: TrainingSnapshot, reason: 'interval' | 'interrupt' | 'end'): Promise<void> | void;
  /** A new best evaluation: persist the online network if wanted. */
  best?(step: number, agent: DqnAgent, result: EvalResult): Promise<void> | void;
  event?(e: TrainEvent): void;
}

export interface LoopSummary {
  env: string;
  steps: number;
  episodes: number;
  updates: number;
  finalEval: { meanReturn: number; stdReturn: number; episodes: number } | null;
  bestEval: { step: number; meanReturn: number; stdReturn: number } | null;
  wallSeconds: number;
  sps: number;
  interrupted: boolean;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
  constructor(readonly step: number, loss: number) {
    super(`training diverged: the loss became ${loss} at step ${step} (try a lower learningRate, maxGradNorm, or rewardClip); the last good checkpoint is kept`);
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const SNAPSHOT_VERSION = 1;

export class DqnTrainer {
  readonly env: Env;
  readonly evalEnv: Env;
  readonly agent: DqnAgent;
  readonly buffer: ReplayBuffer;
  readonly nStep: NStepAccumulator;
  readonly obsShape: number[];
  readonly obsSize: number;
  readonly nActions: number;
  private readonly schedule: EpsilonSchedule;
  private exploreRng: Random;
  private replayRng: Random;
  private envRng: Random;

  step = 0;
  episode = 0;
  updates = 0;
  private readonly obs: Float32Array;
  private episodeSeed = 0;
  private episodeActions: number[] = [];
  private episodeReturn = 0;
  private recorder: EpisodeRecorder | null = null;
  private lossSum = 0;
  private qSum = 0;
  private lossCount = 0;
  private lastLoss: number | null = null;
  private recentReturns: number[] = [];
  bestEval: { step: number; meanReturn: number; stdReturn: number } | null = null;
  private wallBefore = 0;
  private runStart = 0;
  private logTime = 0;
  private logStep = 0;

  constructor(readonly config: DqnConfig, makeEnv: MakeEnv) {
    this.env = makeEnv(config.env, config.envOptions);
    this.evalEnv = makeEnv(config.env, config.envOptions);
    if (this.env.actionSpace.kind !== 'discrete') throw new Error(`DQN needs a discrete action space; ${config.env} has none`);
    this.obsShape = [...this.env.observationSpace.shape];
    this.obsSize = this.obsShape.reduce((a, b) => a * b, 1);
    this.nActions = this.env.actionSpace.n;
    this.agent = new DqnAgent(config, this.obsShape, this.nActions);
    const obsDtype = this.env.observationSpace.dtype === 'float32' ? 'float32' : 'uint8';
    const base = { capacity: config.bufferSize, obsSize: this.obsSize, obsDtype } as const;
    this.buffer = config.prioritized
      ? new PrioritizedReplayBuffer({
          ...base,
          alpha: config.priorityAlpha,
          beta0: config.priorityBeta0,
          betaSteps: config.steps,
          priorityEpsilon: config.priorityEpsilon,
        })
      : new ReplayBuffer(base);
    this.nStep = new NStepAccumulator(config.nStep, config.gamma, this.obsSize);
    this.schedule = { kind: config.epsilonSchedule, start: config.epsilonStart, end: config.epsilonEnd, decaySteps: config.epsilonDecaySteps };
    this.exploreRng = new Random(deriveSeed(config.seed, 'explore'));
    this.replayRng = new Random(deriveSeed(config.seed, 'replay'));
    this.envRng = new Random(deriveSeed(config.seed, 'env'));
    this.obs = new Float32Array(this.obsSize);
    this.beginEpisode();
  }

  get epsilon(): number {
    return epsilonAt(this.schedule, this.step);
  }

  private beginEpisode(): void {
    this.episodeSeed = this.envRng.uint32();
    const { observation } = this.env.reset({ seed: this.episodeSeed });
    this.obs.set(observation);
    this.episodeActions = [];
    this.episodeReturn = 0;
    const every = this.config.recordEvery;
    this.recorder =
      every > 0 && this.episode % every === 0
        ? new EpisodeRecorder({
            envId: this.config.env,
            family: this.env.spec.family,
            actionNames: this.env.actionSpace.actionNames,
            seed: this.episodeSeed,
            kind: 'train',
            episode: this.episode,
          })
        : null;
  }

  /** Train until `config.steps` (or abort); returns the summary. */
  async run(sink: TrainSink, signal?: AbortSignal): Promise<LoopSummary> {
    const c = this.config;
    this.runStart = now();
    this.logTime = this.runStart;
    this.logStep = this.step;
    const qValues = (o: ArrayLike<number>) => this.agent.qValues(o);
    let interrupted = false;
    while (this.step < c.steps) {
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      this.envStep(sink, qValues);
      const s = this.step;
      if (s > c.learningStarts && s % c.trainFrequency === 0) this.learn(c.gradientSteps);
      if (s > c.learningStarts && s % c.targetUpdateInterval === 0) this.agent.learner.updateTarget();
      if (s % c.logInterval === 0) this.logTrain(sink);
      if (c.evalInterval > 0 && s % c.evalInterval === 0) await this.periodicEval(sink);
      if (c.checkpointInterval > 0 && s % c.checkpointInterval === 0 && s < c.steps) {
        await sink.checkpoint(await this.snapshot(), 'interval');
        sink.event?.({ type: 'checkpoint', step: s, reason: 'interval' });
      }
      if ((s & 255) === 0) {
        this.progress(sink);
        // Let timers, signals and I/O run (Ctrl-C, progress redraws).
        await new Promise<void>((r) => setTimeout(r, 0));
      }
    }
    let finalEval: LoopSummary['finalEval'] = null;
    if (!interrupted) {
      const r = this.runEval('final-eval', c.finalEvalEpisodes, true);
      if (r.replay) this.emitReplay(sink, replayFileName('eval', 0, this.step, '-final'), r.replay);
      finalEval = { meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes };
    }
    await sink.checkpoint(await this.snapshot(), interrupted ? 'interrupt' : 'end');
    sink.event?.({ type: 'checkpoint', step: this.step, reason: interrupted ? 'interrupt' : 'end' });
    const wallSeconds = this.wallSeconds();
    return {
      env: c.env,
      steps: this.step,
      episodes: this.episode,
      updates: this.updates,
      finalEval,
      bestEval: this.bestEval,
      wallSeconds,
      sps: wallSeconds > 0 ? this.step / wallSeconds : 0,
      interrupted,
    };
  }

  private wallSeconds(): number {
    return this.wallBefore + (now() - this.runStart) / 1000;
  }

  private envStep(sink: TrainSink, qValues: (o: ArrayLike<number>) => Float32Array): void {
    const eps = this.epsilon;
    const rec = this.recorder;
    const frame: RenderFrame | null = rec ? this.env.render() : null;
    const choice = epsilonGreedy(eps, this.nActions, this.exploreRng, () => qValues(this.obs), rec !== null);
    const r = this.env.step(choice.action);
    this.step++;
    this.episodeActions.push(choice.action);
    this.episodeReturn += r.reward;
    if (rec) rec.step(frame!, choice.action, r.reward, choice.q, eps);
    this.nStep.push(this.obs, choice.action, clipReward(r.reward, this.config.rewardClip), r.terminated, r.truncated, r.observation, this.buffer);
    if (r.terminated || r.truncated) {
      const line: EpisodeLine = { type: 'episode', step: this.step, episode: this.episode, return: this.episodeReturn, length: this.episodeActions.length };
      sink.metric(line);
      sink.event?.(line);
      this.recentReturns.push(this.episodeReturn);
      if (this.recentReturns.length > 20) this.recentReturns.shift();
      if (rec) this.emitReplay(sink, replayFileName('train', this.episode, this.step), rec.finish(this.env.render(), this.step, r.terminated, r.truncated));
      this.episode++;
      this.beginEpisode();
    } else {
      this.obs.set(r.observation);
    }
  }

  private emitReplay(sink: TrainSink, name: string, file: ReplayFile): void {
    sink.replay(name, file);
    sink.event?.({ type: 'replay', step: this.step, name, kind: file.kind });
  }

  private learn(gradientSteps: number): void {
    const c = this.config;
    if (c.learningRateEnd !== null) this.agent.setLearningRate(linearAt(this.agent.baseLearningRate, c.learningRateEnd, c.steps, this.step));
    for (let g = 0; g < gradientSteps; g++) {
      const batch = this.buffer.sample(c.batchSize, this.replayRng, this.step);
      const r = this.agent.learner.update(batch);
      if (!Number.isFinite(r.loss)) throw new NonFiniteLossError(this.step, r.loss);
      if (c.prioritized) this.buffer.updatePriorities(batch.indices, r.tdErrors);
      this.updates++;
      this.lossSum += r.loss;
      this.qSum += r.qMean;
      this.lossCount++;
      this.lastLoss = r.loss;
    }
  }

  private currentSps(): number {
    const t = now();
    return t > this.logTime ? ((this.step - this.logStep) * 1000) / (t - this.logTime) : 0;
  }

  private logTrain(sink: TrainSink): void {
    const line: TrainLine = {
      type: 'train',
      step: this.step,
      loss: this.lossCount ? this.lossSum / this.lossCount : null,
      qMean: this.lossCount ? this.qSum / this.lossCount : null,
      epsilon: this.epsilon,
      sps: Math.round(this.currentSps()),
    };
    this.lossSum = this.qSum = this.lossCount = 0;
    this.logTime = now();
    this.logStep = this.step;
    sink.metric(line);
    sink.event?.(line);
  }

  private progress(sink: TrainSink): void {
    if (!sink.event) return;
    const recent = this.recentReturns.length ? this.recentReturns.reduce((a, b) => a + b, 0) / this.recentReturns.length : null;
    const elapsed = (now() - this.runStart) / 1000;
    sink.event({
      type: 'progress',
      step: this.step,
      totalSteps: this.config.steps,
      episode: this.episode,
      epsilon: this.epsilon,
      recentReturn: recent,
      loss: this.lastLoss,
      sps: elapsed > 0 ? this.step / (this.wallBefore + elapsed) : 0,
    });
  }

  private runEval(stream: string, episodes: number, record: boolean): EvalResult {
    return evaluate(this.evalEnv, (o) => this.agent.qValues(o), {
      episodes,
      epsilon: this.config.evalEpsilon,
      seed: this.config.seed,
      stream,
      record,
      trainingStep: this.step,
    });
  }

  private async periodicEval(sink: TrainSink): Promise<void> {
    const r = this.runEval('eval', this.config.evalEpisodes, true);
    const line: EvalLine = { type: 'eval', step: this.step, meanReturn: r.meanReturn, stdReturn: r.stdReturn, episodes: r.episodes };
    sink.metric(line);
    sink.event?.(line);
    if (r.replay) this.emitReplay(sink, replayFileName('eval', 0, this.step), r.replay);
    if (!this.bestEval || r.meanReturn > this.bestEval.meanReturn) {
      this.bestEval = { step: this.step, meanReturn: r.meanReturn, stdReturn: r.stdReturn };
      await sink.best?.(this.step, this.agent, r);
    }
  }

  /** The whole training state (weights, optimiser, replay, generators, counters, episode in progress). */
  async snapshot(): Promise<TrainingSnapshot> {
    const arrays: TrainingSnapshot['arrays'] = {};
    const w = this.agent.exportWeights();
    w.online.forEach((a, i) => (arrays[`online/${i}`] = a));
    w.target.forEach((a, i) => (arrays[`target/${i}`] = a));
    const opt = await this.agent.exportOptimizer();
    opt.arrays.forEach((a, i) => (arrays[`optimizer/${i}`] = a));
    const replay = this.buffer.exportState();
    for (const [k, a] of Object.entries(replay.arrays)) arrays[`replay/${k}`] = a;
    const ns = this.nStep;
    arrays['nstep/obs'] = ns.obs;
    arrays['nstep/actions'] = ns.actions;
    arrays['nstep/rewards'] = ns.rewards;
    const json = this.snapshotJson(w.online.length, w.target.length, opt, replay.meta);
    return { json, arrays };
  }

  /** The JSON half of a snapshot. */
  snapshotJson(online: number, target: number, opt: { names: string[]; shapes: number[][] }, replayMeta: Record<string, number>) {
    const ns = this.nStep;
    const rng = (r: Random) => r.getState();
    return {
      version: SNAPSHOT_VERSION,
      config: this.config,
      step: this.step,
      episode: this.episode,
      updates: this.updates,
      weights: { online, target },
      optimizer: { names: opt.names, shapes: opt.shapes },
      replay: replayMeta,
      nStep: { head: ns.head, count: ns.count },
      rng: { explore: rng(this.exploreRng), replay: rng(this.replayRng), env: rng(this.envRng) },
      currentEpisode: {
        seed: this.episodeSeed,
        actions: this.episodeActions,
        return: this.episodeReturn,
        recorder: this.recorder ? this.recorder.toJSON() : null,
      },
      log: { lossSum: this.lossSum, qSum: this.qSum, lossCount: this.lossCount, lastLoss: this.lastLoss, recentReturns: this.recentReturns },
      bestEval: this.bestEval,
      wallSeconds: this.wallSeconds(),
    };
  }

  /** Continue from a snapshot taken by an identical config. */
  async restore(snap: TrainingSnapshot): Promise<void> {
    const j = snap.json as unknown as ReturnType<DqnTrainer['snapshotJson']>;
    const a = snap.arrays;
    if (j.version !== SNAPSHOT_VERSION) throw new Error(`checkpoint version ${String(j.version)} is not supported (expected ${SNAPSHOT_VERSION})`);
    const get = <T>(k: string) => {
      if (!(k in a)) throw new Error(`checkpoint is missing array ${k}`);
      return a[k] as unknown as T;
    };
    const range = (n: number, p: string) => Array.from({ length: n }, (_, i) => get<Float32Array>(`${p}/${i}`));
    this.agent.importWeights(range(j.weights.online, 'online'), range(j.weights.target, 'target'));
    await this.agent.importOptimizer({ names: j.optimizer.names, shapes: j.optimizer.shapes, arrays: range(j.optimizer.names.length, 'optimizer') });
    const replayArrays: Record<string, ArrayLike<number>> = {};
    for (const k of Object.keys(a)) if (k.startsWith('replay/')) replayArrays[k.slice(7)] = a[k];
    this.buffer.importState(j.replay as Record<string, number>, replayArrays);
    this.nStep.obs.set(get<Float32Array>('nstep/obs'));
    this.nStep.actions.set(get<Int32Array>('nstep/actions'));
    this.nStep.rewards.set(get<Float64Array>('nstep/rewards'));
    this.nStep.head = j.nStep.head;
    this.nStep.count = j.nStep.count;
    this.exploreRng = Random.fromState(j.rng.explore as RandomState);
    this.replayRng = Random.fromState(j.rng.replay as RandomState);
    this.envRng = Random.fromState(j.rng.env as RandomState);
    this.step = j.step;
    this.episode = j.episode;
    this.updates = j.updates;
    this.lossSum = j.log.lossSum;
    this.qSum = j.log.qSum;
    this.lossCount = j.log.lossCount;
    this.lastLoss = j.log.lastLoss;
    this.recentReturns = [...j.log.recentReturns];
    this.bestEval = j.bestEval;
    this.wallBefore = j.wallSeconds;
    // Rebuild the env mid-episode: same reset seed, same actions.
    const ep = j.currentEpisode;
    this.episodeSeed = ep.seed;
    let obs = this.env.reset({ seed: ep.seed }).observation;
    for (const action of ep.actions) {
      const r = this.env.step(action);
      if (r.terminated || r.truncated) throw new Error('checkpoint episode ended while replaying its actions: the env is not deterministic given its seed');
      obs = r.observation;
    }
    this.obs.set(obs);
    this.episodeActions = [...ep.actions];
    this.episodeReturn = ep.return;
    this.recorder = ep.recorder ? EpisodeRecorder.fromJSON(ep.recorder) : null;
  }

  dispose(): void {
    this.agent.dispose();
    this.env.close();
    this.evalEnv.close();
  }
}
