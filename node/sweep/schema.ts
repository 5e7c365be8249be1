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

/** A distribution to sample one hyperparameter from (random search). */
export const distributionSchema = z.union([
  z.strictObject({ uniform: range('uniform') }),
  z.strictObject({
    logUniform: range('logUniform').refine(([lo]) => lo > 0, 'logUniform: bounds must be > 0'),
  }),
  z.strictObject({
    intUniform: z
      .tuple([z.number().int(), z.number().int()])
      .refine(([lo, hi]) => lo <= hi, 'intUniform: [low, high] needs low <= high'),
  }),
  z.strictObject({ choice: z.array(z.unknown()).min(1) }),
]);
export type Distribution = z.infer<typeof distributionSchema>;

const configObject = z.record(z.string(), z.unknown());

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

/** Keys the sweep itself controls: setting them in base/grid/random would be ambiguous. */
export const SWEEP_CONTROLLED_KEYS = ['env', 'seed', 'steps'] as const;

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
    grid: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
    /** Extra configs sampled from distributions (seeded by `seed`). */
    random: z
      .strictObject({
        samples: z.number().int().positive(),
        space: z.record(z.string(), distributionSchema),
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
    const check = (where: (string | number)[], keys: string[]) => {
      for (const key of keys) {
        if ((SWEEP_CONTROLLED_KEYS as readonly string[]).includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [...where, key],
            message: `"${key}" is set by the sweep itself (use the top-level envs/seeds/steps)`,
          });
        }
      }
    };
    check(['base'], Object.keys(sweep.base));
    if (sweep.grid) check(['grid'], Object.keys(sweep.grid));
    if (sweep.random) check(['random', 'space'], Object.keys(sweep.random.space));
    sweep.envs.forEach((e, i) => {
      if (typeof e !== 'string' && e.config) check(['envs', i, 'config'], Object.keys(e.config));
    });
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
      // A union that failed every branch: report the branch errors of the closest branch.
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
        const deep = best.some((i) => i.path.length > 0 || i.code !== 'invalid_type');
        if (deep && issue.errors.length > 1 && !best.every((i) => i.code === 'invalid_type')) {
          walk(best, path);
          continue;
        }
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

/** Read a .json/.yaml/.yml sweep file and validate it. */
export function loadSweepFile(path: string): Sweep {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SweepError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const ext = extname(path).toLowerCase();
  let data: unknown;
  try {
    if (ext === '.json') data = JSON.parse(text);
    else if (ext === '.yaml' || ext === '.yml') data = parseYaml(text);
    else throw new Error(`unknown extension "${ext}" (allowed: .json, .yaml, .yml)`);
  } catch (err) {
    throw new SweepError(path, [`cannot parse: ${(err as Error).message}`]);
  }
  return parseSweep(data, path);
}
