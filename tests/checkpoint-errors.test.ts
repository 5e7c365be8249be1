/**
 * A bad or foreign checkpoint is refused with an error that names the file and the field, and
 * the run directory is left as it was; with a good previous checkpoint, a resume falls back to it
 * with a warning naming the bad file.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tempRoot, tinyRun } from './helpers/tiny-run';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining } from '../node/run-training';
import { CheckpointError } from '../node/checkpoint';
import { decodeSnapshot, encodeSnapshot } from '../agents/dqn/snapshot-codec';

const root = tempRoot('keiko-ckpt-');
const tiny = (env: string) => tinyRun({ env });

const ckpt = (dir: string) => join(dir, 'checkpoints', 'latest', 'checkpoint.bin');
const previous = (dir: string) => join(dir, 'checkpoints', 'latest', 'previous.bin');

/** A finished run with only its latest checkpoint (so a bad one has nothing to fall back to). */
async function freshRun(name: string, env = 'CartPole-v1'): Promise<string> {
  const dir = join(root, name);
  await runTraining(tiny(env), { outDir: dir, quiet: true });
  rmSync(previous(dir));
  return dir;
}

/** Resume `dir` and return the error, checking that metrics.jsonl was not touched. */
async function resumeError(dir: string): Promise<Error> {
  const metrics = join(dir, 'metrics.jsonl');
  const before = readFileSync(metrics);
  const err = await runTraining({ steps: 400 }, { outDir: dir, quiet: true, resume: true }).then(
    () => null,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect(readFileSync(metrics).equals(before)).toBe(true);
  expect(err!.message).toContain(ckpt(dir));
  return err!;
}

function rewrite(dir: string, edit: (json: Record<string, unknown>, arrays: Record<string, unknown>) => void): void {
  const { snapshot, extra } = decodeSnapshot(new Uint8Array(readFileSync(ckpt(dir))));
  edit(snapshot.json, snapshot.arrays);
  writeFileSync(ckpt(dir), encodeSnapshot(snapshot, extra));
}

describe('bad checkpoints', () => {
  it('keeps the previous checkpoint and falls back to it, naming the bad file; two bad ones are an error', async () => {
    const dir = join(root, 'fallback');
    await runTraining(tiny('CartPole-v1'), { outDir: dir, quiet: true });
    expect(existsSync(previous(dir))).toBe(true);
    const good = readFileSync(ckpt(dir));
    writeFileSync(ckpt(dir), good.subarray(0, 100));
    const warnings: string[] = [];
    const s = await runTraining({ steps: 250 }, { outDir: dir, quiet: true, resume: true, onWarning: (m) => warnings.push(m) });
    expect(s.steps).toBe(250);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`checkpoint ${ckpt(dir)}: truncated`);
    expect(warnings[0]).toContain(`resuming from ${previous(dir)} (step 100)`);
    // Both bad: one error naming both files, and the metrics are left alone.
    writeFileSync(ckpt(dir), Buffer.from('garbage'));
    writeFileSync(previous(dir), Buffer.from('garbage too'));
    const err = await resumeError(dir);
    expect(err.message).toContain(previous(dir));
    expect(err.message).toMatch(/no usable checkpoint/);
  });

  it('random bytes, a truncated file and a broken header name the file', async () => {
    const dir = await freshRun('bytes');
    const good = readFileSync(ckpt(dir));
    writeFileSync(ckpt(dir), Buffer.from('definitely not a checkpoint'));
    expect((await resumeError(dir)).message).toMatch(/bad magic bytes/);
    writeFileSync(ckpt(dir), good.subarray(0, Math.floor(good.length / 2)));
    expect((await resumeError(dir)).message).toMatch(/truncated/);
    const broken = Buffer.from(good);
    broken[14] = '{'.charCodeAt(0);
    broken[15] = '{'.charCodeAt(0);
    writeFileSync(ckpt(dir), broken);
    expect((await resumeError(dir)).message).toMatch(/header/);
    expect(statSync(ckpt(dir)).size).toBe(good.length);
  });

  it('a checkpoint of another env is refused at config.env', async () => {
    const cart = await freshRun('cart');
    const car = await freshRun('car', 'MountainCar-v0');
    copyFileSync(ckpt(car), ckpt(cart));
    expect((await resumeError(cart)).message).toMatch(/config\.env: the checkpoint was written with "MountainCar-v0"/);
  });

  it('a missing part, a wrong field type and a short array are named by path', async () => {
    const dir = await freshRun('fields');
    const good = readFileSync(ckpt(dir));
    rewrite(dir, (json) => delete (json.parts as Record<string, unknown>).nStep);
    expect((await resumeError(dir)).message).toMatch(/parts\.nStep: missing/);
    writeFileSync(ckpt(dir), good);
    rewrite(dir, (json) => ((json.parts as { replay: Record<string, unknown> }).replay.position = 'end'));
    expect((await resumeError(dir)).message).toMatch(/replay\.position: /);
    writeFileSync(ckpt(dir), good);
    rewrite(dir, (_json, arrays) => (arrays['replay/obs'] = new Float32Array(5)));
    expect((await resumeError(dir)).message).toMatch(/replay\.arrays\.obs: has 5 values/);
    writeFileSync(ckpt(dir), good);
    rewrite(dir, (json) => (json.version = 1));
    expect((await resumeError(dir)).message).toMatch(/version: checkpoint format version 1 is not supported/);
    writeFileSync(ckpt(dir), good);
    const s = await runTraining({ steps: 300 }, { outDir: dir, quiet: true, resume: true });
    expect(s.steps).toBe(300);
  });
});
