/** keiko supervised and keiko gan never overwrite a run without --force, and reject impossible budgets. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSupervised } from '../cli/commands/supervised';
import { registerGan } from '../cli/commands/gan';
import { UserError } from '../cli/errors';
import { timestampedDir } from '../cli/flags';

const root = mkdtempSync(join(tmpdir(), 'keiko-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (args: string[]) => {
  const p = new Command('keiko').exitOverride();
  registerSupervised(p);
  registerGan(p);
  return p.parseAsync(['node', 'keiko', ...args, '--quiet']).then(
    () => null,
    (e: unknown) => e,
  );
};

describe('output directories', () => {
  it('refuse a directory that holds a run, naming --force, and write nothing', async () => {
    for (const cmd of ['supervised', 'gan']) {
      const dir = join(root, cmd);
      rmSync(dir, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir);
      writeFileSync(join(dir, 'summary.json'), '{}');
      const err = await run([cmd, '--dataset', cmd === 'gan' ? 'ring' : 'xor', '--out', dir]);
      expect(err, cmd).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/already holds a run \(summary\.json\).*--force/);
      expect(readdirSync(dir)).toEqual(['summary.json']);
    }
  });

  it('reject zero epochs or steps by name', async () => {
    const a = await run(['supervised', '--dataset', 'xor', '--epochs', '0', '--out', join(root, 'e0')]);
    expect(a).toBeInstanceOf(UserError);
    expect((a as Error).message).toMatch(/epochs/);
    const b = await run(['gan', '--dataset', 'ring', '--steps', '0', '--out', join(root, 's0')]);
    expect(b).toBeInstanceOf(UserError);
    expect((b as Error).message).toMatch(/steps/);
  });

  it('default to a new timestamped directory under runs/', () => {
    expect(timestampedDir('supervised-mnist')).toMatch(/^runs\/supervised-mnist-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/);
  });
});
