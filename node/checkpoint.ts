/**
 * Checkpoint files. `checkpoints/latest/checkpoint.bin` holds the whole training state
 * (agents/dqn/snapshot-codec.ts) in ONE atomically written file, so a crash at any moment leaves
 * either the previous or the new checkpoint, never a mix; `meta.json` beside it is informational.
 * `checkpoints/best/` is a model directory (node/model-dir.ts) of the best-evaluated network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { decodeSnapshot, encodeSnapshot } from '../agents/dqn/snapshot-codec';
import type { TrainingSnapshot } from '../agents/dqn/loop';
import { atomicWriteFile, atomicWriteJson } from './atomic';
import { saveModelDir } from './model-dir';

export const CHECKPOINT_FILE = 'checkpoint.bin';

export interface CheckpointExtra {
  /** metrics.jsonl size when the checkpoint was taken. */
  metricsBytes: number;
}

export function writeCheckpoint(dir: string, snapshot: TrainingSnapshot, extra: CheckpointExtra): void {
  const bytes = encodeSnapshot(snapshot, extra as unknown as Record<string, unknown>);
  atomicWriteFile(join(dir, CHECKPOINT_FILE), bytes);
  const j = snapshot.json as { step?: number; episode?: number };
  atomicWriteJson(join(dir, 'meta.json'), { step: j.step, episode: j.episode, bytes: bytes.length, writtenAt: new Date().toISOString() });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

export function readCheckpoint(dir: string): { snapshot: TrainingSnapshot; extra: CheckpointExtra } {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new Error(`no checkpoint at ${path}`);
  const { snapshot, extra } = decodeSnapshot(new Uint8Array(readFileSync(path)));
  return { snapshot, extra: extra as unknown as CheckpointExtra };
}

/** Save a network as a model directory (weights + spec) with a note of when it was evaluated. */
export function writeBestModel(dir: string, model: tf.LayersModel, info: Record<string, unknown>): void {
  saveModelDir(dir, model);
  atomicWriteJson(join(dir, 'eval.json'), info);
}
