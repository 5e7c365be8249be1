/**
 * FusedRMSPropOptimizer: tf.train.rmsprop's state (same slots 'rms', 'momentum' and, centered,
 * 'mg'; same getWeights/setWeights, so checkpoints interchange) with one KeikoRMSPropUpdate kernel
 * per variable where the backend has it (wasm, cpu; registered by initBackend), and tfjs ops
 * elsewhere (e.g. tfjs-node). The centered variant puts ε inside the sqrt AFTER subtracting mg²,
 * sqrt(ms − mg² + ε): tfjs itself computes sqrt(ms − (mg² + ε)), NaN for a zero gradient.
 * `epsilonOutside` gives PyTorch's denominator sqrt(ms − mg²) + ε instead (tfjs has no such option).
 */
import * as tf from '@tensorflow/tfjs';
import { RMSPROP_KERNEL, type RMSPropKernelAttrs } from './wasm/rmsprop-kernel';
import { applyClipped } from './wasm/clip-kernel';
import { assignUnlessInPlace } from './wasm/heap';

type Slot = { originalName: string; variable: tf.Variable };
type VariableGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

interface RMSPropInternals {
  centered: boolean;
  decay: number;
  momentum: number;
  epsilon: number;
  learningRate: number;
  accumulatedMeanSquares: Slot[];
  accumulatedMoments: Slot[];
  accumulatedMeanGrads: Slot[];
  incrementIterations(): void;
}

export class FusedRMSPropOptimizer extends tf.RMSPropOptimizer {
  constructor(
    learningRate: number, decay?: number, momentum?: number, epsilon?: number, centered?: boolean,
    /** PyTorch's sqrt(v) + ε instead of tfjs's sqrt(v + ε) (default false). */
    readonly epsilonOutside = false,
  ) {
    super(learningRate, decay, momentum, epsilon, centered);
  }

  /** Whether the current backend runs the fused kernel (otherwise tfjs ops run). */
  static fusedOnCurrentBackend(): boolean {
    return tf.getKernel(RMSPROP_KERNEL, tf.getBackend()) !== undefined;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    this.applyScaled(variableGradients, null);
  }

  /**
   * applyGradients(clipByGlobalNorm(grads, maxNorm).grads) — on a backend with the fused kernels,
   * as one KeikoClipScale kernel whose factor the update kernels apply to the gradients.
   */
  applyClippedGradients(variableGradients: tf.NamedTensorMap, maxNorm: number): void {
    applyClipped(variableGradients, maxNorm, FusedRMSPropOptimizer.fusedOnCurrentBackend(), (grads, scale) => this.applyScaled(grads, scale));
  }

  private applyScaled(variableGradients: VariableGradients, scale: tf.Scalar | null): void {
    const self = this as unknown as RMSPropInternals;
    const fused = FusedRMSPropOptimizer.fusedOnCurrentBackend();
    if (!fused && !self.centered && !this.epsilonOutside) {
      super.applyGradients(variableGradients);
      return;
    }
    const attrs: RMSPropKernelAttrs = {
      learningRate: self.learningRate, decay: self.decay, momentum: self.momentum, epsilon: self.epsilon, centered: self.centered,
      epsilonOutside: this.epsilonOutside,
      inPlaceState: true,
    };
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name]!;
      const slot = (suffix: string): Slot => ({ originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
      self.accumulatedMeanSquares[i] ??= slot('rms');
      self.accumulatedMoments[i] ??= slot('momentum');
      if (self.centered) self.accumulatedMeanGrads[i] ??= slot('mg');
      const g = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
      if (g == null) return;
      const ms = self.accumulatedMeanSquares[i]!.variable;
      const mom = self.accumulatedMoments[i]!.variable;
      const mg = self.centered ? self.accumulatedMeanGrads[i]!.variable : null;
      tf.tidy(() => {
        let next: tf.Tensor[];
        if (fused) {
          const inputs: tf.NamedTensorMap = mg ? { x: value, ms, mom, g, mg } : { x: value, ms, mom, g };
          if (scale) inputs.scale = scale;
          next = tf.engine().runKernel(RMSPROP_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        } else {
          // A backend without the kernel (centered or ε outside): the same formula in tfjs ops.
          const newMs = tf.add(tf.mul(ms, self.decay), tf.mul(tf.square(g), 1 - self.decay));
          const newMg = mg ? tf.add(tf.mul(mg, self.decay), tf.mul(g, 1 - self.decay)) : null;
          const variance = newMg ? tf.sub(newMs, tf.square(newMg)) : newMs;
          const denom = this.epsilonOutside ? tf.add(tf.sqrt(tf.relu(variance)), self.epsilon) : tf.sqrt(tf.add(variance, self.epsilon));
          const newMom = tf.add(tf.mul(mom, self.momentum), tf.div(tf.mul(g, self.learningRate), denom));
          next = newMg ? [tf.sub(value, newMom), newMs, newMom, newMg] : [tf.sub(value, newMom), newMs, newMom];
        }
        value.assign(next[0]);
        assignUnlessInPlace(ms, next[1]);
        assignUnlessInPlace(mom, next[2]);
        if (mg) assignUnlessInPlace(mg, next[3]);
      });
    });
    self.incrementIterations();
  }
}
