/** A run whose loss becomes non-finite stops with the documented error and keeps its last good checkpoint. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTraining } from '../node/run-training';
import { readCheckpoint } from '../node/checkpoint';
import { NonFiniteLossError } from '../agents/dqn/loop';

const root = mkdtempSync(join(tmpdir(), 'keiko-diverge-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('a diverging run throws NonFiniteLossError, records it in summary.json and keeps the last checkpoint', async () => {
  const dir = join(root, 'boom');
  const err = await runTraining(
    {
      env: 'CartPole-v1',
      preset: 'default',
      backend: 'cpu',
      steps: 2_000,
      network: [{ type: 'dense', units: 8, activation: 'relu' }],
      optimizer: 'sgd',
      learningRate: 1e30,
      loss: 'mse',
      maxGradNorm: null,
      rewardClip: null,
      learningStarts: 150,
      trainFrequency: 1,
      batchSize: 8,
      bufferSize: 500,
      checkpointInterval: 100,
      evalInterval: 0,
      recordEvery: 0,
    },
    { outDir: dir, quiet: true },
  ).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NonFiniteLossError);
  const step = (err as NonFiniteLossError).step;
  expect(step).toBeGreaterThan(150);
  expect((err as Error).message).toMatch(/training diverged: the loss became (NaN|Infinity|-Infinity) at step \d+/);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  expect(summary.error).toBe((err as Error).message);
  const kept = readCheckpoint(join(dir, 'checkpoints', 'latest'));
  const keptStep = kept.snapshot.json.step as number;
  expect(keptStep % 100).toBe(0);
  expect(keptStep).toBeLessThan(step);
  expect(keptStep).toBeGreaterThanOrEqual(100);
});
