/**
 * Built-in model presets as layer specs: an MLP and a small CNN for classification or
 * regression, with the techniques of the lessons (dropout, batch norm, L1/L2, initialisers).
 * Both output logits (classification) or raw values (regression).
 */
import type { InitializerSpec, LayerSpec, NetworkSpec, ActivationSpec } from '../src/layers';

export interface Techniques {
  /** Dropout rate after every hidden layer (0 = off). */
  dropout?: number;
  /** Batch norm after every hidden layer (before the activation). */
  batchNorm?: boolean;
  l1?: number;
  l2?: number;
  /** Kernel initialiser of every layer (default heNormal for ReLU nets). */
  init?: InitializerSpec;
  activation?: ActivationSpec;
}

function hidden(units: number, t: Techniques, name: string): LayerSpec[] {
  const reg = t.l1 || t.l2 ? { kernelRegularizer: { ...(t.l1 ? { l1: t.l1 } : {}), ...(t.l2 ? { l2: t.l2 } : {}) } } : {};
  const act = t.activation ?? 'relu';
  const out: LayerSpec[] = t.batchNorm
    ? [
        { type: 'dense', units, kernelInitializer: t.init ?? 'heNormal', useBias: false, name, ...reg },
        { type: 'batchNorm', name: `${name}_bn` },
        { type: 'activation', activation: act },
      ]
    : [{ type: 'dense', units, activation: act, kernelInitializer: t.init ?? 'heNormal', name, ...reg }];
  if (t.dropout) out.push({ type: 'dropout', rate: t.dropout });
  return out;
}

/** Dense layers of the given widths, then `outputs` linear units; inputs of rank > 1 are flattened first. */
export function mlpSpec(widths: readonly number[], outputs: number, t: Techniques = {}, inputRank = 1): NetworkSpec {
  const spec: NetworkSpec = [];
  if (inputRank > 1) spec.push({ type: 'flatten' });
  widths.forEach((w, i) => spec.push(...hidden(w, t, `hidden${i + 1}`)));
  spec.push({ type: 'dense', units: outputs, kernelInitializer: t.init ?? 'glorotUniform', name: 'logits' });
  return spec;
}

/**
 * A small CNN for 28×28 images, sized for CPUs: conv 16 3×3 → max-pool 2 → conv 32 3×3 → max-pool 2
 * → flatten → dense 128 → outputs. `features` names the flatten layer where transfer learning cuts.
 */
export function cnnSpec(outputs: number, t: Techniques = {}): NetworkSpec {
  const init = t.init ?? 'heNormal';
  const conv = (filters: number, name: string): LayerSpec[] =>
    t.batchNorm
      ? [
          { type: 'conv2d', filters, kernelSize: 3, kernelInitializer: init, useBias: false, name },
          { type: 'batchNorm', name: `${name}_bn` },
          { type: 'activation', activation: 'relu' },
        ]
      : [{ type: 'conv2d', filters, kernelSize: 3, activation: 'relu', kernelInitializer: init, name }];
  return [
    ...conv(16, 'conv1'),
    { type: 'maxPool2d', poolSize: 2 },
    ...conv(32, 'conv2'),
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten', name: 'features' },
    ...hidden(128, { ...t, batchNorm: false }, 'dense1'),
    { type: 'dense', units: outputs, name: 'logits' },
  ];
}

/** Index of the spec entry named `features` (the flatten), where a CNN's head starts. */
export function featureIndex(spec: NetworkSpec): number {
  const i = spec.findIndex((l) => l.name === 'features');
  if (i < 0) throw new Error('the model spec has no layer named "features" to cut at');
  return i;
}
