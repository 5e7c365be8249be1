/**
 * A sweep directory whose runs were made with other preset values than the sweep resolves to now
 * is refused before anything runs, naming each run and each changed key.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../agents/dqn/config';
import { assertRunConfigsCurrent, configDifferences, configFingerprint, savedConfigFingerprint } from '../node/sweep/config-drift';
import { expandSweep } from '../node/sweep/expand';
import { parseSweep, SweepError } from '../node/sweep/schema';
import { runSweep } from '../node/sweep/run-sweep';

const validate = resolveConfig as unknown as (input: Record<string, unknown>) => unknown;

function sweepDir(): { dir: string; file: string; runs: ReturnType<typeof expandSweep> } {
  const dir = mkdtempSync(join(tmpdir(), 'keiko-drift-'));
  const text = 'name: drift\nenvs: [CartPole-v1]\nbase: { preset: cartpole }\nsteps: 2000\nseeds: [0, 1]\n';
  const file = join(dir, 'sweep.yaml');
  writeFileSync(file, text);
  return { dir, file, runs: expandSweep(parseSweep({ name: 'drift', envs: ['CartPole-v1'], base: { preset: 'cartpole' }, steps: 2000, seeds: [0, 1] }, file)) };
}

function writeRunConfig(outDir: string, relDir: string, config: unknown): void {
  mkdirSync(join(outDir, relDir), { recursive: true });
  writeFileSync(join(outDir, relDir, 'config.json'), JSON.stringify(config, null, 2));
}

describe('sweep config drift', () => {
  it('lists nested differences by dotted path', () => {
    expect(configDifferences({ a: 1, o: { x: 'p', y: 2 } }, { a: 1, o: { x: 'q', y: 2, z: true } })).toEqual([
      'o.x: "p" → "q"',
      'o.z: (not set) → true',
    ]);
    expect(configDifferences({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });

  it('accepts runs whose saved config is what the sweep resolves to (the backend a run picked for auto too)', () => {
    const { dir, runs } = sweepDir();
    const out = join(dir, 'out');
    for (const run of runs) writeRunConfig(out, run.relDir, { ...(resolveConfig(run.config as never) as object), backend: 'wasm' });
    expect(() => assertRunConfigsCurrent('sweep.yaml', runs, out, validate)).not.toThrow();
  });

  it('refuses a run made with other preset values, naming the run and the keys', async () => {
    const { dir, file, runs } = sweepDir();
    const out = join(dir, 'out');
    const now = resolveConfig(runs[1]!.config as never) as Record<string, unknown>;
    // As if the cartpole preset had another learning rate and optimizer when seed 1 ran.
    writeRunConfig(out, runs[1]!.relDir, { ...now, learningRate: 0.5, optimizer: 'sgd' });
    let error: unknown;
    try {
      assertRunConfigsCurrent('sweep.yaml', runs, out, validate);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SweepError);
    const issues = (error as SweepError).issues;
    expect(issues[0]).toContain(runs[1]!.relDir);
    expect(issues[0]).toContain(`learningRate: 0.5 → ${JSON.stringify(now.learningRate)}`);
    expect(issues[0]).toContain(`optimizer: "sgd" → ${JSON.stringify(now.optimizer)}`);
    expect(issues.at(-1)).toMatch(/new --out directory/);
    // runSweep refuses before it creates results.db or runs anything.
    await expect(runSweep(file, { outDir: out, workers: 1 })).rejects.toThrow(/a preset changed since/);
  });

  it('fingerprints the resolved config: one for every seed and backend, another once a value differs', () => {
    const { dir, runs } = sweepDir();
    const [a, b] = runs;
    const fa = configFingerprint(validate, a!.config);
    expect(fa).toMatch(/^[0-9a-f]{10}$/);
    expect(configFingerprint(validate, b!.config)).toBe(fa);
    expect(configFingerprint(validate, { ...a!.config, backend: 'cpu' })).toBe(fa);
    // The preset's values written out (as config.json holds them) resolve to the same config.
    const saved = { ...(resolveConfig(a!.config) as unknown as Record<string, unknown>), backend: 'wasm' };
    writeRunConfig(dir, a!.relDir, saved);
    expect(savedConfigFingerprint(validate, join(dir, a!.relDir))).toBe(fa);
    writeRunConfig(dir, b!.relDir, { ...saved, epsilonEnd: 0.2 });
    expect(savedConfigFingerprint(validate, join(dir, b!.relDir))).not.toBe(fa);
    expect(savedConfigFingerprint(validate, join(dir, 'runs/none'))).toBeNull();
    expect(configFingerprint(validate, { ...a!.config, batchSize: -1 })).toBeNull();
  });
});
