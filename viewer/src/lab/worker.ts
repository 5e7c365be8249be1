/**
 * The lab's training worker: the same DqnTrainer as `keiko train` (agents/dqn/loop.ts, the env
 * registry, the layer stack), in a Web Worker so the page stays responsive. The loop hands control
 * back every 256 steps (TrainerOptions.yieldControl); there the worker handles the page's
 * messages, and while paused it waits. It streams the run's metric lines, progress (step, ε,
 * steps/s) and, twice a second, the online network's weights, which the page's showcase plays
 * with. One worker trains one run; the page starts a new worker for the next.
 */
import type * as tf from '@tensorflow/tfjs';
import { StopOnRewardThreshold, type Callback, type StepContext } from '../../../agents/dqn/callbacks';
import { checkEnvConfig, ConfigError, resolveConfig, type DqnConfig } from '../../../agents/dqn/config';
import { evaluate } from '../../../agents/dqn/evaluate';
import { isMetricLine, type TrainEvent } from '../../../agents/dqn/events';
import { DqnTrainer } from '../../../agents/dqn/loop';
import { make } from '../../../envs/registry';
import { chooseLabBackend } from './backend-choice';
import type { PageToWorker, StartMessage, WorkerToPage } from './protocol';
import { agentDirFiles, RunFiles, zipFolder } from './run-files';

/** The worker's global scope (the project compiles against the DOM lib, not the webworker one). */
interface WorkerScope {
  postMessage(message: WorkerToPage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<PageToWorker>) => void) | null;
  onunhandledrejection: ((e: PromiseRejectionEvent) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (message: WorkerToPage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

const PROGRESS_MS = 100;
const WEIGHTS_MS = 500;

let trainer: DqnTrainer | null = null;
let runFiles: RunFiles | null = null;
let paused = false;
let wake: (() => void) | null = null;

/** Between chunks of 256 steps: one macrotask (the page's messages run), then wait while paused. */
async function yieldControl(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  while (paused) await new Promise<void>((resolve) => (wake = resolve));
}

function setPaused(value: boolean): void {
  paused = value;
  if (!value && wake) {
    wake();
    wake = null;
  }
}

/** The online network's trainable weights in one array, in the layout of src/fast-forward.ts. */
function onlineWeights(model: tf.LayersModel): Float32Array {
  const parts = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Streams the run to the page: metric lines as they come, progress and weights at a fixed rate. */
class PageStream implements Callback {
  private trainer!: DqnTrainer;
  private lastProgress = 0;
  private lastProgressStep = 0;
  private lastWeights = 0;

  init(t: DqnTrainer): void {
    this.trainer = t;
    this.lastProgress = this.lastWeights = performance.now();
  }

  onStep(s: StepContext): void {
    if ((s.step & 63) !== 0) return;
    const now = performance.now();
    if (now - this.lastProgress >= PROGRESS_MS) this.progress(s.step, s.episode, s.epsilon, now);
    if (now - this.lastWeights >= WEIGHTS_MS) this.weights(s.step, now);
  }

  onEvent(e: TrainEvent): void {
    if (isMetricLine(e)) post({ type: 'metric', line: e });
    if (e.type === 'end') {
      this.progress(e.step, this.trainer.episode, this.trainer.epsilon, performance.now());
      this.weights(e.step, performance.now());
    }
  }

  progress(step: number, episode: number, epsilon: number, now: number): void {
    const sps = now > this.lastProgress ? ((step - this.lastProgressStep) * 1000) / (now - this.lastProgress) : 0;
    this.lastProgress = now;
    this.lastProgressStep = step;
    post({ type: 'progress', step, totalSteps: this.trainer.config.steps, episode, epsilon, sps, recentReturn: this.trainer.recentReturn });
  }

  weights(step: number, now: number): void {
    this.lastWeights = now;
    const weights = onlineWeights(this.trainer.agent.online);
    post({ type: 'weights', step, weights }, [weights.buffer]);
  }
}

function runName(config: DqnConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `lab-${config.env.replace(/[^A-Za-z0-9-]+/g, '-')}-seed${config.seed}-${stamp}`;
}


async function start(msg: StartMessage): Promise<void> {
  if (trainer) throw new Error('this worker already trained a run; start a new worker');
  const requested = resolveConfig(msg.input);
  checkEnvConfig(requested);
  if (msg.stopAtReturn !== null && !Number.isFinite(msg.stopAtReturn)) throw new ConfigError([{ path: 'stopAtReturn', message: 'must be a finite number' }]);
  const backend = await chooseLabBackend(msg.backend, msg.wasmPath);
  // config.json records the backend that ran ('auto' for webgl, which `keiko train` cannot pick).
  const config: DqnConfig = { ...requested, backend: backend.name === 'webgl' ? 'auto' : (backend.name as DqnConfig['backend']) };
  const name = runName(config);
  runFiles = new RunFiles(config, { seed: config.seed, backend: backend.name, outDir: name });
  const callbacks: Callback[] = [runFiles, new PageStream()];
  if (msg.stopAtReturn !== null) callbacks.push(new StopOnRewardThreshold(msg.stopAtReturn));
  const t = new DqnTrainer(config, make, { callbacks, yieldControl });
  trainer = t;
  post({
    type: 'ready',
    backend,
    config,
    spec: t.agent.spec,
    obsShape: [...t.agent.obsShape],
    nActions: t.agent.nActions,
    actionNames: [...t.env.actionSpace.actionNames],
    runName: name,
  });
  post({ type: 'state', state: 'training' });
  // The untrained network's greedy return (the same evaluation episodes as the periodic ones):
  // the curve then starts where a random policy stands.
  const base = evaluate(t.evalEnv, (o) => t.agent.qValues(o), { episodes: config.evalEpisodes, epsilon: config.evalEpsilon, seed: config.seed, stream: 'eval', record: false, trainingStep: 0 });
  await t.emit({ type: 'eval', step: 0, meanReturn: base.meanReturn, stdReturn: base.stdReturn, episodes: base.episodes });
  const summary = await t.run();
  post({ type: 'done', summary: { ...summary, seed: config.seed, backend: backend.name, outDir: name } });
}

function reportError(err: unknown): void {
  if (err instanceof ConfigError) post({ type: 'error', message: err.message, problems: err.problems });
  else post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
}

async function handle(msg: PageToWorker): Promise<void> {
  switch (msg.type) {
    case 'start':
      return start(msg);
    case 'pause':
      setPaused(true);
      post({ type: 'state', state: 'paused' });
      return;
    case 'resume':
      setPaused(false);
      post({ type: 'state', state: 'training' });
      return;
    case 'stop':
      // The loop stops after this step and still runs the final evaluation, as a callback's stop does.
      trainer?.requestStop('stopped in the lab');
      setPaused(false);
      post({ type: 'state', state: 'stopping' });
      return;
    case 'export-model': {
      if (!trainer || !runFiles) throw new Error('no network yet: start training first');
      const bytes = zipFolder(`${runFiles.info.outDir}-model`, agentDirFiles(trainer.agent, trainer.step));
      post({ type: 'zip', kind: 'model', fileName: `${runFiles.info.outDir}-model.zip`, bytes }, [bytes.buffer]);
      return;
    }
    case 'export-run': {
      if (!runFiles) throw new Error('no run yet: start training first');
      const bytes = runFiles.zip();
      post({ type: 'zip', kind: 'run', fileName: `${runFiles.info.outDir}.zip`, bytes }, [bytes.buffer]);
      return;
    }
  }
}

scope.onmessage = (e: MessageEvent<PageToWorker>) => {
  handle(e.data).catch(reportError);
};
scope.onunhandledrejection = (e: PromiseRejectionEvent) => reportError(e.reason);
