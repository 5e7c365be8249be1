/**
 * The sweep file format (docs/sweeps.md): which envs, which base training config, which
 * hyperparameter grid and/or random search, which seeds and how many steps per run. Parsed from
 * JSON or YAML and validated with zod; every problem is reported with its path.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A sweep that cannot run: `issues` lists every problem as "path: message". */
export class SweepError extends Error {
  override name = 'SweepError';
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const range = (name: string) =>
  z.tuple([finite, finite]).refine(([lo, hi]) => lo < hi, `${name}: [low, high] needs low < high`);

const DISTRIBUTIONS = ['uniform', 'logUniform', 'intUniform', 'choice'] as const;

/** A distribution to sample one hyperparameter from (random search): exactly one of the keys. */
export const distributionSchema = z
  .object({
    uniform: range('uniform').optional(),
    logUniform: range('logUniform')
      .refine(([lo]) => lo > 0, 'logUniform: bounds must be > 0')
      .optional(),
    intUniform: z
      .tuple([z.number().int(), z.number().int()])
      .refine(([lo, hi]) => lo <= hi, 'intUniform: [low, high] needs low <= high')
      .optional(),
    choice: z.array(z.unknown()).min(1).optional(),
  })
  .passthrough()
  .superRefine((d, ctx) => {
    const keys = Object.keys(d);
    const unknown = keys.filter((k) => !(DISTRIBUTIONS as readonly string[]).includes(k));
    for (const k of unknown) {
      ctx.addIssue({ code: 'custom', path: [k], message: `unknown distribution "${k}" (allowed: ${DISTRIBUTIONS.join(', ')})` });
    }
    const known = keys.filter((k) => (DISTRIBUTIONS as readonly string[]).includes(k));
    if (known.length !== 1 && unknown.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: `give exactly one of ${DISTRIBUTIONS.join(', ')}` });
    }
  }) as unknown as z.ZodType<
  | { uniform: [number, number] }
  | { logUniform: [number, number] }
  | { intUniform: [number, number] }
  | { choice: unknown[] }
>;
export type Distribution = z.output<typeof distributionSchema>;

/** Keys the sweep itself controls: setting them in base/grid/random would be ambiguous. */
/** A JSON/YAML object (not an array or null): what raw sweep files and saved configs are checked with. */
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export const SWEEP_CONTROLLED_KEYS = ['env', 'seed', 'steps'] as const;

/** A training-config key other than the ones the sweep controls. */
const configKey = z
  .string()
  .refine((k) => !(SWEEP_CONTROLLED_KEYS as readonly string[]).includes(k), {
    message: 'is set by the sweep itself (use the top-level envs / seeds / steps)',
  });
const configObject = z.record(configKey, z.unknown());

export const envEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    /** Preset for this env; overrides base.preset. */
    preset: z.string().min(1).optional(),
    /** Extra training config keys for this env only (applied over base, under the swept values). */
    config: configObject.optional(),
  }),
]);
export type EnvEntry = z.infer<typeof envEntrySchema>;

export const sweepSchema = z
  .strictObject({
    /** Optional display name for reports. */
    name: z.string().optional(),
    envs: z.array(envEntrySchema).min(1),
    /** Training config keys shared by every run (e.g. preset). */
    base: configObject.default({}),
    /** Env steps per run. */
    steps: z.number().int().positive(),
    /** Seeds to run each config with: a list, or a count n meaning seeds 0..n-1. */
    seeds: z.union([z.array(z.number().int().nonnegative()).min(1), z.number().int().positive()]),
    /** Every combination of these values is one config. */
    grid: z.record(configKey, z.array(z.unknown()).min(1)).optional(),
    /** Configs listed one by one (each an object of training keys), after the grid's. */
    configs: z.array(configObject).min(1).optional(),
    /** Extra configs sampled from distributions (seeded by `seed`). */
    random: z
      .strictObject({
        samples: z.number().int().positive(),
        space: z.record(configKey, distributionSchema),
      })
      .optional(),
    /** Seed of the random search (default 0): the same seed gives the same sampled configs. */
    seed: z.number().int().nonnegative().default(0),
    /** Override or add reference scores per env id for the normalised score (node/sweep/references.ts). */
    references: z
      .record(
        z.string(),
        z.strictObject({
          random: finite.optional(),
          reference: finite.optional(),
          threshold: finite.nullable().optional(),
          source: z.string().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((sweep, ctx) => {
    if (Array.isArray(sweep.seeds) && new Set(sweep.seeds).size !== sweep.seeds.length) {
      ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'seeds must be distinct' });
    }
    const ids = sweep.envs.map((e) => (typeof e === 'string' ? e : e.id));
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['envs'], message: `env "${dup}" is listed twice` });
  });

export type SweepInput = z.input<typeof sweepSchema>;
export type Sweep = z.output<typeof sweepSchema>;

/** `envs[1].preset`, `grid.learningRate`, `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function issueLines(error: z.ZodError): string[] {
  const lines: string[] = [];
  const walk = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union') {
        // Report the branch that got furthest: skip branches where the value had the wrong type.
        const informative = issue.errors.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
        if (informative.length === 1) {
          walk(informative[0]!, path);
          continue;
        }
      }
      if (issue.code === 'invalid_key' && issue.issues.length > 0) {
        for (const inner of issue.issues) lines.push(`${formatPath(path)}: ${inner.message}`);
        continue;
      }
      lines.push(`${formatPath(path)}: ${issue.message}`);
    }
  };
  walk(error.issues, []);
  return lines;
}

/** Validate a parsed sweep object; throws SweepError listing every problem. */
export function parseSweep(input: unknown, source = 'sweep'): Sweep {
  const result = sweepSchema.safeParse(input);
  if (!result.success) throw new SweepError(source, issueLines(result.error));
  return result.data;
}

/** Read and parse a .json/.yaml/.yml sweep file (not yet validated). */
export function readSweepFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SweepError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(text);
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
    throw new Error(`unknown extension "${ext}" (allowed: .json, .yaml, .yml)`);
  } catch (err) {
    throw new SweepError(path, [`cannot parse: ${(err as Error).message}`]);
  }
}

/** Read a .json/.yaml/.yml sweep file and validate it. */
export function loadSweepFile(path: string): Sweep {
  return parseSweep(readSweepFile(path), path);
}
