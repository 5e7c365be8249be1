/**
 * Optimisers from plain, zod-validated configs, and gradient clipping by global norm.
 *
 * Update rules as tfjs 4.22 implements them (g = gradient, lr = learningRate, t = step from 1):
 * - sgd:      w ← w − lr·g
 * - momentum: a ← m·a + g;  w ← w − lr·a   (nesterov: w ← w − lr·(g + m·a))
 * - adagrad:  s ← s + g² (s starts at initialAccumulatorValue, default 0.1, not 0);
 *             w ← w − lr·g / sqrt(s + ε_backend)   (ε_backend = 1e-7 on cpu/wasm; not configurable)
 * - rmsprop:  v ← ρ·v + (1−ρ)·g²;  mom ← μ·mom + lr·g / sqrt(v + ε);  w ← w − mom  (ε INSIDE the sqrt)
 *             centered: mg ← ρ·mg + (1−ρ)·g;  mom ← μ·mom + lr·g / sqrt(v − mg² + ε)
 *             (tfjs itself computes sqrt(v − (mg² + ε)), which is NaN for a zero gradient; we fix it.)
 *             epsilonPlacement 'outside-sqrt': PyTorch's lr·g / (sqrt(v [− mg²]) + ε) instead, with
 *             v − mg² clamped at 0 (a rounding-negative value gives NaN in PyTorch)
 * - adam:     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr·m̂ / (sqrt(v̂) + ε)
 *             with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)   (ε OUTSIDE the sqrt, as in the paper)
 * - adamax:   m ← β1·m + (1−β1)·g;  u ← max(β2·u, |g|);  w ← w − lr_t/(1−β1^t) · m/(u + ε),
 *             lr_t = lr / (1 + decay·(t−1))
 * - adadelta: E[g²] ← ρ·E[g²] + (1−ρ)·g²;  Δ = sqrt(E[Δ²] + ε)/sqrt(E[g²] + ε) · g;
 *             E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ²;  w ← w − lr·Δ   (Zeiler 2012, with the UPDATED E[g²]; tfjs
 *             itself divides by the previous E[g²], so its first step is lr·g whatever ε is — fixed here)
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from './fused-adam';
import { FusedRMSPropOptimizer } from './fused-rmsprop';
import { z } from 'zod';

const lr = z.number({ error: 'expected a number > 0' }).positive({ error: 'expected a number > 0' });
const unit = z
  .number({ error: 'expected a number in [0, 1)' })
  .min(0, { error: 'expected a number in [0, 1)' })
  .lt(1, { error: 'expected a number in [0, 1)' });
const eps = z.number({ error: 'expected a number > 0' }).positive({ error: 'expected a number > 0' });

export const optimizerConfigSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('sgd'), learningRate: lr }),
    z.strictObject({
      type: z.literal('momentum'),
      learningRate: lr,
      /** Default 0.9. */
      momentum: unit.default(0.9),
      /** Default false. */
      nesterov: z.boolean({ error: 'expected true or false' }).default(false),
    }),
    z.strictObject({
      type: z.literal('adagrad'),
      learningRate: lr,
      /** Default 0.1 (tfjs). */
      initialAccumulatorValue: z.number().positive({ error: 'expected a number > 0' }).default(0.1),
    }),
    z.strictObject({
      type: z.literal('rmsprop'),
      learningRate: lr,
      /** ρ, default 0.9. */
      decay: unit.default(0.9),
      /** Default 0. */
      momentum: unit.default(0),
      /** Default 1e-7. */
      epsilon: eps.default(1e-7),
      /** Default false. */
      centered: z.boolean({ error: 'expected true or false' }).default(false),
      /**
       * Where ε goes in the denominator: 'inside-sqrt' sqrt(v + ε) (default; tfjs, Keras, DeepMind's
       * DQN) or 'outside-sqrt' sqrt(v) + ε (PyTorch's torch.optim.RMSprop). With ε = 0.01 the
       * two differ by up to 10× in step size once v ≪ ε, as it is late in DQN training.
       */
      epsilonPlacement: z
        .enum(['inside-sqrt', 'outside-sqrt'], { error: "expected 'inside-sqrt' or 'outside-sqrt'" })
        .default('inside-sqrt'),
    }),
    z.strictObject({
      type: z.literal('adam'),
      learningRate: lr,
      beta1: unit.default(0.9),
      beta2: unit.default(0.999),
      /** Default 1e-7 (Keras/tfjs; PyTorch uses 1e-8). */
      epsilon: eps.default(1e-7),
    }),
    z.strictObject({
      type: z.literal('adamax'),
      learningRate: lr,
      beta1: unit.default(0.9),
      beta2: unit.default(0.999),
      epsilon: eps.default(1e-7),
      /** Learning-rate decay per step, default 0. */
      decay: z.number().nonnegative({ error: 'expected a number >= 0' }).default(0),
    }),
    z.strictObject({
      type: z.literal('adadelta'),
      learningRate: lr,
      rho: unit.default(0.95),
      epsilon: eps.default(1e-7),
    }),
  ],
  { error: "expected type to be one of 'sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamax', 'adadelta'" },
);

/** A config as written by a user (defaults optional). */
export type OptimizerConfigInput = z.input<typeof optimizerConfigSchema>;
/** A config with every default filled in. */
export type OptimizerConfig = z.output<typeof optimizerConfigSchema>;
export type OptimizerType = OptimizerConfig['type'];

export class OptimizerConfigError extends Error {
  override name = 'OptimizerConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid optimizer config:\n  ${problems.join('\n  ')}`);
  }
}

/** Validate and fill defaults; throws OptimizerConfigError listing every problem by path. */
export function resolveOptimizerConfig(input: unknown, root = 'optimizer'): OptimizerConfig {
  const result = optimizerConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new OptimizerConfigError(
    result.error.issues.map((issue) => {
      const path = [root, ...issue.path.map(String)].join('.');
      const msg =
        issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
      return `${path}: ${msg}`;
    }),
  );
}

const configs = new WeakMap<tf.Optimizer, OptimizerConfig>();

/** The resolved config an optimizer was created from (undefined if not made by createOptimizer). */
export function getOptimizerConfig(optimizer: tf.Optimizer): OptimizerConfig | undefined {
  return configs.get(optimizer);
}

type Slot = { originalName: string; variable: tf.Variable };

type VariableGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

/**
 * Visit each variable of an applyGradients() call in tfjs's order (the index is the optimiser's
 * slot index), with `slot(suffix)` making a zero-initialised state slot named as tfjs names them.
 * The gradient is undefined for a variable that got none (the visitor still creates its slots).
 */
function eachVariableGradient(
  variableGradients: VariableGradients,
  visit: (i: number, value: tf.Variable, g: tf.Tensor | undefined, slot: (suffix: string) => Slot) => void,
): void {
  const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name]!;
    const slot = (suffix: string): Slot => ({
      originalName: `${name}/${suffix}`,
      variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
    });
    const g = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
    visit(i, value, g ?? undefined, slot);
  });
}

/** The RMSProp of createOptimizer (the old name; see src/fused-rmsprop.ts). */
export { FusedRMSPropOptimizer as CenteredRMSPropOptimizer };

/** Adadelta as in Zeiler (2012): the step divides by the updated E[g²] (see the header). */
export class ZeilerAdadeltaOptimizer extends tf.AdadeltaOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const self = this as unknown as {
      rho: number;
      epsilon: number;
      learningRate: number;
      accumulatedGrads: Slot[];
      accumulatedUpdates: Slot[];
      incrementIterations(): void;
    };
    eachVariableGradient(variableGradients, (i, value, g, slot) => {
      self.accumulatedGrads[i] ??= slot('accum_grad');
      self.accumulatedUpdates[i] ??= slot('accum_var');
      if (g == null) return;
      const eg2 = self.accumulatedGrads[i]!.variable;
      const edx2 = self.accumulatedUpdates[i]!.variable;
      tf.tidy(() => {
        const newEg2 = tf.add(tf.mul(eg2, self.rho), tf.mul(tf.square(g), 1 - self.rho));
        const update = tf.mul(tf.div(tf.sqrt(tf.add(edx2, self.epsilon)), tf.sqrt(tf.add(newEg2, self.epsilon))), g);
        const newEdx2 = tf.add(tf.mul(edx2, self.rho), tf.mul(tf.square(update), 1 - self.rho));
        eg2.assign(newEg2);
        edx2.assign(newEdx2);
        value.assign(tf.sub(value, tf.mul(update, self.learningRate)));
      });
    });
    self.incrementIterations();
  }
}

// ---------------------------------------------------------------------------------------------
// Complete optimiser state. tfjs keeps it in private fields, and its getWeights() misses Adam's
// β powers (restored as pow(β, t+1), not bit for bit) and throws for Adamax. We read and restore
// those fields directly, per type, and install getWeights/setWeights that use them, so
// checkpoints written either way resume bitwise for every type.

type OptimizerInternals = Record<string, unknown> & { iterations_?: number };

/** Per-variable state arrays of each optimiser type, in tfjs's own getWeights order. */
function slotFields(config: OptimizerConfig): string[] {
  switch (config.type) {
    case 'sgd':
      return [];
    case 'momentum':
      return ['accumulations'];
    case 'adagrad':
      return ['accumulatedGrads'];
    case 'rmsprop':
      return config.centered
        ? ['accumulatedMeanSquares', 'accumulatedMoments', 'accumulatedMeanGrads']
        : ['accumulatedMeanSquares', 'accumulatedMoments'];
    case 'adam':
      return ['accumulatedFirstMoment', 'accumulatedSecondMoment'];
    case 'adamax':
      return ['accumulatedFirstMoment', 'accumulatedWeightedInfNorm'];
    case 'adadelta':
      return ['accumulatedGrads', 'accumulatedUpdates'];
  }
}

/** Scalar state variables beyond the step count. */
function scalarFields(config: OptimizerConfig): string[] {
  if (config.type === 'adam') return ['accBeta1', 'accBeta2'];
  if (config.type === 'adamax') return ['accBeta1', 'iteration'];
  return [];
}

export interface OptimizerState {
  /** Completed steps. */
  iterations: number;
  /** Number of variables with per-variable state (0 before the first step). */
  slotCount: number;
  /** Per-variable state named `<field>/<i>:<variable>/<suffix>`, grouped by field, then scalars by field name. */
  tensors: { name: string; tensor: tf.Tensor }[];
}

function requireConfig(optimizer: tf.Optimizer, fn: string): OptimizerConfig {
  const config = configs.get(optimizer);
  if (!config) throw new Error(`${fn}: the optimizer was not made by createOptimizer`);
  return config;
}

/**
 * The complete state of an optimiser made by createOptimizer. The tensors are the LIVE state
 * variables (not copies): read or serialise them, do not dispose them. Per-variable state is
 * POSITIONAL — it follows the order of the variable list given to minimize/applyGradients.
 */
export function getOptimizerState(optimizer: tf.Optimizer): OptimizerState {
  const config = requireConfig(optimizer, 'getOptimizerState');
  const o = optimizer as unknown as OptimizerInternals;
  const fields = slotFields(config);
  const slotCount = fields.length ? ((o[fields[0]!] as Slot[] | undefined)?.length ?? 0) : 0;
  const tensors: OptimizerState['tensors'] = [];
  for (const field of fields) {
    const slots = (o[field] as Slot[] | undefined) ?? [];
    if (slots.length !== slotCount) throw new Error(`optimizer state ${field} has ${slots.length} slots, expected ${slotCount}`);
    slots.forEach((slot, i) => tensors.push({ name: `${field}/${i}:${slot.originalName}`, tensor: slot.variable }));
  }
  for (const field of scalarFields(config)) tensors.push({ name: field, tensor: o[field] as tf.Variable });
  return { iterations: o.iterations_ ?? 0, slotCount, tensors };
}

/** Restore a state from getOptimizerState (values are copied; the caller keeps its tensors). */
export function setOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): void {
  const config = requireConfig(optimizer, 'setOptimizerState');
  const o = optimizer as unknown as OptimizerInternals;
  const fields = slotFields(config);
  const scalars = scalarFields(config);
  const expected = fields.length * state.slotCount + scalars.length;
  if (state.tensors.length !== expected) {
    throw new Error(
      `expected ${expected} state tensors for ${config.type}${config.type === 'rmsprop' ? (config.centered ? ' (centered)' : ' (not centered)') : ''} with ${state.slotCount} slots, found ${state.tensors.length}`,
    );
  }
  let k = 0;
  for (const field of fields) {
    const slots: Slot[] = [];
    for (let i = 0; i < state.slotCount; i++, k++) {
      const { name, tensor } = state.tensors[k]!;
      if (!name.startsWith(`${field}/`)) throw new Error(`state tensor ${k} is ${name}, expected ${field}/${i}`);
      slots.push({ originalName: name.slice(name.indexOf(':') + 1), variable: tensor.variable(false) });
    }
    for (const old of (o[field] as Slot[] | undefined) ?? []) old.variable.dispose();
    o[field] = slots;
  }
  for (const field of scalars) {
    const { name, tensor } = state.tensors[k++]!;
    if (name !== field) throw new Error(`state tensor ${k - 1} is ${name}, expected ${field}`);
    (o[field] as tf.Variable).assign(tensor as tf.Scalar);
  }
  o.iterations_ = state.iterations;
}

/** Make getWeights/setWeights round-trip the complete state (first entry 'iter', as tfjs). */
function installCompleteWeights(optimizer: tf.Optimizer): void {
  optimizer.getWeights = async () => {
    const state = getOptimizerState(optimizer);
    return [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }, ...state.tensors];
  };
  optimizer.setWeights = async (weights) => {
    const config = requireConfig(optimizer, 'setWeights');
    if (weights[0]?.name !== 'iter') throw new Error("setWeights: expected the first entry to be 'iter' (from getWeights)");
    const iterations = (await weights[0].tensor.data())[0]!;
    const rest = weights.slice(1);
    const first = slotFields(config)[0];
    const slotCount = first === undefined ? 0 : rest.filter((w) => w.name.startsWith(`${first}/`)).length;
    setOptimizerState(optimizer, { iterations, slotCount, tensors: rest });
  };
}

/** Create a tfjs optimiser from a plain config (validated; defaults above). */
export function createOptimizer(input: OptimizerConfigInput | OptimizerConfig): tf.Optimizer {
  const c = resolveOptimizerConfig(input);
  let opt: tf.Optimizer;
  switch (c.type) {
    case 'sgd':
      opt = tf.train.sgd(c.learningRate);
      break;
    case 'momentum':
      opt = tf.train.momentum(c.learningRate, c.momentum, c.nesterov);
      break;
    case 'adagrad':
      opt = tf.train.adagrad(c.learningRate, c.initialAccumulatorValue);
      break;
    case 'rmsprop':
      // tf.train.rmsprop's state, one fused kernel per variable where the backend has it.
      opt = new FusedRMSPropOptimizer(c.learningRate, c.decay, c.momentum, c.epsilon, c.centered, c.epsilonPlacement === 'outside-sqrt');
      break;
    case 'adam':
      // tf.train.adam's maths and state, as one fused kernel per variable where the backend has it.
      opt = new FusedAdamOptimizer(c.learningRate, c.beta1, c.beta2, c.epsilon);
      break;
    case 'adamax':
      opt = tf.train.adamax(c.learningRate, c.beta1, c.beta2, c.epsilon, c.decay);
      break;
    case 'adadelta':
      opt = new ZeilerAdadeltaOptimizer(c.learningRate, c.rho, c.epsilon);
      break;
  }
  configs.set(opt, c);
  installCompleteWeights(opt);
  return opt;
}

/** Change an optimiser's learning rate (every Keiko/tfjs optimiser reads it at each step). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const opt = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (opt.setLearningRate) opt.setLearningRate(lr);
  else opt.learningRate = lr;
}

export { clipByGlobalNorm, type Gradients } from './clip-gradients';
