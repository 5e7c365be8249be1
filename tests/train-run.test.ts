/**
 * End-to-end training on the cpu backend: a short CartPole run beats a random policy, memory
 * stays flat, replays validate against the schema, and a run stopped and resumed from its
 * checkpoint ends with exactly the metrics of an uninterrupted run.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaySchema } from '../agents/recording/replay-format';
import { runTraining } from '../node/run-training';
import { readCheckpoint } from '../node/checkpoint';
import { DqnTrainer } from '../agents/dqn/loop';
import { resolveConfig } from '../agents/dqn/config';
import { make } from '../envs/registry';
import { smallRun } from './helpers/tiny-run';

const root = mkdtempSync(join(tmpdir(), 'keiko-train-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const small = smallRun({ trainFrequency: 8, evalInterval: 300, checkpointInterval: 300, recordEvery: 4, logInterval: 150 });

const readLines = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
// sps and wallSeconds are wall-clock; everything else must match exactly.
const deterministic = (lines: Record<string, unknown>[]) => lines.map(({ sps: _sps, wallSeconds: _wall, ...rest }) => rest);

describe('training runs', () => {
  it('a stopped and resumed run ends with the same metrics as an uninterrupted one', async () => {
    const input = { ...small, steps: 900, seed: 3, prioritized: true, nStep: 2, doubleDqn: true };
    const a = join(root, 'a');
    const sa = await runTraining(input, { outDir: a, quiet: true });
    expect(sa.steps).toBe(900);

    const b = join(root, 'b');
    const controller = new AbortController();
    const first = await runTraining(input, {
      outDir: b,
      quiet: true,
      signal: controller.signal,
      callbacks: [
        {
          // Stop mid-episode, between checkpoints.
          onStep: (s) => void (s.step >= 512 && controller.abort()),
        },
      ],
    });
    expect(first.interrupted).toBe(true);
    expect(first.steps).toBe(512);
    expect(readCheckpoint(join(b, 'checkpoints', 'latest')).snapshot.json.step).toBe(512);
    const sb = await runTraining({}, { outDir: b, quiet: true, resume: true });
    expect(sb.interrupted).toBe(false);
    expect(deterministic(readLines(b))).toEqual(deterministic(readLines(a)));
    expect(sb.finalEval).toEqual(sa.finalEval);
    expect(sb.episodes).toBe(sa.episodes);
    expect(readdirSync(join(b, 'replays')).sort()).toEqual(readdirSync(join(a, 'replays')).sort());
    const summary = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8'));
    expect(summary.finalEval).toEqual(sa.finalEval);
    expect(summary.backend).toBe('cpu');
    expect(JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')).seed).toBe(3);
  });

  it('writes replays that validate against the schema, and metrics lines as documented', () => {
    const a = join(root, 'a');
    const names = readdirSync(join(a, 'replays'));
    expect(names.some((n) => n.startsWith('train-ep000000-'))).toBe(true);
    expect(names).toContain('eval-step000000300.json');
    expect(names).toContain('eval-step000000900-final.json');
    for (const n of names) {
      const file = JSON.parse(readFileSync(join(a, 'replays', n), 'utf8'));
      const parsed = replaySchema.safeParse(file);
      expect(parsed.success, `${n}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      expect(file.length).toBe(file.steps.length);
      expect(file.return).toBe(file.steps.reduce((s: number, x: { reward: number }) => s + x.reward, 0));
      expect(file.steps.every((s: { q: number[] | null }) => s.q !== null && s.q.length === 2)).toBe(true);
    }
    const lines = readLines(a);
    const keys = (t: string) => Object.keys(lines.find((l) => l.type === t)!).sort();
    expect(keys('episode')).toEqual(['episode', 'length', 'return', 'step', 'type']);
    expect(keys('eval')).toEqual(['episodes', 'meanReturn', 'stdReturn', 'step', 'type']);
    expect(keys('train')).toEqual(['epsilon', 'loss', 'qMean', 'recentReturn', 'sps', 'step', 'type', 'wallSeconds']);
    expect(existsSync(join(a, 'checkpoints', 'best', 'weights.bin'))).toBe(true);
  });

  it('refuses to overwrite a run and reports bad configs before writing anything', async () => {
    await expect(runTraining({ ...small, steps: 10 }, { outDir: join(root, 'a'), quiet: true })).rejects.toThrow(/already holds a run/);
    const c = join(root, 'c');
    await expect(runTraining({ ...small, gamma: 2, bogus: 1 }, { outDir: c, quiet: true })).rejects.toThrow(/gamma[\s\S]*bogus|bogus[\s\S]*gamma/);
    await expect(runTraining({ ...small, env: 'CartPol-v1' }, { outDir: c, quiet: true })).rejects.toThrow(/env.*CartPole-v1/s);
    expect(existsSync(c)).toBe(false);
  });

  it('memory stays flat over hundreds of updates', async () => {
    const config = resolveConfig({ ...small, steps: 1100, trainFrequency: 4, evalInterval: 0, recordEvery: 0, checkpointInterval: 0 });
    const counts: number[] = [];
    const trainer = new DqnTrainer(config, make, {
      callbacks: [{ onEvent: (l) => void (l.type === 'train' && counts.push(tf.memory().numTensors)) }],
    });
    const s = await trainer.run();
    expect(s.updates).toBeGreaterThanOrEqual(250);
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
  });

  it('a short CartPole run clearly beats a random policy (≈ 22)', async () => {
    const s = await runTraining(
      {
        ...small,
        network: [{ type: 'dense', units: 64, activation: 'relu' }],
        steps: 3000,
        seed: 1,
        learningRate: 2.3e-3,
        bufferSize: 3000,
        batchSize: 32,
        learningStarts: 300,
        trainFrequency: 2,
        targetUpdateInterval: 100,
        epsilonDecaySteps: 1500,
        epsilonEnd: 0.02,
        evalInterval: 0,
        finalEvalEpisodes: 10,
        evalEpsilon: 0,
        recordEvery: 0,
        checkpointInterval: 0,
      },
      { outDir: join(root, 'learn'), quiet: true },
    );
    expect(s.finalEval!.meanReturn).toBeGreaterThan(100);
  });
});
