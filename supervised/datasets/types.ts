/**
 * The in-memory dataset every supervised and GAN routine consumes: flat typed arrays (one row per
 * sample) plus the per-sample shape, so batches are gathered without per-sample allocation.
 */

interface DatasetBase {
  /** Number of samples. */
  readonly size: number;
  /** Shape of one sample, e.g. [2] for a point or [28, 28, 1] for an MNIST image. */
  readonly sampleShape: readonly number[];
  /** Row-major features, `size * prod(sampleShape)` values. */
  readonly x: Float32Array;
}

export interface ClassificationDataset extends DatasetBase {
  readonly task: 'classification';
  /** Class index of every sample, in [0, numClasses). */
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** Optional display names of the classes. */
  readonly classNames?: readonly string[];
}

export interface RegressionDataset extends DatasetBase {
  readonly task: 'regression';
  /** Row-major targets, `size * targetSize` values. */
  readonly targets: Float32Array;
  readonly targetSize: number;
}

export type Dataset = ClassificationDataset | RegressionDataset;

export function sampleSize(ds: { sampleShape: readonly number[] }): number {
  return ds.sampleShape.reduce((a, b) => a * b, 1);
}

/** A new dataset made of the given sample indices (copies the rows). */
export function subset<D extends Dataset>(ds: D, indices: ArrayLike<number>): D {
  const n = indices.length;
  const f = sampleSize(ds);
  const x = new Float32Array(n * f);
  for (let i = 0; i < n; i++) x.set(ds.x.subarray(indices[i] * f, indices[i] * f + f), i * f);
  if (ds.task === 'classification') {
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = ds.labels[indices[i]];
    return { ...ds, size: n, x, labels } as D;
  }
  const t = ds.targetSize;
  const targets = new Float32Array(n * t);
  for (let i = 0; i < n; i++) targets.set(ds.targets.subarray(indices[i] * t, indices[i] * t + t), i * t);
  return { ...ds, size: n, x, targets } as D;
}

/** Keep only the samples whose label passes `keep`, optionally remapping labels. */
export function filterClasses(
  ds: ClassificationDataset,
  keep: (label: number) => boolean,
  remap: (label: number) => number = (l) => l,
  numClasses = ds.numClasses,
): ClassificationDataset {
  const idx: number[] = [];
  for (let i = 0; i < ds.size; i++) if (keep(ds.labels[i])) idx.push(i);
  const sub = subset(ds, idx);
  const labels = sub.labels.map(remap);
  return { ...sub, labels, numClasses, classNames: undefined };
}

/** Throws a clear error when a dataset's arrays disagree with its declared sizes. */
export function validateDataset(ds: Dataset, name = 'dataset'): void {
  const f = sampleSize(ds);
  if (ds.x.length !== ds.size * f) {
    throw new Error(`${name}.x has ${ds.x.length} values, expected size ${ds.size} × ${f}`);
  }
  if (ds.task === 'classification') {
    if (ds.labels.length !== ds.size) throw new Error(`${name}.labels has ${ds.labels.length} entries, expected ${ds.size}`);
    for (let i = 0; i < ds.size; i++) {
      const l = ds.labels[i];
      if (l < 0 || l >= ds.numClasses) {
        throw new Error(`${name}.labels[${i}] = ${l} is outside [0, ${ds.numClasses})`);
      }
    }
  } else if (ds.targets.length !== ds.size * ds.targetSize) {
    throw new Error(`${name}.targets has ${ds.targets.length} values, expected ${ds.size} × ${ds.targetSize}`);
  }
}
