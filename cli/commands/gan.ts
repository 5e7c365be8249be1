/**
 * `keiko gan`: parse the flags into a config, run node/run-gan.ts (the run directory: metrics,
 * sample grids, generator/, config.json, summary.json) and print the result.
 */
import type { Command } from 'commander';
import { runGan } from '../../node/run-gan';
import { resolveGanConfig, GanConfigError, type GanConfig } from '../../gan/config';
import { UserError } from '../errors';
import { checkOutputDir, jsonFileFlag, numberFlag, timestampedDir } from '../flags';
import { readConfigFile } from './train';
import { asUserError } from './supervised';

export function registerGan(program: Command): void {
  program
    .command('gan')
    .description('Train a GAN (MNIST digits, the 8-Gaussian ring, or game frames from replays) with sample grids and quality scores')
    .option('--dataset <name>', 'mnist | ring | replays:DIR', 'ring')
    .option('--steps <n>', 'training steps (default per dataset)')
    .option('--out <dir>', 'output directory (default runs/gan-<dataset>-<timestamp>)')
    .option('--force', 'overwrite --out if it already holds a run')
    .option('--seed <n>', 'seed of everything', '0')
    .option('--batch-size <n>', 'batch size')
    .option('--learning-rate <lr>', 'Adam learning rate (β₁ = 0.5)')
    .option('--learning-rate-end <lr>', 'anneal the learning rate linearly to this by the end (of the steps or of --minutes)')
    .option('--sample-every <n>', 'write a sample grid every N steps')
    .option('--minutes <m>', 'stop training after M minutes of wall time (the steps done so far count)')
    .option('--generator <file>', 'JSON array of layer specs replacing the default generator')
    .option('--discriminator <file>', 'JSON array of layer specs replacing the default discriminator')
    .option('--classifier <dir>', 'MNIST: classifier for the score (a keiko supervised output; trained there if missing)', 'runs/mnist-classifier')
    .option('--rgb', 'replays: render frames to RGB instead of binary channels')
    .option('--config <file>', 'JSON or YAML file of config keys (flags override it)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu')
    .option('--quiet', 'no progress output')
    .action(async (o: Record<string, unknown>) => {
      const input: Record<string, unknown> = o.config ? readConfigFile(String(o.config)) : {};
      if (input.dataset === undefined || o.dataset !== 'ring') input.dataset = o.dataset;
      if (input.seed === undefined || o.seed !== '0') input.seed = numberFlag(o.seed, '--seed');
      if (o.steps !== undefined) input.steps = numberFlag(o.steps, '--steps');
      if (o.batchSize !== undefined) input.batchSize = numberFlag(o.batchSize, '--batch-size');
      if (o.learningRate !== undefined) input.learningRate = numberFlag(o.learningRate, '--learning-rate');
      if (o.learningRateEnd !== undefined) input.learningRateEnd = numberFlag(o.learningRateEnd, '--learning-rate-end');
      if (o.sampleEvery !== undefined) input.sampleEvery = numberFlag(o.sampleEvery, '--sample-every');
      if (o.minutes !== undefined) input.maxMinutes = numberFlag(o.minutes, '--minutes');
      for (const key of ['generator', 'discriminator'] as const) {
        if (o[key] !== undefined) input[key] = jsonFileFlag(String(o[key]), `--${key}`);
      }
      if (o.rgb) input.rgb = true;
      let cfg: GanConfig;
      try {
        cfg = resolveGanConfig(input);
      } catch (err) {
        if (err instanceof GanConfigError) throw new UserError(err.message);
        throw err;
      }
      const out = o.out ? String(o.out) : timestampedDir(`gan-${String(cfg.dataset).split(':')[0]}`);
      checkOutputDir(out, o.force === true);
      const log = o.quiet ? () => {} : (l: string) => console.log(l);
      try {
        const s = await runGan(cfg, { outDir: out, classifierDir: String(o.classifier), ...(o.backend ? { backend: String(o.backend) } : {}), log });
        console.log(`done in ${s.wallSeconds.toFixed(0)}s on ${s.backend} → ${out}`);
      } catch (err) {
        if (err instanceof Error && /replay|MNIST idx/.test(err.message) && !(err instanceof TypeError)) throw new UserError(err.message);
        throw asUserError(err);
      }
    });
}
