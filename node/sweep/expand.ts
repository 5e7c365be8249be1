/**
 * Sweep expansion: a validated sweep → the list of runs (env × config × seed), each with its full
 * training config, a stable config hash and its run directory. Pure and reproducible: the same
 * sweep (and `seed`) always gives the same runs in the same order.
 */
import { createHash } from 'node:crypto';
import { Random, deriveSeed } from '../../src/random';
import type { Distribution, Sweep } from './schema';
import { SweepError } from './schema';

export type Hyperparams = Record<string, unknown>;

export interface SweepRun {
  /** `<env-slug>/<config-hash>/seed-<s>`: unique in the sweep, the store key and queue job id. */
  key: string;
  env: string;
  envSlug: string;
  /** Hash of the full training config except the seed (so seeds of one config share it). */
  configHash: string;
  /** Where the config came from: `grid` or `random`, with its index. */
  origin: string;
  /** The swept values only (what differs between configs). */
  hyperparams: Hyperparams;
  /** Canonical JSON of the hyperparams: the identity of a config across envs. */
  paramsKey: string;
  seed: number;
  steps: number;
  /** The complete training input handed to runTraining. */
  config: Record<string, unknown>;
  /** Run directory relative to the sweep directory: `runs/<env-slug>/<config-hash>/seed-<s>`. */
  relDir: string;
}

/** JSON with object keys sorted, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function hashConfig(config: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 10);
}

/** `MinAtar/Breakout-v1` → `MinAtar-Breakout-v1`: safe as one path component. */
export function envSlug(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Human label of a config: `learningRate=0.001 targetUpdateInterval=100` (or `base`). */
export function paramsLabel(hyperparams: Hyperparams): string {
  const keys = Object.keys(hyperparams).sort();
  if (keys.length === 0) return 'base';
  return keys.map((k) => `${k}=${formatValue(hyperparams[k])}`).join(' ');
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Every combination of the grid's values, in file order (last key varies fastest). */
export function gridCombinations(grid: Record<string, unknown[]> | undefined): Hyperparams[] {
  if (!grid) return [];
  let combos: Hyperparams[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

export function sampleDistribution(dist: Distribution, rng: Random): unknown {
  if ('uniform' in dist) return rng.uniform(dist.uniform[0], dist.uniform[1]);
  if ('logUniform' in dist) {
    const [lo, hi] = dist.logUniform;
    return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  }
  if ('intUniform' in dist) return rng.integer(dist.intUniform[0], dist.intUniform[1] + 1);
  return dist.choice[rng.integer(0, dist.choice.length)];
}

/** The random-search configs: `samples` draws of every key of `space`, seeded by the sweep seed. */
export function randomSamples(random: Sweep['random'], seed: number): Hyperparams[] {
  if (!random) return [];
  const rng = new Random(deriveSeed(seed, 'sweep-random-search'));
  const keys = Object.keys(random.space);
  const out: Hyperparams[] = [];
  for (let i = 0; i < random.samples; i++) {
    const sample: Hyperparams = {};
    for (const key of keys) sample[key] = sampleDistribution(random.space[key]!, rng);
    out.push(sample);
  }
  return out;
}

export function sweepSeeds(sweep: Sweep): number[] {
  return typeof sweep.seeds === 'number' ? Array.from({ length: sweep.seeds }, (_, i) => i) : [...sweep.seeds];
}

/** The configs of a sweep: grid combinations, listed configs, then random samples; just the base if none. */
export function sweepConfigs(sweep: Sweep): { origin: string; hyperparams: Hyperparams }[] {
  const grid = gridCombinations(sweep.grid).map((h, i) => ({ origin: `grid[${i}]`, hyperparams: h }));
  const listed = (sweep.configs ?? []).map((h, i) => ({ origin: `configs[${i}]`, hyperparams: { ...h } as Hyperparams }));
  const random = randomSamples(sweep.random, sweep.seed).map((h, i) => ({ origin: `random[${i}]`, hyperparams: h }));
  const all = [...grid, ...listed, ...random];
  return all.length > 0 ? all : [{ origin: 'base', hyperparams: {} }];
}

/** Expand a validated sweep into its runs: env-major, then config, then seed. */
export function expandSweep(sweep: Sweep): SweepRun[] {
  const runs: SweepRun[] = [];
  const configs = sweepConfigs(sweep);
  const seeds = sweepSeeds(sweep);
  for (const entry of sweep.envs) {
    const env = typeof entry === 'string' ? entry : entry.id;
    const envPreset = typeof entry === 'string' ? undefined : entry.preset;
    const envConfig = typeof entry === 'string' ? {} : (entry.config ?? {});
    const slug = envSlug(env);
    for (const { origin, hyperparams } of configs) {
      const withoutSeed: Record<string, unknown> = {
        ...sweep.base,
        ...(envPreset !== undefined ? { preset: envPreset } : {}),
        ...envConfig,
        ...hyperparams,
        env,
        steps: sweep.steps,
      };
      const configHash = hashConfig(withoutSeed);
      for (const seed of seeds) {
        runs.push({
          key: `${slug}/${configHash}/seed-${seed}`,
          env,
          envSlug: slug,
          configHash,
          origin,
          hyperparams,
          paramsKey: canonicalJson(hyperparams),
          seed,
          steps: sweep.steps,
          config: { ...withoutSeed, seed },
          relDir: `runs/${slug}/${configHash}/seed-${seed}`,
        });
      }
    }
  }
  return runs;
}

/** Validates one training config; throws (ideally an error with `issues`) when it is bad. */
export type ConfigValidator = (input: Record<string, unknown>) => unknown;

interface IssueLike {
  path?: unknown;
  message?: unknown;
}

/** Turn whatever a validator threw into "path: message" lines (paths relative to the config). */
export function validatorIssues(err: unknown): { path: string[]; message: string }[] {
  const e = err as { problems?: unknown; issues?: unknown; errors?: unknown; message?: unknown };
  const list = [e?.problems, e?.issues, e?.errors].find(Array.isArray) as unknown[] | undefined;
  if (list) {
    return (list as IssueLike[]).map((i) => {
      const raw = i.path;
      const path = Array.isArray(raw)
        ? raw.map(String)
        : typeof raw === 'string' && raw
          ? raw.split(/[.[\]]+/).filter(Boolean)
          : [];
      return { path, message: String(i.message ?? i) };
    });
  }
  return [{ path: [], message: String(e?.message ?? err) }];
}

/**
 * Validate every expanded config with the trainer's own validator; report each problem once with
 * the sweep path it comes from (`grid.learnigRate`, `base.gamma`, `envs[1].preset`, ...).
 * Throws SweepError; returns nothing when all configs are valid.
 */
export function validateRuns(sweep: Sweep, runs: SweepRun[], validate: ConfigValidator, source = 'sweep'): void {
  const problems = new Set<string>();
  const seen = new Set<string>();
  for (const run of runs) {
    // Seeds share everything else: validate one config per hash.
    if (seen.has(run.configHash)) continue;
    seen.add(run.configHash);
    try {
      validate(run.config);
    } catch (err) {
      for (const { path, message } of validatorIssues(err)) {
        problems.add(`${locate(sweep, run, path)}: ${message}`);
      }
    }
  }
  if (problems.size > 0) throw new SweepError(source, [...problems]);
}

function locate(sweep: Sweep, run: SweepRun, path: string[]): string {
  const key = path[0];
  const rest = path.slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  const envIndex = sweep.envs.findIndex((e) => (typeof e === 'string' ? e : e.id) === run.env);
  const entry = sweep.envs[envIndex];
  if (key === undefined) return `envs[${envIndex}] (${run.env}, ${run.origin})`;
  if (key in run.hyperparams) {
    if (run.origin.startsWith('grid') && sweep.grid && key in sweep.grid) return `grid.${key}${rest}`;
    if (run.origin.startsWith('random')) return `random.space.${key}${rest}`;
  }
  if (entry && typeof entry !== 'string') {
    if (key === 'preset' && entry.preset !== undefined) return `envs[${envIndex}].preset`;
    if (entry.config && key in entry.config) return `envs[${envIndex}].config.${key}${rest}`;
  }
  if (key in sweep.base) return `base.${key}${rest}`;
  if (key === 'env') return `envs[${envIndex}]`;
  if (key === 'steps') return `steps`;
  if (key === 'seed') return `seeds`;
  return `${key}${rest} (${run.env})`;
}
