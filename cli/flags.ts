/** Parsing of flag values shared by the commands; every failure is a UserError naming the flag. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors';

/** A finite number from a flag's text. */
export function numberFlag(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UserError(`${flag}: expected a number, got "${String(value)}"`);
  return n;
}

/** The parsed contents of a JSON file named by a flag (e.g. a layer-spec file). */
export function jsonFileFlag(path: string, flag: string, missing = `${flag}: ${path} does not exist`): unknown {
  if (!existsSync(path)) throw new UserError(missing);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`${flag} ${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** A fresh, timestamped output directory name under runs/ (as `keiko train` makes). */
export function timestampedDir(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return join('runs', `${prefix.replace(/[^A-Za-z0-9-]+/g, '_')}-${stamp}`);
}

/** Refuse to write into a directory that already holds a run, unless --force. */
export function checkOutputDir(dir: string, force: boolean): void {
  const held = ['config.json', 'summary.json', 'metrics.jsonl'].filter((f) => existsSync(join(dir, f)));
  if (held.length > 0 && !force) {
    throw new UserError(`--out ${dir} already holds a run (${held.join(', ')}); choose another directory, or pass --force to overwrite it`);
  }
}
