/**
 * Checkpoint files. `checkpoints/latest/checkpoint.bin` holds the whole training state
 * (agents/dqn/snapshot-codec.ts) in ONE atomically written file, so a crash at any moment leaves
 * either the previous or the new checkpoint, never a mix; `meta.json` beside it is informational.
 * The checkpoint before it is kept as `previous.bin`: a resume falls back to it when the latest
 * is unreadable (a disk error, a truncated copy).
 * `checkpoints/best/` is a model directory (node/model-dir.ts) of the best-evaluated network.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { decodeSnapshot, encodeSnapshot } from '../agents/dqn/snapshot-codec';
import type { TrainingSnapshot } from '../agents/dqn/events';
import { atomicWriteFile, atomicWriteJson } from './atomic';
import { saveModelDir } from './model-dir';

export const CHECKPOINT_FILE = 'checkpoint.bin';
export const PREVIOUS_CHECKPOINT_FILE = 'previous.bin';

export interface CheckpointExtra {
  /** metrics.jsonl size when the checkpoint was taken. */
  metricsBytes: number;
}

export function writeCheckpoint(dir: string, snapshot: TrainingSnapshot, extra: CheckpointExtra): void {
  const bytes = encodeSnapshot(snapshot, extra as unknown as Record<string, unknown>);
  const latest = join(dir, CHECKPOINT_FILE);
  // The new file is complete on disk before the old one becomes previous.bin; a crash between
  // the two renames leaves previous.bin alone, which a resume falls back to.
  atomicWriteFile(latest, bytes, () => {
    if (existsSync(latest)) renameSync(latest, join(dir, PREVIOUS_CHECKPOINT_FILE));
  });
  const j = snapshot.json as { step?: number; episode?: number };
  atomicWriteJson(join(dir, 'meta.json'), { step: j.step, episode: j.episode, bytes: bytes.length, writtenAt: new Date().toISOString() });
}

/** Whether `dir` holds a checkpoint to resume (the latest or the one before it). */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE)) || existsSync(join(dir, PREVIOUS_CHECKPOINT_FILE));
}

/** The checkpoint files of `dir` to try, newest first. */
export function checkpointFiles(dir: string): string[] {
  return [CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE].map((f) => join(dir, f)).filter((f) => existsSync(f));
}

/** A checkpoint file that cannot be used; the message names the file (and the field when known). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(readonly file: string, detail: string) {
    super(`checkpoint ${file}: ${detail}`);
  }
}

/** Read `checkpoint.bin` of `dir`, or the checkpoint file `file` when given. */
export function readCheckpoint(dir: string, file = join(dir, CHECKPOINT_FILE)): { snapshot: TrainingSnapshot; extra: CheckpointExtra } {
  const path = file;
  if (!existsSync(path)) throw new CheckpointError(path, 'no such file');
  let decoded: ReturnType<typeof decodeSnapshot>;
  try {
    decoded = decodeSnapshot(new Uint8Array(readFileSync(path)));
  } catch (err) {
    throw new CheckpointError(path, (err as Error).message);
  }
  const metricsBytes = (decoded.extra as { metricsBytes?: unknown }).metricsBytes;
  if (typeof metricsBytes !== 'number' || !Number.isInteger(metricsBytes) || metricsBytes < 0) {
    throw new CheckpointError(path, `extra.metricsBytes: expected a byte count, got ${JSON.stringify(metricsBytes)}`);
  }
  return { snapshot: decoded.snapshot, extra: { metricsBytes } };
}

/** Save a network as a model directory (weights + spec) with a note of when it was evaluated. */
export function writeBestModel(dir: string, model: tf.LayersModel, info: Record<string, unknown>): void {
  saveModelDir(dir, model);
  atomicWriteJson(join(dir, 'eval.json'), info);
}
