/**
 * BatchMatMul and _FusedMatMul on wasm: Keiko's SIMD gemm for the products DQN nets make, and
 * XNNPACK, called the cheapest way, for the rest.
 *
 * The gemm (simd-gemm.ts) reads both operands where they lie, so it has no set-up: every batch-1
 * float32 product up to GEMM_MAX_MACS goes to it (gemmMatMul), whether its right-hand operand is
 * fresh (the online weights after every optimiser step, activation gradients in dW = xᵀ·dy) or
 * stays (the target network's weights): measured, it beats XNNPACK even with packed weights.
 *
 * For the rest (bigger, or batched), two costs dominate, not the arithmetic:
 * - the stock kernel's transposed paths are naive, 10–50× slower than its XNNPACK path
 *   (measured: [32,1024]ᵀ·[32,128] 50 ms vs 0.9 ms untransposed);
 * - XNNPACK packs (re-lays out) the right-hand operand every time it sees a new tensor there, at
 *   ~6× the cost per element of a SIMD transpose (transpose.ts). Operators are cached per
 *   right-hand tensor, so a weight used again is packed once.
 * So each such product is run as either op(A)·op(B) or (op(B)ᵀ·op(A)ᵀ)ᵀ, materialising transposes
 * with the Transpose kernel, whichever moves and packs the fewest elements (weights 1 and 6); a
 * right-hand tensor already seen is assumed cached (free). Batched products (batch > 1) and the
 * fused variants with transposes or other activations keep the old plan / the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackendLike } from './heap';
import { backendMemory } from './simd-optim';
import { GEMM_BIAS, GEMM_COLS, GEMM_RELU, gemmFits, runGemm, simdGemmFor } from './simd-gemm';
import { transposeInto, transposed } from './transpose';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.BatchMatMulAttrs };
type FusedArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.BatchMatMulAttrs & { activation?: string } };
type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The stock BatchMatMul (captured when the wrapper is built), for the fused wrapper's products. */
let stockBatchMatMul: tf.KernelConfig | null = null;

const TRANSPOSE_COST = 1;
/** A transpose whose dims are not multiples of 4 is a JS loop, not SIMD blocks (transpose.ts): weighted as the stock kernel it replaced was measured, 3×. */
const SLOW_TRANSPOSE_COST = 3;
const PACK_COST = 6;

/** Right-hand operands the stock kernel has multiplied by untransposed (its operator is cached). */
const seenRight = new WeakSet<object>();
/**
 * Right-hand operands planned before: a tensor multiplied by a second time is a weight that stays
 * (the target network's), worth packing once; the online weights are new after every step.
 */
const plannedRight = new WeakSet<object>();

const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);
const rows = (t: TensorInfo) => t.shape[t.shape.length - 2];
const cols = (t: TensorInfo) => t.shape[t.shape.length - 1];
const transposeCost = (t: TensorInfo) => (rows(t) % 4 === 0 && cols(t) % 4 === 0 ? TRANSPOSE_COST : SLOW_TRANSPOSE_COST) * size(t);

/** Whether products go to the SIMD gemm (simd-gemm.ts); off only to measure the XNNPACK plans. */
let gemmEnabled = true;

/** Benchmarks only: route products as before the SIMD gemm (false) or through it (true, the default). */
export function setSimdGemm(enabled: boolean): void {
  gemmEnabled = enabled;
}

/** Whether the SIMD gemm takes the products it fits (see setSimdGemm). */
export const simdGemmEnabled = (): boolean => gemmEnabled;

/**
 * Products up to this many multiply-adds go to the SIMD gemm. Measured against XNNPACK with its
 * weights already packed (the best case for XNNPACK): the gemm is 10–20% faster on every DQN and
 * MNIST shape up to [128,784]·[784,256], and 5% slower at 512³, where XNNPACK's cache blocking pays.
 */
const GEMM_MAX_MACS = 1 << 26;

/**
 * Bᵀ up to this many elements is transposed for the gemm (a Q head's weight in dx = dy·Wᵀ);
 * a bigger one (the 1024×128 dense weight) is read in place by computing Cᵀ = B·op(A)ᵀ.
 */
const SMALL_RIGHT = 16384;

/**
 * C = op(A)·op(B) (+ bias, ReLU) by the SIMD gemm for a batch-1 float32 product, or null when it
 * does not apply (the caller keeps XNNPACK). Three ways, by shape:
 * - direct: C = op(A)·B, B read in place (with a small Bᵀ transposed first);
 * - via the output, for a big Bᵀ (dx = dy·Wᵀ) and for fewer than 16 output columns (a Q head's
 *   actions, which leave the 2×16 tiles mostly idle): Cᵀ = op(B)ᵀ·op(A)ᵀ, with op(B)ᵀ read in
 *   place through the gemm's strides, op(A)ᵀ transposed unless A is stored that way, then Cᵀ
 *   transposed back (bias and ReLU applied in that pass).
 */
function gemmMatMul(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, bias: TensorInfo | undefined, relu: boolean): TensorInfo | null {
  if (!gemmEnabled || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const m = transposeA ? cols(a) : rows(a);
  const k = transposeA ? rows(a) : cols(a);
  const n = transposeB ? rows(b) : cols(b);
  if (m * n * k > GEMM_MAX_MACS || (bias && (bias.dtype !== 'float32' || size(bias) !== n))) return null;
  const g = simdGemmFor(backendMemory(backend));
  if (!g) return null;
  const lead = (a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2);
  const flags = (bias ? GEMM_BIAS : 0) | (relu ? GEMM_RELU : 0);
  const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const viaOutput = transposeB ? size(b) > SMALL_RIGHT : n < GEMM_COLS && m >= GEMM_COLS;
  if (!viaOutput) {
    if (!gemmFits(m, n, k)) return null;
    const right = transposeB ? transposed(backend, b, n, k) : b;
    const out = backend.makeOutput([...lead, m, n], 'float32');
    // Addresses after the allocations (they may grow the memory).
    runGemm(g, at(a), at(right), at(out), bias ? at(bias) : 0, m, n, k, transposeA ? 4 : 4 * k, transposeA ? 4 * m : 4, flags);
    if (right !== b) backend.disposeData(right.dataId);
    return out;
  }
  if (!gemmFits(n, m, k)) return null;
  // Cᵀ[n, m] = op(B)ᵀ·op(A)ᵀ: op(B)ᵀ(i, p) is b[p, i] (B stored [k, n]) or b[i, p] (stored [n, k]).
  const left = transposeA ? a : transposed(backend, a, m, k);
  const outT = backend.makeOutput([n, m], 'float32');
  runGemm(g, at(b), at(left), at(outT), 0, n, m, k, transposeB ? 4 * k : 4, transposeB ? 4 : 4 * n, 0);
  if (left !== a) backend.disposeData(left.dataId);
  const out = backend.makeOutput([...lead, m, n], 'float32');
  if (!bias && !relu) transposeInto(backend, outT, out, 1, n, m);
  else {
    const [ct, o] = [backend.typedArrayFromHeap(outT) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array];
    const bv = bias ? (backend.typedArrayFromHeap(bias) as Float32Array) : null;
    for (let i = 0, q = 0; i < m; i++) {
      for (let j = 0; j < n; j++, q++) {
        const v = Math.fround(ct[j * m + i] + (bv ? bv[j] : 0));
        o[q] = relu && v < 0 ? 0 : v;
      }
    }
  }
  backend.disposeData(outT.dataId);
  return out;
}

interface Plan {
  viaOutput: boolean;
}

/** The cheaper of op(A)·op(B) and (op(B)ᵀ·op(A)ᵀ)ᵀ for a batch-1 product. */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Plan {
  const m = transposeA ? cols(a) : rows(a);
  const n = transposeB ? rows(b) : cols(b);
  const out: TensorInfo = { dataId: {}, shape: [1, m, n], dtype: 'float32' };
  // Direct: B' = op(B) is packed (free if B itself is reused untransposed).
  const reused = !transposeB && (seenRight.has(b.dataId) || plannedRight.has(b.dataId));
  if (!transposeB) plannedRight.add(b.dataId);
  const direct = (transposeA ? transposeCost(a) : 0) + (transposeB ? transposeCost(b) : 0) + (reused ? 0 : PACK_COST * size(b));
  // Via the output: op(A)ᵀ is packed (A itself when transposeA), then Cᵀ is transposed.
  const via = (transposeB ? 0 : transposeCost(b)) + (transposeA ? 0 : transposeCost(a)) + (transposeA && seenRight.has(a.dataId) ? 0 : PACK_COST * size(a)) + transposeCost(out);
  return { viaOutput: via < direct };
}

function helpers(stock: tf.KernelConfig, backend: unknown) {
  const transpose = (x: TensorInfo): TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return tf.getKernel('Transpose', 'wasm')!.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: { perm } } as unknown as KernelArgs) as TensorInfo;
  };
  const dispose = (x: TensorInfo) => (backend as { disposeData(id: object): void }).disposeData(x.dataId);
  const mul = (x: TensorInfo, y: TensorInfo): TensorInfo => {
    if (y.shape[0] === 1) seenRight.add(y.dataId);
    return stock.kernelFunc({ inputs: { a: x, b: y }, backend: backend as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } } as unknown as KernelArgs) as TensorInfo;
  };
  /** op(A)·op(B) by the chosen plan; every temporary is disposed. */
  const product = (a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, viaOutput: boolean): TensorInfo => {
    if (viaOutput) {
      const left = transposeB ? b : transpose(b);
      const right = transposeA ? a : transpose(a);
      const p = mul(left, right);
      if (left !== b) dispose(left);
      if (right !== a) dispose(right);
      const out = transpose(p);
      dispose(p);
      return out;
    }
    const left = transposeA ? transpose(a) : a;
    const right = transposeB ? transpose(b) : b;
    const out = mul(left, right);
    if (left !== a) dispose(left);
    if (right !== b) dispose(right);
    return out;
  };
  return { product, transpose };
}

export function batchMatMulWasmConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  if (!stock) throw new Error('BatchMatMul wrapper: the stock wasm BatchMatMul kernel is missing');
  stockBatchMatMul = stock;
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: ((args: Args) => {
      const { transposeA, transposeB } = args.attrs;
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const batch = size(a) / (rows(a) * cols(a));
      const h = helpers(stock, args.backend);
      if (batch === 1 && size(b) === rows(b) * cols(b) && a.dtype === 'float32' && b.dtype === 'float32') {
        const out = gemmMatMul(args.backend as WasmBackendLike, a, b, transposeA, transposeB, undefined, false);
        if (out) return out;
        return h.product(a, b, transposeA, transposeB, plan(a, b, transposeA, transposeB).viaOutput);
      }
      if (!transposeA && !transposeB) return stock.kernelFunc(args as unknown as KernelArgs);
      // Batched: transpose the fewest elements (the stock batched product is naive anyway).
      const outSize = rows(a) * (transposeB ? rows(b) : cols(b)) * batch;
      let viaOutput: boolean;
      if (transposeA && transposeB) viaOutput = true;
      else if (transposeB) viaOutput = size(a) + outSize < size(b);
      else viaOutput = size(b) + outSize < size(a);
      return h.product(a, b, transposeA, transposeB, viaOutput);
    }) as unknown as tf.KernelFunc,
  };
}

/**
 * _FusedMatMul (matMul + bias + linear/relu, as tf.fused.matMul and the layers' dense forward):
 * the gemm with bias and ReLU where it takes the product; else, when the plan says the
 * right-hand weights are cheaper not packed, via the output with bias + activation applied in
 * JS; otherwise the stock fused kernel.
 */
export function fusedMatMulWasmConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  if (!stock) throw new Error('_FusedMatMul wrapper: the stock wasm _FusedMatMul kernel is missing');
  return {
    kernelName: '_FusedMatMul',
    backendName: 'wasm',
    kernelFunc: ((args: FusedArgs) => {
      const { transposeA, transposeB, activation } = args.attrs;
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
      const simple = !transposeA && !transposeB && !preluActivationWeights && (activation === 'linear' || activation === 'relu' || activation === undefined);
      if (!simple || !a || !b || a.dtype !== 'float32' || size(a) !== rows(a) * cols(a) || size(b) !== rows(b) * cols(b)) {
        return stock.kernelFunc(args as unknown as KernelArgs);
      }
      if (bias && size(bias) !== cols(b)) return stock.kernelFunc(args as unknown as KernelArgs);
      const byGemm = gemmMatMul(args.backend as WasmBackendLike, a, b, false, false, bias, activation === 'relu');
      if (byGemm) return byGemm;
      if (!plan(a, b, false, false).viaOutput) {
        seenRight.add(b.dataId);
        return stock.kernelFunc(args as unknown as KernelArgs);
      }
      if (!stockBatchMatMul) return stock.kernelFunc(args as unknown as KernelArgs);
      const out = helpers(stockBatchMatMul, args.backend).product(a, b, false, false, true);
      const backend = args.backend as WasmBackendLike;
      const o = backend.typedArrayFromHeap(out) as Float32Array;
      const n = cols(b);
      const bv = bias ? (backend.typedArrayFromHeap(bias) as Float32Array) : null;
      const relu = activation === 'relu';
      for (let i = 0; i < o.length; i += n) {
        for (let j = 0; j < n; j++) {
          let v = o[i + j] + (bv ? bv[j] : 0);
          if (relu && v < 0) v = 0;
          o[i + j] = v;
        }
      }
      return out;
    }) as unknown as tf.KernelFunc,
  };
}

