/**
 * Spaces that can sample and test membership, like Gymnasium's `Box` and `Discrete`.
 *
 * `BoxSpace` and `DiscreteSpace` (core.ts) stay plain data: any object of that shape is a valid
 * space, so an env may declare its spaces as literals. `box()` and `discrete()` build spaces that
 * also carry `sample(rng)` and `contains(x)`; every built-in env and wrapper uses them. The free
 * functions `sampleSpace(space, rng)` and `spaceContains(space, x)` work on any space, literal or
 * not, and `spaceViolation(space, x)` says why a value is outside.
 *
 * Sampling follows Gymnasium's Box.sample: a dimension bounded on both sides is uniform on
 * [low, high] (integers for uint8/bool), bounded below only is low + Exp(1), above only is
 * high − Exp(1), unbounded is N(0, 1). The generator is always Keiko's seeded `Random`.
 */
import type { BoxSpace, DiscreteSpace, ObservationArray } from './core';
import type { Random } from '../src/random';

export type BoxDtype = BoxSpace['dtype'];
export type Space = BoxSpace | DiscreteSpace;

const DTYPES: readonly BoxDtype[] = ['float32', 'uint8', 'bool'];

/** The number of elements of a box (the product of its shape; 1 for shape []). */
export function spaceSize(space: Pick<BoxSpace, 'shape'>): number {
  let n = 1;
  for (const d of space.shape) n *= d;
  return n;
}

/** The typed array a box's observations use: Float32Array for float32, Uint8Array for uint8 and bool. */
export function arrayTypeOf(dtype: BoxDtype): Float32ArrayConstructor | Uint8ArrayConstructor {
  return dtype === 'float32' ? Float32Array : Uint8Array;
}

function boundAt(bound: number | ArrayLike<number>, i: number): number {
  return typeof bound === 'number' ? bound : bound[i];
}

/** A bound as the box compares it: cast to float32 for float32 boxes, as Gymnasium casts to the dtype. */
function castBound(dtype: BoxDtype, v: number): number {
  return dtype === 'float32' ? Math.fround(v) : v;
}

function exponential(rng: Random): number {
  let u = 0;
  while (u === 0) u = rng.random();
  return -Math.log(u);
}

/** One sample of a box, written into `out` (allocated when omitted). */
export function sampleBox(space: BoxSpace, rng: Random, out?: ObservationArray): ObservationArray {
  const size = spaceSize(space);
  const Ctor = arrayTypeOf(space.dtype);
  const target = out ?? new Ctor(size);
  if (target.length !== size) throw new RangeError(`sample: out has ${target.length} elements, the space ${size}`);
  const integer = space.dtype !== 'float32';
  for (let i = 0; i < size; i++) {
    const lo = castBound(space.dtype, boundAt(space.low, i));
    const hi = castBound(space.dtype, boundAt(space.high, i));
    let v: number;
    if (integer) {
      const a = Math.ceil(Math.max(lo, 0));
      const b = Math.floor(Math.min(hi, space.dtype === 'bool' ? 1 : 255));
      v = rng.integer(a, b + 1);
    } else if (Number.isFinite(lo) && Number.isFinite(hi)) {
      v = rng.uniform(lo, hi);
      // float32 rounding of lo + u·(hi − lo) stays in [lo, hi]: both are float32 values.
    } else if (Number.isFinite(lo)) {
      v = lo + exponential(rng);
    } else if (Number.isFinite(hi)) {
      v = hi - exponential(rng);
    } else {
      v = rng.normal();
    }
    target[i] = v;
  }
  return target;
}

/**
 * Why `x` is not an element of the box, or null when it is: the array type must be the dtype's
 * (Float32Array for float32, Uint8Array for uint8 and bool; a plain number array is checked by
 * value), the length the shape's size, every value inside [low, high] (not NaN), integers for
 * uint8 and 0/1 for bool.
 */
export function boxViolation(space: BoxSpace, x: unknown): string | null {
  let values: ArrayLike<number>;
  if (Array.isArray(x)) {
    if (!x.every((v) => typeof v === 'number')) return 'is an array with non-number elements';
    values = x as number[];
  } else if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const Ctor = arrayTypeOf(space.dtype);
    if (!(x instanceof Ctor)) return `is a ${x.constructor.name}; a ${space.dtype} box holds ${Ctor.name}s`;
    values = x as unknown as ArrayLike<number>;
  } else {
    return `is ${x === null ? 'null' : typeof x === 'object' ? 'an object' : `a ${typeof x}`}, not an array`;
  }
  const size = spaceSize(space);
  if (values.length !== size) return `has ${values.length} elements; shape [${space.shape.join(', ')}] has ${size}`;
  for (let i = 0; i < size; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return `[${i}] is NaN`;
    if (space.dtype === 'bool' && v !== 0 && v !== 1) return `[${i}] is ${v}; a bool box holds 0 or 1`;
    if (space.dtype === 'uint8' && !(Number.isInteger(v) && v >= 0 && v <= 255)) return `[${i}] is ${v}; a uint8 box holds integers 0..255`;
    const lo = castBound(space.dtype, boundAt(space.low, i));
    const hi = castBound(space.dtype, boundAt(space.high, i));
    if (v < lo) return `[${i}] is ${v}, below low ${lo}`;
    if (v > hi) return `[${i}] is ${v}, above high ${hi}`;
  }
  return null;
}

/** Why `x` is not an action of the discrete space, or null when it is (an integer in [0, n)). */
export function discreteViolation(space: DiscreteSpace, x: unknown): string | null {
  if (typeof x !== 'number') return `is a ${typeof x}, not an integer`;
  if (!Number.isInteger(x)) return `is ${x}, not an integer`;
  if (x < 0 || x >= space.n) return `is ${x}, outside [0, ${space.n - 1}]`;
  return null;
}

/** Why `x` is not an element of `space`, or null when it is. */
export function spaceViolation(space: Space, x: unknown): string | null {
  return space.kind === 'box' ? boxViolation(space, x) : discreteViolation(space, x);
}

/** Gymnasium's `space.contains(x)` for any space. */
export function spaceContains(space: Space, x: unknown): boolean {
  return spaceViolation(space, x) === null;
}

/** Gymnasium's `space.sample()` for any space: an action index, or an observation array (into `out` if given). */
export function sampleSpace(space: DiscreteSpace, rng: Random): number;
export function sampleSpace(space: BoxSpace, rng: Random, out?: ObservationArray): ObservationArray;
export function sampleSpace(space: Space, rng: Random, out?: ObservationArray): number | ObservationArray;
export function sampleSpace(space: Space, rng: Random, out?: ObservationArray): number | ObservationArray {
  return space.kind === 'box' ? sampleBox(space, rng, out) : rng.integer(0, space.n);
}

/**
 * The problems of a space's declaration (empty when it is well formed), each naming the field:
 * kind, shape (non-negative integers), dtype, bounds (numbers or Float32Arrays of the shape's
 * size, low ≤ high, no NaN, inside the dtype's range), and for a discrete space n (a positive
 * integer) and actionNames (n distinct non-empty strings). `role` prefixes each message.
 */
export function spaceProblems(space: unknown, role: 'observationSpace' | 'actionSpace'): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${role}${msg}`);
  if (space === null || typeof space !== 'object') {
    say(` is ${space === null ? 'null' : typeof space}; expected a ${role === 'actionSpace' ? "discrete space ({ kind: 'discrete', n, actionNames })" : "box space ({ kind: 'box', shape, low, high, dtype })"}`);
    return problems;
  }
  const s = space as Record<string, unknown>;
  const expected = role === 'actionSpace' ? 'discrete' : 'box';
  if (s.kind !== expected) {
    say(`.kind is ${JSON.stringify(s.kind)}; Keiko's ${role === 'actionSpace' ? 'actions are discrete' : 'observations are boxes'}: expected '${expected}'`);
    return problems;
  }
  if (expected === 'discrete') {
    const n = s.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      say(`.n is ${JSON.stringify(n)}; expected a positive integer`);
      return problems;
    }
    const names = s.actionNames;
    if (!Array.isArray(names)) {
      say(`.actionNames is ${names === undefined ? 'missing' : JSON.stringify(names)}; expected ${n} action names (e.g. ['left', 'right']), shown by the viewer and in error messages`);
    } else {
      if (names.length !== n) say(`.actionNames has ${names.length} names for n = ${n} actions`);
      names.forEach((name, i) => {
        if (typeof name !== 'string' || name.trim() === '') say(`.actionNames[${i}] is ${JSON.stringify(name)}; expected a non-empty string`);
      });
      const seen = new Set<unknown>();
      for (const name of names) {
        if (seen.has(name)) say(`.actionNames repeats ${JSON.stringify(name)}`);
        seen.add(name);
      }
    }
    return problems;
  }
  const shape = s.shape;
  let size = -1;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    say(`.shape is ${JSON.stringify(shape)}; expected a list of non-negative integers, e.g. [4] or [10, 10, 4]`);
  } else {
    size = shape.reduce((a: number, b: number) => a * b, 1);
    if (size === 0) say(`.shape [${shape.join(', ')}] has no elements`);
  }
  const dtype = s.dtype;
  const dtypeOk = typeof dtype === 'string' && (DTYPES as readonly string[]).includes(dtype);
  if (!dtypeOk) say(`.dtype is ${JSON.stringify(dtype)}; expected one of ${DTYPES.map((d) => `'${d}'`).join(', ')}`);
  const bounds: Record<'low' | 'high', number | ArrayLike<number> | null> = { low: null, high: null };
  for (const key of ['low', 'high'] as const) {
    const b = s[key];
    if (typeof b === 'number') {
      if (Number.isNaN(b)) say(`.${key} is NaN`);
      else bounds[key] = b;
    } else if (b instanceof Float32Array) {
      if (size >= 0 && b.length !== size) say(`.${key} has ${b.length} elements; shape [${(shape as number[]).join(', ')}] has ${size}`);
      else if (b.some((v) => Number.isNaN(v))) say(`.${key}[${b.findIndex((v) => Number.isNaN(v))}] is NaN`);
      else bounds[key] = b;
    } else {
      say(`.${key} is ${b === undefined ? 'missing' : ArrayBuffer.isView(b) ? `a ${b.constructor.name}` : JSON.stringify(b)}; expected a number or a Float32Array of the shape's size`);
    }
  }
  if (bounds.low !== null && bounds.high !== null && size > 0) {
    const n = typeof bounds.low === 'number' && typeof bounds.high === 'number' ? 1 : size;
    for (let i = 0; i < n; i++) {
      const lo = boundAt(bounds.low, i);
      const hi = boundAt(bounds.high, i);
      if (lo > hi) {
        say(`: low${n === 1 ? '' : `[${i}]`} ${lo} is above high${n === 1 ? '' : `[${i}]`} ${hi}`);
        break;
      }
    }
    if (dtypeOk && dtype !== 'float32') {
      const [min, max] = dtype === 'bool' ? [0, 1] : [0, 255];
      for (let i = 0; i < n; i++) {
        const lo = boundAt(bounds.low, i);
        const hi = boundAt(bounds.high, i);
        if (!(lo >= min && hi <= max && Number.isInteger(lo) && Number.isInteger(hi))) {
          say(`: a ${dtype} box needs integer bounds within [${min}, ${max}]; got low${n === 1 ? '' : `[${i}]`} ${lo}, high${n === 1 ? '' : `[${i}]`} ${hi}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** What box() takes: the BoxSpace fields (any `kind` is ignored); bounds may be number lists. */
export interface BoxOptions {
  readonly shape: readonly number[];
  readonly low: number | ArrayLike<number>;
  readonly high: number | ArrayLike<number>;
  /** Default 'float32'. */
  readonly dtype?: BoxDtype;
  readonly kind?: 'box';
}

/** A box space with Gymnasium's `sample(rng)` and `contains(x)`. Build one with `box({...})`. */
export class Box implements BoxSpace {
  readonly kind = 'box' as const;
  readonly shape: readonly number[];
  readonly low: number | Float32Array;
  readonly high: number | Float32Array;
  readonly dtype: BoxDtype;

  constructor(options: BoxOptions) {
    const dtype = options.dtype ?? 'float32';
    const toBound = (b: number | ArrayLike<number>): number | Float32Array => (typeof b === 'number' ? b : b instanceof Float32Array ? b : Float32Array.from(b));
    this.shape = [...options.shape];
    this.low = toBound(options.low);
    this.high = toBound(options.high);
    this.dtype = dtype;
    const problems = spaceProblems({ kind: 'box', shape: this.shape, low: this.low, high: this.high, dtype }, 'observationSpace');
    if (problems.length > 0) throw new RangeError(`box(): ${problems.map((p) => p.replace(/^observationSpace\.?:? ?/, '')).join('; ')}`);
  }

  /** The number of elements (the product of the shape). */
  get size(): number {
    return spaceSize(this);
  }

  /** A random element (into `out` when given): see sampleBox for the distributions. */
  sample(rng: Random, out?: ObservationArray): ObservationArray {
    return sampleBox(this, rng, out);
  }

  contains(x: unknown): boolean {
    return boxViolation(this, x) === null;
  }
}

/** A discrete space {0, …, n − 1} with action names, `sample(rng)` and `contains(x)`. Build one with `discrete(n, names)`. */
export class Discrete implements DiscreteSpace {
  readonly kind = 'discrete' as const;
  readonly actionNames: readonly string[];

  constructor(
    readonly n: number,
    actionNames: readonly string[],
  ) {
    this.actionNames = [...actionNames];
    const problems = spaceProblems({ kind: 'discrete', n, actionNames: this.actionNames }, 'actionSpace');
    if (problems.length > 0) throw new RangeError(`discrete(): ${problems.map((p) => p.replace(/^actionSpace\.?/, '')).join('; ')}`);
  }

  /** A uniformly random action. */
  sample(rng: Random): number {
    return rng.integer(0, this.n);
  }

  contains(x: unknown): boolean {
    return discreteViolation(this, x) === null;
  }
}

/** Gymnasium's `Box(low, high, shape, dtype)`: `box({ shape: [4], low: -1, high: 1 })`. Throws a RangeError naming a malformed field. */
export function box(options: BoxOptions): Box {
  return new Box(options);
}

/** Gymnasium's `Discrete(n)`, with the names Keiko shows for each action: `discrete(3, ['left', 'stay', 'right'])`. */
export function discrete(n: number, actionNames: readonly string[]): Discrete {
  return new Discrete(n, actionNames);
}
