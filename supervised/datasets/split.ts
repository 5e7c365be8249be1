/** Seeded shuffling and train / validation / test splits. */
import { Random } from '../../src/random';
import { subset, type Dataset } from './types';

/** In-place Fisher–Yates shuffle of an index array with a seeded generator. */
export function shuffleIndices(indices: Int32Array | Uint32Array | number[], rng: Random): void {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = rng.integer(0, i + 1);
    const t = indices[i];
    indices[i] = indices[j];
    indices[j] = t;
  }
}

export function permutation(n: number, rng: Random): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  shuffleIndices(idx, rng);
  return idx;
}

export interface SplitOptions {
  /** Fraction for validation (default 0.1). */
  validation?: number;
  /** Fraction for test (default 0). */
  test?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  seed?: number;
}

export interface Splits<D extends Dataset> {
  train: D;
  validation: D;
  test: D;
}

/** Split one dataset into train / validation / test by fractions. */
export function trainValTestSplit<D extends Dataset>(ds: D, opts: SplitOptions = {}): Splits<D> {
  const { validation = 0.1, test = 0, shuffle = true, seed = 0 } = opts;
  for (const [name, v] of [['validation', validation], ['test', test]] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`split.${name} must be in [0, 1), got ${v}`);
  }
  if (validation + test >= 1) throw new Error(`split.validation + split.test must be < 1, got ${validation + test}`);
  const order = shuffle ? permutation(ds.size, new Random(seed)) : Int32Array.from({ length: ds.size }, (_, i) => i);
  const nTest = Math.round(ds.size * test);
  const nVal = Math.round(ds.size * validation);
  const nTrain = ds.size - nTest - nVal;
  return {
    train: subset(ds, order.subarray(0, nTrain)),
    validation: subset(ds, order.subarray(nTrain, nTrain + nVal)),
    test: subset(ds, order.subarray(nTrain + nVal)),
  };
}
