/**
 * Bad input, property-based: model directories (loadModelDir) of a real small saved model with
 * its Adam state. Truncated, bit-flipped, deleted or JSON-mutated files are a ModelLoadError
 * naming the file's path; nothing in the directory is written or changed by a load; the intact
 * directory and valid edits (a renamed model, a changed seed) still load.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/layers';
import { createOptimizer } from '../src/optimizers';
import { MODEL_FILES, ModelLoadError } from '../src/model-io';
import { loadModelDir, saveModelDir } from '../node/model-dir';
import { expectClean, hostile, runProperty } from './fixtures/fuzz/helpers';

const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-model-'));
const good = join(root, 'good');
let FILES: string[] = [];
const JSON_FILES = [MODEL_FILES.spec, MODEL_FILES.weightsManifest, MODEL_FILES.optimizerManifest];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = buildModel([{ type: 'dense', units: 4, activation: 'relu' }, { type: 'dense', units: 2 }], [3], { seed: 1 });
  const opt = createOptimizer({ type: 'adam', learningRate: 0.01 });
  opt.minimize(() => tf.mean(tf.square(model.predict(tf.ones([2, 3])) as tf.Tensor)) as tf.Scalar, false, model.trainableWeights.map((w) => w.read() as tf.Variable));
  saveModelDir(good, model, { optimizer: opt });
  model.dispose();
  FILES = readdirSync(good).sort();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

function setPath(obj: unknown, path: (string | number)[], value: unknown, remove: boolean): void {
  let o = obj as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) o = o[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete o[last];
  else o[last] = value;
}
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

type Damage =
  | { kind: 'truncate'; file: string; at: number }
  | { kind: 'flip'; file: string; flips: [number, number][] }
  | { kind: 'delete'; file: string }
  | { kind: 'json'; file: string; path: (string | number)[]; value: unknown; remove: boolean };

const damage = (): fc.Arbitrary<Damage> => {
  const json = JSON_FILES.map((f) => ({ f, paths: paths(JSON.parse(readFileSync(join(good, f), 'utf8'))) }));
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), file: fc.constantFrom(...FILES), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
    fc.record({ kind: fc.constant('flip' as const), file: fc.constantFrom(...FILES), flips: fc.array(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('delete' as const), file: fc.constantFrom(MODEL_FILES.spec, MODEL_FILES.weightsManifest, MODEL_FILES.weights, MODEL_FILES.optimizer) }),
    fc.constantFrom(...json).chain(({ f, paths: ps }) =>
      fc.record({ kind: fc.constant('json' as const), file: fc.constant(f), path: fc.constantFrom(...ps), value: hostile.map((v) => JSON.parse(JSON.stringify(v ?? null, (_, x: unknown) => (typeof x === 'bigint' ? 1 : x)) ?? 'null') as unknown), remove: fc.boolean() }),
    ),
  );
};

function apply(dir: string, d: Damage): void {
  const path = join(dir, d.file);
  if (d.kind === 'delete') return unlinkSync(path);
  const bytes = readFileSync(path);
  if (d.kind === 'truncate') return writeFileSync(path, bytes.subarray(0, Math.floor(d.at * bytes.length)));
  if (d.kind === 'flip') {
    for (const [at, x] of d.flips) bytes[Math.floor(at * bytes.length)]! ^= x;
    return writeFileSync(path, bytes);
  }
  const obj = JSON.parse(bytes.toString('utf8'));
  setPath(obj, d.path, d.value, d.remove);
  writeFileSync(path, JSON.stringify(obj));
}

let n = 0;
function caseDir(): string {
  const dir = join(root, `case${n++}`);
  mkdirSync(dir);
  for (const f of FILES) copyFileSync(join(good, f), join(dir, f));
  return dir;
}

describe('fuzz: model directories', () => {
  it('the intact directory and valid edits (name, seed) load (50 cases)', () => {
    runProperty('model dir (valid)', fc.record({ name: fc.string({ maxLength: 12 }), seed: fc.integer() }), ({ name, seed }) => {
      const dir = caseDir();
      const spec = JSON.parse(readFileSync(join(dir, MODEL_FILES.spec), 'utf8'));
      writeFileSync(join(dir, MODEL_FILES.spec), JSON.stringify({ ...spec, name, seed }));
      const loaded = loadModelDir(dir);
      expect(loaded.seed).toBe(seed);
      expect(loaded.optimizerConfig?.type).toBe('adam');
      loaded.model.dispose();
      loaded.optimizer?.dispose();
      rmSync(dir, { recursive: true });
    }, 50);
  });

  it('damaged files are a ModelLoadError naming the path; the load writes nothing (2,500 cases)', () => {
    runProperty('model dir (damaged)', damage(), (d) => {
      const dir = caseDir();
      apply(dir, d);
      const before = snapshot(dir);
      // Flips that cancel out (the same byte XORed back) leave the file as it was.
      const unchanged = d.kind === 'flip' && before.get(d.file)!.equals(readFileSync(join(good, d.file)));
      let loaded: ReturnType<typeof loadModelDir> | null = null;
      try {
        loaded = loadModelDir(dir);
      } catch (err) {
        const e = expectClean(() => { throw err; }, ModelLoadError, [dir]) as ModelLoadError;
        expect(e.file.startsWith(dir)).toBe(true);
      }
      if (loaded) {
        // Accepted: only a JSON file that stayed valid (a tensor renamed, a byte flipped inside
        // a name, the trailing newline cut) may load; a binary's change always fails its CRC.
        expect(d.file.endsWith('.json') || unchanged, `${d.kind} ${d.file} was accepted`).toBe(true);
        loaded.model.dispose();
        loaded.optimizer?.dispose();
      }
      const after = snapshot(dir);
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [f, b] of before) expect(after.get(f)!.equals(b), `${f} unchanged`).toBe(true);
      rmSync(dir, { recursive: true });
    }, 2500);
  });

  it('a huge layer size in spec.json is refused before anything is built (regression: it allocated gigabytes for 80 s)', () => {
    const dir = caseDir();
    const spec = JSON.parse(readFileSync(join(dir, MODEL_FILES.spec), 'utf8'));
    spec.spec[0].units = 1_004_677_968;
    writeFileSync(join(dir, MODEL_FILES.spec), JSON.stringify(spec));
    const t0 = performance.now();
    expect(() => loadModelDir(dir)).toThrow(/spec\.json.*spec\[0\]\.units: 1004677968 is more than the \d+ values weights\.bin holds/);
    expect(performance.now() - t0).toBeLessThan(2_000);
    rmSync(dir, { recursive: true });
  });

  it('a tensor dtype changed in weights.json is a ModelLoadError, not a tfjs error (one case per tensor)', () => {
    const manifest = JSON.parse(readFileSync(join(good, MODEL_FILES.weightsManifest), 'utf8')) as { tensors: { dtype: string }[] };
    manifest.tensors.forEach((_, i) => {
      const dir = caseDir();
      const m = structuredClone(manifest);
      m.tensors[i]!.dtype = 'int32';
      writeFileSync(join(dir, MODEL_FILES.weightsManifest), JSON.stringify(m));
      expectClean(() => loadModelDir(dir), ModelLoadError, [join(dir, MODEL_FILES.weightsManifest), `tensors.${i}.dtype`]);
      rmSync(dir, { recursive: true });
    });
  });
});
