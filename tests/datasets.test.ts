import { describe, it, expect } from 'vitest';
import { spiral, xor, circles, linearRegression, trainValTestSplit, fitStandardizer, applyNormalizer, parseCsv, validateDataset } from '../supervised/datasets';
import { loadMnist, loadMnistRaw } from '../node/datasets/mnist';
import { encodeImageGrid } from '../node/png';
import { PNG } from 'pngjs';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReplayFrames } from '../node/datasets/replay-frames';
import { REPLAY_FORMAT, REPLAY_VERSION } from '../agents/recording/replay-format';

describe('toy datasets', () => {
  it('spiral has k arms of labelled 2-D points and is seeded', () => {
    const a = spiral({ arms: 3, pointsPerArm: 50, seed: 1 });
    expect(a.size).toBe(150);
    expect(a.x.length).toBe(300);
    expect(new Set(a.labels).size).toBe(3);
    validateDataset(a);
    expect(spiral({ arms: 3, pointsPerArm: 50, seed: 1 }).x).toEqual(a.x);
    expect(spiral({ arms: 3, pointsPerArm: 50, seed: 2 }).x).not.toEqual(a.x);
    // radii run from 0 to 1
    let maxR = 0;
    for (let i = 0; i < a.size; i++) maxR = Math.max(maxR, Math.hypot(a.x[2 * i], a.x[2 * i + 1]));
    expect(maxR).toBeCloseTo(1, 5);
  });

  it('xor labels are the sign disagreement of the coordinates', () => {
    const d = xor({ size: 100, noise: 0.1, seed: 3 });
    for (let i = 0; i < d.size; i++) expect(d.labels[i]).toBe(Number(d.x[2 * i] > 0 !== d.x[2 * i + 1] > 0));
  });

  it('circles: inner class near radius factor, outer near 1', () => {
    const d = circles({ size: 200, factor: 0.5, noise: 0, seed: 0 });
    for (let i = 0; i < d.size; i++) {
      expect(Math.hypot(d.x[2 * i], d.x[2 * i + 1])).toBeCloseTo(d.labels[i] ? 0.5 : 1, 5);
    }
  });

  it('regression targets are 3·x0 + 2·x1', () => {
    const d = linearRegression({ size: 50, seed: 0 });
    for (let i = 0; i < d.size; i++) expect(d.targets[i]).toBeCloseTo(3 * d.x[2 * i] + 2 * d.x[2 * i + 1], 5);
    const noisy = linearRegression({ size: 2000, noise: 0.5, seed: 0 });
    let s = 0;
    for (let i = 0; i < noisy.size; i++) s += (noisy.targets[i] - 3 * noisy.x[2 * i] - 2 * noisy.x[2 * i + 1]) ** 2;
    expect(Math.sqrt(s / noisy.size)).toBeGreaterThan(0.45);
    expect(Math.sqrt(s / noisy.size)).toBeLessThan(0.55);
  });
});

describe('splitting and normalisation', () => {
  it('splits disjointly and completely', () => {
    const d = linearRegression({ size: 100, seed: 0 });
    const s = trainValTestSplit(d, { validation: 0.2, test: 0.1, seed: 5 });
    expect([s.train.size, s.validation.size, s.test.size]).toEqual([70, 20, 10]);
    const all = [...s.train.targets, ...s.validation.targets, ...s.test.targets].sort();
    expect(all).toEqual([...d.targets].sort());
    expect(() => trainValTestSplit(d, { validation: 0.6, test: 0.5 })).toThrow(/< 1/);
  });

  it('standardiser fitted on train maps train to mean 0, std 1 and reuses its stats', () => {
    const d = linearRegression({ size: 500, seed: 0 });
    const x = d.x.map((v, i) => v * 10 + (i % 2) * 5);
    const ds = { ...d, x };
    const norm = fitStandardizer(ds);
    const out = applyNormalizer(ds, norm);
    for (let j = 0; j < 2; j++) {
      let m = 0, v = 0;
      for (let i = 0; i < out.size; i++) m += out.x[2 * i + j] / out.size;
      for (let i = 0; i < out.size; i++) v += (out.x[2 * i + j] - m) ** 2 / out.size;
      expect(m).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 4);
    }
    const other = applyNormalizer({ ...ds, size: 1, x: new Float32Array([norm.mean[0], norm.mean[1] + norm.std[1]]), targets: new Float32Array(1) }, norm);
    expect(other.x[0]).toBeCloseTo(0, 5);
    expect(other.x[1]).toBeCloseTo(1, 5);
  });
});

describe('CSV', () => {
  it('parses a header, picks the label by name and maps string classes', () => {
    const d = parseCsv('a,b,species\n1,2,cat\n3,4.5,dog\n5,6,cat\n', { label: 'species' });
    expect(d.task).toBe('classification');
    expect(d.size).toBe(3);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4.5, 5, 6]);
    if (d.task !== 'classification') throw new Error();
    expect(Array.from(d.labels)).toEqual([0, 1, 0]);
    expect(d.classNames).toEqual(['cat', 'dog']);
  });

  it('label by index, regression, no header', () => {
    const d = parseCsv('7,1,2\n8,3,4', { label: 0, task: 'regression' });
    if (d.task !== 'regression') throw new Error();
    expect(Array.from(d.targets)).toEqual([7, 8]);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
  });

  it('a bad cell names its line and column', () => {
    expect(() => parseCsv('a,b,y\n1,2,0\n3,oops,1\n', {})).toThrow(/line 3, column 2 \("b"\): "oops" is not a number/);
    expect(() => parseCsv('a,b,y\n1,2,0\n3,1\n', {})).toThrow(/line 3: expected 3 columns, found 2/);
    expect(() => parseCsv('a,b,y\n1,2,0\n', { label: 'z' })).toThrow(/label column "z" not found/);
  });
});

describe('MNIST', () => {
  it('has the official 60,000 / 10,000 split, 28×28 images in [0, 1], labels 0–9', () => {
    const t0 = performance.now();
    const train = loadMnistRaw('train');
    const test = loadMnistRaw('test');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect([train.rows, train.cols]).toEqual([28, 28]);
    const d = loadMnist('test', { limit: 500 });
    expect(d.sampleShape).toEqual([28, 28, 1]);
    expect(d.x.length).toBe(500 * 784);
    let lo = Infinity, hi = -Infinity;
    for (const v of d.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    const counts = new Array(10).fill(0);
    for (const l of loadMnist('train').labels) counts[l]++;
    expect(counts.every((c) => c > 5000 && c < 7000)).toBe(true);
    // The famous first training label is a 5.
    expect(train.labels[0]).toBe(5);
    const sym = loadMnist('train', { limit: 10, scale: 'symmetric', digits: [3] });
    expect(Array.from(sym.labels)).toEqual(new Array(10).fill(3));
    expect(Math.min(...sym.x)).toBe(-1);
  });
});

describe('PNG grids', () => {
  it('tiles images with padding and maps [−1, 1] to 0..255', () => {
    const imgs = new Float32Array(2 * 2 * 2).fill(-1);
    imgs[4] = 1; // first pixel of the second image
    const png = PNG.sync.read(encodeImageGrid(imgs, [2, 2, 1], { cols: 2, pad: 1 }));
    expect([png.width, png.height]).toEqual([2 * 2 + 3, 2 + 2]);
    const px = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    expect(px(1, 1)).toBe(0);
    expect(px(4, 1)).toBe(255);
    expect(px(0, 0)).toBe(40);
  });
});

describe('replay frames', () => {
  it('turns MinAtar replay frames into 10×10×C images in [−1, 1] (or RGB)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keiko-replays-'));
    mkdirSync(join(dir, 'replays'));
    const frame = (on: number[]) => ({ family: 'minatar' as const, game: 'breakout', height: 10, width: 10, channels: ['paddle', 'ball', 'trail', 'brick'], on });
    const replay = {
      format: REPLAY_FORMAT, version: REPLAY_VERSION, env: { id: 'MinAtar/Breakout-v1', family: 'minatar' }, actionNames: ['noop', 'left', 'right'],
      seed: 0, kind: 'train', episode: 0, trainingStep: 2,
      steps: [0, 1].map((i) => ({ frame: frame([(9 * 10 + i) * 4 + 0, (5 * 10 + 5) * 4 + 1]), action: 0, actionName: 'noop', reward: 0, q: null, epsilon: 1 })),
      finalFrame: frame([3]), return: 0, length: 2, terminated: true, truncated: false,
    };
    writeFileSync(join(dir, 'replays', 'train-ep000000-step000002.json'), JSON.stringify(replay));
    const ds = loadReplayFrames(dir);
    expect(ds.size).toBe(3);
    expect(ds.sampleShape).toEqual([10, 10, 4]);
    const at = (i: number, y: number, x: number, c: number) => ds.x[i * 400 + (y * 10 + x) * 4 + c];
    expect(at(0, 9, 0, 0)).toBe(1);
    expect(at(1, 9, 1, 0)).toBe(1);
    expect(at(1, 5, 5, 1)).toBe(1);
    expect(at(1, 5, 5, 0)).toBe(-1);
    expect(at(2, 0, 0, 3)).toBe(1);
    expect(ds.x.filter((v) => v === 1).length).toBe(5);
    const rgb = loadReplayFrames(join(dir, 'replays'), { rgb: true });
    expect(rgb.sampleShape).toEqual([10, 10, 3]);
    writeFileSync(join(dir, 'replays', 'bad.json'), JSON.stringify({ ...replay, format: 'nope' }));
    expect(() => loadReplayFrames(dir)).toThrow(/bad.json is not a valid replay: format/);
  });
});
