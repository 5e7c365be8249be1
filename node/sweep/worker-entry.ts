/**
 * Entry point of a sweep worker thread (spawned by pool.ts with tsx's loader). Runs one job at a
 * time: loads the runner module named in workerData, imports the job's modules (custom envs,
 * `keiko bench --import`; executeJob does it, once per thread), trains, reports the outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { executeJob, loadRunner } from './execute';
import type { FromWorker, ToWorker } from './job';

if (!parentPort) throw new Error('worker-entry.ts must run in a worker thread');
const port = parentPort;
const { runnerModule } = (workerData ?? {}) as { runnerModule?: string };
let controller: AbortController | null = null;

const send = (msg: FromWorker) => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'abort') {
    controller?.abort();
    return;
  }
  if (msg.type === 'run') {
    const job = msg.job;
    controller = new AbortController();
    const signal = controller.signal;
    void (async () => {
      try {
        const runner = await loadRunner(runnerModule);
        const outcome = await executeJob(job, runner, {
          signal,
          onProgress: (progress) => send({ type: 'progress', progress }),
        });
        send({ type: 'outcome', key: job.key, outcome });
      } catch (err) {
        send({
          type: 'outcome',
          key: job.key,
          outcome: { status: 'failed', error: String((err as Error)?.message ?? err), wallSeconds: null, crashed: false },
        });
      } finally {
        controller = null;
      }
    })();
  }
});

send({ type: 'ready' });
