/**
 * `keiko train`: train a DQN agent into a run directory. Every config key is also a flag
 * (generated from the zod schema: --learning-rate ↔ learningRate), layered as
 * embedded defaults < preset < --config FILE < flags. With no arguments at all it trains the
 * default (CartPole-v1, cartpole preset) into runs/<env>-<timestamp>.
 */
import { readFileSync, existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, configShape, DEFAULTS, PRESET_VALUES, resolveConfig, type DqnConfig } from '../../agents/dqn/config';
import { configWarnings } from '../../agents/dqn/config-warnings';
import { resolveRun, runTraining } from '../../node/run-training';
import { ImportModuleError, importModules, readRunImports, writeRunImports } from '../../node/import-modules';
import { createTrainProgress } from '../progress';
import { RunFailure, UserError } from '../errors';

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function isBoolean(schema: z.ZodType): boolean {
  return schema instanceof z.ZodBoolean;
}

/** What a value of this schema looks like, for --help. */
function typeOf(schema: z.ZodType): string {
  if (schema instanceof z.ZodNullable) return `${typeOf(schema.unwrap() as z.ZodType)} or null`;
  if (schema instanceof z.ZodBoolean) return 'true/false';
  if (schema instanceof z.ZodNumber) return schema.format === 'safeint' || schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodEnum) return `one of ${(schema.options as string[]).join(', ')}`;
  if (schema instanceof z.ZodArray) return 'JSON list';
  if (schema instanceof z.ZodRecord) return 'JSON object';
  if (schema instanceof z.ZodUnion) return 'a name or a JSON object';
  return 'string';
}

/** The flag's help line, from the config schema: description, type and default. */
export function describeKey(key: string, schema: z.ZodType): string {
  const d = schema.description ?? '';
  const def = (DEFAULTS as Record<string, unknown>)[key];
  const shown = def === undefined ? 'from the env' : JSON.stringify(def);
  const presetSets = Object.values(PRESET_VALUES).some((p) => key in p);
  return `${d} (${typeOf(schema)}; default ${shown}${presetSets ? ', unless the preset sets it' : ''})`;
}

/** A flag value: numbers, true/false, null and JSON are parsed; anything else stays a string. `flag` names it in errors. */
export function parseFlagValue(raw: string, flag?: string): unknown {
  const t = raw.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      throw new UserError(`${flag ? `${flag}: ` : ''}could not parse JSON flag value: ${t}`);
    }
  }
  return raw;
}

export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UserError(`config file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new UserError(`could not parse ${path}: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${path}: expected an object of config keys`);
  return data as Record<string, unknown>;
}

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * --import: load the modules before the config is resolved (their register() calls add envs).
 * A resume without --import loads the modules the run recorded in its imports.json; --import
 * given again replaces that list (e.g. after a module moved). Returns the imported URLs.
 */
export async function loadTrainImports(specs: readonly string[], resumeDir: string | null): Promise<string[]> {
  const recorded = resumeDir !== null && specs.length === 0;
  try {
    return await importModules(recorded ? readRunImports(resumeDir) : specs);
  } catch (err) {
    if (!(err instanceof ImportModuleError)) throw err;
    const hint = recorded ? ` (recorded in ${join(resumeDir, 'imports.json')}; pass --import again with the module's path)` : '';
    throw new UserError(`${err.message}${hint}`);
  }
}

/** An unknown env id may be a custom env whose module was not imported: say how. */
export function withImportHint(message: string): string {
  return /Unknown env id/.test(message) ? `${message}\n  (your own env? import the module that registers it: --import ./my-env.ts; docs/envs.md "Your own env")` : message;
}

/** The step of a run's latest checkpoint, from its meta.json (informational; null if unknown). */
function checkpointStep(outDir: string): number | null {
  try {
    const meta = JSON.parse(readFileSync(join(outDir, 'checkpoints', 'latest', 'meta.json'), 'utf8')) as { step?: unknown };
    return typeof meta.step === 'number' ? meta.step : null;
  } catch {
    return null;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('Train a DQN agent (defaults: CartPole-v1, cartpole preset) and write a run directory')
    .option('--config <file>', 'JSON or YAML file of config keys (flags override it)')
    .option('--out <dir>', 'run directory (default runs/<env>-<timestamp>)')
    .option('--resume', 'continue the run in --out from its latest checkpoint (its config.json wins; --steps may be raised)')
    .option('--override', 'with --resume: allow changing other config keys (recorded in resumes.jsonl)')
    .option('--import <module>', 'import a module first, e.g. one whose register() adds your env (repeatable; recorded in imports.json, which --resume reuses)', collect, [])
    .option('--quiet', 'no progress output');
  for (const [key, schema] of Object.entries(configShape)) {
    const flag = `--${kebab(key)}`;
    if (isBoolean(schema as z.ZodType)) cmd.option(`${flag} [bool]`, describeKey(key, schema as z.ZodType));
    else cmd.option(`${flag} <value>`, describeKey(key, schema as z.ZodType));
  }
  cmd.action(async (opts: Record<string, unknown>) => {
    const input: Record<string, unknown> = opts.config ? readConfigFile(String(opts.config)) : {};
    for (const key of Object.keys(configShape)) {
      const v = opts[key];
      if (v === undefined) continue;
      input[key] = v === true ? true : parseFlagValue(String(v), `--${kebab(key)}`);
    }
    const resume = opts.resume === true;
    if (resume && !opts.out) throw new UserError('--resume needs --out DIR: the run directory to continue');
    if (opts.override && !resume) throw new UserError('--override only applies with --resume');
    // Before the config is resolved: the modules may register the env it names.
    const imports = await loadTrainImports((opts.import as string[] | undefined) ?? [], resume ? String(opts.out) : null);
    let config: DqnConfig;
    let outDir: string;
    let resumedAt: number | null = null;
    try {
      config = resolveConfig(input);
      outDir = opts.out ? String(opts.out) : join('runs', `${config.env.replace(/[^A-Za-z0-9-]+/g, '_')}-${timestamp()}`);
      // The run's real settings (a resume's come from its config.json), checked before anything is written.
      const run = resolveRun(input, { outDir, resume, override: opts.override === true });
      config = run.config;
      if (run.checkpoints.length > 0) resumedAt = checkpointStep(outDir);
    } catch (err) {
      if (err instanceof ConfigError) throw new UserError(withImportHint(err.message));
      throw err;
    }
    const quiet = opts.quiet === true;
    const progress = quiet ? null : createTrainProgress(config.steps);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      console.error('\nkeiko: stopping — writing a checkpoint (Ctrl-C again to quit at once)');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      if (!quiet) {
        const what = !resume ? 'training' : resumedAt === null ? 'resuming' : `resuming at step ${resumedAt}:`;
        console.log(`keiko: ${what} ${config.env} (preset ${config.preset}, seed ${config.seed}, ${config.steps} steps) → ${outDir}`);
      }
      for (const w of configWarnings(config)) console.error(`keiko: warning: ${w}`);
      // The run directory exists by the start event: record the imports there for --resume.
      const recordImports = {
        onEvent: (e: { type: string }) => {
          if (e.type === 'start') writeRunImports(outDir, imports);
        },
      };
      const callbacks = [...(imports.length > 0 ? [recordImports] : []), ...(progress ? [progress] : [])];
      const summary = await runTraining(input, { outDir, resume, override: opts.override === true, callbacks, signal: controller.signal, quiet });
      progress?.stop();
      if (summary.interrupted) {
        console.log(`keiko: interrupted at step ${summary.steps}; resume with: npx keiko train --out ${outDir} --resume`);
      } else {
        const fe = summary.finalEval;
        console.log(
          `keiko: done — ${summary.steps} steps, ${summary.episodes} episodes, ${summary.wallSeconds.toFixed(1)} s (${Math.round(summary.sps)} steps/s, ${summary.backend})` +
            (fe ? `; final eval ${fe.meanReturn.toFixed(1)} ± ${fe.stdReturn.toFixed(1)} over ${fe.episodes} episodes` : ''),
        );
        console.log(`keiko: run written to ${outDir} (view it with: npx keiko view ${outDir})`);
      }
    } catch (err) {
      progress?.stop();
      if (err instanceof ConfigError) throw new UserError(withImportHint(err.message));
      if (err instanceof Error && err.name === 'CheckpointError') throw new UserError(err.message);
      if (err instanceof Error && (err.name === 'NonFiniteLossError' || err.name === 'RunWriteError')) throw new RunFailure(err.message);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}
