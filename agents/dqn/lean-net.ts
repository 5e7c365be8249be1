/**
 * Explicit forward and backward passes for the Q-networks DQN uses most: chains of dense and
 * conv2d layers (linear, relu, tanh or sigmoid activations) with flatten between them, built from
 * the typed layer spec over the model's own variables. Each layer is one fused tfjs op forward
 * and 2–5 ops backward, so an update issues about a quarter of the kernels that autodiff through
 * a LayersModel issues (its identities, reshapes and casts cost more than the maths for nets this
 * small). Plain tfjs ops: it runs on every backend. A final dueling head (one named dense layer
 * per branch, as network.ts builds it) is covered too. Anything else (other branches, pooling,
 * dropout, regularisers, frozen layers, other activations) → null, and the learner keeps autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationSpec, NetworkSpec } from '../../src/layers';
import { denseBackwardKernel, denseForwardKernel } from '../../src/wasm/dense-kernel';
import { convBackwardKernel } from '../../src/wasm/conv-grad-kernel';

type Act = 'linear' | 'relu' | 'tanh' | 'sigmoid';

type Op =
  | { kind: 'dense'; kernel: tf.Variable; bias: tf.Variable | null; act: Act }
  | { kind: 'conv'; kernel: tf.Variable; bias: tf.Variable | null; act: Act; strides: [number, number]; pad: 'valid' | 'same' }
  | { kind: 'flatten' }
  /** The dueling head: Q = V + A − mean(A), V and A one dense layer each on the same input. */
  | { kind: 'dueling'; value: DenseHead; advantage: DenseHead };

interface DenseHead {
  kernel: tf.Variable;
  bias: tf.Variable | null;
  act: Act;
}

/** What a forward pass keeps for its backward pass: each op's input and output. */
export interface LeanCache {
  inputs: tf.Tensor[];
  outputs: tf.Tensor[];
  /** Per op, what else its backward pass needs (the dueling head's V and A). */
  extra: tf.Tensor[][];
}

/** An empty cache for one forward pass. */
export const newLeanCache = (): LeanCache => ({ inputs: [], outputs: [], extra: [] });

export interface LeanNet {
  /** The trainable variables in model.trainableWeights order (the order of `backward`'s gradients). */
  readonly variables: tf.Variable[];
  /** Forward pass of a batch; with `cache`, what backward needs is recorded there. */
  forward(x: tf.Tensor, cache?: LeanCache): tf.Tensor2D;
  /** Gradients of every variable for the upstream gradient dOut = ∂loss/∂output. */
  backward(dOut: tf.Tensor2D, cache: LeanCache): tf.Tensor[];
}

function activationOf(a: ActivationSpec | undefined): Act | null {
  if (a === undefined || a === 'linear') return 'linear';
  if (a === 'relu' || a === 'tanh' || a === 'sigmoid') return a;
  return null;
}

/** One dense layer as a fused op (tanh after the bias add: tfjs does not fuse it). */
function denseForward(h: tf.Tensor2D, d: DenseHead): tf.Tensor2D {
  const bias = d.bias ?? undefined;
  const y: tf.Tensor2D = d.act === 'sigmoid' ? (tf.fused.matMul({ a: h, b: d.kernel as tf.Tensor2D, bias, activation: 'sigmoid' }) as tf.Tensor2D) : denseForwardKernel(h, d.kernel as tf.Tensor2D, bias, d.act === 'relu' ? 'relu' : 'linear');
  return d.act === 'tanh' ? (tf.tanh(y) as tf.Tensor2D) : y;
}

/** The dueling head network.ts appends: two branches of one named dense layer each (V with 1 unit). */
function duelingHead(layer: Extract<NetworkSpec[number], { type: 'branches' }>, model: tf.LayersModel): { value: DenseHead; advantage: DenseHead } | null {
  if (layer.merge !== 'dueling' || layer.branches.length !== 2) return null;
  const heads: DenseHead[] = [];
  for (const branch of layer.branches) {
    const d = branch[0];
    if (branch.length !== 1 || d.type !== 'dense' || !d.name || d.trainable === false || d.kernelRegularizer || d.biasRegularizer) return null;
    const act = activationOf(d.activation);
    if (act === null) return null;
    let weights: tf.LayerVariable[];
    try {
      weights = model.getLayer(d.name).trainableWeights;
    } catch {
      return null;
    }
    const useBias = d.useBias ?? true;
    if (weights.length !== (useBias ? 2 : 1) || weights[0].shape[1] !== d.units) return null;
    heads.push({ kernel: weights[0].read() as tf.Variable, bias: useBias ? (weights[1].read() as tf.Variable) : null, act });
  }
  if (heads[0].kernel.shape[1] !== 1) return null;
  return { value: heads[0], advantage: heads[1] };
}

const pair = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);

/** Compile `spec` (as given to buildModel) over `model`'s variables, or null if unsupported. */
export function compileLeanNet(spec: NetworkSpec, model: tf.LayersModel): LeanNet | null {
  const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (weights.length !== model.weights.length) return null;
  const ops: Op[] = [];
  let next = 0;
  const take = (shape: number[]): tf.Variable | null => {
    const v = weights[next];
    if (!v || v.shape.length !== shape.length || v.shape.some((d, i) => shape[i] !== -1 && d !== shape[i])) return null;
    next++;
    return v;
  };
  for (const [i, layer] of spec.entries()) {
    if (layer.trainable === false) return null;
    if (layer.type === 'branches') {
      const head = i === spec.length - 1 ? duelingHead(layer, model) : null;
      if (!head) return null;
      ops.push({ kind: 'dueling', ...head });
      continue;
    }
    if (layer.type === 'flatten') {
      ops.push({ kind: 'flatten' });
      continue;
    }
    if (layer.type !== 'dense' && layer.type !== 'conv2d') return null;
    if (layer.kernelRegularizer || layer.biasRegularizer) return null;
    const act = activationOf(layer.activation);
    if (act === null) return null;
    const kernel = layer.type === 'dense' ? take([-1, layer.units]) : take([...pair(layer.kernelSize, 1), -1, layer.filters]);
    if (!kernel) return null;
    const bias = (layer.useBias ?? true) ? take([layer.type === 'dense' ? layer.units : layer.filters]) : null;
    if ((layer.useBias ?? true) && !bias) return null;
    if (layer.type === 'dense') ops.push({ kind: 'dense', kernel, bias, act });
    else ops.push({ kind: 'conv', kernel, bias, act, strides: pair(layer.strides, 1), pad: layer.padding ?? 'valid' });
  }
  const last = ops[ops.length - 1];
  const headVariables = last?.kind === 'dueling' ? [last.value.kernel, last.value.bias, last.advantage.kernel, last.advantage.bias].filter((v): v is tf.Variable => v !== null) : [];
  // The trunk took its variables in order; the head's are whatever remains.
  if (next + headVariables.length !== weights.length || headVariables.some((v) => weights.indexOf(v) < next)) return null;
  if (!ops.some((o) => o.kind !== 'flatten')) return null;
  const firstWeighted = ops.findIndex((o) => o.kind !== 'flatten');
  const index = new Map(weights.map((v, i) => [v, i]));

  const forward = (x: tf.Tensor, cache?: LeanCache): tf.Tensor2D => {
    let h = x;
    for (const op of ops) {
      cache?.inputs.push(h);
      if (op.kind !== 'dueling') cache?.extra.push([]);
      if (op.kind === 'flatten') {
        h = tf.reshape(h, [h.shape[0], -1]);
      } else if (op.kind === 'dueling') {
        const v = denseForward(h as tf.Tensor2D, op.value);
        const a = denseForward(h as tf.Tensor2D, op.advantage);
        cache?.extra.push([v, a]);
        h = tf.add(v, tf.sub(a, tf.mean(a, 1, true)));
      } else {
        // tfjs's fused ops take relu/sigmoid/linear; tanh runs after the bias add.
        const fused = op.act === 'tanh' ? 'linear' : op.act;
        h =
          op.kind === 'dense'
            ? denseForward(h as tf.Tensor2D, op)
            : tf.fused.conv2d({ x: h as tf.Tensor4D, filter: op.kernel as tf.Tensor4D, strides: op.strides, pad: op.pad, bias: op.bias ?? undefined, activation: fused });
        if (op.kind === 'conv' && op.act === 'tanh') h = tf.tanh(h);
      }
      cache?.outputs.push(h);
    }
    return h as tf.Tensor2D;
  };

  /** ∂loss/∂z from ∂loss/∂y for y = act(z), using the output y. */
  const throughActivation = (dy: tf.Tensor, y: tf.Tensor, act: Act): tf.Tensor => {
    if (act === 'linear') return dy;
    if (act === 'relu') return tf.mul(dy, tf.step(y));
    if (act === 'tanh') return tf.mul(dy, tf.sub(1, tf.square(y)));
    return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  };

  const backward = (dOut: tf.Tensor2D, cache: LeanCache): tf.Tensor[] => {
    const grads: tf.Tensor[] = new Array(weights.length);
    let dy: tf.Tensor = dOut;
    for (let k = ops.length - 1; k >= 0; k--) {
      const op = ops[k];
      const x = cache.inputs[k];
      if (op.kind === 'flatten') {
        dy = tf.reshape(dy, x.shape);
        continue;
      }
      if (op.kind === 'dueling') {
        // Q = V + A − mean(A): ∂/∂V = Σ_a dQ, ∂/∂A = dQ − mean_a dQ.
        const [v, a] = cache.extra[k];
        const dv = throughActivation(tf.sum(dy, 1, true), v, op.value.act);
        const da = throughActivation(tf.sub(dy, tf.mean(dy, 1, true)), a, op.advantage.act);
        let dx: tf.Tensor | null = null;
        for (const [head, d] of [[op.value, dv], [op.advantage, da]] as const) {
          grads[index.get(head.kernel)!] = tf.matMul(x as tf.Tensor2D, d as tf.Tensor2D, true, false);
          if (head.bias) grads[index.get(head.bias)!] = tf.sum(d, 0);
          if (k > firstWeighted) {
            const part = tf.matMul(d as tf.Tensor2D, head.kernel as tf.Tensor2D, false, true);
            dx = dx ? tf.add(dx, part) : part;
          }
        }
        if (dx) dy = dx;
        continue;
      }
      // Relu and linear layers: one fused kernel record gives [dW, db?, dx?] where the backend has it.
      if (op.act === 'relu' || op.act === 'linear') {
        const flags = { activation: op.act, withBias: op.bias !== null, withDx: k > firstWeighted };
        const fused =
          op.kind === 'dense'
            ? denseBackwardKernel(dy as tf.Tensor2D, x as tf.Tensor2D, op.kernel as tf.Tensor2D, cache.outputs[k] as tf.Tensor2D, flags)
            : convBackwardKernel(dy as tf.Tensor4D, x as tf.Tensor4D, op.kernel as tf.Tensor4D, cache.outputs[k] as tf.Tensor4D, { ...flags, strides: op.strides, pad: op.pad });
        if (fused) {
          grads[index.get(op.kernel)!] = fused[0];
          if (op.bias) grads[index.get(op.bias)!] = fused[1];
          if (flags.withDx) dy = fused[op.bias ? 2 : 1];
          continue;
        }
      }
      const dz = throughActivation(dy, cache.outputs[k], op.act);
      if (op.kind === 'dense') {
        grads[index.get(op.kernel)!] = tf.matMul(x as tf.Tensor2D, dz as tf.Tensor2D, true, false);
        if (op.bias) grads[index.get(op.bias)!] = tf.sum(dz, 0);
        if (k > firstWeighted) dy = tf.matMul(dz as tf.Tensor2D, op.kernel as tf.Tensor2D, false, true);
      } else {
        const conv = { strides: op.strides, pad: op.pad, dataFormat: 'NHWC' } as const;
        grads[index.get(op.kernel)!] = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: op.kernel.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
        if (op.bias) grads[index.get(op.bias)!] = tf.sum(dz, [0, 1, 2]);
        if (k > firstWeighted) dy = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: op.kernel }, { ...conv, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
      }
    }
    return grads;
  };

  return { variables: weights, forward, backward };
}
