/**
 * A small-matrix product C = op(A)·B (+ bias, + ReLU) as a WebAssembly SIMD kernel over the wasm
 * backend's memory, for weights that change after every optimiser step.
 *
 * Why: XNNPACK (behind tfjs-wasm's matMul and fused matMul) packs the right-hand operand into its
 * own layout when it first sees a tensor, and caches that per tensor id. The online network's
 * weights are new tensors after every update, so every forward and backward product repacked
 * them (packing the 1024×128 MinAtar dense kernel costs more than the product). This kernel reads
 * B where it lies, row-major [k, n]: a 2×16 output tile keeps 8 accumulators, and per step of the
 * shared dimension it loads four vectors of B's row and splats two values of A. A is addressed
 * with a row and a column stride, so Aᵀ (dW = xᵀ·dy) needs no transpose.
 *
 * Shapes: any (whole 2×16 tiles, then a 1-row kernel for the rows left over, then a scalar one
 * for the columns left over); gemmFits says when the scalar part is small enough to be worth it.
 * Arithmetic is float32 multiply then add per term, summed over k in order (like a scalar loop).
 */
import { F32, I32, MODULE_HEADER, V128, funcBody, name, section, sleb, uleb, vec, moduleOnMemory, type Code } from './encoding';

const get = (l: number): Code => [0x20, ...uleb(l)];
const set = (l: number, ...value: Code[]): Code => [...value.flat(), 0x21, ...uleb(l)];
const i32 = (c: number): Code => [0x41, ...sleb(c)];
const add = (a: Code, b: Code): Code => [...a, ...b, 0x6a];
const mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c];
const inc = (l: number, by: Code): Code => set(l, add(get(l), by));
const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
const loadV = (addr: Code, offset = 0): Code => [...addr, ...simd(0x00, 0, ...uleb(offset))];
const storeV = (addr: Code, v: Code, offset = 0): Code => [...addr, ...v, ...simd(0x0b, 0, ...uleb(offset))];
/** v128.load32_splat: one f32 into all four lanes. */
const loadSplat = (addr: Code): Code => [...addr, ...simd(0x09, 2, 0)];
const addV = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe4)];
const zeroV: Code = simd(0x0c, ...new Array<number>(16).fill(0));
/** acc + s · m, four lanes. */
const madd = (acc: Code, s: Code, m: Code): Code => [...acc, ...s, ...m, ...simd(0xe6), ...simd(0xe4)];
const maxV = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe9)];
/** while (a < b) { body } (unsigned). */
const whileLt = (a: Code, b: Code, ...body: Code[]): Code => [0x02, 0x40, 0x03, 0x40, ...a, ...b, 0x4f, 0x0d, 1, ...body.flat(), 0x0c, 0, 0x0b, 0x0b];
const ifBit = (flags: number, bit: number, ...body: Code[]): Code => [...get(flags), ...i32(bit), 0x71, 0x04, 0x40, ...body.flat(), 0x0b];

export const GEMM_BIAS = 1;
export const GEMM_RELU = 2;
/**
 * Output tile: rows of A, and columns of B (four vectors). Measured on x86-64 V8 against 4×8,
 * 3×16, 4×16, 5×8 and 6×8 at the DQN shapes: 2×16 is fastest (8 accumulators, 4 loads of B and
 * 2 load-splats of A per step; more accumulators spill past the 16 vector registers).
 */
export const GEMM_ROWS = 2;
export const GEMM_COLS = 16;

/**
 * gemm(a, b, c, bias, m, n, k, aRow, aCol, flags, cols): c[i, j] = Σ_p A(i, p) · b[p, j] for
 * j < cols (a multiple of 16), with A(i, p) the f32 at byte a + i·aRow + p·aCol, b and c
 * row-major ([k, n], [m, n]); then + bias[j] (flags bit 1) and max(·, 0) (bit 2). All addresses
 * are byte offsets into the memory.
 */
export function gemmFunction(rows: number, vecs = GEMM_COLS / 4): Code {
  const [a, b, c, bias, m, n, k, aRow, aCol, flags, cols] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [i, j, ap, bp, left, bRow, rowA, r2, r3, cp, jEnd] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const bv = 22; // bv … bv + vecs − 1: one row of the B tile
  const s = bv + vecs;
  const acc = s + 1; // row r, vector h at acc + vecs·r + h
  const hs = Array.from({ length: vecs }, (_, h) => h);
  const rowsA = Array.from({ length: rows }, (_, r) => r);
  const aAt = (r: number): Code => (r === 0 ? get(ap) : r === 1 ? add(get(ap), get(aRow)) : r <= 3 ? add(get(ap), get(r === 2 ? r2 : r3)) : add(get(ap), mul(get(aRow), i32(r))));
  const outRow = (r: number): Code => (r === 0 ? get(cp) : add(get(cp), mul(get(bRow), i32(r))));
  const body: Code = [
    set(bRow, mul(get(n), i32(4))),
    set(jEnd, mul(get(cols), i32(4))),
    set(r2, mul(get(aRow), i32(2))),
    set(r3, mul(get(aRow), i32(3))),
    whileLt(get(i), get(m),
      set(rowA, add(get(a), mul(get(i), get(aRow)))),
      set(j, i32(0)),
      whileLt(get(j), get(jEnd),
        ...Array.from({ length: vecs * rows }, (_, t) => set(acc + t, zeroV)),
        set(ap, get(rowA)),
        set(bp, add(get(b), get(j))),
        set(left, get(k)),
        whileLt(i32(0), get(left),
          ...hs.map((h) => set(bv + h, loadV(get(bp), 16 * h))),
          ...rowsA.map((r) => [
            ...set(s, loadSplat(aAt(r))),
            ...hs.flatMap((h) => set(acc + vecs * r + h, madd(get(acc + vecs * r + h), get(s), get(bv + h)))),
          ]),
          inc(ap, get(aCol)),
          inc(bp, get(bRow)),
          set(left, [...get(left), ...i32(1), 0x6b])),
        ifBit(flags, 1,
          ...hs.map((h) => set(bv + h, loadV(add(get(bias), get(j)), 16 * h))),
          ...rowsA.map((r) => hs.flatMap((h) => set(acc + vecs * r + h, addV(get(acc + vecs * r + h), get(bv + h)))))),
        ifBit(flags, 2, ...Array.from({ length: vecs * rows }, (_, t) => set(acc + t, maxV(get(acc + t), zeroV)))),
        set(cp, add(add(get(c), mul(get(i), get(bRow))), get(j))),
        ...rowsA.map((r) => hs.flatMap((h) => storeV(outRow(r), get(acc + vecs * r + h), 16 * h))),
        inc(j, i32(16 * vecs))),
      inc(i, i32(rows))),
  ].flat();
  return funcBody([[11, I32], [vecs + 1 + vecs * rows, V128]], body);
}

/**
 * gemmCols(a, b, c, bias, m, n, k, aRow, aCol, flags, from): the same product for the columns
 * from … n − 1 only, one output at a time in scalar f32 (the 0–15 columns the tiles leave, and
 * narrow products like a Q head's 6 actions, where XNNPACK's per-call setup costs more).
 */
function gemmColsFunction(): Code {
  const [a, b, c, bias, m, n, k, aRow, aCol, flags, from] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [i, j, ap, bp, left, bRow] = [11, 12, 13, 14, 15, 16];
  const sum = 17;
  const f32zero: Code = [0x43, 0, 0, 0, 0];
  const loadF = (addr: Code): Code => [...addr, 0x2a, 2, 0];
  const colByte = mul(get(j), i32(4));
  const body: Code = [
    set(bRow, mul(get(n), i32(4))),
    whileLt(get(i), get(m),
      set(j, get(from)),
      whileLt(get(j), get(n),
        set(sum, f32zero),
        set(ap, add(get(a), mul(get(i), get(aRow)))),
        set(bp, add(get(b), colByte)),
        set(left, get(k)),
        whileLt(i32(0), get(left),
          set(sum, [...get(sum), ...loadF(get(ap)), ...loadF(get(bp)), 0x94 /* f32.mul */, 0x92 /* f32.add */]),
          inc(ap, get(aCol)),
          inc(bp, get(bRow)),
          set(left, [...get(left), ...i32(1), 0x6b])),
        ifBit(flags, 1, set(sum, [...get(sum), ...loadF(add(get(bias), colByte)), 0x92])),
        ifBit(flags, 2, set(sum, [...get(sum), ...f32zero, 0x97 /* f32.max */])),
        [...add(add(get(c), mul(get(i), get(bRow))), colByte), ...get(sum), 0x38, 2, 0],
        inc(j, i32(1))),
      inc(i, i32(1))),
  ].flat();
  return funcBody([[6, I32], [1, F32]], body);
}

/**
 * im2col(x, cols, batch, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft, dilH, dilW): the conv
 * patches of x (NHWC) as the rows of cols ([batch·oh·ow, kh·kw·c], byte addresses), zero where a
 * patch reaches into the padding. The conv filter gradient is then colsᵀ·dy, one gemm with A
 * read transposed (a JS pass over the 73k patch values of the MinAtar net took 4× that gemm).
 * A patch row that lies inside the image (undilated) is kw·c contiguous floats in x and in cols:
 * it is copied four floats at a time (a float at a time took 4% of a MinAtar update).
 */
function im2colFunction(): Code {
  const [x, cols, batch, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft, dilH, dilW] = Array.from({ length: 16 }, (_, i) => i);
  const [b, y, xo, fy, fx, iy, ix, ch, o, src, xb, imageBytes, ix0, rowBytes, runEnd, vecEnd] = Array.from({ length: 16 }, (_, i) => 16 + i);
  const sub = (p: Code, q: Code): Code => [...p, ...q, 0x6b];
  const ltU = (p: Code, q: Code): Code => [...p, ...q, 0x49];
  const and = (p: Code, q: Code): Code => [...p, ...q, 0x71];
  const copyF32: Code = [...get(o), ...get(src), 0x2a, 2, 0, 0x38, 2, 0];
  const copyOrZero: Code = [
    ...ltU(get(iy), get(h)), ...ltU(get(ix), get(w)), 0x71,
    0x04, 0x40, // if inside: copy c floats
    ...set(src, add(get(xb), mul(add(mul(get(iy), get(w)), get(ix)), mul(get(c), i32(4))))),
    ...set(ch, i32(0)),
    ...whileLt(get(ch), get(c), copyF32, inc(o, i32(4)), inc(src, i32(4)), inc(ch, i32(1))),
    0x05, // else: zeros
    ...set(ch, i32(0)),
    ...whileLt(get(ch), get(c), [...get(o), 0x43, 0, 0, 0, 0, 0x38, 2, 0], inc(o, i32(4)), inc(ch, i32(1))),
    0x0b,
  ];
  // The row fy of the patch at (y, xo) lies inside: iy < h, ix0 ≥ 0, ix0 + kw ≤ w, no dilation in x.
  const rowInside: Code = and(and(and(ltU(get(iy), get(h)), [...get(ix0), ...i32(0), 0x4e /* i32.ge_s */]), [...add(get(ix0), get(kw)), ...get(w), 0x4c /* i32.le_s */]), [...get(dilW), ...i32(1), 0x46 /* i32.eq */]);
  const copyRow: Code = [
    ...set(src, add(get(xb), mul(add(mul(get(iy), get(w)), get(ix0)), mul(get(c), i32(4))))),
    ...set(runEnd, add(get(o), get(rowBytes))),
    ...set(vecEnd, add(get(o), and(get(rowBytes), i32(-16)))),
    ...whileLt(get(o), get(vecEnd), storeV(get(o), loadV(get(src))), inc(o, i32(16)), inc(src, i32(16))),
    ...whileLt(get(o), get(runEnd), copyF32, inc(o, i32(4)), inc(src, i32(4))),
  ];
  const body: Code = [
    set(o, get(cols)),
    set(imageBytes, mul(mul(mul(get(h), get(w)), get(c)), i32(4))),
    set(rowBytes, mul(mul(get(kw), get(c)), i32(4))),
    whileLt(get(b), get(batch),
      set(xb, add(get(x), mul(get(b), get(imageBytes)))),
      set(y, i32(0)),
      whileLt(get(y), get(oh),
        set(xo, i32(0)),
        whileLt(get(xo), get(ow),
          set(ix0, sub(mul(get(xo), get(sw)), get(padLeft))),
          set(fy, i32(0)),
          whileLt(get(fy), get(kh),
            set(iy, sub(add(mul(get(y), get(sh)), mul(get(fy), get(dilH))), get(padTop))),
            [...rowInside, 0x04, 0x40, ...copyRow, 0x05,
              ...set(fx, i32(0)),
              ...whileLt(get(fx), get(kw),
                set(ix, add(get(ix0), mul(get(fx), get(dilW)))),
                copyOrZero,
                inc(fx, i32(1))),
              0x0b],
            inc(fy, i32(1))),
          inc(xo, i32(1))),
        inc(y, i32(1))),
      inc(b, i32(1))),
  ].flat();
  return funcBody([[16, I32]], body);
}

/** The module's bytes: imports env.memory, exports gemm (2-row tiles), gemm1 (1-row, for the rows left over), gemmCols and im2col. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...MODULE_HEADER,
    ...section(1, vec([[0x60, ...vec(new Array(11).fill([I32])), 0x00], [0x60, ...vec(new Array(16).fill([I32])), 0x00]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec([uleb(0), uleb(0), uleb(0), uleb(1)])),
    ...section(7, vec([[...name('gemm'), 0x00, 0], [...name('gemm1'), 0x00, 1], [...name('gemmCols'), 0x00, 2], [...name('im2col'), 0x00, 3]])),
    ...section(10, vec([gemmFunction(GEMM_ROWS), gemmFunction(1), gemmColsFunction(), im2colFunction()])),
  ]);
}

type GemmFn = (a: number, b: number, c: number, bias: number, m: number, n: number, k: number, aRow: number, aCol: number, flags: number, colsOrFrom: number) => void;

export interface SimdGemm {
  /** m a multiple of GEMM_ROWS; the first `cols` columns (a multiple of GEMM_COLS). */
  gemm: GemmFn;
  /** Any m (one row per tile). */
  gemm1: GemmFn;
  /** Columns from … n − 1, scalar. */
  gemmCols: GemmFn;
  im2col(x: number, cols: number, batch: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number,
    sh: number, sw: number, padTop: number, padLeft: number, dilH: number, dilW: number): void;
}

/**
 * C = op(A)·B (+ bias, ReLU) for any m and n: whole 2×16 tiles, the rows left over, then the
 * columns left over. Byte addresses; A(i, p) at a + i·aRow + p·aCol.
 */
export function runGemm(g: SimdGemm, a: number, b: number, c: number, bias: number, m: number, n: number, k: number, aRow: number, aCol: number, flags: number): void {
  const full = m - (m % GEMM_ROWS);
  const cols = n - (n % GEMM_COLS);
  if (cols > 0) {
    if (full > 0) g.gemm(a, b, c, bias, full, n, k, aRow, aCol, flags, cols);
    if (full < m) g.gemm1(a + full * aRow, b, c + full * n * 4, bias, m - full, n, k, aRow, aCol, flags, cols);
  }
  if (cols < n) g.gemmCols(a, b, c, bias, m, n, k, aRow, aCol, flags, cols);
}

/** The kernel bound to a backend's memory, or null where SIMD or a plain memory is missing. */
export const simdGemmFor = moduleOnMemory<SimdGemm>(gemmModuleBytes);

/**
 * Whether runGemm should take an [m, k]·[k, n] product (else the caller keeps XNNPACK): any
 * shape, as long as the scalar columns are a small share of the work (n ≥ 16, or a small product).
 */
export const gemmFits = (m: number, n: number, k: number): boolean => m > 0 && k > 0 && n > 0 && (n % GEMM_COLS === 0 || n >= 4 * GEMM_COLS || m * n * k <= 1 << 17);

/** Plain-JS reference of the same product (tests compare the kernel with it and with tfjs cpu). */
export function gemmReference(a: Float32Array, b: Float32Array, c: Float32Array, bias: Float32Array | null, m: number, n: number, k: number, transposeA: boolean, relu: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum = Math.fround(sum + Math.fround((transposeA ? a[p * m + i] : a[i * k + p]) * b[p * n + j]));
      if (bias) sum = Math.fround(sum + bias[j]);
      c[i * n + j] = relu && sum < 0 ? 0 : sum;
    }
  }
}
