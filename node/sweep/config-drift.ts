/**
 * A sweep names a config by its training input (preset name and keys), not by the preset's
 * values. When Keiko's presets change, the run directories already in DIR hold results and
 * checkpoints made with the old values, and a resume continues with the run's own config.json.
 * Before a sweep runs, compare each existing run's saved config with what the sweep resolves to
 * now, and refuse to mix the two.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashConfig, type ConfigValidator, type SweepRun } from './expand';
import { isObject, SweepError } from './schema';

/** Dotted paths where two resolved configs differ, as `path: old → new`. */
export function configDifferences(saved: unknown, now: unknown, path = ''): string[] {
  if (isObject(saved) && isObject(now)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => configDifferences(saved[k], now[k], path ? `${path}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? '(not set)' : JSON.stringify(v));
  return JSON.stringify(saved) === JSON.stringify(now) ? [] : [`${path}: ${show(saved)} → ${show(now)}`];
}

/** Resolve with the validator; null where it returns no config object (a custom runner's). */
function resolved(validate: ConfigValidator, input: Record<string, unknown>): Record<string, unknown> | null {
  try {
    const out = validate(input);
    return isObject(out) ? out : null;
  } catch {
    return null;
  }
}

/**
 * A hash of the config an input resolves to, without its seed and backend: equal for the seeds of
 * one config on any backend, different once a preset's values change under the same input.
 * Null where the validator returns no config object.
 */
export function configFingerprint(validate: ConfigValidator, input: Record<string, unknown>): string | null {
  const config = resolved(validate, input);
  if (!config) return null;
  delete config.seed;
  delete config.backend;
  return hashConfig(config);
}

/** A run directory's config.json as an object; null if absent or unreadable (the resume's to report). */
function savedInput(runDir: string): Record<string, unknown> | null {
  const file = join(runDir, 'config.json');
  if (!existsSync(file)) return null;
  try {
    const saved: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isObject(saved) ? saved : null;
  } catch {
    return null;
  }
}

/** The fingerprint of the config a run directory's config.json holds; null if it has none. */
export function savedConfigFingerprint(validate: ConfigValidator, runDir: string): string | null {
  const saved = savedInput(runDir);
  return saved ? configFingerprint(validate, saved) : null;
}

/**
 * Throw a SweepError naming every run directory under `outDir` whose config.json no longer
 * matches the config the sweep resolves to (e.g. a preset's values changed since it ran).
 * `backend: 'auto'` matches whatever backend the run picked.
 */
export function assertRunConfigsCurrent(source: string, runs: SweepRun[], outDir: string, validate: ConfigValidator): void {
  const problems: string[] = [];
  for (const run of runs) {
    const input = savedInput(join(outDir, run.relDir));
    if (!input) continue;
    // Resolve the saved config too, so keys added to the schema since take their defaults.
    const saved = resolved(validate, input);
    const now = resolved(validate, run.config);
    if (!saved || !now) continue;
    if (now.backend === 'auto') {
      delete saved.backend;
      delete now.backend;
    }
    const diff = configDifferences(saved, now);
    if (diff.length > 0) problems.push(`${run.relDir}: ${diff.join('; ')}`);
  }
  if (problems.length === 0) return;
  throw new SweepError(source, [
    ...problems,
    `these runs were made with other values than the sweep resolves to now (a preset changed since): ` +
      `run the sweep into a new --out directory, or delete those run directories to rerun them`,
  ]);
}
