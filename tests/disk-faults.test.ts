/**
 * A full disk (ENOSPC) or a refused write (EACCES) while training: the run stops with an error
 * naming the path, the last good checkpoint stays intact, and the run resumes once writes work.
 * The faults are injected into node:fs for files of one run directory.
 */
import { readFileSync } from 'node:fs';
import { tempRoot, tinyRun } from './helpers/tiny-run';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const fault: { match: string | null; code: 'ENOSPC' | 'EACCES' } = { match: null, code: 'ENOSPC' };

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => R, syscall: string) =>
    (...args: A): R => {
      const path = String(args[0]);
      if (fault.match && path.includes(fault.match)) {
        const err = Object.assign(new Error(`${fault.code}: ${fault.code === 'ENOSPC' ? 'no space left on device' : 'permission denied'}, ${syscall} '${path}'`), { code: fault.code, syscall, path });
        throw err;
      }
      return fn(...args);
    };
  const patched = { ...fs, openSync: guard(fs.openSync, 'open'), appendFileSync: guard(fs.appendFileSync, 'open') };
  return { ...patched, default: patched };
});

const { runTraining } = await import('../node/run-training');
const { RunWriteError } = await import('../node/run-dir-writer');
const { readCheckpoint } = await import('../node/checkpoint');

const root = tempRoot('keiko-disk-');
const tiny = tinyRun({ steps: 400, bufferSize: 500 });

describe('unwritable run directory', () => {
  for (const code of ['ENOSPC', 'EACCES'] as const) {
    it(`${code} on a checkpoint write stops the run, names the path, keeps the last checkpoint; resume works after`, async () => {
      const dir = join(root, code);
      // Let the first checkpoint (step 100) through, then fail the next checkpoint file.
      let checkpoints = 0;
      const err = await runTraining(tiny, {
        outDir: dir,
        quiet: true,
        callbacks: [
          {
            onEvent: (e) => {
              if (e.type === 'checkpoint' && ++checkpoints === 1) {
                fault.code = code;
                fault.match = join(dir, 'checkpoints', 'latest', '.checkpoint.bin');
              }
            },
          },
        ],
      }).then(
        () => null,
        (e: unknown) => e,
      );
      fault.match = null;
      expect(err).toBeInstanceOf(RunWriteError);
      const msg = (err as Error).message;
      expect(msg).toContain(join(dir, 'checkpoints', 'latest'));
      expect(msg).toContain(code);
      expect(msg).toMatch(/the last good checkpoint is kept/);
      expect(readCheckpoint(join(dir, 'checkpoints', 'latest')).snapshot.json.step).toBe(100);
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
      expect(lines.length).toBeGreaterThan(0);
      const resumed = await runTraining({}, { outDir: dir, quiet: true, resume: true });
      expect(resumed.steps).toBe(400);
      expect(resumed.finalEval).not.toBeNull();
    });
  }
});
