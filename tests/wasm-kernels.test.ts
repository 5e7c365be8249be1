/**
 * The kernels Keiko registers (src/wasm/) against the cpu backend (1e-4 relative), and every
 * differentiable op the layer stack, losses and optimisers use, run as a gradient on wasm vs cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend';
import { resizeNearestNeighborBackprop } from '../src/wasm/grad-kernels';
import { Random } from '../src/random';
import { FusedAdamOptimizer } from '../src/fused-adam';
import { ADAM_KERNEL } from '../src/wasm/adam-kernel';
import { FusedRMSPropOptimizer } from '../src/fused-rmsprop';
import { backendMemory, simdOptimiserFor } from '../src/wasm/simd-optim';
import { gemmReference, runGemm, simdGemmFor, GEMM_BIAS, GEMM_RELU } from '../src/wasm/simd-gemm';
import { setSimdGemm } from '../src/wasm/batch-mat-mul';
import { clipScaleTensor, setFoldedClipping } from '../src/wasm/clip-kernel';
import { denseBackwardKernel, denseForwardKernel } from '../src/wasm/dense-kernel';
import { clipByGlobalNorm } from '../src/clip-gradients';
import { tdGradKernel } from '../src/wasm/td-kernel';
import { convBackwardKernel } from '../src/wasm/conv-grad-kernel';
import { tdTargets } from '../agents/dqn/targets';

type Spec = { shape: number[]; values: Float32Array };

function randn(shape: number[], seed: number, scale = 1): Spec {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = (rng.random() * 2 - 1) * scale;
  return { shape, values };
}

/** max |a − b| / max |b|: error relative to the reference tensor's scale. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Runs fn under a backend with fresh input tensors and returns every output's values. */
async function on(backend: 'cpu' | 'wasm', inputs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend, { quiet: true });
  return tf.tidy(() => {
    const xs = inputs.map((s) => tf.tensor(s.values, s.shape));
    const out = fn(...xs);
    return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync()));
  });
}

async function compare(inputs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<number> {
  const ref = await on('cpu', inputs, fn);
  const got = await on('wasm', inputs, fn);
  expect(got.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, relError(got[i], ref[i]));
  expect(worst).toBeLessThanOrEqual(tol);
  return worst;
}

const grads = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.grads((...ys: tf.Tensor[]) => f(...ys) as tf.Scalar)(xs);

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
});

describe('Conv2DBackpropFilter on wasm', () => {
  const cases: Array<{ x: number[]; f: number[]; strides: number | [number, number]; pad: 'valid' | 'same' }> = [
    { x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { x: [3, 7, 7, 2], f: [3, 3, 2, 5], strides: 2, pad: 'same' },
    { x: [3, 7, 7, 2], f: [3, 3, 2, 5], strides: 2, pad: 'valid' },
    { x: [1, 9, 8, 4], f: [5, 4, 4, 3], strides: [2, 3], pad: 'same' },
    { x: [4, 5, 5, 6], f: [1, 1, 6, 2], strides: 1, pad: 'valid' },
    { x: [32, 10, 10, 4], f: [3, 3, 4, 16], strides: 1, pad: 'valid' },
    { x: [2, 8, 8, 3], f: [8, 8, 3, 2], strides: 4, pad: 'valid' },
    // Output channels a multiple of 16: the wasm im2col + SIMD gemm path, padding included.
    { x: [3, 7, 7, 2], f: [3, 3, 2, 16], strides: 2, pad: 'same' },
    { x: [1, 9, 8, 5], f: [5, 4, 5, 32], strides: [2, 3], pad: 'same' },
    { x: [4, 10, 10, 7], f: [3, 3, 7, 16], strides: 1, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`x ${c.x} filter ${c.f} strides ${c.strides} ${c.pad}`, async () => {
      const outShape = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, 1, c.pad);
      const dyShape = [outShape.batchSize, outShape.outHeight, outShape.outWidth, outShape.outChannels];
      await compare([randn(c.x, 1), randn(dyShape, 2)], (x, dy) =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f }) as tf.Tensor);
    });
  }

  it('conv2dTranspose gradients (filter and input), stride 2 same and valid', async () => {
    for (const pad of ['same', 'valid'] as const) {
      const outSize = pad === 'same' ? 6 : 7;
      await compare([randn([2, 3, 3, 4], 3), randn([3, 3, 5, 4], 4)], grads((x, w) =>
        tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, outSize, outSize, 5], 2, pad).square().sum()));
    }
  });
});

describe('Conv2DBackpropInput on wasm (replaced: the stock kernel is a direct loop, 5× slower)', () => {
  const cases: Array<{ x: number[]; f: number[]; strides: number | [number, number]; pad: 'valid' | 'same' }> = [
    { x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { x: [3, 7, 7, 2], f: [3, 3, 2, 5], strides: 2, pad: 'same' },
    { x: [3, 8, 8, 2], f: [4, 4, 2, 5], strides: 2, pad: 'same' },
    { x: [3, 7, 7, 2], f: [3, 3, 2, 5], strides: 2, pad: 'valid' },
    { x: [1, 9, 8, 4], f: [5, 4, 4, 3], strides: [2, 3], pad: 'same' },
    { x: [4, 5, 5, 6], f: [1, 1, 6, 2], strides: 1, pad: 'valid' },
    { x: [2, 14, 14, 8], f: [5, 5, 8, 16], strides: 2, pad: 'same' },
  ];
  for (const c of cases) {
    it(`dx for x ${c.x} filter ${c.f} strides ${c.strides} ${c.pad}`, async () => {
      const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, 1, c.pad);
      const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
      await compare([randn(dyShape, 6), randn(c.f, 7)], (dy, filter) =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as tf.Tensor);
    });
  }

  it('conv2dTranspose forward as in a DCGAN generator ([4,7,7,16] → [4,14,14,8], 4×4, stride 2)', async () => {
    await compare([randn([4, 7, 7, 16], 8), randn([4, 4, 8, 16], 9)], (x, w) =>
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [4, 14, 14, 8], 2, 'same'));
  });
});

describe('Tile on wasm (replaced: the stock kernel indexes every element; batch-norm gradients tile)', () => {
  const cases: Array<{ shape: number[]; reps: number[] }> = [
    { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] },
    { shape: [2, 3], reps: [3, 2] },
    { shape: [4], reps: [5] },
    { shape: [2, 1, 3], reps: [1, 4, 1] },
    { shape: [3, 2, 2], reps: [2, 3, 7] },
  ];
  for (const c of cases) {
    it(`float32 ${c.shape} × ${c.reps}`, async () => {
      await compare([randn(c.shape, 30)], (x) => tf.tile(x, c.reps));
    });
  }

  it('int32 and bool keep their dtype and values', async () => {
    await initBackend('wasm', { quiet: true });
    const ints = tf.tile(tf.tensor2d([[1, -2], [3, 4]], [2, 2], 'int32'), [2, 3]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 1, -2, 1, -2, 3, 4, 3, 4, 3, 4, 1, -2, 1, -2, 1, -2, 3, 4, 3, 4, 3, 4]);
    const bools = tf.tile(tf.tensor1d([true, false], 'bool'), [3]);
    expect(bools.dtype).toBe('bool');
    expect(Array.from(bools.dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    tf.dispose([ints, bools]);
  });
});

describe('BatchMatMul on wasm with transposed operands (replaced: the stock paths are slow)', () => {
  for (const [ta, tb] of [[true, false], [false, true], [true, true], [false, false]] as const) {
    it(`transposeA ${ta}, transposeB ${tb}, batched and broadcast`, async () => {
      const a = randn(ta ? [3, 7, 5] : [3, 5, 7], 20);
      const b = randn(tb ? [3, 4, 7] : [3, 7, 4], 21);
      await compare([a, b], (x, y) => tf.matMul(x, y, ta, tb));
      await compare([randn(ta ? [64, 33] : [33, 64], 22), randn(tb ? [17, 64] : [64, 17], 23)], (x, y) => tf.matMul(x, y, ta, tb));
      await compare([a, randn(tb ? [4, 7] : [7, 4], 24)], (x, y) => tf.matMul(x, y, ta, tb));
    });
  }
});

describe('BatchMatMul / _FusedMatMul plans on wasm (transposes to let XNNPACK pack the smaller operand)', () => {
  // Shapes of the DQN nets (multiples of 4: SIMD transposes), each product run with a fresh
  // right-hand tensor (via the output) and again with the same one (direct, cached operator).
  const shapes: Array<[number[], number[], boolean, boolean]> = [
    [[32, 1024], [1024, 128], false, false],
    [[64, 128], [128, 128], false, false],
    [[32, 1024], [32, 128], true, false],
    [[32, 128], [1024, 128], false, true],
    [[64, 128], [128, 128], false, true],
    [[128, 64], [128, 128], true, false],
    [[16, 8], [12, 16], true, true],
  ];
  for (const [sa, sb, ta, tb] of shapes) {
    it(`[${sa}]${ta ? 'ᵀ' : ''} · [${sb}]${tb ? 'ᵀ' : ''}, fresh then reused right operand`, async () => {
      await compare([randn(sa, 70), randn(sb, 71)], (x, y) => {
        const fresh = tf.matMul(x, tf.add(y, 0), ta, tb);
        return [fresh, tf.matMul(x, y, ta, tb), tf.matMul(x, y, ta, tb)];
      });
    });
  }
  for (const activation of ['linear', 'relu'] as const) {
    it(`fused matMul + bias + ${activation}, fresh and reused weights`, async () => {
      await compare([randn([32, 1024], 72), randn([1024, 128], 73), randn([128], 74)], (x, w, b) => [
        tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias: b, activation }),
        tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation }),
        tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation }),
        tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 1) as tf.Tensor2D, activation }),
      ]);
    });
  }
});

describe('SIMD gemm for fresh right-hand operands (simd-gemm.ts)', () => {
  it('equals the float32 reference loop exactly, on the wasm backend memory (2×16 tiles, left-over rows and columns, Aᵀ, bias, ReLU)', async () => {
    await initBackend('wasm', { quiet: true });
    const backend = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const g = simdGemmFor(backendMemory(tf.backend()));
    expect(g).not.toBeNull();
    for (const [m, n, k, transposeA, flags] of [[2, 16, 1, false, 0], [37, 32, 19, false, GEMM_BIAS], [13, 16, 33, true, GEMM_BIAS | GEMM_RELU], [32, 128, 1024, false, GEMM_RELU], [5, 22, 7, false, GEMM_BIAS | GEMM_RELU], [3, 6, 9, true, GEMM_BIAS]] as const) {
      const a = randn(transposeA ? [k, m] : [m, k], 80);
      const b = randn([k, n], 81);
      const bias = randn([n], 82);
      const [ta, tb, tbias, tc] = [tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), tf.tensor(bias.values), tf.zeros([m, n])];
      const at = (t: tf.Tensor) => backend.typedArrayFromHeap(t).byteOffset;
      runGemm(g!, at(ta), at(tb), at(tc), at(tbias), m, n, k, transposeA ? 4 : 4 * k, transposeA ? 4 * m : 4, flags);
      const want = new Float32Array(m * n);
      gemmReference(a.values, b.values, want, flags & GEMM_BIAS ? bias.values : null, m, n, k, transposeA, (flags & GEMM_RELU) !== 0);
      expect(Array.from(tc.dataSync())).toEqual(Array.from(want));
      tf.dispose([ta, tb, tbias, tc]);
    }
  });

  // Shapes the gemm takes and ones it leaves to XNNPACK ([40, 300]·[300, 20]: too many scalar
  // columns); each right operand used three times (a weight that stays goes to the gemm too).
  // Small Bᵀ (a Q head in dx = dy·Wᵀ) is transposed for the gemm; a big Bᵀ (dx = dy·Wᵀ of the
  // 1024×128 layer) and fewer than 16 output columns (a Q head) go via the output, Cᵀ = op(B)ᵀ·op(A)ᵀ.
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[30, 128], [1024, 128], false, true],
    [[128, 30], [1024, 128], true, true],
    [[32, 128], [1024, 128], false, true],
    [[37, 24], [24, 16], false, false],
    [[19, 12], [19, 16], true, false],
    [[20, 12], [12, 8], false, false],
    [[64, 4], [4, 128], false, false],
    [[30, 128], [128, 6], false, false],
    [[32, 128], [32, 6], true, false],
    [[32, 6], [128, 6], false, true],
    [[40, 300], [300, 20], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    it(`[${sa}]${ta ? 'ᵀ' : ''} · [${sb}] matches cpu on first, second and third use, and with the gemm off`, async () => {
      const uses = (x: tf.Tensor, y: tf.Tensor) => {
        const w = tf.add(y, 0);
        return [tf.matMul(x, w, ta, tb), tf.matMul(x, w, ta, tb), tf.matMul(x, w, ta, tb)];
      };
      await compare([randn(sa, 83), randn(sb, 84)], uses);
      setSimdGemm(false);
      try {
        await compare([randn(sa, 83), randn(sb, 84)], uses);
      } finally {
        setSimdGemm(true);
      }
    });
  }
  it('fused matMul + bias + relu through the gemm (rows not a multiple of 4) matches cpu', async () => {
    await compare([randn([33, 40], 85), randn([40, 32], 86), randn([32], 87)], (x, w, b) => [
      tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias: b, activation: 'relu' }),
      tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias: b, activation: 'linear' }),
    ]);
  });
  it('fused matMul + bias (+ relu) with a narrow output (a Q head, via the output) matches cpu', async () => {
    await compare([randn([30, 128], 88), randn([128, 6], 89), randn([6], 90)], (x, w, b) => [
      tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias: b, activation: 'relu' }),
      tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'linear' }),
      tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D }),
    ]);
  });
});

describe('Transpose and Sum on wasm (SIMD for last-two-axes swaps and leading-axis sums)', () => {
  it('transposes 2-D and batched float32 (SIMD when both axes are multiples of 4, a JS loop otherwise)', async () => {
    for (const shape of [[1024, 128], [32, 1024], [3, 8, 12], [64, 6], [5, 7], [2, 4, 8, 4], [2, 3, 128, 6]]) {
      const perm = shape.map((_, i) => i);
      [perm[shape.length - 1], perm[shape.length - 2]] = [perm[shape.length - 2], perm[shape.length - 1]];
      await compare([randn(shape, 80)], (x) => tf.transpose(x, perm), 0);
    }
    await compare([randn([2, 4, 8, 4], 81)], (x) => tf.transpose(x, [1, 0, 3, 2]), 0);
  });
  it('sums over leading axes (every bias gradient) and keeps other reductions', async () => {
    const cases: Array<[number[], number | number[], boolean]> = [
      [[32, 8, 8, 16], [0, 1, 2], false], [[32, 128], 0, false], [[32, 6], 0, true], [[4, 5, 8], [1, 0], true],
      [[32, 128], 1, false], [[4, 5, 8], [0, 2], false], [[6, 4], [0, 1], false],
    ];
    for (const [shape, axis, keepDims] of cases) await compare([randn(shape, 82)], (x) => tf.sum(x, axis, keepDims));
  });
});

describe('depthwise conv2d backprop on wasm (missing in tfjs 4.22)', () => {
  const cases: Array<{ x: number[]; f: number[]; strides: number; pad: 'valid' | 'same'; dilations: number }> = [
    { x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: 'same', dilations: 1 },
    { x: [2, 7, 7, 2], f: [3, 3, 2, 1], strides: 2, pad: 'valid', dilations: 1 },
    { x: [1, 8, 8, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same', dilations: 1 },
  ];
  for (const c of cases) {
    it(`x ${c.x} filter ${c.f} strides ${c.strides} ${c.pad} dilation ${c.dilations}: input and filter gradients`, async () => {
      await compare([randn(c.x, 40), randn(c.f, 41)], grads((x, w) =>
        tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations).square().sum()));
    });
  }
});

describe('MaxPoolGrad on wasm (the stock kernel is wrong for negative inputs)', () => {
  const cases: Array<{ x: number[]; size: number; strides: number; pad: 'valid' | 'same'; offset: number }> = [
    { x: [2, 6, 6, 3], size: 2, strides: 2, pad: 'valid', offset: -2 },
    { x: [2, 6, 6, 3], size: 3, strides: 2, pad: 'same', offset: -2 },
    { x: [1, 7, 5, 2], size: 3, strides: 1, pad: 'same', offset: 0 },
    { x: [3, 8, 8, 4], size: 2, strides: 1, pad: 'valid', offset: 1 },
  ];
  for (const c of cases) {
    it(`x ${c.x} pool ${c.size} strides ${c.strides} ${c.pad} (values offset ${c.offset})`, async () => {
      const x = randn(c.x, 5);
      x.values.forEach((v, i) => (x.values[i] = v + c.offset));
      await compare([x], grads((t) => tf.maxPool(t as tf.Tensor4D, c.size, c.strides, c.pad).square().sum()));
    });
  }
});

describe('UnsortedSegmentSum and batched GatherV2 on wasm', () => {
  it('matches cpu for rank-1 and rank-3 x', async () => {
    await compare([randn([6, 4, 3], 6)], (x) =>
      tf.unsortedSegmentSum(x, tf.tensor1d([0, 2, 0, 1, 2, 1], 'int32'), 3));
    await compare([randn([7], 7)], (x) =>
      tf.unsortedSegmentSum(x, tf.tensor1d([3, 3, 0, 1, 0, 3, 3], 'int32'), 5));
  });

  it('drops out-of-range segment ids, as TensorFlow does', async () => {
    const [got] = await on('wasm', [{ shape: [4, 2], values: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }], (x) =>
      tf.unsortedSegmentSum(x, tf.tensor1d([1, -1, 1, 2], 'int32'), 2));
    expect(Array.from(got)).toEqual([0, 0, 6, 8]);
  });

  it('gather gradients (axis 0, axis 1, batchDims 1) match cpu', async () => {
    const idx = () => tf.tensor1d([3, 0, 1, 1, 2], 'int32');
    await compare([randn([5, 4], 8)], grads((x) => tf.gather(x, idx(), 0).square().sum()));
    await compare([randn([5, 4], 8)], grads((x) => tf.gather(x, tf.tensor1d([3, 0, 1], 'int32'), 1).square().sum()));
    await compare([randn([5, 4], 9)], (x) => tf.gather(x, idx(), 1, 1));
    await compare([randn([5, 4], 9)], grads((x) => tf.gather(x, idx(), 1, 1).square().sum()));
    await compare([randn([5, 4, 3], 9)], (x) => tf.gather(x, tf.tensor2d([[1, 0], [2, 2], [3, 1], [0, 0], [1, 3]], undefined, 'int32'), 1, 1));
  });
});

describe('ResizeNearestNeighborGrad (replaced on cpu; the stock one mixes up batch elements)', () => {
  it('equals central differences of the forward resize, on cpu and wasm', async () => {
    for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]] as const) {
      const x = randn([2, 3, 4, 2], 10);
      const w = randn([2, 7, 9, 2], 11);
      const loss = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [7, 9], alignCorners, halfPixelCenters).mul(tf.tensor(w.values, w.shape)).sum();
      // The loss is linear in x, so central differences with h = 1 are exact up to float rounding.
      await initBackend('cpu', { quiet: true });
      const numeric = new Float32Array(x.values.length);
      for (let i = 0; i < numeric.length; i++) {
        const plus = Float32Array.from(x.values); plus[i] += 1;
        const minus = Float32Array.from(x.values); minus[i] -= 1;
        numeric[i] = tf.tidy(() => (loss(tf.tensor(plus, x.shape)).dataSync()[0] - loss(tf.tensor(minus, x.shape)).dataSync()[0]) / 2);
      }
      for (const backend of ['cpu', 'wasm'] as const) {
        const [g] = await on(backend, [x], grads(loss));
        expect(relError(g, numeric)).toBeLessThan(1e-5);
      }
      const direct = new Float32Array(x.values.length);
      resizeNearestNeighborBackprop(w.values, direct, x.shape, w.shape, alignCorners, halfPixelCenters);
      expect(relError(direct, numeric)).toBeLessThan(1e-5);
    }
  });
});

describe('every op the stack differentiates: wasm gradient vs cpu', () => {
  const x4 = randn([2, 6, 6, 3], 1);
  const m = randn([4, 5], 2);
  const t = randn([4, 5], 3);
  const cases: Array<[string, Spec[], (...xs: tf.Tensor[]) => tf.Tensor]> = [
    ['dense (fused matMul + bias + relu)', [m, randn([5, 3], 4), randn([3], 5)], (a, b, c) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' }).square().sum()],
    ['fused conv2d same + bias + relu', [x4, randn([3, 3, 3, 4], 6), randn([4], 7)], (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }).square().sum()],
    ['avgPool valid', [x4], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid').square().sum()],
    ['avgPool same', [x4], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same').square().sum()],
    ['upSampling2d', [x4], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [12, 12]).square().sum()],
    ['batchNorm (training: moments)', [x4, randn([3], 8), randn([3], 9), randn(x4.shape, 10)], (x, g, b, w) => { const mo = tf.moments(x, [0, 1, 2]); return tf.batchNorm(x, mo.mean, mo.variance, b, g, 1e-3).square().mul(w).sum(); }],
    ['relu', [x4], (x) => tf.relu(x).square().sum()],
    ['leakyRelu', [x4], (x) => tf.leakyRelu(x, 0.2).square().sum()],
    ['sigmoid', [x4], (x) => tf.sigmoid(x).square().sum()],
    ['tanh', [x4], (x) => tf.tanh(x).square().sum()],
    ['softmax', [m], (x) => tf.softmax(x).square().sum()],
    ['elu', [x4], (x) => tf.elu(x).square().sum()],
    ['swish', [x4], (x) => tf.mul(x, tf.sigmoid(x)).square().sum()],
    ['huber', [m, t], (a, b) => tf.losses.huberLoss(a, b, undefined, 0.5)],
    ['softmax cross-entropy', [m, t], (a, b) => tf.losses.softmaxCrossEntropy(tf.softmax(b), a)],
    ['sigmoid cross-entropy', [m, t], (a, b) => tf.losses.sigmoidCrossEntropy(tf.sigmoid(b), a)],
    ['logSoftmax', [m], (x) => tf.logSoftmax(x).mul(tf.range(0, 5)).sum()],
    ['softplus / log1p / exp', [m], (x) => tf.softplus(x).add(tf.log1p(tf.exp(x.neg()))).sum()],
    ['l1 + l2 regularisers', [m], (x) => tf.abs(x).sum().add(x.square().sum())],
    ['global norm', [m], (x) => tf.norm(x)],
    ['max / argMax target', [m], (x) => tf.max(x, 1).sum()],
    ['concat / slice / dueling mean', [m, randn([4, 1], 12)], (a, v) => tf.add(v, tf.sub(a, tf.mean(a, 1, true))).concat(a, 1).slice([0, 1], [4, 6]).square().sum()],
    ['one-hot Q(s,a)', [m], (x) => tf.mul(x, tf.oneHot(tf.tensor1d([0, 4, 2, 1], 'int32'), 5)).sum(1).square().sum()],
    ['where / minimum / clip', [m], (x) => tf.where(tf.tensor2d(m.values.map((v) => (v > 0 ? 1 : 0)), [4, 5], 'bool'), tf.minimum(x, 0.5), tf.clipByValue(x, -0.3, 0.3)).square().sum()],
    ['dropout (rate 0 path) + reshape', [x4], (x) => tf.reshape(tf.dropout(x, 0), [2, -1]).square().sum()],
  ];
  for (const [name, inputs, f] of cases) {
    it(name, async () => {
      await compare(inputs, grads(f));
    });
  }
});

describe('optimisers on wasm vs cpu (3 steps)', () => {
  const optimisers: Array<[string, () => tf.Optimizer]> = [
    ['sgd', () => tf.train.sgd(0.1)],
    ['momentum (nesterov)', () => tf.train.momentum(0.1, 0.9, true)],
    ['adagrad', () => tf.train.adagrad(0.1)],
    ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.1)],
    ['rmsprop centered', () => tf.train.rmsprop(0.01, 0.9, 0.1, 1e-7, true)],
    ['adam', () => tf.train.adam(0.01)],
    ['fused adam (KeikoAdamUpdate kernel)', () => new FusedAdamOptimizer(0.01)],
    ['fused rmsprop (KeikoRMSPropUpdate kernel)', () => new FusedRMSPropOptimizer(0.01, 0.9, 0.1)],
    ['fused rmsprop centered (KeikoRMSPropUpdate kernel)', () => new FusedRMSPropOptimizer(2.5e-4, 0.95, 0, 0.01, true)],
    ['adamax', () => tf.train.adamax(0.01)],
    ['adadelta', () => tf.train.adadelta(1)],
  ];
  for (const [name, make] of optimisers) {
    it(name, async () => {
      const w0 = randn([5, 3], 13);
      const x = randn([4, 5], 14);
      const run = async (backend: 'cpu' | 'wasm') => {
        await initBackend(backend, { quiet: true });
        const w = tf.variable(tf.tensor(w0.values, w0.shape));
        const opt = make();
        const xt = tf.tensor(x.values, x.shape);
        for (let i = 0; i < 3; i++) {
          opt.minimize(() => tf.matMul(xt, w).square().mean() as tf.Scalar);
        }
        const out = Float32Array.from(w.dataSync());
        opt.dispose(); w.dispose(); xt.dispose();
        return out;
      };
      const ref = await run('cpu');
      const got = await run('wasm');
      expect(relError(got, ref)).toBeLessThan(1e-4);
    });
  }
});

describe('a whole conv net on wasm vs cpu', () => {
  it('gradients of a conv → maxPool → conv(same, stride 2) → upSampling → conv → flatten → dense net', async () => {
    const build = () => tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 4], filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.upSampling2d({ size: [2, 2] }),
        tf.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const x = randn([8, 10, 10, 4], 15);
    const y = randn([8, 6], 16);
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend, { quiet: true });
      const model = build();
      const xt = tf.tensor(x.values, x.shape);
      const yt = tf.tensor(y.values, y.shape);
      const { grads: g } = tf.variableGrads(() => tf.losses.huberLoss(yt, model.apply(xt) as tf.Tensor) as tf.Scalar);
      const out = model.trainableWeights.map((w) => Float32Array.from(g[w.originalName].dataSync()));
      tf.dispose([xt, yt, ...Object.values(g)]);
      model.dispose();
      return out;
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(got.length).toBe(8);
    for (let i = 0; i < ref.length; i++) expect(relError(got[i], ref[i])).toBeLessThan(1e-4);
  });
});

describe('FusedAdamOptimizer', () => {
  it('matches tf.train.adam step for step on wasm and cpu, and round-trips its weights', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { quiet: true });
      expect(FusedAdamOptimizer.fusedOnCurrentBackend()).toBe(true);
      const w0 = randn([6, 3], 30);
      const x = tf.tensor(randn([5, 6], 31).values, [5, 6]);
      const wa = tf.variable(tf.tensor(w0.values, w0.shape));
      const wb = tf.variable(tf.tensor(w0.values, w0.shape));
      const reference = tf.train.adam(0.05, 0.8, 0.95, 1e-6);
      const fused = new FusedAdamOptimizer(0.05, 0.8, 0.95, 1e-6);
      for (let i = 0; i < 6; i++) {
        reference.minimize(() => tf.matMul(x, wa).square().mean() as tf.Scalar, false, [wa]);
        fused.minimize(() => tf.matMul(x, wb).square().mean() as tf.Scalar, false, [wb]);
        expect(relError(wb.dataSync(), wa.dataSync())).toBeLessThan(1e-5);
      }
      const [refState, fusedState] = [await reference.getWeights(), await fused.getWeights()];
      expect(fusedState.map((s) => s.name)).toEqual(['iter', `${wb.name}/m`, `${wb.name}/v`]);
      expect(refState.map((s) => s.name)).toEqual(['iter', `${wa.name}/m`, `${wa.name}/v`]);
      for (let i = 0; i < refState.length; i++) expect(relError(fusedState[i].tensor.dataSync(), refState[i].tensor.dataSync())).toBeLessThan(1e-5);
      // Restoring the state into a fresh optimiser continues identically.
      const restored = new FusedAdamOptimizer(0.05, 0.8, 0.95, 1e-6);
      await restored.setWeights(fusedState.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
      const wc = tf.variable(wb.clone());
      reference.minimize(() => tf.matMul(x, wa).square().mean() as tf.Scalar, false, [wa]);
      restored.minimize(() => tf.matMul(x, wc).square().mean() as tf.Scalar, false, [wc]);
      expect(relError(wc.dataSync(), wa.dataSync())).toBeLessThan(1e-5);
      // Where the kernel is missing, tfjs's own update takes over mid-run with the right β^t.
      const kernel = tf.getKernel(ADAM_KERNEL, backend)!;
      tf.unregisterKernel(ADAM_KERNEL, backend);
      try {
        expect(FusedAdamOptimizer.fusedOnCurrentBackend()).toBe(false);
        for (let i = 0; i < 2; i++) {
          reference.minimize(() => tf.matMul(x, wa).square().mean() as tf.Scalar, false, [wa]);
          restored.minimize(() => tf.matMul(x, wc).square().mean() as tf.Scalar, false, [wc]);
          expect(relError(wc.dataSync(), wa.dataSync())).toBeLessThan(1e-5);
        }
      } finally {
        tf.registerKernel(kernel);
      }
      tf.dispose([x, wa, wb, wc]);
      reference.dispose(); fused.dispose(); restored.dispose();
    }
  });
});

describe('KeikoDense (one-record dense forward for the explicit-backward nets)', () => {
  for (const [sx, sw] of [[[32, 1024], [1024, 128]], [[64, 4], [4, 128]], [[64, 128], [128, 2]], [[7, 5], [5, 3]]] as const) {
    it(`[${sx}]·[${sw}] + bias, relu and linear: wasm vs cpu, and equal to tf.fused.matMul on each`, async () => {
      const ops = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
        const fresh = tf.add(w, 0) as tf.Tensor2D;
        return [
          denseForwardKernel(x as tf.Tensor2D, fresh, b, 'relu'),
          denseForwardKernel(x as tf.Tensor2D, fresh, undefined, 'linear'),
          ...[0, 1, 2].map(() => denseForwardKernel(x as tf.Tensor2D, w as tf.Tensor2D, b, 'linear')),
          tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }),
        ];
      };
      const inputs = [randn([...sx], 120), randn([...sw], 121), randn([sw[1]], 122)];
      await compare(inputs, ops);
      for (const backend of ['cpu', 'wasm'] as const) {
        const out = await on(backend, inputs, ops);
        expect(out[0].length).toBe(sx[0] * sw[1]);
        const relu = out[4].map((v) => Math.max(v, 0));
        expect(relError(out[0], out[5])).toBeLessThan(1e-6);
        expect(relError(relu, out[5])).toBeLessThan(1e-6);
      }
    });
  }
});

describe('KeikoDenseGrad (a dense layer\'s backward pass as one kernel record)', () => {
  for (const [m, k, n] of [[64, 128, 128], [32, 1024, 128], [64, 128, 2], [7, 5, 3]] as const) {
    for (const activation of ['relu', 'linear'] as const) {
      it(`[${m},${k}]·[${k},${n}] ${activation}: dW, db, dx equal tfjs autodiff on wasm and cpu`, async () => {
        const ops = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => {
          const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation }), dy)) as tf.Scalar;
          const [gx, gw, gb] = tf.grads(f)([x, w, b]);
          const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias: b, activation }) as tf.Tensor2D;
          const fused = denseBackwardKernel(dy as tf.Tensor2D, x as tf.Tensor2D, tf.add(w, 0) as tf.Tensor2D, y, { activation, withDx: true, withBias: true })!;
          const noDx = denseBackwardKernel(dy as tf.Tensor2D, x as tf.Tensor2D, w as tf.Tensor2D, y, { activation, withDx: false, withBias: false })!;
          expect(fused.length).toBe(3);
          expect(noDx.length).toBe(1);
          return [gw, gb, gx, ...fused, noDx[0]];
        };
        const inputs = [randn([m, k], 130), randn([k, n], 131), randn([n], 132), randn([m, n], 133)];
        await compare(inputs, ops);
        for (const backend of ['cpu', 'wasm'] as const) {
          const [gw, gb, gx, dw, db, dx, dwOnly] = await on(backend, inputs, ops);
          expect(relError(dw, gw)).toBeLessThan(1e-5);
          expect(relError(db, gb)).toBeLessThan(1e-5);
          expect(relError(dx, gx)).toBeLessThan(1e-5);
          expect(relError(dwOnly, gw)).toBeLessThan(1e-5);
        }
      });
    }
  }
});

describe('gradient clipping folded into the fused optimisers (KeikoClipScale + the kernels\' scale input)', () => {
  // Sizes with 0–3 elements past the SIMD groups; scaled so one case clips and one does not.
  const shapes = [[1027], [6, 3], [5], [2, 2, 3]];
  for (const [what, gain, maxNorm] of [['clipping', 3, 1.5], ['within the norm', 0.01, 100]] as const) {
    it(`KeikoClipScale equals tfjs's maxNorm / max(‖g‖, maxNorm) on wasm and cpu (${what})`, async () => {
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend, { quiet: true });
        const [got, want] = tf.tidy(() => {
          const gs = shapes.map((sh, i) => tf.tensor(randn(sh, 90 + i, gain).values, sh));
          const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
          return [clipScaleTensor(gs, maxNorm).dataSync()[0], tf.div(maxNorm, tf.maximum(norm, maxNorm)).dataSync()[0]];
        });
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want));
        if (what === 'clipping') expect(got).toBeLessThan(0.9);
        else expect(got).toBe(1);
      }
    });
  }
  it('with folding off (benchmarks) clipping runs in tfjs ops and the update stays fused', async () => {
    await initBackend('wasm', { quiet: true });
    const v = tf.variable(tf.ones([4, 4]));
    const opt = new FusedAdamOptimizer(0.01);
    setFoldedClipping(false);
    try {
      const names = (await tf.profile(() => tf.tidy(() => opt.applyClippedGradients({ [v.name]: tf.fill([4, 4], 3) }, 1)))).kernels.map((k) => k.name);
      expect(names).toContain('KeikoAdamUpdate');
      expect(names).not.toContain('KeikoClipScale');
    } finally {
      setFoldedClipping(true);
    }
    tf.dispose(v);
    opt.dispose();
  });
  const optimisers = [
    ['Adam', () => new FusedAdamOptimizer(0.05, 0.8, 0.95, 1e-6)],
    ['centered RMSProp', () => new FusedRMSPropOptimizer(0.01, 0.9, 0.3, 1e-6, true)],
    ['RMSProp', () => new FusedRMSPropOptimizer(0.01, 0.9, 0, 1e-6, false)],
  ] as const;
  for (const [name, make] of optimisers) {
    it(`${name}: applyClippedGradients equals applyGradients(clipByGlobalNorm(…)) for 4 steps on wasm and cpu`, async () => {
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend, { quiet: true });
        const vars = shapes.map((sh, i) => [tf.variable(tf.tensor(randn(sh, 100 + i).values, sh)), tf.variable(tf.tensor(randn(sh, 100 + i).values, sh))]);
        const [folded, reference] = [make(), make()];
        for (let step = 0; step < 4; step++) {
          tf.tidy(() => {
            const grads = shapes.map((sh, i) => tf.tensor(randn(sh, 110 + 10 * step + i, 2).values, sh));
            folded.applyClippedGradients(Object.fromEntries(vars.map(([a], i) => [a.name, grads[i]])), 1.5);
            reference.applyGradients(clipByGlobalNorm(Object.fromEntries(vars.map(([, b], i) => [b.name, grads[i]])), 1.5).grads);
          });
          for (const [a, b] of vars) expect(relError(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
        }
        tf.dispose(vars.flat());
        folded.dispose(); reference.dispose();
      }
    });
  }
});

describe('optimiser kernels: WebAssembly SIMD on wasm vs the JS loop on cpu', () => {
  // 1027 elements: 256 SIMD groups plus a 3-element JS tail.
  const n = 1027;
  const state = (seed: number, positive = false) => {
    const s = randn([n], seed);
    if (positive) s.values.forEach((v, i) => (s.values[i] = Math.abs(v)));
    return s;
  };
  it('the SIMD module assembles, validates and binds to the wasm backend memory', async () => {
    await initBackend('wasm', { quiet: true });
    expect(simdOptimiserFor(backendMemory(tf.backend()))).not.toBeNull();
  });
  it('reluMask: dy where y > 0, else 0 (zeros, −0, NaN and negatives masked), with the JS tail', async () => {
    await initBackend('wasm', { quiet: true });
    const y = tf.tensor(Float32Array.from({ length: n }, (_, i) => [0, -0, NaN, -1e-30, 1e-30, 2, -3][i % 7]));
    const dy = tf.tensor(randn([n], 44).values);
    const dz = tf.engine().runKernel('KeikoDenseGrad', { dy: tf.reshape(dy, [n, 1]), x: tf.ones([n, 1]), w: tf.ones([1, 1]), y: tf.reshape(y, [n, 1]) }, { activation: 'relu', withDx: false, withBias: true }) as tf.Tensor[];
    // db = Σ dz: compare with the same sum over the elements whose y > 0.
    const [yv, dyv] = [y.dataSync(), dy.dataSync()];
    let expected = 0;
    for (let i = 0; i < n; i++) if (yv[i] > 0) expected += dyv[i];
    expect(dz[1].dataSync()[0]).toBeCloseTo(expected, 3);
    expect(dz[0].dataSync()[0]).toBeCloseTo(expected, 3); // dW = xᵀ·dz with x = 1
    tf.dispose([y, dy, ...dz]);
  });
  it('KeikoAdamUpdate', async () => {
    const attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, biasCorrection1: 0.271, biasCorrection2: 0.003 };
    await compare([state(40), state(41), state(42, true), state(43)], (x, m, v, g) =>
      tf.engine().runKernel('KeikoAdamUpdate', { x, m, v, g }, attrs) as tf.Tensor[]);
  });
  for (const [centered, epsilonOutside] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`KeikoRMSPropUpdate (${centered ? 'centered' : 'plain'}, ε ${epsilonOutside ? 'outside' : 'inside'} the sqrt, momentum 0.3)`, async () => {
      const attrs = { learningRate: 2.5e-4, decay: 0.95, momentum: 0.3, epsilon: 0.01, centered, epsilonOutside };
      // ms ≥ mg² as in a real run (ms is a running mean of g², mg of g).
      await compare([state(50), state(51, true), state(52), state(53)], (x, ms, mom, g) => {
        const mg = tf.mul(tf.sqrt(ms), 0.5);
        return tf.engine().runKernel('KeikoRMSPropUpdate', centered ? { x, ms, mom, g, mg } : { x, ms, mom, g }, attrs) as tf.Tensor[];
      });
    });
  }
});

describe('optimiser kernels flush subnormal state to zero (wasm SIMD and JS tail, cpu)', () => {
  // 1027 elements: SIMD groups and a 3-element JS tail. State at k·2⁻¹⁴⁹ (k = 1…10) with a zero
  // gradient sticks there without the flush (0.95·k rounds back to k); a NaN must survive it.
  const n = 1027;
  const tiny = 2 ** -149;
  const subnormal = () => Float32Array.from({ length: n }, (_, i) => (i === 5 ? NaN : (((i % 10) + 1) * tiny) * (i % 3 === 0 ? -1 : 1)));
  const xs = () => Float32Array.from({ length: n }, (_, i) => 0.5 + i / n);
  const run = (backend: 'wasm' | 'cpu', kernel: string, inputs: Record<string, Float32Array>, attrs: object) =>
    on(backend, [], () => tf.engine().runKernel(kernel, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v)])), attrs as tf.NamedAttrMap) as tf.Tensor[]);
  const expectFlushed = (state: Float32Array) => {
    state.forEach((v, i) => (i === 5 ? expect(v).toBeNaN() : expect(v).toBe(0)));
  };
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`KeikoRMSPropUpdate on ${backend} (centered, momentum 0.3): ms, mg and mom flushed, x unchanged`, async () => {
      const attrs = { learningRate: 2.5e-4, decay: 0.95, momentum: 0.3, epsilon: 0.01, centered: true, epsilonOutside: true };
      const x = xs();
      const [xo, mso, momo, mgo] = await run(backend, 'KeikoRMSPropUpdate', { x, ms: subnormal(), mom: subnormal(), g: new Float32Array(n), mg: subnormal() }, attrs);
      for (const state of [mso!, momo!, mgo!]) expectFlushed(state);
      xo!.forEach((v, i) => (i === 5 ? expect(v).toBeNaN() : expect(v).toBe(x[i])));
    });
    it(`KeikoAdamUpdate on ${backend}: m and v flushed, x unchanged`, async () => {
      const attrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, biasCorrection1: 0.271, biasCorrection2: 0.003 };
      const x = xs();
      const [xo, mo, vo] = await run(backend, 'KeikoAdamUpdate', { x, m: subnormal(), v: subnormal().map(Math.abs), g: new Float32Array(n) }, attrs);
      for (const state of [mo!, vo!]) expectFlushed(state);
      xo!.forEach((v, i) => (i === 5 ? expect(v).toBeNaN() : expect(v).toBe(x[i])));
    });
    it(`the flush changes no weight on ${backend}: subnormal state and zero state give the same x, bit for bit`, async () => {
      const attrs = { learningRate: 2.5e-4, decay: 0.95, momentum: 0, epsilon: 0.01, centered: true, epsilonOutside: true };
      const x = xs();
      const clean = subnormal().map(() => 0);
      // Gradients from 0 through 1e-30 (whose squares are subnormal) to 1e-3.
      const g = Float32Array.from({ length: n }, (_, i) => [0, 1e-30, 1e-20, 1e-10, 1e-3][i % 5]! * (i % 2 ? -1 : 1));
      const withSub = await run(backend, 'KeikoRMSPropUpdate', { x, ms: subnormal().map(Math.abs).map((v) => v || 0), mom: clean, g, mg: subnormal().map((v) => v || 0) }, attrs);
      const withZero = await run(backend, 'KeikoRMSPropUpdate', { x, ms: clean, mom: clean, g, mg: clean }, attrs);
      expect(Array.from(withSub[0]!)).toEqual(Array.from(withZero[0]!));
    });
  }
});

describe('FusedRMSPropOptimizer', () => {
  it('matches tf.train.rmsprop (plain) step for step on wasm and cpu, with the same state names', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { quiet: true });
      expect(FusedRMSPropOptimizer.fusedOnCurrentBackend()).toBe(true);
      const w0 = randn([6, 3], 60);
      const x = tf.tensor(randn([5, 6], 61).values, [5, 6]);
      const wa = tf.variable(tf.tensor(w0.values, w0.shape));
      const wb = tf.variable(tf.tensor(w0.values, w0.shape));
      const reference = tf.train.rmsprop(0.01, 0.9, 0.5, 1e-6);
      const fused = new FusedRMSPropOptimizer(0.01, 0.9, 0.5, 1e-6);
      for (let i = 0; i < 5; i++) {
        reference.minimize(() => tf.matMul(x, wa).square().mean() as tf.Scalar, false, [wa]);
        fused.minimize(() => tf.matMul(x, wb).square().mean() as tf.Scalar, false, [wb]);
        expect(relError(wb.dataSync(), wa.dataSync())).toBeLessThan(1e-5);
      }
      const [refState, fusedState] = [await reference.getWeights(), await fused.getWeights()];
      expect(fusedState.map((s) => s.name)).toEqual(['iter', `${wb.name}/rms`, `${wb.name}/momentum`]);
      expect(refState.map((s) => s.name)).toEqual(['iter', `${wa.name}/rms`, `${wa.name}/momentum`]);
      for (let i = 1; i < refState.length; i++) expect(relError(fusedState[i].tensor.dataSync(), refState[i].tensor.dataSync())).toBeLessThan(1e-5);
      tf.dispose([x, wa, wb]);
      reference.dispose(); fused.dispose();
    }
  });
});

describe('KeikoTdGrad (the TD loss gradient as one kernel)', () => {
  const B = 9;
  const n = 4;
  const rng = new Random(41);
  const q = Float32Array.from({ length: B * n }, () => rng.normal() * 2);
  const nextT = Float32Array.from({ length: B * n }, () => rng.normal() * 2);
  const nextO = Float32Array.from({ length: B * n }, () => rng.normal() * 2);
  // Ties: row 0 of the selecting nets has two equal maxima (the first must win).
  nextT[1] = nextT[3] = 5;
  nextO[2] = nextO[3] = 4;
  const actions = Int32Array.from({ length: B }, (_, i) => i % n);
  const rewards = Float32Array.from({ length: B }, (_, i) => (i % 3) - 1);
  const discounts = Float32Array.from({ length: B }, (_, i) => (i === 4 ? 0 : 0.99 ** (1 + (i % 3))));
  const scale = Float32Array.from({ length: B }, () => -rng.random() / B);
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const double of [false, true]) {
      for (const loss of ['huber', 'mse'] as const) {
        it(`${backend}, ${double ? 'Double DQN' : 'DQN'}, ${loss}: dQ, td and Q(s,a) equal the oracle (tdTargets)`, async () => {
          await initBackend(backend, { quiet: true });
          const t = (v: Float32Array | Int32Array, shape: number[]) => tf.tensor(v, shape, v instanceof Int32Array ? 'int32' : 'float32');
          const out = tdGradKernel(
            { q: t(q, [B, n]) as tf.Tensor2D, nextQTarget: t(nextT, [B, n]) as tf.Tensor2D, nextQOnline: double ? (t(nextO, [B, n]) as tf.Tensor2D) : null, actions: t(actions, [B]) as tf.Tensor1D, rewards: t(rewards, [B]) as tf.Tensor1D, discounts: t(discounts, [B]) as tf.Tensor1D, scale: t(scale, [B]) as tf.Tensor1D },
            { loss, huberDelta: 1 },
          );
          expect(out).not.toBeNull();
          const [dQ, td, qa] = out!.map((x) => x.dataSync());
          const y = tdTargets(rewards, discounts, nextT, double ? nextO : null, n);
          for (let i = 0; i < B; i++) {
            const qi = q[i * n + actions[i]];
            expect(qa[i]).toBe(qi);
            expect(td[i]).toBeCloseTo(y[i] - qi, 5);
            const g = loss === 'huber' ? Math.max(-1, Math.min(1, y[i] - qi)) : y[i] - qi;
            for (let a = 0; a < n; a++) expect(dQ[i * n + a]).toBeCloseTo(a === actions[i] ? g * scale[i] : 0, 6);
          }
          // The tie in row 0: DQN takes max = 5; Double DQN evaluates action 2 (the first maximum of the online net).
          expect(y[0]).toBeCloseTo(rewards[0] + discounts[0] * (double ? nextT[2] : 5), 5);
          tf.dispose(out!);
        });
      }
    }
  }
});

describe('KeikoConvGrad (a conv layer\'s gradients as one kernel)', () => {
  const cases = [
    { name: 'valid, stride 1, relu, 8 channels', pad: 'valid', strides: [1, 1], act: 'relu', co: 8 },
    { name: 'same, stride 2, linear, 5 channels', pad: 'same', strides: [2, 2], act: 'linear', co: 5 },
  ] as const;
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const c of cases) {
      it(`${backend}, ${c.name}: dW, db and dx equal tf.grads of the same layer`, async () => {
        await initBackend(backend, { quiet: true });
        const x = tf.tensor(randn([2, 6, 7, 3], 60).values, [2, 6, 7, 3]) as tf.Tensor4D;
        const f = tf.tensor(randn([3, 3, 3, c.co], 61).values, [3, 3, 3, c.co]) as tf.Tensor4D;
        const b = tf.tensor(randn([c.co], 62).values, [c.co]) as tf.Tensor1D;
        const layer = (xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) => {
          const z = tf.add(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, [...c.strides] as [number, number], c.pad), bi);
          return c.act === 'relu' ? tf.relu(z) : z;
        };
        const y = layer(x, f, b) as tf.Tensor4D;
        const dy = tf.tensor(randn(y.shape, 63).values, y.shape) as tf.Tensor4D;
        const ref = tf.grads((xi: tf.Tensor, fi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(layer(xi, fi, bi), dy)))([x, f, b]);
        const got = convBackwardKernel(dy, x, f, c.act === 'relu' ? y : null, { activation: c.act, withBias: true, withDx: true, strides: [...c.strides] as [number, number], pad: c.pad });
        expect(got).not.toBeNull();
        const [dW, db, dx] = got!;
        expect(dW.shape).toEqual(f.shape);
        expect(dx.shape).toEqual(x.shape);
        expect(relError(dW.dataSync(), ref[1].dataSync())).toBeLessThan(1e-5);
        expect(relError(db.dataSync(), ref[2].dataSync())).toBeLessThan(1e-5);
        expect(relError(dx.dataSync(), ref[0].dataSync())).toBeLessThan(1e-5);
        tf.dispose([x, f, b, y, dy, ...ref, ...got!]);
      });
    }
  }
});
