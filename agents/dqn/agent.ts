/**
 * The DQN agent: online and target Q-networks, optimiser, learner, and fast Q-values for one
 * observation (plain-JS forward when the net allows, else one tfjs predict).
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, resolveOptimizerConfig, setLearningRate } from '../../src/optimizers';
import { deriveSeed } from '../../src/random';
import type { DqnConfig } from './config';
import { compileJsForward, type JsForward } from './js-forward';
import { Learner } from './learner';
import { buildQNetwork, qNetworkSpec } from './network';
import type { NetworkSpec } from '../../src/layers';

export class DqnAgent {
  readonly online: tf.LayersModel;
  readonly target: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly learner: Learner;
  readonly spec: NetworkSpec;
  /** Null when the network needs tfjs for inference (see js-forward.ts). */
  readonly jsForward: JsForward | null;
  /** The optimiser's initial learning rate (learningRateEnd anneals from it). */
  readonly baseLearningRate: number;
  private readonly obsBuffer: Float32Array;
  private readonly obsSize: number;

  constructor(config: DqnConfig, readonly obsShape: readonly number[], readonly nActions: number) {
    this.spec = qNetworkSpec(config.network as NetworkSpec | null, obsShape, nActions, config.dueling);
    const initSeed = deriveSeed(config.seed, 'init');
    this.online = buildQNetwork(this.spec, obsShape, initSeed, 'q_online');
    this.target = buildQNetwork(this.spec, obsShape, initSeed, 'q_target');
    const opt = typeof config.optimizer === 'string' ? { type: config.optimizer } : config.optimizer;
    const optConfig = resolveOptimizerConfig({ ...opt, learningRate: opt.learningRate ?? config.learningRate });
    this.baseLearningRate = optConfig.learningRate;
    this.optimizer = createOptimizer(optConfig);
    this.jsForward = compileJsForward(this.online);
    this.learner = new Learner(this.online, this.target, this.optimizer, nActions, {
      gamma: config.gamma,
      doubleDqn: config.doubleDqn,
      loss: config.loss,
      huberDelta: config.huberDelta,
      maxGradNorm: config.maxGradNorm,
      tau: config.tau,
    }, this.jsForward ? this.jsForward.weights : null);
    // Start with θ⁻ = θ, and the JS copy of θ.
    this.hardSyncTarget();
    this.syncJsWeights();
    this.obsSize = obsShape.reduce((a, b) => a * b, 1);
    this.obsBuffer = new Float32Array(this.obsSize);
  }

  private hardSyncTarget(): void {
    this.target.setWeights(this.online.getWeights());
  }

  /** Copy the online weights into the JS forward (after construction or a checkpoint load). */
  syncJsWeights(): void {
    if (!this.jsForward) return;
    let off = 0;
    for (const w of this.online.trainableWeights) {
      const data = w.read().dataSync() as Float32Array;
      this.jsForward.weights.set(data, off);
      off += data.length;
    }
  }

  /** Change the optimiser's learning rate (all Keiko/tfjs optimisers read it at each step). */
  setLearningRate(lr: number): void {
    setLearningRate(this.optimizer, lr);
  }

  /** Q-values of one observation (reused array: copy to keep). */
  qValues(obs: ArrayLike<number>): Float32Array {
    if (this.jsForward) return this.jsForward.forward(obs);
    for (let i = 0; i < this.obsSize; i++) this.obsBuffer[i] = obs[i];
    return this.learner.qValues(this.obsBuffer, 1);
  }

  /** All weights (online, then target) as flat float32 arrays, for checkpoints. */
  exportWeights(): { online: Float32Array[]; target: Float32Array[] } {
    const read = (m: tf.LayersModel) => m.weights.map((w) => new Float32Array(w.read().dataSync() as Float32Array));
    return { online: read(this.online), target: read(this.target) };
  }

  importWeights(online: Float32Array[], target: Float32Array[]): void {
    const load = (m: tf.LayersModel, arrays: Float32Array[]) => {
      if (arrays.length !== m.weights.length) throw new Error(`checkpoint has ${arrays.length} weight tensors, the network has ${m.weights.length}: was the network config changed?`);
      const tensors = m.weights.map((w, i) => {
        if (arrays[i].length !== w.shape.reduce<number>((a, b) => a * (b ?? 1), 1)) throw new Error(`checkpoint weight ${w.name} has ${arrays[i].length} values, expected shape [${w.shape}]`);
        return tf.tensor(arrays[i], w.shape as number[]);
      });
      m.setWeights(tensors);
      tf.dispose(tensors);
    };
    load(this.online, online);
    load(this.target, target);
    this.syncJsWeights();
  }

  async exportOptimizer(): Promise<{ names: string[]; arrays: Float32Array[]; shapes: number[][] }> {
    const named = await this.optimizer.getWeights();
    return {
      names: named.map((n) => n.name),
      arrays: named.map((n) => new Float32Array(n.tensor.dataSync() as Float32Array)),
      shapes: named.map((n) => n.tensor.shape as number[]),
    };
  }

  async importOptimizer(state: { names: string[]; arrays: Float32Array[]; shapes: number[][] }): Promise<void> {
    const named = state.names.map((name, i) => ({ name, tensor: tf.tensor(state.arrays[i], state.shapes[i]) }));
    await this.optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
  }

  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}
