/**
 * Feature normalisation: fit the statistics on the training set only, then apply the same
 * transform to validation and test data (fitting on everything would leak test information).
 */
import { sampleSize, type Dataset } from './types';

export interface Standardizer {
  readonly kind: 'standard';
  readonly mean: number[];
  readonly std: number[];
}

export interface MinMaxScaler {
  readonly kind: 'minmax';
  readonly min: number[];
  readonly max: number[];
  /** Target range (default [0, 1]). */
  readonly range: [number, number];
}

export type Normalizer = Standardizer | MinMaxScaler;

/** Per-feature mean and standard deviation (features with zero spread get std 1). */
export function fitStandardizer(ds: Pick<Dataset, 'x' | 'size' | 'sampleShape'>): Standardizer {
  const f = sampleSize(ds);
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let i = 0; i < ds.size; i++) for (let j = 0; j < f; j++) mean[j] += ds.x[i * f + j];
  for (let j = 0; j < f; j++) mean[j] /= Math.max(1, ds.size);
  for (let i = 0; i < ds.size; i++) {
    for (let j = 0; j < f; j++) {
      const d = ds.x[i * f + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = Array.from(sq, (s) => {
    const v = Math.sqrt(s / Math.max(1, ds.size));
    return v > 1e-12 ? v : 1;
  });
  return { kind: 'standard', mean: Array.from(mean), std };
}

export function fitMinMax(ds: Pick<Dataset, 'x' | 'size' | 'sampleShape'>, range: [number, number] = [0, 1]): MinMaxScaler {
  const f = sampleSize(ds);
  const min = new Array<number>(f).fill(Infinity);
  const max = new Array<number>(f).fill(-Infinity);
  for (let i = 0; i < ds.size; i++) {
    for (let j = 0; j < f; j++) {
      const v = ds.x[i * f + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  return { kind: 'minmax', min, max, range };
}

/** Normalise features into a new array (the dataset itself is left untouched). */
export function applyNormalizer<D extends Dataset>(ds: D, norm: Normalizer): D {
  const f = sampleSize(ds);
  const width = norm.kind === 'standard' ? norm.mean.length : norm.min.length;
  if (width !== f) throw new Error(`normaliser was fitted on ${width} features, dataset has ${f}`);
  const x = new Float32Array(ds.x.length);
  if (norm.kind === 'standard') {
    for (let i = 0; i < ds.size; i++) {
      for (let j = 0; j < f; j++) x[i * f + j] = (ds.x[i * f + j] - norm.mean[j]) / norm.std[j];
    }
  } else {
    const [lo, hi] = norm.range;
    for (let i = 0; i < ds.size; i++) {
      for (let j = 0; j < f; j++) {
        const span = norm.max[j] - norm.min[j];
        x[i * f + j] = span > 0 ? lo + ((ds.x[i * f + j] - norm.min[j]) / span) * (hi - lo) : lo;
      }
    }
  }
  return { ...ds, x };
}
