/**
 * Element-wise optimiser steps (Adam, RMSProp plain and centered, ε inside or outside the sqrt), column sums, 2-D transposes and
 * sums of squares as a tiny WebAssembly SIMD
 * module that works directly on the wasm backend's memory (it imports the backend's
 * WebAssembly.Memory, so tensors are addressed by their heap offsets and nothing is copied).
 *
 * Why: a JS loop over the 131k weights of the MinAtar net's dense layer took ~4× as long as the
 * whole XNNPACK matmul of that layer; four f32 lanes without bounds checks are ~10× faster. The
 * module is assembled here from its opcodes (no build step, no binary blob to trust), validated
 * with WebAssembly.validate, and only used when the engine supports SIMD and the backend's memory
 * is a plain (not shared) one; otherwise the kernels run their JS loop. Arithmetic is float32
 * per operation, like tfjs's own kernels.
 *
 * The optimiser steps flush subnormal state to zero (see `flush`). Each function handles
 * floor(n/4)·4 elements; the caller does the remaining 0–3 in JS.
 */
import { F32, I32, MODULE_HEADER, name, section, sleb, uleb, V128, vec, moduleOnMemory, type Code } from './encoding';

// --- the kernels' code (src/wasm/encoding.ts has the binary encoding) ---------------------------

const get = (i: number): Code => [0x20, ...uleb(i)];
const set = (i: number, v: Code): Code => [...v, 0x21, ...uleb(i)];
const simd = (op: number): Code => [0xfd, ...uleb(op)];
const add = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe4)];
const sub = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe5)];
const mul = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe6)];
const div = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe7)];
const sqrt = (a: Code): Code => [...a, ...simd(0xe3)];
const max = (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe9)];
const splat = (f32Local: number): Code => [...get(f32Local), ...simd(0x13)];
// FLT_MIN, the smallest normal float32 (bits 0x00800000), splatted.
const FLT_MIN: Code = [0x43, 0x00, 0x00, 0x80, 0x00, ...simd(0x13)];
/**
 * Flush to zero: local ← 0 where |local| < FLT_MIN (NaN is kept). Optimiser state whose gradient
 * stays 0 decays into the subnormal range and sticks there (0.95·k·2⁻¹⁴⁹ rounds back to
 * k·2⁻¹⁴⁹ for k ≤ 10); subnormal arithmetic is ~5× slower on x86, and wasm has no FTZ mode.
 * A subnormal state changes no weight: sqrt(v) ≤ 1.1e-19 vanishes beside ε, and g·m terms of
 * 1e-38 beside any weight.
 */
const flush = (local: number): Code => set(local, [...get(local), ...get(local), ...simd(0xe0) /* f32x4.abs */, ...FLT_MIN, ...simd(0x43) /* f32x4.lt */, ...simd(0x4f) /* v128.andnot */]);

interface Loop {
  /** Parameter kinds: pointers (i32 byte offsets) then f32 scalars; the last i32 is the 4-group count. */
  pointers: number;
  scalars: number;
  /** Extra v128 locals the body uses. */
  vectors: number;
  body: (ctx: { load: (ptr: number) => Code; store: (ptr: number, v: Code) => Code; s: (i: number) => number; v: (i: number) => number }) => Code;
}

/** for (o = 0; o < groups·16; o += 16) body — pointer params are offset by o in load/store. */
function loopFunction(f: Loop): { type: number[]; code: number[] } {
  const count = f.pointers; // index of the group-count param
  const scalar0 = f.pointers + 1;
  const o = scalar0 + f.scalars; // i32 local: byte offset
  const end = o + 1;
  const splat0 = end + 1; // v128 locals holding the splatted scalars
  const vec0 = splat0 + f.scalars;
  const addr = (ptr: number): Code => [...get(ptr), ...get(o), 0x6a /* i32.add */];
  const load = (ptr: number): Code => [...addr(ptr), ...simd(0x00), 0x00, 0x00];
  const store = (ptr: number, v: Code): Code => [...addr(ptr), ...v, ...simd(0x0b), 0x00, 0x00];
  const params = [...Array(f.pointers + 1).fill(I32), ...Array(f.scalars).fill(F32)];
  const type = [0x60, ...vec(params.map((p) => [p])), 0x00];
  const locals = vec([[...uleb(2), I32], [...uleb(f.scalars + f.vectors), V128]]);
  const splats: Code = [];
  for (let i = 0; i < f.scalars; i++) splats.push(...set(splat0 + i, splat(scalar0 + i)));
  const body = f.body({ load, store, s: (i) => splat0 + i, v: (i) => vec0 + i });
  const code = [
    ...locals,
    ...set(end, [...get(count), 0x41, 4, 0x74 /* i32.shl */]),
    ...splats,
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(o), ...get(end), 0x4f /* i32.ge_u */, 0x0d, 1, // br_if 1 (exit)
    ...body,
    ...set(o, [...get(o), 0x41, 16, 0x6a]),
    0x0c, 0, // br 0
    0x0b, 0x0b, // end loop, end block
    0x0b, // end function
  ];
  return { type, code: [...uleb(code.length), ...code] };
}

// Adam: pointers x, m, v, g, xo, mo, vo; scalars stepScale, β1, 1−β1, β2, 1−β2, 1/√c2, ε, gScale.
// gScale multiplies the gradient first (the global-norm clip factor; 1 without clipping).
const adam = loopFunction({
  pointers: 7, scalars: 8, vectors: 3,
  body: ({ load, store, s, v }) => {
    const [G, M, V] = [v(0), v(1), v(2)];
    return [
      ...set(G, mul(load(3), get(s(7)))),
      ...set(M, add(mul(load(1), get(s(1))), mul(get(G), get(s(2))))),
      ...set(V, add(mul(load(2), get(s(3))), mul(mul(get(G), get(G)), get(s(4))))),
      ...flush(M),
      ...flush(V),
      ...store(5, get(M)),
      ...store(6, get(V)),
      ...store(4, sub(load(0), div(mul(get(s(0)), get(M)), add(mul(sqrt(get(V)), get(s(5))), get(s(6)))))),
    ];
  },
});

// RMSProp: pointers x, ms, mom, mg, g, xo, mso, momo, mgo; scalars ρ, 1−ρ, lr, μ, ε, gScale.
// ε goes inside the sqrt (tfjs, Keras) or after it (PyTorch), as RMSPropKernelAttrs says.
const rmsprop = (centered: boolean, epsilonOutside: boolean) => loopFunction({
  pointers: 9, scalars: 6, vectors: 4,
  body: ({ load, store, s, v }) => {
    const [G, MS, MG, MOM] = [v(0), v(1), v(2), v(3)];
    const variance = centered ? sub(get(MS), mul(get(MG), get(MG))) : get(MS);
    // Outside the root, a rounding-negative ms − mg² would give NaN: clamp it at 0 first.
    const zero: Code = [0x43, 0, 0, 0, 0, ...simd(0x13)];
    const denom = epsilonOutside ? add(sqrt(max(variance, zero)), get(s(4))) : sqrt(add(variance, get(s(4))));
    return [
      ...set(G, mul(load(4), get(s(5)))),
      ...set(MS, add(mul(load(1), get(s(0))), mul(mul(get(G), get(G)), get(s(1))))),
      ...flush(MS),
      ...store(6, get(MS)),
      ...(centered ? [...set(MG, add(mul(load(3), get(s(0))), mul(get(G), get(s(1))))), ...flush(MG), ...store(8, get(MG))] : []),
      ...set(MOM, add(mul(load(2), get(s(3))), div(mul(get(G), get(s(2))), denom))),
      ...flush(MOM),
      ...store(7, get(MOM)),
      ...store(5, sub(load(0), get(MOM))),
    ];
  },
});

/**
 * colsum(src, dst, rows, rowBytes): dst[c] = Σ_r src[r, c] for a row-major [rows, C] float32 matrix
 * with C a multiple of 4 (rowBytes = 4·C): the sum over leading axes behind every bias gradient.
 */
function colsumFunction(): { type: number[]; code: number[] } {
  const [src, dst, rows, rowBytes] = [0, 1, 2, 3];
  const [g, p, end, total] = [4, 5, 6, 7];
  const acc = 8;
  const i32add = (a: Code, b: Code): Code => [...a, ...b, 0x6a];
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32]]), 0x00];
  const locals = vec([[...uleb(4), I32], [...uleb(1), V128]]);
  const code = [
    ...locals,
    ...set(total, [...get(rows), ...get(rowBytes), 0x6c /* i32.mul */]),
    0x02, 0x40, 0x03, 0x40, // block loop (columns, 4 at a time)
    ...get(g), ...get(rowBytes), 0x4f, 0x0d, 1,
    ...set(acc, [0x43, 0, 0, 0, 0 /* f32.const 0 */, ...simd(0x13)]),
    ...set(p, i32add(get(src), get(g))),
    ...set(end, i32add(get(p), get(total))),
    0x02, 0x40, 0x03, 0x40, // block loop (rows)
    ...get(p), ...get(end), 0x4f, 0x0d, 1,
    ...set(acc, add(get(acc), [...get(p), ...simd(0x00), 0x00, 0x00])),
    ...set(p, i32add(get(p), get(rowBytes))),
    0x0c, 0, 0x0b, 0x0b,
    ...get(dst), ...get(g), 0x6a, ...get(acc), ...simd(0x0b), 0x00, 0x00,
    ...set(g, [...get(g), 0x41, 16, 0x6a]),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return { type, code: [...uleb(code.length), ...code] };
}

/**
 * transpose(src, dst, rows, cols): dst[c, r] = src[r, c] for a row-major float32 [rows, cols]
 * matrix with rows and cols multiples of 4, in 4×4 blocks (4 loads, 8 lane shuffles, 4 stores).
 */
function transposeFunction(): { type: number[]; code: number[] } {
  const [src, dst, rows, cols] = [0, 1, 2, 3];
  const [r, c, inRow, outRow, p, q] = [4, 5, 6, 7, 8, 9];
  const [r0, r1, r2, r3, t0, t1, t2, t3] = [10, 11, 12, 13, 14, 15, 16, 17];
  const i32add = (a: Code, b: Code): Code => [...a, ...b, 0x6a];
  const i32mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c];
  const c32 = (n: number): Code => [0x41, ...sleb(n)];
  // i8x16.shuffle of two v128 by f32 lanes (0–3 first operand, 4–7 second).
  const shuffle = (a: Code, b: Code, lanes: number[]): Code => [...a, ...b, ...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
  const load = (addr: Code): Code => [...addr, ...simd(0x00), 0x00, 0x00];
  const store = (addr: Code, v: Code): Code => [...addr, ...v, ...simd(0x0b), 0x00, 0x00];
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32]]), 0x00];
  const locals = vec([[...uleb(6), I32], [...uleb(8), V128]]);
  const code = [
    ...locals,
    ...set(inRow, i32mul(get(cols), c32(4))), // bytes per input row
    ...set(outRow, i32mul(get(rows), c32(4))), // bytes per output row
    0x02, 0x40, 0x03, 0x40, // rows, 4 at a time
    ...get(r), ...get(rows), 0x4f, 0x0d, 1,
    ...set(c, c32(0)),
    0x02, 0x40, 0x03, 0x40, // cols, 4 at a time
    ...get(c), ...get(cols), 0x4f, 0x0d, 1,
    ...set(p, i32add(get(src), i32mul(i32add(i32mul(get(r), get(cols)), get(c)), c32(4)))),
    ...set(r0, load(get(p))),
    ...set(r1, load(i32add(get(p), get(inRow)))),
    ...set(r2, load(i32add(get(p), i32mul(get(inRow), c32(2))))),
    ...set(r3, load(i32add(get(p), i32mul(get(inRow), c32(3))))),
    ...set(t0, shuffle(get(r0), get(r1), [0, 4, 1, 5])),
    ...set(t1, shuffle(get(r0), get(r1), [2, 6, 3, 7])),
    ...set(t2, shuffle(get(r2), get(r3), [0, 4, 1, 5])),
    ...set(t3, shuffle(get(r2), get(r3), [2, 6, 3, 7])),
    ...set(q, i32add(get(dst), i32mul(i32add(i32mul(get(c), get(rows)), get(r)), c32(4)))),
    ...store(get(q), shuffle(get(t0), get(t2), [0, 1, 4, 5])),
    ...store(i32add(get(q), get(outRow)), shuffle(get(t0), get(t2), [2, 3, 6, 7])),
    ...store(i32add(get(q), i32mul(get(outRow), c32(2))), shuffle(get(t1), get(t3), [0, 1, 4, 5])),
    ...store(i32add(get(q), i32mul(get(outRow), c32(3))), shuffle(get(t1), get(t3), [2, 3, 6, 7])),
    ...set(c, i32add(get(c), c32(4))),
    0x0c, 0, 0x0b, 0x0b,
    ...set(r, i32add(get(r), c32(4))),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return { type, code: [...uleb(code.length), ...code] };
}

/**
 * sumSquares(src, groups) → Σ src[i]² over groups·4 float32 values, in four lanes (each lane sums
 * every fourth element), then the lanes added: the squared norm behind global-norm clipping.
 */
function sumSquaresFunction(): { type: number[]; code: number[] } {
  const [src, groups] = [0, 1];
  const [o, end] = [2, 3];
  const [acc, x] = [4, 5];
  const lane = (i: number): Code => [...get(acc), ...simd(0x1f), i]; // f32x4.extract_lane
  const type = [0x60, ...vec([[I32], [I32]]), ...vec([[F32]])];
  const locals = vec([[...uleb(2), I32], [...uleb(2), V128]]);
  const code = [
    ...locals,
    ...set(end, [...get(groups), 0x41, 4, 0x74]),
    ...set(acc, [0x43, 0, 0, 0, 0, ...simd(0x13)]),
    0x02, 0x40, 0x03, 0x40,
    ...get(o), ...get(end), 0x4f, 0x0d, 1,
    ...set(x, [...get(src), ...get(o), 0x6a, ...simd(0x00), 0x00, 0x00]),
    ...set(acc, add(get(acc), mul(get(x), get(x)))),
    ...set(o, [...get(o), 0x41, 16, 0x6a]),
    0x0c, 0, 0x0b, 0x0b,
    ...lane(0), ...lane(1), 0x92, ...lane(2), 0x92, ...lane(3), 0x92, // f32.add
    0x0b,
  ];
  return { type, code: [...uleb(code.length), ...code] };
}

/**
 * reluMask(dy, y, dz, groups): dz = dy where y > 0, else 0, over groups·4 float32 values — the
 * gradient through a ReLU, from the layer's output y. Branch-free (a lane mask ANDed with dy): a
 * JS loop branches on every element and mispredicts on half of them.
 */
function reluMaskFunction(): { type: number[]; code: number[] } {
  const [dy, y, dz, groups] = [0, 1, 2, 3];
  const [o, end] = [4, 5];
  const zero = 6;
  const at = (base: number): Code => [...get(base), ...get(o), 0x6a];
  const type = [0x60, ...vec([[I32], [I32], [I32], [I32]]), 0x00];
  const locals = vec([[...uleb(2), I32], [...uleb(1), V128]]);
  const code = [
    ...locals,
    ...set(end, [...get(groups), 0x41, 4, 0x74]), // groups << 4: bytes
    ...set(zero, [0x43, 0, 0, 0, 0, ...simd(0x13)]),
    0x02, 0x40, 0x03, 0x40,
    ...get(o), ...get(end), 0x4f, 0x0d, 1,
    ...at(dz),
    ...at(dy), ...simd(0x00), 0x00, 0x00,
    ...at(y), ...simd(0x00), 0x00, 0x00, ...get(zero), ...simd(0x44), // f32x4.gt(y, 0): all-ones lanes
    ...simd(0x4e), // v128.and
    ...simd(0x0b), 0x00, 0x00,
    ...set(o, [...get(o), 0x41, 16, 0x6a]),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return { type, code: [...uleb(code.length), ...code] };
}

const FUNCS = [
  ['adam', adam], ['rmsprop', rmsprop(false, false)], ['rmspropCentered', rmsprop(true, false)],
  ['rmspropEpsilonOutside', rmsprop(false, true)], ['rmspropCenteredEpsilonOutside', rmsprop(true, true)], ['colsum', colsumFunction()], ['transpose', transposeFunction()], ['sumSquares', sumSquaresFunction()], ['reluMask', reluMaskFunction()],
] as const;

/** The module's bytes: imports env.memory, exports the FUNCS above by name. */
export function optimiserModuleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    ...MODULE_HEADER,
    ...section(1, vec(FUNCS.map(([, f]) => f.type))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(FUNCS.map((_, i) => uleb(i)))),
    ...section(7, vec(FUNCS.map(([n], i) => [...name(n), 0x00, ...uleb(i)]))),
    ...section(10, vec(FUNCS.map(([, f]) => f.code))),
  ];
  return new Uint8Array(bytes);
}

export interface SimdOptimiser {
  adam(x: number, m: number, v: number, g: number, xo: number, mo: number, vo: number, groups: number,
    stepScale: number, beta1: number, k1: number, beta2: number, k2: number, invSqrtC2: number, epsilon: number, gScale: number): void;
  rmsprop(x: number, ms: number, mom: number, mg: number, g: number, xo: number, mso: number, momo: number, mgo: number, groups: number,
    decay: number, k: number, lr: number, momentum: number, epsilon: number, gScale: number): void;
  rmspropCentered: SimdOptimiser['rmsprop'];
  rmspropEpsilonOutside: SimdOptimiser['rmsprop'];
  rmspropCenteredEpsilonOutside: SimdOptimiser['rmsprop'];
  colsum(src: number, dst: number, rows: number, rowBytes: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  sumSquares(src: number, groups: number): number;
  reluMask(dy: number, y: number, dz: number, groups: number): void;
}

/** The SIMD functions bound to a backend's memory, or null where SIMD or a plain memory is missing. */
export const simdOptimiserFor = moduleOnMemory<SimdOptimiser>(optimiserModuleBytes);

/** The WebAssembly.Memory of a tfjs wasm backend (Emscripten's Module.asm.memory), if reachable. */
export function backendMemory(backend: unknown): WebAssembly.Memory | undefined {
  const wasm = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  return typeof WebAssembly !== 'undefined' && memory instanceof WebAssembly.Memory ? memory : undefined;
}
