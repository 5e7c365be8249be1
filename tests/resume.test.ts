/**
 * Honest resume: never silently start fresh, keep the run's own config, record what a resume
 * changes; and the warnings for settings that train or evaluate nothing.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { tempRoot, tinyRun } from './helpers/tiny-run';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runTraining } from '../node/run-training';
import { registerTrain, describeKey } from '../cli/commands/train';
import { UserError } from '../cli/errors';
import { configShape, resolveConfig } from '../agents/dqn/config';
import { configWarnings } from '../agents/dqn/config-warnings';

const root = tempRoot('keiko-resume-');
const tiny = tinyRun({ evalInterval: 100, evalEpisodes: 1 });
const config = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));

describe('resume', () => {
  it('a missing directory or a directory without a checkpoint is an error, and nothing is written', async () => {
    const missing = join(root, 'missing');
    await expect(runTraining({}, { outDir: missing, resume: true, quiet: true })).rejects.toThrow(/does not exist: there is no run to resume/);
    expect(existsSync(missing)).toBe(false);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'config.json'), JSON.stringify(resolveConfig(tiny)));
    await expect(runTraining({}, { outDir: empty, resume: true, quiet: true })).rejects.toThrow(/has no checkpoint to resume/);
    expect(readdirSync(empty)).toEqual(['config.json']);
  });

  it('keeps the run config, records a raised step budget, refuses other changes unless overridden', async () => {
    const dir = join(root, 'run');
    await runTraining(tiny, { outDir: dir, quiet: true });
    await expect(runTraining({ learningRate: 0.1, gamma: 0.9 }, { outDir: dir, resume: true, quiet: true })).rejects.toThrow(/learningRate: the run was started with 0\.001[\s\S]*gamma: the run was started with 0\.99/);
    expect(existsSync(join(dir, 'resumes.jsonl'))).toBe(false);

    const longer = await runTraining({ steps: 300 }, { outDir: dir, resume: true, quiet: true });
    expect(longer.steps).toBe(300);
    expect(config(dir).steps).toBe(300);
    expect(config(dir).learningRate).toBe(0.001);

    const changed = await runTraining({ steps: 350, learningRate: 0.01 }, { outDir: dir, resume: true, override: true, quiet: true });
    expect(changed.steps).toBe(350);
    expect(config(dir).learningRate).toBe(0.01);
    const log = readFileSync(join(dir, 'resumes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(2);
    expect(log[0].changes).toEqual({ steps: { from: 200, to: 300 } });
    expect(log[1].changes).toEqual({ steps: { from: 300, to: 350 }, learningRate: { from: 0.001, to: 0.01 } });
    expect(log[1].step).toBe(300);
  });

  it('the CLI refuses --resume without --out and --override without --resume', async () => {
    const program = () => {
      const p = new Command('keiko').exitOverride();
      registerTrain(p);
      return p;
    };
    const run = (args: string[]) => program().parseAsync(['node', 'keiko', 'train', '--quiet', ...args]).then(() => null, (e: unknown) => e);
    const a = await run(['--resume']);
    expect(a).toBeInstanceOf(UserError);
    expect((a as Error).message).toMatch(/--resume needs --out/);
    const b = await run(['--override', '--out', join(root, 'x')]);
    expect((b as Error).message).toMatch(/--override only applies with --resume/);
    expect(existsSync(join(root, 'x'))).toBe(false);
  });
});

describe('warnings and help', () => {
  it('warns when nothing would be learned, evaluated or checkpointed', () => {
    const w = (input: Record<string, unknown>) => configWarnings(resolveConfig({ ...tiny, ...input })).join('\n');
    expect(w({ steps: 40 })).toMatch(/learningStarts \(50\): no gradient step will run/);
    expect(w({ evalInterval: 0 })).toMatch(/no periodic evaluation will run/);
    expect(w({ evalInterval: 500 })).toMatch(/no periodic evaluation will run/);
    expect(w({ checkpointInterval: 1000 })).toMatch(/the only checkpoint is the final one/);
    expect(w({ epsilonDecaySteps: 10_000 })).toMatch(/ε never reaches epsilonEnd/);
    expect(configWarnings(resolveConfig({ ...tiny, steps: 5_000, epsilonDecaySteps: 1_000, targetUpdateInterval: 100 }))).toEqual([]);
  });

  it('every flag has a description, its type and its default', () => {
    for (const [key, schema] of Object.entries(configShape)) {
      const help = describeKey(key, schema);
      expect(help, key).toMatch(/^[^(]{10,}.*\((integer|number|true\/false|one of |JSON list|JSON object|a name or a JSON object|string)/);
      expect(help, key).toMatch(/default /);
    }
    expect(describeKey('network', configShape.network)).toMatch(/JSON list of layer specs.*\(JSON list or null; default null/);
  });
});

describe('what kills and long runs leave behind', () => {
  it('checkpoints leak no tensors (the optimiser state read creates one per call)', async () => {
    const counts: number[] = [];
    await runTraining(
      { ...tiny, steps: 600, checkpointInterval: 50 },
      { outDir: join(root, 'leak'), quiet: true, callbacks: [{ onEvent: (e) => void (e.type === 'checkpoint' && e.step >= 200 && counts.push(tf.memory().numTensors)) }] },
    );
    expect(counts.length).toBeGreaterThanOrEqual(8);
    expect(new Set(counts).size).toBe(1);
  });

  it('a resume removes the temp files of writes a kill interrupted', async () => {
    const dir = join(root, 'stale');
    await runTraining(tiny, { outDir: dir, quiet: true });
    const stale = [join(dir, 'checkpoints', 'latest', '.checkpoint.bin.4242.1764500000000.tmp'), join(dir, 'replays', '.eval-step000000100.json.4242.1764500000001.tmp')];
    for (const f of stale) writeFileSync(f, 'partial');
    await runTraining({ steps: 250 }, { outDir: dir, quiet: true, resume: true });
    for (const f of stale) expect(existsSync(f), f).toBe(false);
  });
});
