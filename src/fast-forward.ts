/**
 * A single-observation forward pass compiled from a network spec (the spec and input shape given
 * to `buildModel`), over ONE flat Float32Array of weights laid out like
 * `buildModel(spec, inputShape).trainableWeights` concatenated: a learner that reads its variables
 * back in one host read writes them straight into `weights`, and the next forward uses them.
 * Choosing an action this way costs microseconds; a tfjs predict costs a dispatch per layer plus a
 * sync.
 *
 * Supported: dense (on the last axis), conv2d (valid/same, any strides), flatten, reshape, dropout
 * (identity at inference), maxPool2d/avgPool2d, activation layers, every spec activation, and
 * branches merged by concat, add or dueling (Q = V + A − mean(A)). Unsupported (null):
 * conv2dTranspose, batchNorm, upSampling2d, and frozen layers (trainable: false), whose weights are
 * not among the trainable weights.
 *
 * Speed: MinAtar observations are 0/1 with few ones, and ReLU zeroes about half the hidden units.
 * Convolutions scatter each non-zero input cell into the outputs it reaches (a precomputed table of
 * output and kernel offsets per input cell); dense layers compact their non-zero inputs, then add
 * those kernel rows into the outputs (tfjs's [in, out] layout makes each row contiguous). Both run
 * as WebAssembly SIMD kernels (assembled below, no files) over one memory that holds the weights and
 * every buffer, with ReLU and the bias fused in; plain JS kernels do the same where WebAssembly SIMD
 * is missing. Everything is allocated at compile time.
 */
import { F32, funcBody, I32, MODULE_HEADER, name, section, sleb, uleb, V128, vec, type Code } from './wasm/encoding';
import {
  SpecError,
  formatPath,
  validateInputShape,
  validateNetworkSpec,
  type ActivationSpec,
  type LayerSpec,
  type NetworkSpec,
} from './layers/spec';

export interface FastForward {
  /** Every trainable weight, flat, in the order of buildModel(spec, inputShape).trainableWeights. */
  readonly weights: Float32Array;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Output for one observation; the returned array is reused by the next call. */
  forward(obs: ArrayLike<number>): Float32Array;
  /** Whether the WebAssembly SIMD kernels run (else plain JS). */
  readonly simd: boolean;
}

export interface FastForwardOptions {
  /** Use the WebAssembly SIMD kernels where the platform has them. Default true. */
  simd?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The layer graph, one node per tfjs layer buildModel creates (a leakyRelu activation is its own
// layer there), so the trainable-weight order can be derived exactly as tfjs derives it.

type Act =
  | { kind: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'swish' | 'elu' }
  | { kind: 'leakyRelu'; alpha: number };

interface Conv {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
}

type NodeKind =
  | { kind: 'input' }
  | { kind: 'dense'; units: number; useBias: boolean; act: Act }
  | ({ kind: 'conv'; filters: number; useBias: boolean; act: Act } & Conv)
  | ({ kind: 'pool'; max: boolean } & Conv)
  | { kind: 'identity' }
  | { kind: 'act'; act: Act }
  | { kind: 'concat' | 'add' | 'dueling' };

type GraphNode = NodeKind & {
  inputs: GraphNode[];
  /** Output shape without the batch axis. */
  shape: number[];
  /** Sizes of this layer's trainable weights, in tfjs order (kernel, then bias). */
  weightSizes: number[];
  /** Offsets of those weights in the flat vector (set once the order is known). */
  offsets: number[];
};

class Unsupported extends Error {}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const pair = (v: number | [number, number] | undefined, dflt: [number, number]): [number, number] =>
  v === undefined ? dflt : typeof v === 'number' ? [v, v] : v;

function toAct(a: ActivationSpec | undefined): Act {
  if (a === undefined) return { kind: 'linear' };
  if (typeof a === 'object') return { kind: 'leakyRelu', alpha: a.alpha ?? 0.3 };
  return { kind: a };
}

/** Output size and padding of a conv/pool window along one axis, as tfjs computes them. */
function windowAxis(size: number, k: number, s: number, padding: 'valid' | 'same'): [out: number, pad: number] {
  if (padding === 'same') {
    const out = Math.ceil(size / s);
    return [out, Math.floor(Math.max(0, (out - 1) * s + k - size) / 2)];
  }
  return [Math.ceil((size - k + 1) / s), 0];
}

class GraphBuilder {
  readonly nodes: GraphNode[] = [];

  node(kind: NodeKind, inputs: GraphNode[], shape: number[], weightSizes: number[] = []): GraphNode {
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`output shape [${shape.join(', ')}] is empty`);
    const n = { ...kind, inputs, shape, weightSizes, offsets: [] } as GraphNode;
    this.nodes.push(n);
    return n;
  }

  /** A weighted layer's activation: tfjs's own, or a separate LeakyReLU layer after it. */
  private activated(make: (act: Act) => GraphNode, a: ActivationSpec | undefined): GraphNode {
    const act = toAct(a);
    if (act.kind !== 'leakyRelu') return make(act);
    const y = make({ kind: 'linear' });
    return this.node({ kind: 'act', act }, [y], y.shape);
  }

  layer(spec: LayerSpec, x: GraphNode, path: (string | number)[]): GraphNode {
    if (spec.trainable === false) throw new Unsupported(`${formatPath(path)}: frozen layers are not supported`);
    const s = x.shape;
    switch (spec.type) {
      case 'dense': {
        const useBias = spec.useBias ?? true;
        const sizes = [s[s.length - 1] * spec.units, ...(useBias ? [spec.units] : [])];
        return this.activated((act) => this.node({ kind: 'dense', units: spec.units, useBias, act }, [x], [...s.slice(0, -1), spec.units], sizes), spec.activation);
      }
      case 'conv2d':
      case 'maxPool2d':
      case 'avgPool2d': {
        if (s.length !== 3) throw new Error(`expected an [h, w, channels] input`);
        const isConv = spec.type === 'conv2d';
        const [kh, kw] = pair(isConv ? spec.kernelSize : spec.poolSize, [1, 1]);
        const [sh, sw] = pair(spec.strides, isConv ? [1, 1] : [kh, kw]);
        const [outH, padTop] = windowAxis(s[0], kh, sh, spec.padding ?? 'valid');
        const [outW, padLeft] = windowAxis(s[1], kw, sw, spec.padding ?? 'valid');
        const geometry = { kh, kw, sh, sw, padTop, padLeft };
        if (!isConv) return this.node({ kind: 'pool', max: spec.type === 'maxPool2d', ...geometry }, [x], [outH, outW, s[2]]);
        const useBias = spec.useBias ?? true;
        const sizes = [kh * kw * s[2] * spec.filters, ...(useBias ? [spec.filters] : [])];
        return this.activated(
          (act) => this.node({ kind: 'conv', filters: spec.filters, useBias, act, ...geometry }, [x], [outH, outW, spec.filters], sizes),
          spec.activation,
        );
      }
      case 'flatten':
        return this.node({ kind: 'identity' }, [x], [product(s)]);
      case 'reshape':
        if (product(spec.targetShape) !== product(s)) throw new Error(`cannot reshape ${product(s)} values to [${spec.targetShape.join(', ')}]`);
        return this.node({ kind: 'identity' }, [x], [...spec.targetShape]);
      case 'dropout':
        return this.node({ kind: 'identity' }, [x], s);
      case 'activation':
        return this.node({ kind: 'act', act: toAct(spec.activation) }, [x], s);
      case 'branches': {
        const outs = spec.branches.map((branch, b) => this.stack(branch, x, [...path, 'branches', b]));
        if (outs.length === 1 && spec.merge !== 'dueling') return outs[0];
        const shapes = outs.map((o) => o.shape);
        const same = (a: number[], b: number[], upTo: number) => a.length === b.length && a.slice(0, upTo).every((d, i) => d === b[i]);
        if (spec.merge === 'dueling') {
          if (outs.length !== 2 || shapes[0].length !== 1 || shapes[1].length !== 1 || shapes[0][0] !== 1) {
            throw new Error('dueling merge needs two branches ending in [1] (value) and [n] (advantages)');
          }
          return this.node({ kind: 'dueling' }, outs, shapes[1]);
        }
        if (spec.merge === 'add') {
          if (!shapes.every((t) => same(t, shapes[0], t.length))) throw new Error('add merge needs equal branch shapes');
          return this.node({ kind: 'add' }, outs, shapes[0]);
        }
        const last = shapes[0].length - 1;
        if (!shapes.every((t) => same(t, shapes[0], last))) throw new Error('concat merge needs branch shapes equal but for the last axis');
        return this.node({ kind: 'concat' }, outs, [...shapes[0].slice(0, last), shapes.reduce((a, t) => a + t[last], 0)]);
      }
      default:
        throw new Unsupported(`${formatPath(path)}: ${spec.type} is not supported`);
    }
  }

  stack(layers: LayerSpec[], x: GraphNode, path: (string | number)[]): GraphNode {
    let y = x;
    layers.forEach((spec, i) => {
      const here = [...path, i];
      try {
        y = this.layer(spec, y, here);
      } catch (err) {
        if (err instanceof Unsupported || err instanceof SpecError) throw err;
        throw new SpecError([`${formatPath(here)} (${spec.type}): cannot apply to input shape [${y.shape.join(', ')}]: ${(err as Error).message}`]);
      }
    });
    return y;
  }
}

/**
 * tfjs's Container orders its layers by decreasing depth (longest path to the output), ties by
 * the order a depth-first walk from the output (first input first) reaches them; trainableWeights
 * concatenates the layers' weights in that order. Returns the total size.
 */
function assignOffsets(nodes: GraphNode[], output: GraphNode): number {
  const index = new Map<GraphNode, number>();
  const visit = (n: GraphNode) => {
    if (index.has(n)) return;
    index.set(n, index.size);
    for (const i of n.inputs) visit(i);
  };
  visit(output);
  // nodes is in creation order (inputs before consumers): walking it backwards sees every
  // consumer before its inputs.
  const depth = new Map<GraphNode, number>([[output, 0]]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    const d = depth.get(n);
    if (d === undefined) continue;
    for (const i of n.inputs) depth.set(i, Math.max(depth.get(i) ?? 0, d + 1));
  }
  const ordered = nodes.filter((n) => depth.has(n)).sort((a, b) => depth.get(b)! - depth.get(a)! || index.get(a)! - index.get(b)!);
  let total = 0;
  for (const n of ordered) {
    n.offsets = n.weightSizes.map((size) => ((total += size), total - size));
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Kernels

/** In place on x[off, off + n); softmax is over the last axis (groups of `last`). */
function activate(act: Act, x: Float32Array, n: number, last: number): void {
  switch (act.kind) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (x[i] < 0) x[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) x[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) x[i] = Math.tanh(x[i]);
      return;
    case 'swish':
      for (let i = 0; i < n; i++) x[i] = x[i] / (1 + Math.exp(-x[i]));
      return;
    case 'elu':
      for (let i = 0; i < n; i++) if (x[i] < 0) x[i] = Math.expm1(x[i]);
      return;
    case 'leakyRelu': {
      const alpha = act.alpha;
      for (let i = 0; i < n; i++) if (x[i] < 0) x[i] *= alpha;
      return;
    }
    case 'softmax':
      for (let o = 0; o < n; o += last) {
        let max = -Infinity;
        for (let i = o; i < o + last; i++) if (x[i] > max) max = x[i];
        let sum = 0;
        for (let i = o; i < o + last; i++) sum += x[i] = Math.exp(x[i] - max);
        for (let i = o; i < o + last; i++) x[i] /= sum;
      }
  }
}

/** y[o + j] += Σ_k value[k] · w[row[k] + j] for j < width: eight, then four rows per pass over y. */
function accumulateRows(y: Float32Array, o: number, width: number, w: Float32Array, value: Float32Array, row: Int32Array, n: number): void {
  let k = 0;
  for (; k + 7 < n; k += 8) {
    const a = value[k], b = value[k + 1], c = value[k + 2], d = value[k + 3];
    const e = value[k + 4], f = value[k + 5], g = value[k + 6], h = value[k + 7];
    const ra = row[k], rb = row[k + 1], rc = row[k + 2], rd = row[k + 3];
    const re = row[k + 4], rf = row[k + 5], rg = row[k + 6], rh = row[k + 7];
    for (let j = 0; j < width; j++) {
      y[o + j] += a * w[ra + j] + b * w[rb + j] + c * w[rc + j] + d * w[rd + j] + e * w[re + j] + f * w[rf + j] + g * w[rg + j] + h * w[rh + j];
    }
  }
  for (; k + 3 < n; k += 4) {
    const a = value[k], b = value[k + 1], c = value[k + 2], d = value[k + 3];
    const ra = row[k], rb = row[k + 1], rc = row[k + 2], rd = row[k + 3];
    for (let j = 0; j < width; j++) y[o + j] += a * w[ra + j] + b * w[rb + j] + c * w[rc + j] + d * w[rd + j];
  }
  for (; k < n; k++) {
    const a = value[k], ra = row[k];
    for (let j = 0; j < width; j++) y[o + j] += a * w[ra + j];
  }
}

// ---------------------------------------------------------------------------------------------
// WebAssembly SIMD kernels for the two loops that cost: the dense axpy over non-zero inputs and
// the convolution scatter. The module is assembled here from readable opcodes (no files, so it
// runs in browsers and Node alike); where WebAssembly SIMD is missing, the JS kernels run.
// Pointers are byte addresses in the forward pass's own memory, which holds the weights and
// every buffer, so nothing is copied in or out.

const get = (l: number): Code => [0x20, ...uleb(l)];
const set = (l: number, ...value: Code[]): Code => [...value.flat(), 0x21, ...uleb(l)];
const i32 = (c: number): Code => [0x41, ...sleb(c)];
const add = (a: Code, b: Code): Code => [...a, ...b, 0x6a];
const mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c];
const shl2 = (a: Code): Code => [...a, 0x41, 2, 0x74];
const inc = (l: number, by: number): Code => set(l, add(get(l), i32(by)));
const loadI32 = (addr: Code, offset = 0): Code => [...addr, 0x28, 2, ...uleb(offset)];
const loadF32 = (addr: Code, offset = 0): Code => [...addr, 0x2a, 2, ...uleb(offset)];
const storeI32 = (addr: Code, v: Code): Code => [...addr, ...v, 0x36, 2, 0];
const storeF32 = (addr: Code, v: Code, offset = 0): Code => [...addr, ...v, 0x38, 2, ...uleb(offset)];
const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
const loadV = (addr: Code, offset = 0): Code => [...addr, ...simd(0x00, 0, ...uleb(offset))];
const storeV = (addr: Code, v: Code, offset = 0): Code => [...addr, ...v, ...simd(0x0b, 0, ...uleb(offset))];
const splat = (v: Code): Code => [...v, ...simd(0x13)];
/** acc + s · m, four lanes. */
const madd = (acc: Code, s: Code, m: Code): Code => [...acc, ...s, ...m, ...simd(0xe6), ...simd(0xe4)];
/** while (a < b) { body } (signed). */
const whileLt = (a: Code, b: Code, ...body: Code[]): Code => [0x02, 0x40, 0x03, 0x40, ...a, ...b, 0x4e, 0x0d, 1, ...body.flat(), 0x0c, 0, 0x0b, 0x0b];
/** if (v != 0) { body }, v an f32. */
const ifNonZero = (v: Code, ...body: Code[]): Code => [...v, 0x43, 0, 0, 0, 0, 0x5c, 0x04, 0x40, ...body.flat(), 0x0b];

const f32zero: Code = [0x43, 0, 0, 0, 0];
const ifSet = (flag: number, ...body: Code[]): Code => [...get(flag), 0x04, 0x40, ...body.flat(), 0x0b];
/** max(v, 0) on four lanes. */
const reluV = (v: Code): Code => [...v, ...simd(0x0c, ...new Array<number>(16).fill(0)), ...simd(0xe9)];

/**
 * dense(x, nIn, w, units, y, val, row, b, relu): y[j] = b[j] + Σ_i x[i] · w[i·units + j] over the
 * non-zero x[i] (compacted into val/row first), then max(·, 0) if relu; 8 vectors (32 outputs)
 * per pass, then 1 vector, then scalars.
 */
function denseKernel(): Code {
  const [x, nIn, w, units, y, val, row, b, relu] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, m, k, j, p, q, stride] = [9, 10, 11, 12, 13, 14, 15];
  const v = 16, s = 17, acc = 18; // acc … acc + 7
  const vectors = (n: number, each: (a: number) => Code): Code => Array.from({ length: n }, (_, a) => each(a)).flat();
  const pass = (n: number): Code =>
    whileLt(add(get(j), i32(4 * n - 1)), get(units),
      vectors(n, (a) => set(acc + a, loadV(add(get(b), shl2(get(j))), 16 * a))),
      set(k, i32(0)),
      whileLt(get(k), get(m),
        set(s, splat(loadF32(add(get(val), shl2(get(k)))))),
        set(q, add(loadI32(add(get(row), shl2(get(k)))), shl2(get(j)))),
        vectors(n, (a) => set(acc + a, madd(get(acc + a), get(s), loadV(get(q), 16 * a)))),
        inc(k, 1)),
      ifSet(relu, vectors(n, (a) => set(acc + a, reluV(get(acc + a))))),
      set(p, add(get(y), shl2(get(j)))),
      vectors(n, (a) => storeV(get(p), get(acc + a), 16 * a)),
      inc(j, 4 * n));
  const body: Code = [
    set(stride, shl2(get(units))),
    // Branch-free compaction: always write the slot, advance only past non-zeros (ReLU
    // outputs are zero at random, a branch would mispredict half the time).
    whileLt(get(i), get(nIn),
      set(v, loadF32(add(get(x), shl2(get(i))))),
      storeF32(add(get(val), shl2(get(m))), get(v)),
      storeI32(add(get(row), shl2(get(m))), add(get(w), mul(get(i), get(stride)))),
      set(m, add(get(m), [...get(v), ...f32zero, 0x5c])),
      inc(i, 1)),
    pass(8),
    pass(1),
    whileLt(get(j), get(units),
      set(v, loadF32(add(get(b), shl2(get(j))))),
      set(k, i32(0)),
      whileLt(get(k), get(m),
        set(v, [...get(v), ...loadF32(add(get(val), shl2(get(k)))), ...loadF32(add(loadI32(add(get(row), shl2(get(k)))), shl2(get(j)))), 0x94, 0x92]),
        inc(k, 1)),
      ifSet(relu, set(v, [...get(v), ...f32zero, 0x97])),
      storeF32(add(get(y), shl2(get(j))), get(v)),
      inc(j, 1)),
  ].flat();
  return funcBody([[7, I32], [1, F32], [9, V128]], body);
}

/**
 * conv(x, cells, ci, coBytes, start, yTab, kTab, y, yBytes, b, relu): y ← the bias b (co values)
 * at every position; then for every non-zero input x[p·ci + c] and each table entry t of cell p
 * (byte offsets start[p] … start[p + 1]): y[yTab[t] …] += x · w[kTab[t] + c·co …], co outputs (a
 * multiple of 4; yTab and kTab hold absolute byte addresses); then max(·, 0) if relu.
 */
function convKernel(): Code {
  const [x, cells, ci, coBytes, start, yTab, kTab, y, yBytes, b, relu] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [p, c, t, t1, yo, kp, j, q, r] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  const v = 20, s = 21;
  const body: Code = [
    whileLt(get(p), get(yBytes),
      set(j, i32(0)),
      whileLt(get(j), get(coBytes), storeV(add(add(get(y), get(p)), get(j)), loadV(add(get(b), get(j)))), inc(j, 16)),
      set(p, add(get(p), get(coBytes)))),
    set(p, i32(0)),
    whileLt(get(p), get(cells),
      set(c, i32(0)),
      whileLt(get(c), get(ci),
        set(v, loadF32(get(x))),
        inc(x, 4),
        ifNonZero(get(v),
          set(s, splat(get(v))),
          set(t, loadI32(add(get(start), shl2(get(p))))),
          set(t1, loadI32(add(get(start), shl2(get(p))), 4)),
          whileLt(get(t), get(t1),
            set(yo, loadI32(add(get(yTab), get(t)))),
            set(kp, add(loadI32(add(get(kTab), get(t))), mul(get(c), get(coBytes)))),
            set(j, i32(0)),
            whileLt(add(get(j), i32(63)), get(coBytes),
              set(q, add(get(yo), get(j))),
              set(r, add(get(kp), get(j))),
              ...[0, 16, 32, 48].map((o) => storeV(get(q), madd(loadV(get(q), o), get(s), loadV(get(r), o)), o)),
              inc(j, 64)),
            whileLt(get(j), get(coBytes),
              storeV(add(get(yo), get(j)), madd(loadV(add(get(yo), get(j))), get(s), loadV(add(get(kp), get(j))))),
              inc(j, 16)),
            inc(t, 4))),
        inc(c, 1)),
      inc(p, 1)),
    ifSet(relu,
      set(p, i32(0)),
      whileLt(get(p), get(yBytes), storeV(add(get(y), get(p)), reluV(loadV(add(get(y), get(p))))), inc(p, 16))),
  ].flat();
  return funcBody([[9, I32], [1, F32], [1, V128]], body);
}

/** A section of entries (a vector). */
const sectionOf = (id: number, ...entries: Code[]): Code => section(id, vec(entries));

/** The module: imports memory k.m, exports dense and conv. */
function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...MODULE_HEADER,
    ...sectionOf(1, [0x60, 9, ...new Array<number>(9).fill(I32), 0], [0x60, 11, ...new Array<number>(11).fill(I32), 0]),
    ...sectionOf(2, [...name('k'), ...name('m'), 0x02, 0x00, 0x01]),
    ...sectionOf(3, [0], [1]),
    ...sectionOf(7, [...name('dense'), 0x00, 0], [...name('conv'), 0x00, 1]),
    ...sectionOf(10, denseKernel(), convKernel()),
  ]);
}

interface Kernels {
  memory: WebAssembly.Memory;
  dense(x: number, nIn: number, w: number, units: number, y: number, val: number, row: number, b: number, relu: number): void;
  conv(x: number, cells: number, ci: number, coBytes: number, start: number, yTab: number, kTab: number, y: number, yBytes: number, b: number, relu: number): void;
}

let kernelModule: WebAssembly.Module | null | undefined;

/**
 * Kernels over a fresh memory of `bytes` bytes, or null without WebAssembly SIMD (old engines, or
 * a page whose content security policy forbids compiling WebAssembly).
 */
function instantiateKernels(bytes: number): Kernels | null {
  if (kernelModule === undefined) {
    try {
      kernelModule = typeof WebAssembly === 'object' ? new WebAssembly.Module(kernelModuleBytes()) : null;
    } catch {
      kernelModule = null;
    }
  }
  if (kernelModule === null) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const exports = new WebAssembly.Instance(kernelModule, { k: { m: memory } }).exports as unknown as Omit<Kernels, 'memory'>;
    return { memory, dense: exports.dense, conv: exports.conv };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Ops

type Op = () => void;

/** Bump allocation in the kernels' memory (16-byte aligned), or plain arrays without wasm. */
class Heap {
  used = 0;
  constructor(private readonly buffer: ArrayBuffer | null) {}

  private take(n: number): number {
    const at = (this.used + 15) & ~15;
    this.used = at + 4 * n;
    return at;
  }

  f32(n: number): Float32Array {
    const at = this.take(n);
    return this.buffer ? new Float32Array(this.buffer, at, n) : new Float32Array(n);
  }

  i32(n: number): Int32Array {
    const at = this.take(n);
    return this.buffer ? new Int32Array(this.buffer, at, n) : new Int32Array(n);
  }
}

function fillBias(y: Float32Array, rows: number, width: number, w: Float32Array, bias: number): void {
  if (bias < 0) {
    y.fill(0);
    return;
  }
  for (let r = 0, o = 0; r < rows; r++, o += width) for (let j = 0; j < width; j++) y[o + j] = w[bias + j];
}

function denseOp(x: Float32Array, y: Float32Array, w: Float32Array, n: GraphNode & { kind: 'dense' }, heap: Heap, k: Kernels | null): Op {
  const nIn = n.inputs[0].shape[n.inputs[0].shape.length - 1];
  const units = n.units;
  const rows = y.length / units;
  const kernel = n.offsets[0];
  const bias = n.useBias ? n.offsets[1] : -1;
  const value = heap.f32(nIn);
  const row = heap.i32(nIn);
  const act = n.act;
  const zeros = bias < 0 ? heap.f32(units) : null;
  if (k) {
    const [xAt, wAt, yAt, valueAt, rowAt] = [x.byteOffset, w.byteOffset + 4 * kernel, y.byteOffset, value.byteOffset, row.byteOffset];
    const bAt = zeros ? zeros.byteOffset : w.byteOffset + 4 * bias;
    const relu = act.kind === 'relu' ? 1 : 0;
    const rest: Act = relu ? { kind: 'linear' } : act;
    return () => {
      for (let r = 0; r < rows; r++) k.dense(xAt + 4 * r * nIn, nIn, wAt, units, yAt + 4 * r * units, valueAt, rowAt, bAt, relu);
      activate(rest, y, y.length, units);
    };
  }
  return () => {
    fillBias(y, rows, units, w, bias);
    for (let r = 0; r < rows; r++) {
      // Compact the non-zero inputs, then accumulate eight weight rows per pass over y.
      let m = 0;
      for (let i = 0, xo = r * nIn; i < nIn; i++) {
        const v = x[xo + i];
        if (v !== 0) {
          value[m] = v;
          row[m++] = kernel + i * units;
        }
      }
      accumulateRows(y, r * units, units, w, value, row, m);
    }
    activate(act, y, y.length, units);
  };
}

/**
 * Per input cell (ih, iw): the (output offset, kernel offset) pairs it contributes to, so the
 * convolution is a scatter from the non-zero inputs with no bounds tests at run time.
 */
function scatterTable(inShape: number[], outShape: number[], g: Conv, co: number): { start: Int32Array; yOff: Int32Array; kOff: Int32Array } {
  const [inH, inW, ci] = inShape;
  const [outH, outW] = outShape;
  const start = new Int32Array(inH * inW + 1);
  const yOff: number[] = [];
  const kOff: number[] = [];
  for (let ih = 0; ih < inH; ih++) {
    for (let iw = 0; iw < inW; iw++) {
      for (let ky = 0; ky < g.kh; ky++) {
        const t = ih + g.padTop - ky;
        if (t < 0 || t % g.sh !== 0 || t / g.sh >= outH) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const u = iw + g.padLeft - kx;
          if (u < 0 || u % g.sw !== 0 || u / g.sw >= outW) continue;
          yOff.push(((t / g.sh) * outW + u / g.sw) * co);
          kOff.push((ky * g.kw + kx) * ci * co);
        }
      }
      start[ih * inW + iw + 1] = yOff.length;
    }
  }
  return { start, yOff: Int32Array.from(yOff), kOff: Int32Array.from(kOff) };
}

function convOp(x: Float32Array, y: Float32Array, w: Float32Array, n: GraphNode & { kind: 'conv' }, heap: Heap, k: Kernels | null): Op {
  const inShape = n.inputs[0].shape;
  const ci = inShape[2];
  const co = n.filters;
  const cells = inShape[0] * inShape[1];
  const table = scatterTable(inShape, n.shape, n, co);
  const kernel = n.offsets[0];
  const bias = n.useBias ? n.offsets[1] : -1;
  const rows = y.length / co;
  const act = n.act;
  // The same allocations with or without kernels, so a dry run sizes the memory right.
  const start = heap.i32(table.start.length);
  const yOff = heap.i32(table.yOff.length);
  const kOff = heap.i32(table.kOff.length);
  const zeros = bias < 0 ? heap.f32(co) : null;
  if (k && co % 4 === 0) {
    // Byte offsets into the tables; absolute byte addresses in them.
    for (let p = 0; p < start.length; p++) start[p] = 4 * table.start[p];
    for (let t = 0; t < yOff.length; t++) yOff[t] = y.byteOffset + 4 * table.yOff[t];
    for (let t = 0; t < kOff.length; t++) kOff[t] = w.byteOffset + 4 * (kernel + table.kOff[t]);
    const [xAt, startAt, yAt, kAt] = [x.byteOffset, start.byteOffset, yOff.byteOffset, kOff.byteOffset];
    const bAt = zeros ? zeros.byteOffset : w.byteOffset + 4 * bias;
    const relu = act.kind === 'relu' ? 1 : 0;
    const rest: Act = relu ? { kind: 'linear' } : act;
    return () => {
      k.conv(xAt, cells, ci, 4 * co, startAt, yAt, kAt, y.byteOffset, 4 * y.length, bAt, relu);
      activate(rest, y, y.length, co);
    };
  }
  start.set(table.start);
  yOff.set(table.yOff);
  for (let t = 0; t < kOff.length; t++) kOff[t] = kernel + table.kOff[t];
  return () => {
    fillBias(y, rows, co, w, bias);
    for (let p = 0; p < cells; p++) {
      const t0 = start[p], t1 = start[p + 1];
      for (let c = 0, xo = p * ci; c < ci; c++) {
        const v = x[xo + c];
        if (v === 0) continue;
        const kc = c * co;
        for (let t = t0; t < t1; t++) {
          const o = yOff[t], kk = kOff[t] + kc;
          for (let j = 0; j < co; j++) y[o + j] += v * w[kk + j];
        }
      }
    }
    activate(act, y, y.length, co);
  };
}

function poolOp(x: Float32Array, y: Float32Array, n: GraphNode & { kind: 'pool' }): Op {
  const [inH, inW, c] = n.inputs[0].shape;
  const [outH, outW] = n.shape;
  return () => {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = Math.max(0, oh * n.sh - n.padTop), h1 = Math.min(inH, oh * n.sh - n.padTop + n.kh);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = Math.max(0, ow * n.sw - n.padLeft), w1 = Math.min(inW, ow * n.sw - n.padLeft + n.kw);
        const o = (oh * outW + ow) * c;
        // tfjs pads max pooling with −∞ and averages over the cells inside the input only.
        const count = (h1 - h0) * (w1 - w0);
        for (let ch = 0; ch < c; ch++) {
          let acc = n.max ? -Infinity : 0;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) {
              const v = x[(ih * inW + iw) * c + ch];
              acc = n.max ? (v > acc ? v : acc) : acc + v;
            }
          }
          y[o + ch] = n.max ? acc : acc / count;
        }
      }
    }
  };
}

function mergeOp(xs: Float32Array[], y: Float32Array, n: GraphNode & { kind: 'concat' | 'add' | 'dueling' }): Op {
  if (n.kind === 'dueling') {
    const [v, a] = xs;
    const m = y.length;
    return () => {
      let mean = 0;
      for (let i = 0; i < m; i++) mean += a[i];
      const shift = v[0] - mean / m;
      for (let i = 0; i < m; i++) y[i] = a[i] + shift;
    };
  }
  if (n.kind === 'add') {
    return () => {
      y.set(xs[0]);
      for (let k = 1; k < xs.length; k++) {
        const x = xs[k];
        for (let i = 0; i < y.length; i++) y[i] += x[i];
      }
    };
  }
  const widths = n.inputs.map((i) => i.shape[i.shape.length - 1]);
  const total = n.shape[n.shape.length - 1];
  const rows = y.length / total;
  return () => {
    for (let r = 0; r < rows; r++) {
      for (let k = 0, o = r * total; k < xs.length; o += widths[k], k++) y.set(xs[k].subarray(r * widths[k], (r + 1) * widths[k]), o);
    }
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Compile a spec (as given to buildModel, with the same input shape without the batch axis) into
 * a single-observation forward pass. Returns null when the spec uses a layer this module cannot
 * run (see the header); throws SpecError for a spec buildModel would reject too.
 */
export function compileFastForward(spec: NetworkSpec, inputShape: readonly number[], options: FastForwardOptions = {}): FastForward | null {
  const layers = validateNetworkSpec(spec);
  const shape = validateInputShape([...inputShape]);
  const g = new GraphBuilder();
  const input = g.node({ kind: 'input' }, [], [...shape]);
  let output: GraphNode;
  try {
    output = g.stack(layers, input, ['layers']);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  const weightsSize = assignOffsets(g.nodes, output);
  // A dry run sizes the kernels' memory; the real run allocates everything in it.
  const sizing = new Heap(null);
  plan(g.nodes, input, output, weightsSize, sizing, null);
  const kernels = options.simd === false ? null : instantiateKernels(sizing.used);
  const { weights, obsBuffer, out, ops } = plan(g.nodes, input, output, weightsSize, new Heap(kernels ? kernels.memory.buffer : null), kernels);
  const inputSize = obsBuffer.length;
  const count = ops.length;
  return {
    weights,
    inputSize,
    outputSize: out.length,
    simd: kernels !== null,
    forward(obs) {
      if (obs.length !== inputSize) throw new Error(`forward: observation has ${obs.length} values, the model takes ${inputSize}`);
      obsBuffer.set(obs);
      for (let k = 0; k < count; k++) ops[k]();
      return out;
    },
  };
}

function plan(nodes: GraphNode[], input: GraphNode, output: GraphNode, weightsSize: number, heap: Heap, kernels: Kernels | null) {
  const weights = heap.f32(weightsSize);
  // Buffers: identity layers share their input's; an activation layer works in place when its
  // input feeds nothing else (and is not the observation copy).
  const consumers = new Map<GraphNode, number>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const buffers = new Map<GraphNode, Float32Array>();
  const ops: Op[] = [];
  for (const n of nodes) {
    const x = n.inputs.length ? buffers.get(n.inputs[0])! : undefined;
    if (n.kind === 'identity' || (n.kind === 'act' && consumers.get(n.inputs[0]) === 1 && n.inputs[0].kind !== 'input' && n.inputs[0].kind !== 'identity')) {
      buffers.set(n, x!);
    } else {
      buffers.set(n, heap.f32(product(n.shape)));
    }
    const y = buffers.get(n)!;
    switch (n.kind) {
      case 'input':
      case 'identity':
        break;
      case 'act': {
        const act = n.act;
        const last = n.shape[n.shape.length - 1];
        ops.push(x === y ? () => activate(act, y, y.length, last) : () => (y.set(x!), activate(act, y, y.length, last)));
        break;
      }
      case 'dense':
        ops.push(denseOp(x!, y, weights, n, heap, kernels));
        break;
      case 'conv':
        ops.push(convOp(x!, y, weights, n, heap, kernels));
        break;
      case 'pool':
        ops.push(poolOp(x!, y, n));
        break;
      default:
        ops.push(mergeOp(n.inputs.map((i) => buffers.get(i)!), y, n));
    }
  }
  return { weights, obsBuffer: buffers.get(input)!, out: buffers.get(output)!, ops };
}
