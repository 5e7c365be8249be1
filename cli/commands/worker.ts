/**
 * `keiko worker --queue redis://HOST:PORT [--concurrency N]`: execute queued sweep runs
 * (enqueued by `keiko bench SWEEP --out DIR --queue ...`) until interrupted. See docs/sweeps.md.
 */
import { Command, Option } from 'commander';
import { UserError } from '../errors';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

interface WorkerCliOptions {
  queue: string;
  queueName: string;
  concurrency: number;
  outRoot?: string;
  lockDuration?: number;
  stalledInterval?: number;
  runner?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('execute sweep runs from a Redis queue (see `keiko bench --queue`)')
    .requiredOption('--queue <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue-name <name>', 'BullMQ queue name', 'keiko-runs')
    .option('--concurrency <n>', 'runs at once (one worker thread each)', positiveInt('--concurrency'), 1)
    .option('--out-root <dir>', 'write run dirs under DIR/<sweep-id>/ instead of the path the bench gave (no shared filesystem)')
    .option('--lock-duration <ms>', 'a worker silent this long counts as dead and its job is retried', positiveInt('--lock-duration'))
    .option('--stalled-interval <ms>', 'how often to check for jobs of dead workers', positiveInt('--stalled-interval'))
    .addOption(new Option('--runner <module>', 'module exporting runTraining (testing)').hideHelp())
    .action(async (opts: WorkerCliOptions) => {
      const { runQueueWorker } = await import('../../node/sweep/queue');
      const controller = new AbortController();
      let interrupts = 0;
      const stop = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        await runQueueWorker({
          redisUrl: opts.queue,
          queueName: opts.queueName,
          concurrency: opts.concurrency,
          outRoot: opts.outRoot,
          lockDuration: opts.lockDuration,
          stalledInterval: opts.stalledInterval,
          runnerModule: opts.runner,
          signal: controller.signal,
          log: (line) => console.log(line),
        });
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('--queue')) throw new UserError(err.message);
        throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
