/**
 * The lab page (viewer/lab.html): pick an env and a preset, adjust a few hyperparameters, train
 * DQN in a Web Worker (worker.ts), watch the latest network play (showcase.ts) with its Q-values,
 * ε and the learning curves growing, pause/resume/stop, and download the network (a model
 * directory) and the run (a run directory), both zipped.
 */
import { PRESETS, defaultPresetFor } from '../../../agents/dqn/config';
import type { MetricLine } from '../../../agents/dqn/events';
import { listEnvs } from '../../../envs/registry';
import { compileFastForward, type FastForward } from '../../../src/fast-forward';
import { renderChart } from '../chart';
import { download } from '../export';
import { setMessage } from '../messages';
import { appendMetrics, downsample, emptySeries, movingAverage } from '../metrics';
import { createStage, FrameRenderer } from '../render';
import { NUMBER_FIELDS, parseForm, presetValues, type FormValues, type Problem } from './form';
import { LAB_BACKENDS, type PageToWorker, type ReadyMessage, type WorkerToPage } from './protocol';
import { renderQBars } from './qvalues';
import { Showcase, type ShowcaseStep } from './showcase';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Number(v.toFixed(digits)).toString());

type LabState = 'idle' | 'starting' | 'training' | 'paused' | 'stopping' | 'done' | 'failed';

const lab = {
  state: 'idle' as LabState,
  worker: null as Worker | null,
  ready: null as ReadyMessage | null,
  showcase: null as Showcase | null,
  renderer: null as FrameRenderer | null,
  speed: 1,
  lines: [] as MetricLine[],
  chartsDirty: false,
  lastShowcase: null as ShowcaseStep | null,
  /** The newest weights from the worker (the network a download would save). */
  latest: null as { step: number; weights: Float32Array } | null,
  probe: null as FastForward | null,
};

/**
 * For scripts and tests: the Q-values the page's newest network gives an observation, and the
 * training step of that network (the page's own forward pass, as the showcase runs it).
 */
function probeQValues(obs: readonly number[]): { step: number; q: number[] } | null {
  if (!lab.ready || !lab.latest) return null;
  lab.probe ??= compileFastForward(lab.ready.spec, lab.ready.obsShape);
  if (!lab.probe) return null;
  lab.probe.weights.set(lab.latest.weights);
  return { step: lab.latest.step, q: Array.from(lab.probe.forward(obs)) };
}
(window as unknown as { keikoLab: unknown }).keikoLab = { qValues: probeQValues };

// ----------------------------------------------------------------------------------- the form

function fillSelect(select: HTMLSelectElement, values: readonly string[], selected: string): void {
  select.replaceChildren(...values.map((v) => new Option(v, v, v === selected, v === selected)));
}

function setFields(env: string, preset: string): void {
  const p = presetValues(env, preset);
  for (const key of NUMBER_FIELDS) $<HTMLInputElement>(key).value = p.numbers[key];
  $<HTMLInputElement>('hidden').value = p.hidden;
  const threshold = listEnvs().find((e) => e.id === env)?.spec.rewardThreshold ?? null;
  $<HTMLInputElement>('stopAtReturn').value = threshold === null ? '' : String(threshold);
}

function formValues(): FormValues {
  const numbers: FormValues['numbers'] = {};
  for (const key of NUMBER_FIELDS) numbers[key] = $<HTMLInputElement>(key).value;
  return {
    env: $<HTMLSelectElement>('env').value,
    preset: $<HTMLSelectElement>('preset').value,
    numbers,
    hidden: $<HTMLInputElement>('hidden').value,
    stopAtReturn: $<HTMLInputElement>('stopAtReturn').value,
    backend: $<HTMLSelectElement>('backend').value,
  };
}

/** The form field a config path belongs to (network → the hidden-layers field). */
function fieldOf(path: string): HTMLElement | null {
  const key = path.split('.')[0];
  return document.getElementById(key === 'network' ? 'hidden' : key);
}

function showProblems(problems: readonly Problem[]): void {
  document.querySelectorAll('#lab-form [aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  $('form-errors').replaceChildren(
    ...problems.map((p) => {
      fieldOf(p.path)?.setAttribute('aria-invalid', 'true');
      const li = document.createElement('li');
      li.textContent = `${p.path || '(config)'}: ${p.message}`;
      return li;
    }),
  );
}

/** One message per topic ('run', 'showcase', 'start'), replaced when the topic speaks again. */
const showMessage = (topic: string, text: string): void => setMessage($('messages'), topic, text);

// ----------------------------------------------------------------------------------- state

function setState(state: LabState): void {
  lab.state = state;
  const s = $('state');
  s.textContent = state;
  s.dataset.state = state;
  const running = state === 'training' || state === 'paused';
  $<HTMLButtonElement>('start').disabled = running || state === 'starting' || state === 'stopping';
  $<HTMLButtonElement>('pause').disabled = !running;
  $<HTMLButtonElement>('pause').textContent = state === 'paused' ? 'Resume' : 'Pause';
  $('pause').setAttribute('aria-pressed', String(state === 'paused'));
  $<HTMLButtonElement>('stop').disabled = !running;
  const hasRun = lab.ready !== null && state !== 'starting';
  $<HTMLButtonElement>('download-model').disabled = !hasRun;
  $<HTMLButtonElement>('download-run').disabled = !hasRun;
  const locked = running || state === 'starting' || state === 'stopping';
  document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#lab-form input, #lab-form select').forEach((el) => (el.disabled = locked));
}

function send(msg: PageToWorker): void {
  lab.worker?.postMessage(msg);
}

function start(): void {
  const parsed = parseForm(formValues());
  if (!parsed.ok) {
    showProblems(parsed.problems);
    return;
  }
  showProblems([]);
  $('messages').replaceChildren();
  lab.worker?.terminate();
  lab.showcase?.close();
  lab.showcase = null;
  lab.ready = null;
  lab.latest = null;
  lab.probe = null;
  lab.lines = [];
  lab.lastShowcase = null;
  lab.chartsDirty = true;
  $('evals').replaceChildren();
  $('final-eval').textContent = '–';
  delete $('final-eval').dataset.mean;
  $('showcase-counter').textContent = 'starting the backend…';
  setState('starting');
  const worker = new Worker('lab-worker.js', { type: 'module' });
  lab.worker = worker;
  worker.onmessage = (e: MessageEvent<WorkerToPage>) => onWorkerMessage(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    fail(`the training worker failed: ${e.message || 'it could not be loaded'}`);
  };
  worker.onmessageerror = () => fail('the training worker sent a message the page cannot read');
  send({ type: 'start', input: parsed.form.input, backend: parsed.form.backend, stopAtReturn: parsed.form.stopAtReturn, wasmPath: new URL('./', location.href).href });
}

function fail(message: string): void {
  showMessage('run', message);
  setState(lab.ready ? 'failed' : 'idle');
}

// ----------------------------------------------------------------------------------- the worker

function onWorkerMessage(msg: WorkerToPage): void {
  switch (msg.type) {
    case 'ready':
      lab.ready = msg;
      $('backend-name').textContent = msg.backend.description;
      $('backend-name').dataset.backend = msg.backend.name;
      $('backend-name').title = msg.backend.skipped.map((s) => `${s.name} skipped: ${s.reason}`).join('\n');
      try {
        lab.showcase = new Showcase(String(msg.config.env), msg.config.envOptions as Record<string, unknown>, msg.spec, msg.obsShape);
      } catch (err) {
        showMessage('showcase', (err as Error).message);
      }
      break;
    case 'state':
      setState(msg.state);
      break;
    case 'progress':
      $('progress-step').textContent = `${msg.step} / ${msg.totalSteps}`;
      $('progress-step').dataset.step = String(msg.step);
      $<HTMLProgressElement>('progress').value = msg.step / msg.totalSteps;
      $('epsilon').textContent = fmt(msg.epsilon, 3);
      if (lab.state === 'training') $('sps').textContent = fmt(msg.sps, 0);
      $('episodes').textContent = String(msg.episode);
      $('recent-return').textContent = fmt(msg.recentReturn);
      break;
    case 'weights':
      lab.latest = { step: msg.step, weights: msg.weights };
      lab.showcase?.setWeights(msg.step, msg.weights);
      break;
    case 'metric':
      lab.lines.push(msg.line);
      lab.chartsDirty = true;
      if (msg.line.type === 'eval') addEval(msg.line.step, msg.line.meanReturn, msg.line.stdReturn);
      break;
    case 'done': {
      const fe = msg.summary.finalEval;
      $('final-eval').textContent = fe ? `${fmt(fe.meanReturn)} ± ${fmt(fe.stdReturn)} (${fe.episodes} episodes)` : 'skipped';
      if (fe) $('final-eval').dataset.mean = String(fe.meanReturn);
      $('sps').textContent = fmt(msg.summary.sps, 0);
      $('sps').dataset.sps = String(msg.summary.sps);
      setState('done');
      break;
    }
    case 'zip':
      download(new Blob([msg.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), msg.fileName);
      break;
    case 'error':
      if (msg.problems) showProblems(msg.problems);
      fail(msg.message);
      break;
  }
}

function addEval(step: number, mean: number, std: number): void {
  const li = document.createElement('li');
  li.dataset.step = String(step);
  li.dataset.mean = String(mean);
  li.textContent = `step ${step}: ${fmt(mean)} ± ${fmt(std)}`;
  $('evals').appendChild(li);
  li.scrollIntoView({ block: 'nearest' });
}


// ----------------------------------------------------------------------------------- drawing

function drawCharts(): void {
  const series = appendMetrics(emptySeries(), lab.lines as unknown as Record<string, unknown>[]);
  const returns = downsample(series.episodeReturns, 600);
  renderChart($('chart-returns') as unknown as SVGSVGElement, {
    title: 'Returns',
    xLabel: 'env step',
    yLabel: 'return',
    series: [
      { name: 'episode return', color: '#4cc9f0', dots: returns },
      { name: 'mean of 20 episodes', color: '#4cc9f0', line: downsample(movingAverage(series.episodeReturns, 20), 600) },
      { name: 'greedy evaluation', color: '#f2c14e', line: series.evalMeans, band: series.evalBand },
    ],
  });
  renderChart($('chart-loss') as unknown as SVGSVGElement, {
    title: 'Training loss',
    xLabel: 'env step',
    yLabel: 'loss',
    series: [{ name: 'loss', color: '#ef476f', line: series.losses }],
  });
}

function showStep(s: ShowcaseStep | null): void {
  if (!s) return;
  lab.renderer?.draw(s.frame);
  const names = lab.ready?.actionNames ?? [];
  const action = s.action >= 0 ? ` · ${names[s.action] ?? s.action}` : '';
  $('showcase-counter').textContent = `episode ${s.episode + 1} · t ${s.t} · return ${fmt(s.episodeReturn)}${action} · network of step ${s.networkStep}`;
  renderQBars($('q-values') as unknown as SVGSVGElement, names, s.q, s.action);
}

let lastFrame = performance.now();
let stepDebt = 0;
let lastCharts = 0;

/** One animation frame: the showcase's steps due at its speed, and the charts twice a second. */
function frame(now: number): void {
  const dt = Math.min(250, now - lastFrame);
  lastFrame = now;
  const sc = lab.showcase;
  if (sc?.hasNetwork) {
    stepDebt += (dt / 1000) * sc.baseRate * lab.speed;
    let last: ShowcaseStep | null = null;
    // At most a few steps per frame: a slow frame must not turn into a burst.
    for (let i = 0; stepDebt >= 1 && i < 8; i++, stepDebt--) last = sc.step(() => undefined) ?? last;
    stepDebt = Math.min(stepDebt, 1);
    if (last) showStep(last);
  }
  if (lab.chartsDirty && now - lastCharts > 500) {
    lab.chartsDirty = false;
    lastCharts = now;
    drawCharts();
  }
  requestAnimationFrame(frame);
}

// ----------------------------------------------------------------------------------- wiring

/** Record how long after the input event a control's handler ran (the page's responsiveness). */
function timed(handler: () => void): (e: Event) => void {
  return (e) => {
    handler();
    document.body.dataset.inputDelayMs = (performance.now() - e.timeStamp).toFixed(1);
  };
}

async function init(): Promise<void> {
  const envs = listEnvs().map((e) => e.id);
  const params = new URLSearchParams(location.search);
  const env = envs.includes(params.get('env') ?? '') ? params.get('env')! : 'CartPole-v1';
  fillSelect($<HTMLSelectElement>('env'), envs, env);
  fillSelect($<HTMLSelectElement>('preset'), PRESETS, defaultPresetFor(env));
  fillSelect($<HTMLSelectElement>('backend'), LAB_BACKENDS, (LAB_BACKENDS as readonly string[]).includes(params.get('backend') ?? '') ? params.get('backend')! : 'auto');
  setFields(env, defaultPresetFor(env));
  $('env').addEventListener('change', () => {
    const id = $<HTMLSelectElement>('env').value;
    $<HTMLSelectElement>('preset').value = defaultPresetFor(id);
    setFields(id, defaultPresetFor(id));
    showProblems([]);
  });
  $('preset').addEventListener('change', () => {
    setFields($<HTMLSelectElement>('env').value, $<HTMLSelectElement>('preset').value);
    showProblems([]);
  });
  $('start').addEventListener('click', timed(start));
  $('pause').addEventListener('click', timed(() => send({ type: lab.state === 'paused' ? 'resume' : 'pause' })));
  $('stop').addEventListener('click', timed(() => send({ type: 'stop' })));
  $('download-model').addEventListener('click', timed(() => send({ type: 'export-model' })));
  $('download-run').addEventListener('click', timed(() => send({ type: 'export-run' })));
  const speeds = document.querySelectorAll<HTMLButtonElement>('button.speed');
  speeds.forEach((b) =>
    b.addEventListener('click', timed(() => {
      lab.speed = Number(b.dataset.speed);
      speeds.forEach((other) => other.setAttribute('aria-pressed', String(other === b)));
    })),
  );
  const renderer = params.get('renderer');
  const app = await createStage($<HTMLCanvasElement>('stage'), renderer === 'webgl' || renderer === 'canvas' ? renderer : undefined);
  lab.renderer = new FrameRenderer(app);
  lab.renderer.draw(null);
  renderQBars($('q-values') as unknown as SVGSVGElement, [], null, -1);
  drawCharts();
  setState('idle');
  requestAnimationFrame(frame);
  document.body.dataset.ready = 'true';
}

init().catch((err) => showMessage('start', `the lab could not start: ${(err as Error).message}`));
