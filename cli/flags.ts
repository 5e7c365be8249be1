/** Parsing of flag values shared by the commands; every failure is a UserError naming the flag. */
import { existsSync, readFileSync } from 'node:fs';
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
