/**
 * Checkpoint state, one part per stateful object. Every part (agent, replay buffer, n-step
 * accumulator, trainer counters, stateful callbacks) exports plain JSON plus named typed arrays
 * and validates what it is given back: a bad or foreign checkpoint fails with a SnapshotError that
 * names the field, never with a crash deep inside a typed-array copy.
 */
import { z } from 'zod';

export type StateArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface PartState {
  json: Record<string, unknown>;
  arrays: Record<string, StateArray>;
}

/** An object that checkpoints itself. */
export interface Stateful {
  exportState(): PartState | Promise<PartState>;
  importState(state: PartState): void | Promise<void>;
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
  constructor(
    /** Where in the snapshot: e.g. `replay.position` or `arrays.replay/obs`. */
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }

  /** The same error one level further down (parts prefix their name). */
  within(prefix: string): SnapshotError {
    return new SnapshotError(`${prefix}.${this.field}`, this.detail);
  }
}

/** Parse `json` with `schema`, turning the first zod problem into a SnapshotError. */
export function parseState<T>(schema: z.ZodType<T>, json: unknown): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new SnapshotError(issue.path.map(String).join('.') || '(root)', issue.message);
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** The array `name` of a part, checked for its dtype and (when given) its length. */
export function stateArray<C extends Ctor>(state: PartState, name: string, ctor: C, length?: number): InstanceType<C> {
  const a = state.arrays[name];
  if (a === undefined) throw new SnapshotError(`arrays.${name}`, 'missing');
  if (!(a instanceof ctor)) throw new SnapshotError(`arrays.${name}`, `expected ${ctor.name}, got ${a.constructor.name}`);
  if (length !== undefined && a.length !== length) throw new SnapshotError(`arrays.${name}`, `has ${a.length} values, expected ${length}`);
  return a as InstanceType<C>;
}

/** Run a part's import, prefixing any SnapshotError with the part's name. */
export async function importPart(name: string, part: Stateful, state: PartState): Promise<void> {
  try {
    await part.importState(state);
  } catch (err) {
    if (err instanceof SnapshotError) throw err.within(name);
    throw err;
  }
}

export const integer = z.number().int().nonnegative();
