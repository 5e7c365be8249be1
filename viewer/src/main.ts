/**
 * The viewer app: run and episode lists, the replay player (pixi stage, controls, step panel with
 * Q-values), learning curves (one panel per environment), supervised and GAN runs shown by their
 * summary, the comparison of runs grouped by config (mean and 95% CI over seeds), and live updates
 * pushed by the server (server-sent events, viewer/src/live.ts).
 */
import type { ReplayFile } from '../../agents/recording/replay-format';
import type { EpisodeListing, EpisodesEvent, MetricsChunk, MetricsEvent, RunKind, RunListing, RunsEvent, ViewerInfo } from './api-types';
import { renderChart, type ChartSeries } from './chart';
import { appendCompareLines, emptyCompareSeries, groupBand, groupByConfig, runsIn, sweepFolders, type CompareMetric, type CompareSeries, type CompareX } from './compare';
import { download, standaloneSvg, svgToPng } from './export';
import { LiveConnection } from './live';
import { appendMetrics, downsample, emptySeries, movingAverage, type RunSeries } from './metrics';
import { Playback, SPEEDS } from './player';
import { channelColor, createStage, cssColor, FrameRenderer } from './render';
import { setMessage } from './messages';
import { checkReplay } from './validate';

const RUN_COLORS = ['#4cc9f0', '#f78154', '#90be6d', '#b388eb', '#f2c14e', '#ef476f', '#06d6a0', '#8ecae6'];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`viewer page is missing #${id}`);
  return node as T;
};

interface RunMetrics {
  /** Bytes of metrics.jsonl read so far: the live stream goes on from here. */
  offset: number;
  series: RunSeries;
  compare: CompareSeries;
}

const state = {
  info: null as ViewerInfo | null,
  runs: [] as RunListing[],
  selectedRun: null as string | null,
  compared: new Set<string>(),
  metrics: new Map<string, RunMetrics>(),
  episodes: [] as EpisodeListing[],
  currentFile: null as string | null,
  replay: null as ReplayFile | null,
  /** cumulative[k] = return after the first k rewards. */
  cumulative: new Float64Array(1),
  episodesSignature: null as string | null,
};

const playback = new Playback(0);
let renderer: FrameRenderer | null = null;

// ---------------------------------------------------------------- messages

/** One message per key (a file, 'live', 'export', …), replaced when the key speaks again. */
const showMessage = (key: string, text: string): void => setMessage($('messages'), key, text);
const clearMessage = (key: string): void => setMessage($('messages'), key, null);

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${(await res.text()).trim()}`);
  return (await res.json()) as T;
}

const filesUrl = (file: string): string => `/files/${file.split('/').map(encodeURIComponent).join('/')}`;
const runLabel = (id: string): string => (id === '.' ? state.info?.rootName ?? 'run' : id);
const fmt = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(digits));

// ---------------------------------------------------------------- runs

function runColor(id: string): string {
  const i = state.runs.findIndex((r) => r.id === id);
  return RUN_COLORS[(i < 0 ? 0 : i) % RUN_COLORS.length];
}

function renderRuns(): void {
  keepFocus($('runs'), 'run', renderRunList);
}

function renderRunList(): void {
  const list = $('runs');
  list.replaceChildren();
  for (const run of state.runs) {
    const li = document.createElement('li');
    const compare = document.createElement('input');
    compare.type = 'checkbox';
    compare.className = 'run-compare';
    compare.checked = state.compared.has(run.id);
    compare.setAttribute('aria-label', `Show ${runLabel(run.id)} in the learning curves`);
    compare.addEventListener('change', () => {
      if (compare.checked) state.compared.add(run.id);
      else state.compared.delete(run.id);
      void refreshMetrics().then(() => { renderCharts(); live.update(); });
    });
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'run-select';
    button.dataset.run = run.id;
    button.setAttribute('aria-pressed', String(run.id === state.selectedRun));
    button.dataset.kind = run.kind;
    button.textContent = run.kind === 'rl'
      ? `${runLabel(run.id)}${run.env ? ` · ${run.env}` : ''} (${run.replayCount} replays)`
      : `${runLabel(run.id)} · ${KIND_NAMES[run.kind]}${run.dataset ? ` (${run.dataset})` : ''}`;
    button.style.borderLeft = `4px solid ${runColor(run.id)}`;
    button.addEventListener('click', () => void selectRun(run.id));
    li.append(compare, button);
    list.appendChild(li);
  }
}

const KIND_NAMES: Record<RunKind, string> = { rl: 'training run', supervised: 'supervised run', gan: 'GAN run' };

async function selectRun(id: string): Promise<void> {
  state.selectedRun = id;
  state.compared.add(id);
  state.episodesSignature = null;
  renderRuns();
  const run = state.runs.find((r) => r.id === id);
  if (run && run.kind !== 'rl') {
    // No episodes to replay: nothing of the previous run may stay on screen.
    state.episodes = [];
    state.episodesSignature = run.replaysSignature;
    renderEpisodes();
    clearPlayer(`${runLabel(id)} · ${KIND_NAMES[run.kind]}${run.dataset ? ` · ${run.dataset}` : ''}`);
    renderRunSummary(run);
  } else {
    renderRunSummary(null);
    await refreshEpisodes();
    const pick = [...state.episodes].reverse().find((e) => e.kind === 'eval' && !e.error) ?? [...state.episodes].reverse().find((e) => !e.error);
    if (pick) await loadEpisode(pick.file);
    else clearPlayer(`${runLabel(id)} · no recorded episodes`);
  }
  await refreshMetrics();
  renderCharts();
  live.update();
}

/** Blank the player: no frame, no step details, no Q-values (a run without episodes is shown). */
function clearPlayer(title: string): void {
  state.replay = null;
  state.currentFile = null;
  state.cumulative = new Float64Array(1);
  playback.load(0);
  drawPending = false;
  renderer?.draw(null);
  const stage = $('stage');
  delete stage.dataset.position;
  stage.dataset.frame = 'none';
  $('episode-title').textContent = title;
  document.title = `Keiko viewer — ${title}`;
  $('legend').replaceChildren();
  for (const id of ['info-step', 'info-action', 'info-reward', 'info-return', 'info-epsilon', 'info-episode']) $(id).textContent = '–';
  $('q-values').replaceChildren();
  $<HTMLInputElement>('scrub').max = '0';
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#episodes button'))) b.setAttribute('aria-current', 'false');
  show();
}

// ---------------------------------------------------------------- supervised and GAN runs

const pct = (v: unknown): string | null => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : null);
const num = (v: unknown, digits = 4): string | null => (typeof v === 'number' && Number.isFinite(v) ? fmt(v, digits) : null);

/** The facts worth a line for a supervised or GAN run, from its summary and config. */
function summaryFacts(run: RunListing): [string, string][] {
  const s = run.summary ?? {};
  const c = run.config ?? {};
  const facts: [string, string | null][] = [['Kind', KIND_NAMES[run.kind]], ['Dataset', run.dataset]];
  if (run.kind === 'supervised') {
    const model = c.model;
    const opt = c.optimizer as Record<string, unknown> | undefined;
    facts.push(
      ['Model', typeof model === 'string' ? model : Array.isArray(model) ? `custom (${model.length} layers)` : null],
      ['Optimiser', opt && typeof opt.type === 'string' ? `${opt.type}${typeof opt.learningRate === 'number' ? `, lr ${opt.learningRate}` : ''}` : null],
      ['Test accuracy', pct(s.testAccuracy)],
      ['Test loss', num(s.testLoss)],
      ['Test MAE', num(s.testMae)],
      ['Train accuracy', pct(s.trainAccuracy)],
      ['Epochs', num(s.epochs) ?? num(c.epochs)],
      ['Samples', typeof s.trainSamples === 'number' ? `${s.trainSamples} train / ${s.testSamples ?? '–'} test` : null],
      ['Stopped early', typeof s.stoppedEarly === 'boolean' ? (s.stoppedEarly ? 'yes' : 'no') : null],
    );
  } else {
    const ring = s.ring as Record<string, unknown> | undefined;
    const losses = s.finalLosses as Record<string, unknown> | null | undefined;
    facts.push(
      ['Steps', num(s.steps) ? `${num(s.steps)}${typeof c.steps === 'number' && c.steps !== s.steps ? ` of ${c.steps}` : ''}` : num(c.steps)],
      ['Modes covered', ring && typeof ring.modesCovered === 'number' ? `${ring.modesCovered} / ${ring.modes ?? '–'}` : null],
      ['High-quality samples', pct(ring?.highQualityShare)],
      ['Classifier score', num(s.classifierScore, 2)],
      ['Final D / G loss', losses ? `${num(losses.dLoss, 3) ?? '–'} / ${num(losses.gLoss, 3) ?? '–'}` : null],
      ['D(real) / D(fake)', losses ? `${num(losses.dReal, 2) ?? '–'} / ${num(losses.dFake, 2) ?? '–'}` : null],
    );
  }
  facts.push(['Wall time', typeof s.wallSeconds === 'number' ? `${s.wallSeconds.toFixed(1)} s` : null], ['Backend', typeof s.backend === 'string' ? s.backend : typeof c.backend === 'string' ? c.backend : null]);
  if (!run.summary) facts.push(['Summary', 'not written yet (the run is still going, or it stopped early)']);
  return facts.filter((f): f is [string, string] => f[1] !== null);
}

let summaryShown: string | null = null;

/**
 * Show a supervised or GAN run by its summary (and, for a GAN, its newest sample plot) in place
 * of the player; null brings the player back for a training run.
 */
function renderRunSummary(run: RunListing | null): void {
  let box = document.getElementById('run-summary');
  if (!box) {
    box = document.createElement('div');
    box.id = 'run-summary';
    $('episode-title').after(box);
  }
  const replaySection = $('stage').closest('section');
  const playerParts = [$('stage'), $('legend'), ...Array.from(replaySection?.querySelectorAll<HTMLElement>('.controls, .keys') ?? [])];
  for (const el of playerParts) el.hidden = run !== null;
  box.hidden = run === null;
  const key = run ? JSON.stringify([run.id, run.summary, run.latestSample]) : null;
  if (key === summaryShown) return;
  summaryShown = key;
  box.replaceChildren();
  if (!run) return;
  box.dataset.kind = run.kind;
  const dl = document.createElement('dl');
  dl.className = 'facts';
  for (const [name, value] of summaryFacts(run)) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
  box.appendChild(dl);
  if (run.kind === 'gan') {
    const figure = document.createElement('figure');
    if (run.latestSample) {
      const img = document.createElement('img');
      img.id = 'gan-sample';
      img.src = `${filesUrl(run.latestSample)}?v=${encodeURIComponent(run.metricsSignature)}`;
      const name = run.latestSample.split('/').pop() ?? '';
      img.alt = `Generator samples, ${name}`;
      const caption = document.createElement('figcaption');
      caption.textContent = `Newest samples: ${name}`;
      figure.append(img, caption);
    } else {
      figure.textContent = 'No sample plots yet.';
    }
    box.appendChild(figure);
  }
}

// ---------------------------------------------------------------- episodes

async function refreshEpisodes(): Promise<void> {
  if (state.selectedRun === null) return;
  const run = state.runs.find((r) => r.id === state.selectedRun);
  if (run && run.kind !== 'rl') {
    renderRunSummary(run); // a GAN run writes new sample plots and, at the end, its summary
    return;
  }
  if (run && run.replaysSignature === state.episodesSignature) return;
  const { episodes } = await getJson<{ episodes: EpisodeListing[] }>(`/api/episodes?run=${encodeURIComponent(state.selectedRun)}`);
  state.episodes = episodes;
  state.episodesSignature = run?.replaysSignature ?? null;
  renderEpisodes();
}

/** Re-render a list without losing keyboard focus on the item the user is on. */
function keepFocus(list: HTMLElement, attr: 'file' | 'run', render: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && list.contains(active) ? active.dataset[attr] : undefined;
  render();
  if (key !== undefined) list.querySelector<HTMLElement>(`[data-${attr}="${CSS.escape(key)}"]`)?.focus();
}

function renderEpisodes(): void {
  keepFocus($('episodes'), 'file', renderEpisodeList);
}

function renderEpisodeList(): void {
  const list = $('episodes');
  list.replaceChildren();
  if (state.episodes.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    const run = state.runs.find((r) => r.id === state.selectedRun);
    li.textContent = run && run.kind !== 'rl' ? `A ${KIND_NAMES[run.kind]} has no episodes to replay: its summary and curves are shown.` : 'No recorded episodes (yet).';
    list.appendChild(li);
  }
  for (const ep of state.episodes) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `episode${ep.error ? ' bad' : ''}`;
    button.dataset.file = ep.file;
    button.setAttribute('aria-current', String(ep.file === state.currentFile));
    const tag = /-step\d+-([\w.-]+)\.json$/.exec(ep.name)?.[1]; // e.g. eval-step…-final.json
    const kind = `${ep.kind === 'eval' ? 'eval' : ep.kind === 'train' ? `train ep ${fmt(ep.episode)}` : ep.name}${tag ? ` (${tag})` : ''}`;
    button.title = ep.file;
    button.innerHTML = '';
    button.append(
      `${ep.error ? '⚠ ' : ''}${kind} · step ${fmt(ep.trainingStep)} · return `,
      Object.assign(document.createElement('span'), { className: 'ret', textContent: fmt(ep.return) }),
      ` · length ${fmt(ep.length)}`,
    );
    button.addEventListener('click', () => void loadEpisode(ep.file));
    li.appendChild(button);
    list.appendChild(li);
  }
}

async function loadEpisode(file: string): Promise<void> {
  const name = file.split('/').pop() ?? file;
  let text: string;
  try {
    const res = await fetch(filesUrl(file), { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    showMessage(file, `${file}: could not be fetched (${(err as Error).message})`);
    return;
  }
  const check = checkReplay(file, text);
  if (!check.ok) {
    showMessage(file, check.message);
    return; // keep showing the previous episode: the rest of the viewer keeps working
  }
  clearMessage(file);
  const replay = check.replay;
  renderRunSummary(null);
  state.replay = replay;
  state.currentFile = file;
  state.cumulative = new Float64Array(replay.steps.length + 1);
  for (let i = 0; i < replay.steps.length; i++) state.cumulative[i + 1] = state.cumulative[i] + replay.steps[i].reward;
  playback.load(replay.steps.length, replay.env.family === 'minatar' ? 10 : 30);
  const scrub = $<HTMLInputElement>('scrub');
  scrub.max = String(replay.steps.length);
  $('episode-title').textContent = `${replay.env.id} · ${replay.kind} · episode ${replay.episode} · training step ${replay.trainingStep} · ${name}`;
  document.title = `Keiko viewer — ${replay.env.id} ${replay.kind} step ${replay.trainingStep}`;
  renderLegend(replay);
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#episodes button'))) b.setAttribute('aria-current', String(b.dataset.file === file));
  show();
}

function renderLegend(replay: ReplayFile): void {
  const legend = $('legend');
  legend.replaceChildren();
  const frame = replay.steps[0]?.frame ?? replay.finalFrame;
  if (frame.family !== 'minatar') return;
  frame.channels.forEach((name, i) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = cssColor(channelColor(i));
    li.append(swatch, name);
    legend.appendChild(li);
  });
}

// ---------------------------------------------------------------- the player

let drawPending = false;
const drawStats = { frames: 0, ms: 0 };

/** Draw the current position's frame (once per animation frame at most). */
function drawStage(): void {
  drawPending = false;
  const replay = state.replay;
  if (!replay || !renderer) return;
  const k = playback.position;
  const t0 = performance.now();
  renderer.draw(k < replay.steps.length ? replay.steps[k].frame : replay.finalFrame);
  drawStats.frames++;
  drawStats.ms += performance.now() - t0;
  const stage = $('stage');
  stage.dataset.frame = 'replay';
  stage.dataset.position = String(k);
  stage.dataset.displayObjects = String(renderer.displayObjects);
  stage.dataset.drawMs = (drawStats.ms / drawStats.frames).toFixed(3);
}

function show(): void {
  const replay = state.replay;
  const k = playback.position;
  const n = replay?.steps.length ?? 0;
  $('step-counter').textContent = `Step ${k} / ${n}`;
  $<HTMLInputElement>('scrub').value = String(k);
  const play = $('play');
  play.textContent = playback.playing ? '❚❚ Pause' : '▶︎ Play';
  play.setAttribute('aria-label', playback.playing ? 'Pause' : 'Play');
  if (!replay) return;
  const step = k < n ? replay.steps[k] : null;
  drawPending = true; // drawn on the next animation frame: fast scrubbing draws only the latest
  $('info-step').textContent = `${k} / ${n}`;
  $('info-action').textContent = step ? `${step.action} (${step.actionName})` : replay.terminated ? 'terminated' : replay.truncated ? 'truncated' : 'end';
  $('info-reward').textContent = step ? fmt(step.reward, 3) : '–';
  $('info-return').textContent = fmt(state.cumulative[step ? k + 1 : n], 3);
  $('info-epsilon').textContent = step ? fmt(step.epsilon, 3) : '–';
  $('info-episode').textContent = `${replay.kind} #${replay.episode}, return ${fmt(replay.return)}, length ${replay.length}`;
  renderQValues(replay.actionNames, step?.q ?? null, step?.action ?? -1);
}

function renderQValues(names: readonly string[], q: readonly number[] | null, chosen: number): void {
  const svg = $('q-values') as unknown as SVGSVGElement;
  const NS = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  const rowH = 22, width = 280, labelW = 90, valueW = 60;
  const height = Math.max(1, names.length) * rowH + 6;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  if (!q) {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', '4');
    t.setAttribute('y', '16');
    t.textContent = 'no Q-values for this step';
    svg.appendChild(t);
    return;
  }
  const lo = Math.min(0, ...q), hi = Math.max(0, ...q);
  const span = hi - lo || 1;
  const barW = width - labelW - valueW;
  const zero = labelW + ((0 - lo) / span) * barW;
  q.forEach((v, i) => {
    const y = 3 + i * rowH;
    const cls = i === chosen ? ' chosen' : '';
    const label = document.createElementNS(NS, 'text');
    label.setAttribute('x', String(labelW - 6));
    label.setAttribute('y', String(y + 15));
    label.setAttribute('text-anchor', 'end');
    label.setAttribute('class', `qlabel${cls}`);
    label.textContent = names[i] ?? String(i);
    const x = labelW + ((Math.min(v, 0) - lo) / span) * barW;
    const bar = document.createElementNS(NS, 'rect');
    bar.setAttribute('x', x.toFixed(1));
    bar.setAttribute('y', String(y + 3));
    bar.setAttribute('width', Math.max(1, (Math.abs(v) / span) * barW).toFixed(1));
    bar.setAttribute('height', String(rowH - 6));
    bar.setAttribute('class', `qbar${cls}`);
    bar.dataset.action = String(i);
    const value = document.createElementNS(NS, 'text');
    value.setAttribute('x', String(width - 4));
    value.setAttribute('y', String(y + 15));
    value.setAttribute('text-anchor', 'end');
    value.setAttribute('class', `qvalue qlabel${cls}`);
    value.dataset.action = String(i);
    value.textContent = v.toFixed(3);
    svg.append(label, bar, value);
  });
  const axis = document.createElementNS(NS, 'line');
  axis.setAttribute('x1', zero.toFixed(1));
  axis.setAttribute('x2', zero.toFixed(1));
  axis.setAttribute('y1', '0');
  axis.setAttribute('y2', String(height));
  axis.setAttribute('class', 'grid');
  svg.appendChild(axis);
}

/** Elements that take typed text (and selects, whose arrows pick options): they keep every key. */
function isTextEntry(el: HTMLElement): boolean {
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !NON_TEXT_INPUTS.has((el as HTMLInputElement).type);
}

const NON_TEXT_INPUTS = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

/** Buttons, checkboxes and the like: Space/Enter activate them natively. */
function isControl(el: HTMLElement): boolean {
  return el.tagName === 'BUTTON' || el.tagName === 'SUMMARY' || (el.tagName === 'INPUT' && (el as HTMLInputElement).type !== 'range' && NON_TEXT_INPUTS.has((el as HTMLInputElement).type));
}

/**
 * After a mouse or touch click on a button, checkbox, select or the scrub bar, give the focus
 * back to the page, so the viewer's keys work at once (Space plays instead of re-clicking the
 * episode just opened). Controls reached with the keyboard keep their focus.
 */
function setupFocusRelease(): void {
  let pointer = false;
  document.addEventListener('pointerdown', () => { pointer = true; }, true);
  document.addEventListener('keydown', () => { pointer = false; }, true);
  const release = (): void => {
    const el = document.activeElement;
    if (!pointer || !(el instanceof HTMLElement) || el === document.body) return;
    if (isControl(el) || el.tagName === 'SELECT' || (el.tagName === 'INPUT' && (el as HTMLInputElement).type === 'range')) el.blur();
  };
  document.addEventListener('click', release);
  document.addEventListener('change', (e) => { if ((e.target as HTMLElement | null)?.tagName === 'SELECT') release(); });
}

function setupControls(): void {
  const speed = $<HTMLSelectElement>('speed');
  for (const s of SPEEDS) speed.add(new Option(`${s}×`, String(s), s === 1, s === 1));
  speed.addEventListener('change', () => { playback.speed = Number(speed.value); });
  $<HTMLInputElement>('loop').addEventListener('change', (e) => { playback.loop = (e.target as HTMLInputElement).checked; });
  $('play').addEventListener('click', () => { playback.togglePlay(); show(); });
  $('prev').addEventListener('click', () => { playback.step(-1); show(); });
  $('next').addEventListener('click', () => { playback.step(1); show(); });
  $<HTMLInputElement>('scrub').addEventListener('input', (e) => {
    playback.playing = false;
    playback.seek(Number((e.target as HTMLInputElement).value));
    show();
  });
  setupFocusRelease();
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target instanceof HTMLElement ? e.target : null;
    if (target && isTextEntry(target)) return; // typing goes to the field
    // A control focused from the keyboard keeps Space and Enter (they activate it), except the
    // items of the run and episode lists: Enter opens one, Space plays/pauses like anywhere else.
    const listItem = target?.tagName === 'BUTTON' && target.closest('#runs, #episodes') !== null;
    if ((e.key === ' ' || e.key === 'Enter') && target && isControl(target) && !(listItem && e.key === ' ')) return;
    if (!state.replay) return;
    let handled = true;
    if (e.key === ' ') playback.togglePlay();
    else if (e.key === 'ArrowLeft') playback.step(-1);
    else if (e.key === 'ArrowRight') playback.step(1);
    else if (e.key === '+' || e.key === '=') playback.changeSpeed(1);
    else if (e.key === '-' || e.key === '_') playback.changeSpeed(-1);
    else handled = false;
    if (!handled) return;
    e.preventDefault(); // no page scroll, no double activation of a focused button
    speed.value = String(playback.speed);
    show();
  });
  let last = performance.now();
  const frame = (now: number): void => {
    if (playback.tick(now - last)) show();
    if (drawPending) drawStage();
    else if (!playback.playing && $('play').getAttribute('aria-label') === 'Pause') show(); // reached the end
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

// ---------------------------------------------------------------- learning curves

/** The runs the charts show: the ticked ones and the selected one. */
function chartedRuns(): string[] {
  const wanted = new Set(state.compared);
  if (state.selectedRun !== null) wanted.add(state.selectedRun);
  return [...wanted].filter((id) => state.runs.some((r) => r.id === id));
}

/** Read the metrics of charted runs not read yet; from then on the live stream brings new lines. */
async function refreshMetrics(): Promise<boolean> {
  let changed = false;
  for (const id of chartedRuns()) {
    if (state.metrics.has(id)) continue;
    try {
      const chunk = await getJson<MetricsChunk>(`/api/metrics?run=${encodeURIComponent(id)}&from=0`);
      const m: RunMetrics = { offset: chunk.next, series: emptySeries(), compare: emptyCompareSeries() };
      appendMetrics(m.series, chunk.lines);
      appendCompareLines(m.compare, chunk.lines);
      state.metrics.set(id, m);
      changed = true;
      clearMessage(`metrics:${id}`);
    } catch (err) {
      showMessage(`metrics:${id}`, `${id}/metrics.jsonl: ${(err as Error).message}`);
    }
  }
  return changed;
}

interface ChartGroup {
  key: string;
  kind: RunKind;
  title: string;
  ids: string[];
}

/**
 * Which panel a run's curves go to: one per environment id for training runs (returns of
 * different games never share a y axis), one per dataset for supervised and GAN runs.
 */
function chartGroupOf(run: RunListing): Omit<ChartGroup, 'ids'> {
  if (run.kind === 'rl') return { key: `rl:${run.env ?? ''}`, kind: 'rl', title: run.env ?? 'unknown environment' };
  return { key: `${run.kind}:${run.dataset ?? ''}`, kind: run.kind, title: `${KIND_NAMES[run.kind]}s · ${run.dataset ?? 'unknown dataset'}` };
}

/** The charted runs by panel: the selected run's panel first, then in the order of the run list. */
function chartGroups(ids: readonly string[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  const selected = state.runs.find((r) => r.id === state.selectedRun);
  if (selected && ids.includes(selected.id)) groups.set(chartGroupOf(selected).key, { ...chartGroupOf(selected), ids: [] });
  for (const id of ids) {
    const run = state.runs.find((r) => r.id === id);
    if (!run) continue;
    const g = chartGroupOf(run);
    let group = groups.get(g.key);
    if (!group) groups.set(g.key, (group = { ...g, ids: [] }));
    group.ids.push(id);
  }
  return [...groups.values()];
}

interface PanelCharts {
  classes: [string, string];
  charts: [Parameters<typeof renderChart>[1], Parameters<typeof renderChart>[1]];
}

function rlCharts(ids: readonly string[]): PanelCharts {
  const returns: ChartSeries[] = [];
  const losses: ChartSeries[] = [];
  for (const id of ids) {
    const s = state.metrics.get(id)?.series;
    if (!s) continue;
    const color = runColor(id);
    const name = runLabel(id);
    const episodes = downsample(s.episodeReturns, 800);
    const smooth = movingAverage(s.episodeReturns, Math.max(1, Math.round(s.episodeReturns.length / 40)));
    returns.push({ name: `${name} episodes`, color, dots: episodes, line: s.evalMeans.length ? undefined : downsample(smooth, 400) });
    if (s.evalMeans.length) returns.push({ name: `${name} eval`, color, line: s.evalMeans, band: s.evalBand });
    losses.push({ name, color, line: downsample(s.losses, 600) });
  }
  return {
    classes: ['chart-returns', 'chart-loss'],
    charts: [
      { title: 'Returns (dots: episodes, line: evaluation mean ± std)', xLabel: 'environment steps', yLabel: 'return', series: returns },
      { title: 'Training loss', xLabel: 'environment steps', yLabel: 'loss', series: losses },
    ],
  };
}

/** Two curves of each run, the second dashed: loss and validation loss, D and G loss, ... */
function pairSeries(ids: readonly string[], solid: string, dashed: string, labels: [string, string]): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const id of ids) {
    const curves = state.metrics.get(id)?.series.curves ?? {};
    const color = runColor(id);
    if (curves[solid]) out.push({ name: `${runLabel(id)} ${labels[0]}`, color, line: downsample(curves[solid], 600) });
    if (curves[dashed]) out.push({ name: `${runLabel(id)} ${labels[1]}`, color, line: downsample(curves[dashed], 600), dashed: true });
  }
  return out;
}

function supervisedCharts(ids: readonly string[]): PanelCharts {
  const has = (key: string): boolean => ids.some((id) => (state.metrics.get(id)?.series.curves[key]?.length ?? 0) > 0);
  const [metric, label] = !has('epoch.accuracy') && has('epoch.mae') ? ['mae', 'MAE'] : ['accuracy', 'accuracy'];
  return {
    classes: ['chart-epoch-loss', `chart-epoch-${metric}`],
    charts: [
      { title: 'Loss per epoch (dashed: validation)', xLabel: 'epoch', yLabel: 'loss', series: pairSeries(ids, 'epoch.loss', 'epoch.valLoss', ['loss', 'validation loss']) },
      { title: `${label[0].toUpperCase()}${label.slice(1)} per epoch (dashed: validation)`, xLabel: 'epoch', yLabel: label, series: pairSeries(ids, `epoch.${metric}`, `epoch.val${metric[0].toUpperCase()}${metric.slice(1)}`, [label, `validation ${label}`]) },
    ],
  };
}

function ganCharts(ids: readonly string[]): PanelCharts {
  const scored = ids.some((id) => (state.metrics.get(id)?.series.curves['score.classifierScore']?.length ?? 0) > 0);
  const second = scored
    ? { title: 'Classifier score', xLabel: 'steps', yLabel: 'score', series: ids.flatMap((id): ChartSeries[] => { const c = state.metrics.get(id)?.series.curves['score.classifierScore']; return c ? [{ name: `${runLabel(id)} score`, color: runColor(id), line: c }] : []; }) }
    : { title: 'D(real) and D(fake) (dashed: fake)', xLabel: 'steps', yLabel: 'D output', series: pairSeries(ids, 'gan.dReal', 'gan.dFake', ['D(real)', 'D(fake)']) };
  return {
    classes: ['chart-gan-loss', scored ? 'chart-gan-score' : 'chart-gan-d'],
    charts: [{ title: 'Discriminator and generator loss (dashed: G)', xLabel: 'steps', yLabel: 'loss', series: pairSeries(ids, 'gan.dLoss', 'gan.gLoss', ['D loss', 'G loss']) }, second],
  };
}

/** The chart panels' container, made once from the page's chart section. */
function chartPanels(): HTMLElement {
  let box = document.getElementById('chart-panels');
  if (box) return box;
  box = document.createElement('div');
  box.id = 'chart-panels';
  // The page's two static charts become the first environment panel's (same ids).
  for (const id of ['chart-returns', 'chart-loss']) document.getElementById(id)?.remove();
  $('chart-legend').before(box);
  return box;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function renderCharts(): void {
  const ids = state.runs.map((r) => r.id).filter((id) => state.compared.has(id) || id === state.selectedRun);
  const box = chartPanels();
  box.replaceChildren();
  const groups = chartGroups(ids);
  // With nothing to chart, one empty training-run panel keeps the layout (and says "no data yet").
  if (groups.length === 0) groups.push({ key: 'rl:', kind: 'rl', title: 'Learning curves', ids: [] });
  let firstRl = true;
  for (const group of groups) {
    const panel = document.createElement('div');
    panel.className = 'chart-panel';
    panel.dataset.group = group.key;
    panel.dataset.kind = group.kind;
    panel.setAttribute('role', 'group');
    panel.setAttribute('aria-label', `Learning curves: ${group.title}`);
    const heading = document.createElement('h3');
    heading.textContent = group.title;
    panel.appendChild(heading);
    const { classes, charts } = group.kind === 'rl' ? rlCharts(group.ids) : group.kind === 'supervised' ? supervisedCharts(group.ids) : ganCharts(group.ids);
    charts.forEach((options, i) => {
      const svg = document.createElementNS(SVG_NS, 'svg');
      svg.setAttribute('class', `chart ${classes[i]}`);
      if (group.kind === 'rl' && firstRl) svg.id = classes[i]; // #chart-returns, #chart-loss
      renderChart(svg, options);
      panel.appendChild(svg);
    });
    if (group.kind === 'rl') firstRl = false;
    box.appendChild(panel);
  }
  const legend = $('chart-legend');
  legend.replaceChildren();
  for (const id of ids) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = runColor(id);
    const run = state.runs.find((r) => r.id === id);
    if (run) li.dataset.group = chartGroupOf(run).key;
    const lr = run?.config?.learningRate;
    const detail = run && run.kind !== 'rl' ? ` (${KIND_NAMES[run.kind]}${run.dataset ? `, ${run.dataset}` : ''})` : run?.env ? ` (${run.env}${lr !== undefined ? `, lr ${lr}` : ''})` : '';
    li.append(sw, `${runLabel(id)}${detail}`);
    legend.appendChild(li);
  }
  renderCompare();
}

// ---------------------------------------------------------------- live updates

async function refreshRuns(): Promise<void> {
  applyRuns((await getJson<{ runs: RunListing[] }>('/api/runs')).runs);
}

function applyRuns(runs: RunListing[]): void {
  const key = (list: RunListing[]): string => list.map((r) => `${r.id}:${r.kind}:${r.dataset}:${r.env}:${r.replayCount}`).join('|');
  const before = key(state.runs);
  state.runs = runs;
  if (key(runs) !== before) {
    renderRuns();
    renderSweepChoices();
  }
}

/** What the page shows, for the live stream: charted runs from their read offsets, the selected run's episodes. */
function subscription(): { runs: { id: string; from: number }[]; episodes: string | null } {
  const runs = chartedRuns().flatMap((id) => {
    const m = state.metrics.get(id);
    return m ? [{ id, from: m.offset }] : [];
  });
  const selected = state.runs.find((r) => r.id === state.selectedRun);
  return { runs, episodes: selected?.kind === 'rl' ? selected.id : null };
}

let chartsPending = false;
/** Redraw the charts once per animation frame however many lines arrive. */
function scheduleCharts(): void {
  if (chartsPending) return;
  chartsPending = true;
  requestAnimationFrame(() => {
    chartsPending = false;
    renderCharts();
  });
}

function onMetrics(event: MetricsEvent): void {
  const m = state.metrics.get(event.run);
  if (!m) return;
  if (event.reset) {
    m.series = emptySeries(); // the file was replaced: its lines start again
    m.compare = emptyCompareSeries();
  } else if (event.from !== m.offset) return; // not where this page is (a stream being replaced)
  appendMetrics(m.series, event.lines);
  appendCompareLines(m.compare, event.lines);
  m.offset = event.next;
  scheduleCharts();
}

function onEpisodes(event: EpisodesEvent): void {
  if (event.run !== state.selectedRun || JSON.stringify(event.episodes) === JSON.stringify(state.episodes)) return;
  state.episodes = event.episodes;
  renderEpisodes();
}

function onRuns(event: RunsEvent): void {
  applyRuns(event.runs);
  const selected = state.runs.find((r) => r.id === state.selectedRun);
  if (selected && selected.kind !== 'rl') renderRunSummary(selected); // new sample plots, the final summary
}

function onStatus(status: 'connecting' | 'open' | 'lost'): void {
  const box = $('live-status');
  box.dataset.state = status;
  box.textContent = status === 'open' ? 'live' : status === 'connecting' ? 'live · connecting…' : 'live · reconnecting…';
  if (status === 'open') clearMessage('live');
  else if (status === 'lost') showMessage('live', 'Lost contact with the viewer server; reconnecting (new lines and episodes appear once it is back).');
}

const live = new LiveConnection(subscription, { metrics: onMetrics, episodes: onEpisodes, runs: onRuns, status: onStatus });

// ---------------------------------------------------------------- comparing runs

const compareView = { metric: 'eval' as CompareMetric, x: 'steps' as CompareX };
const COMPARE_SIZE = { width: 800, height: 400 };

/** The runs compared: the ticked training runs, one figure per environment. */
function comparedByEnv(): Map<string, RunListing[]> {
  const byEnv = new Map<string, RunListing[]>();
  for (const run of state.runs) {
    if (run.kind !== 'rl' || !state.compared.has(run.id)) continue;
    const env = run.env ?? 'unknown environment';
    if (!byEnv.has(env)) byEnv.set(env, []);
    byEnv.get(env)!.push(run);
  }
  return byEnv;
}

function renderCompare(): void {
  const box = document.getElementById('compare-figures');
  if (!box) return;
  box.replaceChildren();
  const byEnv = comparedByEnv();
  const notes: string[] = [];
  if (byEnv.size === 0) notes.push('Tick training runs, or pick a sweep, to compare them.');
  for (const [env, runs] of byEnv) {
    const groups = groupByConfig(runs.map((r) => ({ id: r.id, config: r.config })));
    const series: ChartSeries[] = [];
    groups.forEach((group, i) => {
      const seeds = group.ids.map((id) => state.metrics.get(id)?.compare ?? emptyCompareSeries());
      const band = groupBand(seeds, compareView.metric, compareView.x);
      if (band.length === 0) notes.push(`${env} · ${group.label}: no ${compareView.metric === 'eval' ? 'evaluation lines' : 'train lines with a recent return'}${compareView.x === 'wall' ? ' or no steps-per-second to time them' : ''} in every seed.`);
      series.push({
        name: `${group.label} (${group.ids.length} seed${group.ids.length === 1 ? '' : 's'})`,
        color: RUN_COLORS[i % RUN_COLORS.length],
        line: band.map((b) => ({ x: b.x, y: b.mean })),
        band: band.map((b) => ({ x: b.x, lo: b.low, hi: b.high })),
      });
    });
    const figure = document.createElement('figure');
    figure.className = 'compare-figure';
    figure.dataset.env = env;
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'chart compare-chart');
    const what = compareView.metric === 'eval' ? 'Evaluation return' : 'Training return (mean of the last 100 episodes)';
    renderChart(svg, {
      title: `${env} · ${what}, mean and 95% CI over seeds`,
      xLabel: compareView.x === 'steps' ? 'environment steps' : 'wall time (s)',
      yLabel: 'return',
      series,
      ...COMPARE_SIZE,
    });
    drawCompareLegend(svg, series);
    const tools = document.createElement('div');
    tools.className = 'controls';
    const slug = `${env.replace(/[^\w.-]+/g, '-')}-${compareView.metric}-${compareView.x}`;
    const button = (cls: string, text: string, action: () => Promise<void> | void): HTMLButtonElement => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = cls;
      b.textContent = text;
      b.addEventListener('click', () => void Promise.resolve(action()).catch((err) => showMessage('export', `Export failed: ${(err as Error).message}`)));
      return b;
    };
    tools.append(
      button('export-png', 'Export PNG', async () => download(await svgToPng(svg), `compare-${slug}.png`)),
      button('export-svg', 'Export SVG', () => download(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }), `compare-${slug}.svg`)),
    );
    figure.append(svg, tools);
    box.appendChild(figure);
  }
  $('compare-note').textContent = notes.join(' ');
}

/** The groups' names under the plot, inside the SVG, so an exported figure keeps them. */
function drawCompareLegend(svg: SVGSVGElement, series: readonly ChartSeries[]): void {
  if (series.length === 0) return;
  const { width, height } = COMPARE_SIZE;
  const perRow = 2, rowH = 18;
  const rows = Math.ceil(series.length / perRow);
  svg.setAttribute('viewBox', `0 0 ${width} ${height + rows * rowH + 6}`);
  const g = document.createElementNS(SVG_NS, 'g');
  g.setAttribute('class', 'compare-legend');
  series.forEach((s, i) => {
    const x = 56 + (i % perRow) * ((width - 80) / perRow), y = height + 8 + Math.floor(i / perRow) * rowH;
    const swatch = document.createElementNS(SVG_NS, 'rect');
    for (const [k, v] of Object.entries({ x, y: y - 4, width: 18, height: 8, fill: s.color, 'fill-opacity': 0.6 })) swatch.setAttribute(k, String(v));
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('x', String(x + 24));
    text.setAttribute('y', String(y + 4));
    text.setAttribute('class', 'legend-label');
    text.textContent = s.name;
    g.append(swatch, text);
  });
  svg.appendChild(g);
}

/** The folders of two or more training runs (a sweep, one env of it, ...), offered as one pick. */
function renderSweepChoices(): void {
  const select = document.getElementById('compare-sweep') as HTMLSelectElement | null;
  if (!select) return;
  const current = select.value;
  const folders = sweepFolders(state.runs.filter((r) => r.kind === 'rl').map((r) => r.id));
  select.replaceChildren(new Option('the ticked runs', ''), ...folders.map((f) => new Option(`every run in ${f}/`, f)));
  select.value = folders.includes(current) ? current : '';
}

function setupCompare(): void {
  const sweep = $<HTMLSelectElement>('compare-sweep');
  sweep.addEventListener('change', () => {
    if (!sweep.value) return;
    state.compared = new Set(runsIn(sweep.value, state.runs.filter((r) => r.kind === 'rl').map((r) => r.id)));
    renderRuns();
    void refreshMetrics().then(() => { renderCharts(); live.update(); });
  });
  const metric = $<HTMLSelectElement>('compare-metric');
  metric.addEventListener('change', () => { compareView.metric = metric.value === 'train' ? 'train' : 'eval'; renderCompare(); });
  const x = $<HTMLSelectElement>('compare-x');
  x.addEventListener('change', () => { compareView.x = x.value === 'wall' ? 'wall' : 'steps'; renderCompare(); });
}

// ---------------------------------------------------------------- start

/** Styles of the parts this script builds (chart panels, run summaries). */
const APP_STYLES = `
  [hidden] { display: none !important; }
  #chart-panels { grid-column: 1 / -1; display: grid; gap: 1rem; }
  .chart-panel { display: grid; grid-template-columns: 1fr 1fr; gap: .3rem 1rem; }
  .chart-panel + .chart-panel { border-top: 1px solid var(--line); padding-top: .6rem; }
  .chart-panel h3 { grid-column: 1 / -1; margin: 0; font-size: .9rem; font-weight: 600; }
  #run-summary dl.facts { max-width: 34rem; }
  #run-summary figure { margin: .6rem 0 0; }
  #run-summary img { display: block; width: 256px; max-width: 100%; image-rendering: pixelated; border-radius: 4px; background: #14161c; }
  #run-summary figcaption { color: var(--muted); font-size: .8rem; margin-top: .3rem; }
`;

async function start(): Promise<void> {
  const style = document.createElement('style');
  style.textContent = APP_STYLES;
  document.head.appendChild(style);
  setupControls();
  setupCompare();
  show();
  const forced = new URLSearchParams(location.search).get('renderer');
  try {
    const app = await createStage($<HTMLCanvasElement>('stage'), forced === 'canvas' || forced === 'webgl' ? forced : undefined);
    renderer = new FrameRenderer(app);
    document.body.dataset.renderer = renderer.rendererName;
  } catch (err) {
    showMessage('renderer', `The frame renderer could not start: ${(err as Error).message}. Lists, details and charts still work.`);
  }
  state.info = await getJson<ViewerInfo>('/api/info');
  $('root-name').textContent = state.info.rootName;
  await refreshRuns();
  const params = new URLSearchParams(location.search);
  const wantRun = params.get('run');
  const first = state.runs.find((r) => r.id === wantRun) ?? state.runs.find((r) => r.replayCount > 0) ?? state.runs[0];
  if (first) {
    // Compare every run of the same environment by default (a sweep's runs overlay at once).
    for (const r of state.runs) if (r.env !== null && r.env === first.env) state.compared.add(r.id);
    if (state.info.initialEpisode) {
      state.selectedRun = first.id;
      state.compared.add(first.id);
      renderRuns();
      await refreshEpisodes();
      await loadEpisode(state.info.initialEpisode);
      await refreshMetrics();
      renderCharts();
    } else {
      await selectRun(first.id);
    }
  } else {
    renderRuns();
    renderEpisodes();
    renderCharts();
  }
  renderSweepChoices();
  live.update();
  document.body.dataset.ready = 'true';
}

start().catch((err) => showMessage('start', `The viewer failed to start: ${(err as Error).message}`));
