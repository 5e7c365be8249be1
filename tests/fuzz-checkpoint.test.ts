/**
 * Bad input, property-based: checkpoint files of a real small run (readCheckpoint =
 * decodeSnapshot + extra, then DqnTrainer.restore on the cpu backend, which validates every
 * part). Random bytes, truncations, bit flips and mutated JSON headers are a CheckpointError
 * (file level) or a SnapshotError (naming the field), never a TypeError/RangeError or a tfjs
 * error; reading never changes the file; the intact checkpoint and valid edits still restore.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../agents/dqn/config';
import { DqnTrainer } from '../agents/dqn/loop';
import { SnapshotError } from '../agents/dqn/state';
import { decodeSnapshot, encodeSnapshot } from '../agents/dqn/snapshot-codec';
import { make } from '../envs/registry';
import { CheckpointError, readCheckpoint } from '../node/checkpoint';
import { runTraining } from '../node/run-training';
import { expectCleanAsync, hostile, runAsyncProperty } from './fixtures/fuzz/helpers';

const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-ckpt-'));
const tiny = {
  env: 'CartPole-v1',
  preset: 'default' as const,
  backend: 'cpu' as const,
  steps: 120,
  network: [{ type: 'dense', units: 4, activation: 'relu' }],
  bufferSize: 150,
  batchSize: 4,
  learningStarts: 40,
  evalInterval: 0,
  finalEvalEpisodes: 1,
  checkpointInterval: 0,
  recordEvery: 0,
};
let good: Buffer;
let trainer: DqnTrainer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const run = join(root, 'run');
  await runTraining(tiny, { outDir: run, quiet: true });
  good = readFileSync(join(run, 'checkpoints', 'latest', 'checkpoint.bin'));
  trainer = new DqnTrainer(resolveConfig(tiny), make);
}, 120_000);
afterAll(() => {
  trainer?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** Read and restore one checkpoint file; returns the error (null when it restored). */
async function restoreFile(file: string): Promise<Error | null> {
  try {
    const ck = readCheckpoint(root, file);
    await trainer.restore(ck.snapshot);
    return null;
  } catch (err) {
    return err as Error;
  }
}

function checkError(err: Error): void {
  if (err instanceof CheckpointError) return void expect(err.message).toMatch(/^checkpoint \//);
  if (err instanceof SnapshotError) return void expect(err.field.length).toBeGreaterThan(0);
  throw new Error(`expected a CheckpointError or SnapshotError, got ${err.name}: ${err.message}\n${err.stack}`);
}

let n = 0;
async function tryBytes(bytes: Uint8Array): Promise<Error | null> {
  const file = join(root, `c${n++}.bin`);
  writeFileSync(file, bytes);
  const err = await restoreFile(file);
  expect(readFileSync(file).equals(Buffer.from(bytes)), 'the file is not changed').toBe(true);
  rmSync(file);
  return err;
}

describe('fuzz: checkpoint files', () => {
  it('the intact checkpoint and valid edits of informational fields restore (20 cases)', async () => {
    await runAsyncProperty('checkpoint (valid)', fc.record({ step: fc.nat(), metricsBytes: fc.nat() }), async ({ step, metricsBytes }) => {
      const { snapshot } = decodeSnapshot(new Uint8Array(good));
      snapshot.json.step = step; // informational: restore reads parts.run
      const err = await tryBytes(encodeSnapshot(snapshot, { metricsBytes }));
      expect(err, err?.message).toBeNull();
    }, 20);
  });

  it('random bytes, truncations and bit flips are refused cleanly (1,500 cases)', async () => {
    const damage = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: 'random', bytes: b })),
      fc.double({ min: 0, max: 0.9999, noNaN: true }).map((at) => ({ kind: 'truncate', bytes: good.subarray(0, Math.floor(at * good.length)) })),
      fc.array(fc.tuple(fc.double({ min: 0, max: 0.9999, noNaN: true }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }).map((flips) => {
        const b = Buffer.from(good);
        for (const [at, bit] of flips) b[Math.floor(at * Math.min(b.length, 4096))]! ^= 1 << bit; // the magic, length and JSON header
        return { kind: 'flip', bytes: b };
      }),
    );
    await runAsyncProperty('checkpoint (bytes)', damage, async ({ bytes }) => {
      const err = await tryBytes(bytes);
      if (err) checkError(err);
    }, 1500);
  });

  it('mutated JSON headers are a SnapshotError/CheckpointError naming the field (1,500 cases)', async () => {
    const { snapshot, extra } = decodeSnapshot(new Uint8Array(good));
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      if (p.length > 0) paths.push(p);
      if (Array.isArray(v)) v.slice(0, 2).forEach((x, i) => walk(x, [...p, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(snapshot.json, []);
    const arrays = Object.keys(snapshot.arrays);
    const jsonable = (v: unknown) => JSON.parse(JSON.stringify(v ?? null, (_, x: unknown) => (typeof x === 'bigint' ? 1 : x)) ?? 'null') as unknown;
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('json' as const), path: fc.constantFrom(...paths), value: hostile.map(jsonable), remove: fc.boolean() }),
      fc.record({ kind: fc.constant('array' as const), name: fc.constantFrom(...arrays), how: fc.constantFrom('drop', 'shorten', 'retype') }),
    );
    await runAsyncProperty('checkpoint (header)', mutation, async (m) => {
      const snap = decodeSnapshot(new Uint8Array(good)).snapshot;
      if (m.kind === 'json') {
        let o = snap.json as Record<string | number, unknown>;
        for (const p of m.path.slice(0, -1)) o = o[p] as Record<string | number, unknown>;
        const last = m.path[m.path.length - 1]!;
        if (m.remove) delete o[last];
        else o[last] = m.value;
      } else {
        const a = snap.arrays[m.name]!;
        if (m.how === 'drop') delete snap.arrays[m.name];
        if (m.how === 'shorten') snap.arrays[m.name] = a.slice(0, Math.max(0, a.length - 1));
        if (m.how === 'retype') snap.arrays[m.name] = a instanceof Float64Array ? new Float32Array(a) : new Float64Array(a);
      }
      const err = await tryBytes(encodeSnapshot(snap, extra));
      if (err) checkError(err);
    }, 1500);
    // Restoring the good one afterwards still works (the failed restores left nothing broken).
    expect(await tryBytes(good)).toBeNull();
    expect(readdirSync(root).filter((f) => f.endsWith('.bin'))).toEqual([]);
  });

  it('renamed or reshaped optimiser state is a SnapshotError naming it, not an optimiser error (regression)', async () => {
    const edits: [string, (o: { names: string[]; shapes: number[][] }) => void][] = [
      ['agent.optimizer', (o) => (o.names[0] = 'iteration')],
      ['agent.optimizer', (o) => (o.names[1] = 'accumulatedSecondMoment/0:x')],
      ['agent.optimizer', (o) => (o.names[o.names.length - 1] = 'beta')],
      ['agent.optimizer.shapes', (o) => (o.shapes[1] = [...o.shapes[1]!, 1])],
    ];
    for (const [field, edit] of edits) {
      const snap = decodeSnapshot(new Uint8Array(good)).snapshot;
      const agent = (snap.json.parts as Record<string, { optimizer: { names: string[]; shapes: number[][] } }>).agent!;
      edit(agent.optimizer);
      const file = join(root, 'opt.bin');
      writeFileSync(file, encodeSnapshot(snap, { metricsBytes: 0 }));
      const err = await expectCleanAsync(async () => trainer.restore(readCheckpoint(root, file).snapshot), SnapshotError);
      expect((err as SnapshotError).field.startsWith(field), err.message).toBe(true);
      rmSync(file);
    }
    expect(await tryBytes(good)).toBeNull();
  });
});
