/**
 * The DQN agent: online and target Q-networks, their optimiser and the exploration generator.
 *   act(obs, ε)     ε-greedy action (plain-JS forward when the net allows, else one tfjs predict)
 *   learn(batch)    one gradient step on a sampled batch (learner.ts)
 *   updateTarget()  θ⁻ ← θ (or Polyak with τ < 1)
 *   predict(obs)    the trained agent's action (greedy, or ε_eval-greedy with deterministic: false)
 *   evaluate(env)   mean/std return over evaluation episodes (evaluate.ts)
 *   save(location)  through the registered agent store (agent-store.ts; node/agent-dir.ts in Node)
 * It checkpoints itself: weights, optimiser state and generator (exportState/importState).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createOptimizer, resolveOptimizerConfig, setLearningRate } from '../../src/optimizers';
import { Random, deriveSeed, type RandomState } from '../../src/random';
import type { NetworkSpec } from '../../src/layers';
import { compileFastForward, type FastForward } from '../../src/fast-forward';
import type { DqnConfig } from './config';
import type { Env } from '../../envs/core';
import { AgentLoadError, getAgentStore, NoAgentStoreError, type AgentFile, type SaveAgentInfo } from './agent-store';
import { getModelSpec } from '../../src/layers';
import type { LoadedModel } from '../../src/model-io';
import { evaluate as runEvaluation, type EvalResult } from './evaluate';
import { Learner, type UpdateResult } from './learner';
import { buildQNetwork, qNetworkSpec } from './network';
import { argmax, epsilonGreedy } from './policy';
import type { ReplayBatch } from './replay-buffer';
import { parseState, SnapshotError, stateArray, type PartState, type Stateful } from './state';

const agentStateSchema = z.object({
  weights: z.object({ online: z.number().int().nonnegative(), target: z.number().int().nonnegative() }),
  optimizer: z.object({ names: z.array(z.string()), shapes: z.array(z.array(z.number().int().nonnegative())) }),
  rng: z.custom<RandomState>((v) => typeof v === 'object' && v !== null, 'expected a generator state'),
});

export interface PredictOptions {
  /** true (default): argmax Q. false: ε-greedy with the config's evalEpsilon (own generator, seeded from the run seed). */
  deterministic?: boolean;
}

export interface AgentEvaluateOptions {
  /** Seed of the episodes' reset seeds and exploration draws (default: the config's seed). */
  seed?: number;
  /** Names the evaluation's generator streams (default 'final-eval': the run's final evaluation). */
  stream?: string;
  /** ε of the evaluation policy (default: the config's evalEpsilon; 0 = pure argmax). */
  epsilon?: number;
  /** Record the first episode as a replay file (result.replay). */
  record?: boolean;
  /** The training step written into a recorded replay (default 0). */
  trainingStep?: number;
  /** Safety cap on steps per episode for envs without a time limit. */
  maxSteps?: number;
}

export class DqnAgent implements Stateful {
  /** The config the agent was built from (saved in agent.json). */
  readonly config: DqnConfig;
  readonly online: tf.LayersModel;
  readonly target: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly spec: NetworkSpec;
  /** The optimiser's initial learning rate (learningRateEnd anneals from it). */
  readonly baseLearningRate: number;
  private readonly learner: Learner;
  /** The plain-JS/wasm-SIMD forward for acting; null when the network needs tfjs (see src/fast-forward.ts). */
  private readonly jsForward: FastForward | null;
  private rng: Random;
  /** predict(obs, { deterministic: false })'s generator, made on first use. */
  private predictRng: Random | null = null;
  private readonly obsBuffer: Float32Array;
  private readonly obsSize: number;

  constructor(config: DqnConfig, readonly obsShape: readonly number[], readonly nActions: number) {
    this.config = config;
    this.spec = qNetworkSpec(config.network as NetworkSpec | null, obsShape, nActions, config.dueling, config.networkInit);
    const initSeed = deriveSeed(config.seed, 'init');
    this.online = buildQNetwork(this.spec, obsShape, initSeed, 'q_online');
    this.target = buildQNetwork(this.spec, obsShape, initSeed, 'q_target');
    const opt = typeof config.optimizer === 'string' ? { type: config.optimizer } : config.optimizer;
    const optConfig = resolveOptimizerConfig({ ...opt, learningRate: opt.learningRate ?? config.learningRate });
    this.baseLearningRate = optConfig.learningRate;
    this.optimizer = createOptimizer(optConfig);
    this.jsForward = compileFastForward(this.spec, obsShape);
    this.learner = new Learner(
      this.online,
      this.target,
      this.optimizer,
      nActions,
      { doubleDqn: config.doubleDqn, loss: config.loss, huberDelta: config.huberDelta, maxGradNorm: config.maxGradNorm, tau: config.tau },
      this.jsForward ? this.jsForward.weights : null,
      this.spec,
    );
    this.rng = new Random(deriveSeed(config.seed, 'explore'));
    this.obsSize = obsShape.reduce((a, b) => a * b, 1);
    this.obsBuffer = new Float32Array(this.obsSize);
    // Start with θ⁻ = θ, and the JS copy of θ.
    this.target.setWeights(this.online.getWeights());
    this.syncJsWeights();
  }

  /**
   * ε-greedy: with probability ε a uniform random action, else argmax Q(obs, ·). The generator
   * advances the same way for a given draw, so runs replay exactly.
   */
  act(obs: ArrayLike<number>, epsilon: number): number {
    if (this.rng.random() < epsilon) return this.rng.integer(0, this.nActions);
    return argmax(this.qValues(obs));
  }

  /** Q-values of one observation with the online network (a reused array: copy to keep). */
  qValues(obs: ArrayLike<number>): Float32Array {
    if (this.jsForward) return this.jsForward.forward(obs);
    for (let i = 0; i < this.obsSize; i++) this.obsBuffer[i] = obs[i];
    return this.learner.qValues(this.obsBuffer, 1);
  }

  /**
   * The trained agent's action for one observation (SB3's `model.predict(obs, deterministic)`):
   * argmax Q, or with `deterministic: false` ε-greedy with the config's evalEpsilon. The
   * non-deterministic draws use their own generator, so predicting never changes training.
   */
  predict(obs: ArrayLike<number>, options: PredictOptions = {}): number {
    if (obs.length !== this.obsSize) {
      throw new Error(`DqnAgent.predict: the observation has ${obs.length} values, the agent expects ${this.obsSize} (shape [${this.obsShape.join(', ')}])`);
    }
    if (options.deterministic ?? true) return argmax(this.qValues(obs));
    this.predictRng ??= new Random(deriveSeed(this.config.seed, 'predict'));
    return epsilonGreedy(this.config.evalEpsilon, this.nActions, this.predictRng, () => this.qValues(obs)).action;
  }

  /**
   * Evaluation episodes on `env` (evaluate.ts): mean and std of the returns. The defaults are the
   * run's final evaluation (seed, stream 'final-eval', ε = evalEpsilon, finalEvalEpisodes), so
   * the final agent of a run reproduces its summary's finalEval exactly.
   */
  evaluate(env: Env, episodes: number = this.config.finalEvalEpisodes, options: AgentEvaluateOptions = {}): EvalResult {
    if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`DqnAgent.evaluate: episodes must be a positive integer, got ${episodes}`);
    const shape = [...env.observationSpace.shape];
    if (shape.join(',') !== this.obsShape.join(',')) {
      throw new Error(`DqnAgent.evaluate: ${env.spec.id} observations have shape [${shape.join(', ')}], the agent expects [${this.obsShape.join(', ')}] (it was trained on ${this.config.env})`);
    }
    if (env.actionSpace.n !== this.nActions) {
      throw new Error(`DqnAgent.evaluate: ${env.spec.id} has ${env.actionSpace.n} actions, the agent has ${this.nActions} (it was trained on ${this.config.env})`);
    }
    return runEvaluation(env, (o) => this.qValues(o), {
      episodes,
      epsilon: options.epsilon ?? this.config.evalEpsilon,
      seed: options.seed ?? this.config.seed,
      stream: options.stream ?? 'final-eval',
      record: options.record ?? false,
      trainingStep: options.trainingStep ?? 0,
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    });
  }

  /**
   * Save the agent (online network + agent.json) through the registered agent store. In Node,
   * import 'keiko/node' (node/agent-dir.ts) first: `location` is then a directory.
   */
  async save(location: string, info?: SaveAgentInfo): Promise<void> {
    const store = getAgentStore();
    if (!store) throw new NoAgentStoreError('DqnAgent.save');
    await store.save(this, location, info);
  }

  /** Load an agent through the registered agent store (in Node: node/agent-dir.ts, or its loadAgent). */
  static async load(location: string): Promise<DqnAgent> {
    const store = getAgentStore();
    if (!store) throw new NoAgentStoreError('DqnAgent.load');
    return store.load(location);
  }

  /**
   * The agent an agent directory describes: its parsed agent.json and its loaded model directory
   * (what every agent store reads, from disk or over HTTP). `specFile` names spec.json in errors.
   * The loaded model is disposed; the network must be the one agent.json's config builds.
   */
  static fromSaved(saved: { agent: AgentFile; config: DqnConfig }, loaded: LoadedModel, specFile: string): DqnAgent {
    const { agent: file, config } = saved;
    let agent: DqnAgent | null = null;
    try {
      if (loaded.inputShape.join(',') !== file.obsShape.join(',')) {
        throw new AgentLoadError(specFile, `inputShape: [${loaded.inputShape.join(', ')}] differs from agent.json's obsShape [${file.obsShape.join(', ')}]`);
      }
      agent = new DqnAgent(config, file.obsShape, file.nActions);
      // Both specs as the layer stack normalised them (defaults filled in).
      if (JSON.stringify(getModelSpec(agent.online)?.spec) !== JSON.stringify(loaded.spec)) {
        throw new AgentLoadError(specFile, 'spec: the network does not match the one agent.json describes (config.network, config.dueling, obsShape, nActions)');
      }
      agent.setWeights(loaded.model.getWeights());
      const result = agent;
      agent = null;
      return result;
    } finally {
      agent?.dispose();
      loaded.model.dispose();
    }
  }

  /** Set the online weights (model.weights order) and copy them into the target network and the JS forward. */
  setWeights(weights: tf.Tensor[]): void {
    this.online.setWeights(weights);
    this.target.setWeights(weights);
    this.syncJsWeights();
  }

  /** One gradient step on a sampled batch: target, loss, optimiser (see learner.ts). */
  learn(batch: ReplayBatch): UpdateResult {
    return this.learner.update(batch);
  }

  /** Copy (τ = 1) or Polyak-average (τ < 1) the online weights into the target network. */
  updateTarget(): void {
    this.learner.updateTarget();
  }

  /** Change the optimiser's learning rate (all Keiko/tfjs optimisers read it at each step). */
  setLearningRate(lr: number): void {
    setLearningRate(this.optimizer, lr);
  }

  /** Weights (online, then target), optimiser state and exploration generator. */
  async exportState(): Promise<PartState> {
    const arrays: PartState['arrays'] = {};
    const read = (m: tf.LayersModel, prefix: string) => m.weights.forEach((w, i) => (arrays[`${prefix}/${i}`] = new Float32Array(w.read().dataSync() as Float32Array)));
    read(this.online, 'online');
    read(this.target, 'target');
    const named = await this.optimizer.getWeights();
    named.forEach((n, i) => (arrays[`optimizer/${i}`] = new Float32Array(n.tensor.dataSync() as Float32Array)));
    // getWeights makes a new 'iter' scalar each call (the rest are the optimiser's own variables).
    for (const n of named) if (n.name === 'iter') n.tensor.dispose();
    return {
      json: {
        weights: { online: this.online.weights.length, target: this.target.weights.length },
        optimizer: { names: named.map((n) => n.name), shapes: named.map((n) => n.tensor.shape as number[]) },
        rng: this.rng.getState(),
      },
      arrays,
    };
  }

  async importState(state: PartState): Promise<void> {
    const j = parseState(agentStateSchema, state.json);
    const load = (m: tf.LayersModel, prefix: 'online' | 'target', count: number) => {
      if (count !== m.weights.length) throw new SnapshotError(`weights.${prefix}`, `checkpoint has ${count} weight tensors, the network has ${m.weights.length}: was the network config changed?`);
      const tensors = m.weights.map((w, i) => tf.tensor(stateArray(state, `${prefix}/${i}`, Float32Array, w.shape.reduce<number>((a, b) => a * (b ?? 1), 1)), w.shape as number[]));
      m.setWeights(tensors);
      tf.dispose(tensors);
    };
    load(this.online, 'online', j.weights.online);
    load(this.target, 'target', j.weights.target);
    if (j.optimizer.names.length !== j.optimizer.shapes.length) throw new SnapshotError('optimizer.shapes', `has ${j.optimizer.shapes.length} entries for ${j.optimizer.names.length} names`);
    // Per-variable state ("<field>/<i>:<variable>") must have its variable's shape: a mismatch
    // would only fail later, inside an optimiser step.
    const vars = this.online.trainableWeights;
    j.optimizer.names.forEach((name, k) => {
      const m = /^[A-Za-z]+\/(\d+):/.exec(name);
      if (!m) return;
      const want = vars[Number(m[1])]?.shape;
      if (want === undefined || JSON.stringify(j.optimizer.shapes[k]) !== JSON.stringify(want)) {
        throw new SnapshotError(`optimizer.shapes.${k}`, `[${j.optimizer.shapes[k]}] for ${name}, the network's variable ${m[1]} is ${want ? `[${want}]` : 'missing'}`);
      }
    });
    const named = j.optimizer.names.map((name, i) => {
      const shape = j.optimizer.shapes[i];
      return { name, tensor: tf.tensor(stateArray(state, `optimizer/${i}`, Float32Array, shape.reduce((a, b) => a * b, 1)), shape) };
    });
    try {
      await this.optimizer.setWeights(named);
    } catch (err) {
      throw new SnapshotError('optimizer.names', `not this optimiser's state (${(err as Error).message})`);
    } finally {
      tf.dispose(named.map((n) => n.tensor));
    }
    try {
      this.rng = Random.fromState(j.rng);
    } catch (err) {
      throw new SnapshotError('rng', `not a generator state (${(err as Error).message})`);
    }
    this.syncJsWeights();
  }

  /** Copy the online weights into the JS forward (after construction or a checkpoint load). */
  private syncJsWeights(): void {
    if (!this.jsForward) return;
    let off = 0;
    for (const w of this.online.trainableWeights) {
      const data = w.read().dataSync() as Float32Array;
      this.jsForward.weights.set(data, off);
      off += data.length;
    }
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}
