/**
 * `keiko supervised`: parse the flags into a config, run node/run-supervised.ts (the run
 * directory: metrics.jsonl, model/, config.json, summary.json) and print the result.
 */
import type { Command } from 'commander';
import { runSupervised, type SupervisedSummary } from '../../node/run-supervised';
import { SpecError } from '../../src/layers';
import { ModelLoadError } from '../../src/model-io';
import { BackendError } from '../../src/backend';
import { CsvError } from '../../supervised/datasets';
import { resolveSupervisedConfig, SupervisedConfigError, OPTIMIZER_NAMES, type SupervisedConfig } from '../../supervised/config';
import { UserError } from '../errors';
import { checkOutputDir, jsonFileFlag, numberFlag, timestampedDir } from '../flags';
import { readConfigFile } from './train';

/** Spec, backend and model-file problems are the user's to fix: report them without a stack. */
export function asUserError(err: unknown): unknown {
  if (err instanceof SpecError || err instanceof ModelLoadError || err instanceof BackendError || err instanceof CsvError) {
    return new UserError(err.message);
  }
  return err;
}

export function registerSupervised(program: Command): void {
  program
    .command('supervised')
    .description('Train a supervised model (MNIST, toy sets or a CSV file) and write metrics, model and summary')
    .option('--dataset <name>', 'mnist | spiral | xor | circles | csv:FILE', 'mnist')
    .option('--model <name>', 'mlp | cnn | SPEC.json (a JSON array of layer specs)', 'mlp')
    .option('--epochs <n>', 'training epochs (default per dataset/model)')
    .option('--batch-size <n>', 'mini-batch size')
    .option('--learning-rate <lr>', 'learning rate')
    .option('--optimizer <name>', OPTIMIZER_NAMES.join(' | '))
    .option('--seed <n>', 'seed of everything', '0')
    .option('--out <dir>', 'output directory (default runs/supervised-<dataset>-<timestamp>)')
    .option('--force', 'overwrite --out if it already holds a run')
    .option('--config <file>', 'JSON or YAML file of config keys (flags override it); see docs/supervised.md')
    .option('--label <column>', 'CSV: label column name or 0-based index (default: last)')
    .option('--task <task>', 'CSV: classification | regression')
    .option('--train-limit <n>', 'use only the first N training samples')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu')
    .option('--quiet', 'no progress output')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const input: Record<string, unknown> = o.config ? readConfigFile(String(o.config)) : {};
      const flag = (name: string) => program.commands.find((c) => c.name() === 'supervised')!.getOptionValueSource(name) === 'cli';
      if (!o.config || flag('dataset')) input.dataset = o.dataset;
      if (!o.config || flag('seed')) input.seed = numberFlag(o.seed, '--seed');
      if (!o.config || flag('model') || input.model === undefined) {
        const m = String(o.model);
        if (m === 'mlp' || m === 'cnn') input.model = m;
        else input.model = jsonFileFlag(m, '--model', `--model: expected mlp, cnn or a SPEC.json file; ${m} does not exist`);
      }
      if (o.epochs !== undefined) input.epochs = numberFlag(o.epochs, '--epochs');
      if (o.batchSize !== undefined) input.batchSize = numberFlag(o.batchSize, '--batch-size');
      if (o.learningRate !== undefined) input.learningRate = numberFlag(o.learningRate, '--learning-rate');
      if (o.optimizer !== undefined) input.optimizer = o.optimizer;
      if (o.trainLimit !== undefined) input.trainLimit = numberFlag(o.trainLimit, '--train-limit');
      if (o.label !== undefined) input.label = /^\d+$/.test(String(o.label)) ? Number(o.label) : o.label;
      if (o.task !== undefined) input.task = o.task;
      let cfg: SupervisedConfig;
      try {
        cfg = resolveSupervisedConfig(input);
      } catch (err) {
        if (err instanceof SupervisedConfigError) throw new UserError(err.message);
        throw err;
      }
      const out = o.out ? String(o.out) : timestampedDir(`supervised-${String(cfg.dataset).split(':')[0]}`);
      checkOutputDir(out, o.force === true);
      const log = o.quiet ? () => {} : (l: string) => console.log(l);
      let summary: SupervisedSummary;
      try {
        ({ summary } = await runSupervised(cfg, { outDir: out, ...(o.backend ? { backend: String(o.backend) } : {}), log }));
      } catch (err) {
        throw asUserError(err);
      }
      const acc = summary.testAccuracy !== null ? `test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%, ` : `test MAE ${summary.testMae?.toFixed(4)}, `;
      console.log(`${acc}test loss ${summary.testLoss.toFixed(4)}, ${summary.epochs} epochs in ${summary.wallSeconds.toFixed(1)}s on ${summary.backend} → ${out}`);
    });
}
