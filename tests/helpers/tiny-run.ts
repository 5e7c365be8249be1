/** What the run-directory tests share: a tiny CartPole config that trains in a second on cpu, and a temp root. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';

export const tinyRun = (overrides: Record<string, unknown> = {}) => ({
  env: 'CartPole-v1',
  preset: 'default' as const,
  backend: 'cpu' as const,
  steps: 200,
  network: [{ type: 'dense', units: 8, activation: 'relu' }],
  bufferSize: 300,
  batchSize: 8,
  learningStarts: 50,
  evalInterval: 0,
  finalEvalEpisodes: 1,
  checkpointInterval: 100,
  recordEvery: 0,
  ...overrides,
});

/** A temp directory for this test file, removed afterwards; the cpu backend for every test. */
export function tempRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** A small CartPole config that learns a little in a few hundred steps (16-unit net, evaluations every 200). */
export const smallRun = (overrides: Record<string, unknown> = {}) => ({
  env: 'CartPole-v1',
  preset: 'default' as const,
  backend: 'cpu' as const,
  network: [{ type: 'dense', units: 16, activation: 'relu' }],
  bufferSize: 1000,
  batchSize: 16,
  learningStarts: 100,
  trainFrequency: 4,
  targetUpdateInterval: 100,
  epsilonDecaySteps: 300,
  evalInterval: 200,
  evalEpisodes: 2,
  finalEvalEpisodes: 3,
  checkpointInterval: 0,
  recordEvery: 0,
  logInterval: 200,
  ...overrides,
});
