import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlagValue, registerTrain } from '../cli/commands/train';
import { configShape } from '../agents/dqn/config';
import { UserError } from '../cli/errors';

const root = mkdtempSync(join(tmpdir(), 'keiko-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function program(): Command {
  const p = new Command('keiko').exitOverride();
  registerTrain(p);
  return p;
}

describe('keiko train flags', () => {
  it('has one --kebab-case flag per config key, generated from the schema', () => {
    const train = program().commands.find((c) => c.name() === 'train')!;
    const flags = new Set(train.options.map((o) => o.long));
    for (const key of Object.keys(configShape)) {
      expect(flags.has(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`), key).toBe(true);
    }
    for (const f of ['--config', '--out', '--resume']) expect(flags.has(f)).toBe(true);
  });

  it('parses numbers, booleans, null and JSON', () => {
    expect(parseFlagValue('2.5e-4')).toBe(2.5e-4);
    expect(parseFlagValue('false')).toBe(false);
    expect(parseFlagValue('null')).toBeNull();
    expect(parseFlagValue('[{"type":"dense","units":8}]')).toEqual([{ type: 'dense', units: 8 }]);
    expect(parseFlagValue('CartPole-v1')).toBe('CartPole-v1');
  });

  it('bad values become one UserError naming every key, and nothing is written', async () => {
    const out = join(root, 'bad');
    const err = await program()
      .parseAsync(['node', 'keiko', 'train', '--gamma', '2', '--batch-size', '0', '--epsilon-schedule', 'cosine', '--out', out])
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    for (const key of ['gamma', 'batchSize', 'epsilonSchedule']) expect(msg).toContain(key);
    expect(existsSync(out)).toBe(false);
  });
});
