/**
 * `keiko bench SWEEP.(json|yaml) --out DIR [--workers N] [--queue redis://HOST:PORT]`: run a
 * hyperparameter sweep across envs and seeds (docs/sweeps.md).
 */
import { Command, Option } from 'commander';
import { UserError } from '../errors';
import { SweepError } from '../../node/sweep/schema';
import type { JobProgress } from '../../node/sweep/job';
import { ImportModuleError, importModules } from '../../node/import-modules';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run a sweep (envs × configs × seeds) in parallel; resumable; writes results.db/csv and a report')
    .argument('<sweep>', 'sweep file (.json, .yaml or .yml), see docs/sweeps.md')
    .requiredOption('--out <dir>', 'sweep directory: runs/, results.db, results.csv, report.md, report.html')
    .option('--workers <n>', 'worker threads (default: number of cores)', positiveInt('--workers'))
    .option('--queue <url>', 'distribute runs through BullMQ on this Redis (redis://host:port); run `keiko worker` elsewhere')
    .option('--queue-name <name>', 'BullMQ queue name', 'keiko-runs')
    .option('--no-retry-failed', 'do not retry runs that failed in an earlier invocation')
    .option('--validate-only', 'check the sweep file and list its runs, run nothing')
    .option('--import <module>', 'import a module first, here and in every worker thread, e.g. one whose register() adds your env (repeatable)', (v: string, prev: string[] = []) => [...prev, v], [])
    .addOption(new Option('--runner <module>', 'module exporting runTraining (testing)').hideHelp())
    .action(async (sweepFile: string, opts: BenchCliOptions) => {
      await benchAction(sweepFile, opts);
    });
}

interface BenchCliOptions {
  out: string;
  workers?: number;
  queue?: string;
  queueName: string;
  retryFailed: boolean;
  validateOnly?: boolean;
  runner?: string;
  import: string[];
}

async function benchAction(sweepFile: string, opts: BenchCliOptions): Promise<void> {
  const { runSweep, prepareSweep, loadValidator, moduleUrl } = await import('../../node/sweep/run-sweep');
  const log = (line: string) => console.log(line);
  // Every 30 s, one line per running run: where it is and its last evaluation.
  const latest = new Map<string, JobProgress & { lastEval?: number }>();
  const finished = new Set<string>();
  const onProgress = (p: JobProgress) => {
    if (p.type === 'finished') {
      latest.delete(p.key);
      finished.add(p.key);
      return;
    }
    if (finished.has(p.key)) return; // a late event of a run already reported done
    const prev = latest.get(p.key);
    latest.set(p.key, { ...prev, ...p, lastEval: p.type === 'eval' ? p.meanReturn : prev?.lastEval });
  };
  const ticker = setInterval(() => {
    for (const [key, p] of latest) {
      const evalText = p.lastEval === undefined ? '' : `, last eval ${p.lastEval.toFixed(1)}`;
      log(`  … ${key}: step ${p.step}${p.sps ? ` (${Math.round(p.sps)} steps/s)` : ''}${evalText}`);
    }
    latest.clear();
  }, 30_000);
  ticker.unref();
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // Before the sweep is checked: the modules may register its envs. Every job carries them to
    // its worker thread (and through the queue), which imports them before training.
    try {
      await importModules(opts.import ?? []);
    } catch (err) {
      if (err instanceof ImportModuleError) throw new UserError(err.message);
      throw err;
    }
    if (opts.validateOnly) {
      const validate = await loadValidator(opts.runner ? moduleUrl(opts.runner) : undefined);
      const prepared = await prepareSweep(sweepFile, validate);
      log(`${sweepFile}: valid, ${prepared.runs.length} runs`);
      for (const r of prepared.runs) log(`  ${r.key}  ${JSON.stringify(r.hyperparams)}`);
      return;
    }
    let summary;
    if (opts.queue) {
      const { runSweepQueued } = await import('../../node/sweep/queue');
      summary = await runSweepQueued(sweepFile, {
        outDir: opts.out,
        redisUrl: opts.queue,
        queueName: opts.queueName,
        runnerModule: opts.runner,
        retryFailed: opts.retryFailed,
        signal: controller.signal,
        log,
      });
    } else {
      summary = await runSweep(sweepFile, {
        outDir: opts.out,
        workers: opts.workers,
        runnerModule: opts.runner,
        retryFailed: opts.retryFailed,
        signal: controller.signal,
        log,
        onProgress,
      });
    }
    log(`report: ${summary.reportPath}`);
    if (summary.aborted) process.exitCode = 130;
    else if (summary.counts.failed > 0) process.exitCode = 1;
  } catch (err) {
    if (err instanceof SweepError) {
      const hint = /Unknown env id/.test(err.message) ? '\n  (your own env? import the module that registers it: --import ./my-env.ts)' : '';
      throw new UserError(err.message + hint);
    }
    throw err;
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
