/**
 * The supervised run config: a plain object validated with zod; every problem is reported by
 * its path. Defaults depend on the dataset and model (see DEFAULTS), tuned for the targets in
 * docs/supervised.md.
 */
import { z } from 'zod';
import { networkSpecSchema, type NetworkSpec } from '../src/layers';
import { optimizerConfigSchema, type OptimizerConfig } from '../src/optimizers';

export class SupervisedConfigError extends Error {
  override name = 'SupervisedConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid supervised config:\n  ${problems.join('\n  ')}`);
  }
}

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamax', 'adadelta'] as const;
const INIT_NAMES = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'zeros', 'normal001'] as const;

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).lt(1);

export const supervisedConfigSchema = z.strictObject({
  /** 'mnist' | 'spiral' | 'xor' | 'circles' | 'csv:PATH'. */
  dataset: z.string().regex(/^(mnist|spiral|xor|circles|csv:.+)$/, { message: "expected mnist, spiral, xor, circles or csv:FILE" }),
  /** 'mlp' | 'cnn' | a network spec (array of layer specs). */
  model: z.union([z.enum(['mlp', 'cnn']), z.array(z.unknown())]).default('mlp'),
  /** MLP hidden widths (default per dataset). */
  hidden: z.array(positiveInt).optional(),
  epochs: z.number().int().positive().optional(),
  batchSize: positiveInt.optional(),
  optimizer: z.enum(OPTIMIZER_NAMES).optional(),
  learningRate: z.number().positive().optional(),
  /** Extra optimiser parameters (momentum, beta1, ...), validated by the optimiser schema. */
  optimizerParams: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().default(0),
  /** Fraction of the training data held out for validation (default 0.1 MNIST; toy sets 0). */
  validationSplit: fraction.optional(),
  earlyStopping: z
    .strictObject({
      monitor: z.enum(['loss', 'accuracy', 'valLoss', 'valAccuracy', 'valMae']).default('valLoss'),
      patience: positiveInt,
      minDelta: z.number().min(0).default(0),
      restoreBest: z.boolean().default(true),
    })
    .optional(),
  /** Dropout rate after hidden layers (default per preset). */
  dropout: fraction.optional(),
  batchNorm: z.boolean().default(false),
  l1: z.number().min(0).default(0),
  l2: z.number().min(0).default(0),
  /** Kernel initialiser; 'normal001' = N(0, 0.01²). Default heNormal. */
  init: z.enum(INIT_NAMES).optional(),
  augment: z
    .strictObject({ maxShift: z.number().int().min(0).max(8).default(0), noiseStd: z.number().min(0).default(0) })
    .default({ maxShift: 0, noiseStd: 0 }),
  /** Use only the first N training samples. */
  trainLimit: positiveInt.optional(),
  /** CSV: label column (name or 0-based index) and task. */
  label: z.union([z.string(), z.number().int().min(0)]).optional(),
  task: z.enum(['classification', 'regression']).default('classification'),
  /** Fraction of a non-MNIST dataset kept as the test set (default 0.2). */
  testSplit: fraction.default(0.2),
});

export type SupervisedConfigInput = z.input<typeof supervisedConfigSchema>;

export interface SupervisedConfig {
  dataset: string;
  model: 'mlp' | 'cnn' | NetworkSpec;
  hidden: number[];
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  seed: number;
  validationSplit: number;
  earlyStopping?: { monitor: 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'valMae'; patience: number; minDelta: number; restoreBest: boolean };
  dropout: number;
  batchNorm: boolean;
  l1: number;
  l2: number;
  init: (typeof INIT_NAMES)[number];
  augment: { maxShift: number; noiseStd: number };
  trainLimit?: number;
  label?: string | number;
  task: 'classification' | 'regression';
  testSplit: number;
}

interface Defaults {
  hidden: number[];
  epochs: number;
  batchSize: number;
  optimizer: (typeof OPTIMIZER_NAMES)[number];
  learningRate: number;
  dropout: number;
  validationSplit: number;
}

/** Defaults by dataset family and model preset. */
export function defaultsFor(dataset: string, model: SupervisedConfigInput['model']): Defaults {
  const family = dataset.startsWith('csv:') ? 'csv' : dataset;
  if (family === 'mnist') {
    if (model === 'cnn') return { hidden: [], epochs: 4, batchSize: 64, optimizer: 'adam', learningRate: 1e-3, dropout: 0.3, validationSplit: 1 / 12 };
    return { hidden: [256, 128], epochs: 12, batchSize: 128, optimizer: 'adam', learningRate: 1e-3, dropout: 0.2, validationSplit: 1 / 12 };
  }
  if (family === 'spiral') return { hidden: [64, 64], epochs: 300, batchSize: 32, optimizer: 'adam', learningRate: 0.01, dropout: 0, validationSplit: 0 };
  if (family === 'csv') return { hidden: [64, 64], epochs: 50, batchSize: 32, optimizer: 'adam', learningRate: 1e-3, dropout: 0, validationSplit: 0.1 };
  return { hidden: [16], epochs: 100, batchSize: 32, optimizer: 'adam', learningRate: 0.02, dropout: 0, validationSplit: 0 };
}

function formatIssues(issues: readonly z.core.$ZodIssue[], root: string): string[] {
  const out: string[] = [];
  for (const i of issues) {
    const at = [root, ...i.path.map(String)].join('.');
    if (i.code === 'invalid_union') {
      // A name-or-list key (model, label): report the branch the value was meant for, so a wrong
      // name lists the allowed names instead of zod's bare "Invalid input".
      const deep = i.errors.filter((b) => b.some((e) => e.path.length > 0));
      const informative = deep.length > 0 ? deep : i.errors.filter((b) => !b.every((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (informative.length === 1) {
        out.push(...formatIssues(informative[0]!, at));
        continue;
      }
    }
    out.push(`${at}: ${i.message}`);
  }
  return out;
}

/** Validate and fill in defaults. Throws SupervisedConfigError listing every problem by path. */
export function resolveSupervisedConfig(input: unknown): SupervisedConfig {
  const parsed = supervisedConfigSchema.safeParse(input);
  if (!parsed.success) throw new SupervisedConfigError(formatIssues(parsed.error.issues, 'config'));
  const c = parsed.data;
  const problems: string[] = [];
  let model: SupervisedConfig['model'];
  if (Array.isArray(c.model)) {
    const spec = networkSpecSchema.safeParse(c.model);
    if (!spec.success) problems.push(...formatIssues(spec.error.issues, 'config.model'));
    model = spec.success ? spec.data : [];
  } else model = c.model;
  if (c.model === 'cnn' && c.dataset !== 'mnist') problems.push(`config.model: the 'cnn' preset needs image data (dataset mnist), got ${c.dataset}`);
  const d = defaultsFor(c.dataset, c.model);
  const optInput = { type: c.optimizer ?? d.optimizer, learningRate: c.learningRate ?? d.learningRate, ...c.optimizerParams };
  const opt = optimizerConfigSchema.safeParse(optInput);
  if (!opt.success) problems.push(...formatIssues(opt.error.issues, 'config.optimizer'));
  const validationSplit = c.validationSplit ?? d.validationSplit;
  if (c.earlyStopping && c.earlyStopping.monitor.startsWith('val') && validationSplit === 0) {
    problems.push(`config.earlyStopping.monitor: '${c.earlyStopping.monitor}' needs validationSplit > 0`);
  }
  if (problems.length) throw new SupervisedConfigError(problems);
  return {
    dataset: c.dataset,
    model,
    hidden: c.hidden ?? d.hidden,
    epochs: c.epochs ?? d.epochs,
    batchSize: c.batchSize ?? d.batchSize,
    optimizer: opt.data!,
    seed: c.seed,
    validationSplit,
    ...(c.earlyStopping ? { earlyStopping: c.earlyStopping } : {}),
    dropout: c.dropout ?? d.dropout,
    batchNorm: c.batchNorm,
    l1: c.l1,
    l2: c.l2,
    init: c.init ?? 'heNormal',
    augment: c.augment,
    ...(c.trainLimit !== undefined ? { trainLimit: c.trainLimit } : {}),
    ...(c.label !== undefined ? { label: c.label } : {}),
    task: c.task,
    testSplit: c.testSplit,
  };
}
