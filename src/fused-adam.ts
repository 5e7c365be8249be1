/**
 * FusedAdamOptimizer: tf.train.adam's maths and state (same getWeights/setWeights, so checkpoints
 * interchange), but one KeikoAdamUpdate kernel per variable where the backend has it (wasm, cpu;
 * registered by initBackend), falling back to tfjs's own update elsewhere (e.g. tfjs-node).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL, type AdamKernelAttrs } from './wasm/adam-kernel';
import { applyClipped } from './wasm/clip-kernel';
import { assignUnlessInPlace } from './wasm/heap';

interface AdamInternals {
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon as number);
  }

  /** Whether the current backend runs the fused kernel (otherwise tfjs's AdamOptimizer runs). */
  static fusedOnCurrentBackend(): boolean {
    return tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
  }

  override applyGradients(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    this.applyScaled(variableGradients, null);
  }

  /**
   * applyGradients(clipByGlobalNorm(grads, maxNorm).grads) — on a backend with the fused kernels,
   * as one KeikoClipScale kernel whose factor the update kernels apply to the gradients.
   */
  applyClippedGradients(variableGradients: tf.NamedTensorMap, maxNorm: number): void {
    applyClipped(variableGradients, maxNorm, FusedAdamOptimizer.fusedOnCurrentBackend(), (grads, scale) => this.applyScaled(grads, scale));
  }

  private applyScaled(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0], scale: tf.Scalar | null): void {
    if (!FusedAdamOptimizer.fusedOnCurrentBackend()) {
      this.syncBiasCorrection();
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const t = this.iterations + 1;
    const attrs: AdamKernelAttrs = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      biasCorrection1: 1 - Math.pow(self.beta1, t),
      biasCorrection2: 1 - Math.pow(self.beta2, t),
      inPlaceState: true,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!self.accumulatedFirstMoment[i]) {
          self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        if (!self.accumulatedSecondMoment[i]) {
          self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        }
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const inputs: tf.NamedTensorMap = scale ? { x: value, m, v, g: gradient, scale } : { x: value, m, v, g: gradient };
        const [x2, m2, v2] = tf.engine().runKernel(ADAM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        assignUnlessInPlace(m, m2);
        assignUnlessInPlace(v, v2);
        value.assign(x2);
      });
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }

  /**
   * tfjs's update reads its bias-correction accumulators (β^t as variables); the fused path
   * leaves them alone (two fewer uploads and assigns per step), so set them from the step count
   * before tfjs's update runs. setWeights sets them from the step count too.
   */
  private syncBiasCorrection(): void {
    const self = this as unknown as AdamInternals & { accBeta1: tf.Variable; accBeta2: tf.Variable };
    const t = this.iterations + 1;
    tf.tidy(() => {
      self.accBeta1.assign(tf.scalar(Math.pow(self.beta1, t)));
      self.accBeta2.assign(tf.scalar(Math.pow(self.beta2, t)));
    });
  }
}
