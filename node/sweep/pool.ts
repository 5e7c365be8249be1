/**
 * A pool of worker threads that each run one training at a time. A worker that dies mid-run
 * (uncaught error, process.exit in the thread, out of memory) fails only its own job; the pool
 * replaces it for the next job.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, JobOutcome, JobProgress, RunJob, ToWorker } from './job';

// A plain-JS bootstrap that registers tsx in the thread and then imports worker-entry.ts.
const WORKER_ENTRY = new URL('./worker-boot.mjs', import.meta.url);

export interface PoolOptions {
  /** Number of worker threads (default: 1). */
  size: number;
  /** Module URL exporting runTraining (default: node/run-training.ts). */
  runnerModule?: string;
  onProgress?: (p: JobProgress) => void;
}

export interface RunOptions {
  /** Jobs with a higher priority start first; equal priorities keep their order (default 0). */
  priority?: number;
  /** Called when a worker takes the job (it may wait in the queue before that). */
  onStart?: () => void;
}

interface Waiting {
  job: RunJob;
  resolve: (o: JobOutcome) => void;
  priority: number;
  onStart?: () => void;
}

interface Slot {
  worker: Worker;
  busy: { job: RunJob; resolve: (o: JobOutcome) => void; t0: number } | null;
  dead: boolean;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private closed = false;
  private held = false;

  constructor(private readonly options: PoolOptions) {
    if (!(options.size >= 1)) throw new RangeError(`pool size must be >= 1, got ${options.size}`);
  }

  /**
   * Run a job on the next free worker, the highest priority first; never rejects (failures are
   * outcomes). Several sweeps can share one pool, so that no thread idles while any has work.
   */
  run(job: RunJob, options: RunOptions = {}): Promise<JobOutcome> {
    if (this.closed) return Promise.resolve({ status: 'aborted' });
    return new Promise((resolve) => {
      const priority = options.priority ?? 0;
      const at = this.waiting.findIndex((w) => w.priority < priority);
      const entry: Waiting = { job, resolve, priority, ...(options.onStart ? { onStart: options.onStart } : {}) };
      if (at < 0) this.waiting.push(entry);
      else this.waiting.splice(at, 0, entry);
      this.dispatch();
    });
  }

  get size(): number {
    return this.options.size;
  }

  /**
   * Start no job until `ready` settles, so that sweeps sharing the pool can all queue their first
   * runs and the highest priority starts first (not the sweep that was validated first).
   */
  holdUntil(ready: Promise<unknown>): void {
    this.held = true;
    const release = () => {
      this.held = false;
      this.dispatch();
    };
    ready.then(release, release);
  }

  get busyCount(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Ask every running job to stop (runTraining checkpoints and returns); queued jobs are dropped. */
  abort(): void {
    for (const w of this.waiting.splice(0)) w.resolve({ status: 'aborted' });
    for (const slot of this.slots) if (slot.busy) this.post(slot, { type: 'abort' });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.resolve({ status: 'aborted' });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private post(slot: Slot, msg: ToWorker): void {
    slot.worker.postMessage(msg);
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && !this.held) {
      let slot = this.slots.find((s) => !s.busy && !s.dead);
      if (!slot) {
        if (this.slots.filter((s) => !s.dead).length >= this.options.size) return;
        slot = this.spawn();
      }
      const next = this.waiting.shift()!;
      slot.busy = { job: next.job, resolve: next.resolve, t0: performance.now() };
      next.onStart?.();
      this.post(slot, { type: 'run', job: next.job });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_ENTRY, {
      workerData: { runnerModule: this.options.runnerModule },
    });
    const slot: Slot = { worker, busy: null, dead: false };
    this.slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'progress') this.options.onProgress?.(msg.progress);
      else if (msg.type === 'outcome' && slot.busy && slot.busy.job.key === msg.key) {
        const { resolve } = slot.busy;
        slot.busy = null;
        resolve(msg.outcome);
        // After the promise callbacks: the sweep whose job ended queues its next one first, so a
        // freed thread goes to the highest priority waiting, not to whichever job queued earlier.
        setImmediate(() => this.dispatch());
      }
    });
    let lastError: unknown = null;
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('exit', (code) => {
      slot.dead = true;
      const idx = this.slots.indexOf(slot);
      if (idx >= 0) this.slots.splice(idx, 1);
      if (slot.busy) {
        const { resolve, t0 } = slot.busy;
        slot.busy = null;
        const why = lastError ? String((lastError as Error).message ?? lastError) : `exit code ${code}`;
        resolve({
          status: 'failed',
          error: `worker thread died: ${why}`,
          wallSeconds: (performance.now() - t0) / 1000,
          crashed: true,
        });
      }
      // As after an outcome: let the crashed job's sweep queue its next run first.
      if (!this.closed) setImmediate(() => this.dispatch());
    });
    return slot;
  }
}
