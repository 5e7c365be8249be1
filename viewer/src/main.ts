/**
 * The viewer app: run and episode lists, the replay player (pixi stage, controls, step panel with
 * Q-values), learning curves, and live updates by polling the server every two seconds.
 */
import type { ReplayFile } from '../../agents/recording/replay-format';
import type { EpisodeListing, MetricsChunk, RunListing, ViewerInfo } from './api-types';
import { renderChart, type ChartSeries } from './chart';
import { appendMetrics, downsample, emptySeries, movingAverage, type RunSeries } from './metrics';
import { Playback, SPEEDS } from './player';
import { channelColor, createStage, cssColor, FrameRenderer } from './render';
import { checkReplay } from './validate';

const POLL_MS = 2000;
const RUN_COLORS = ['#4cc9f0', '#f78154', '#90be6d', '#b388eb', '#f2c14e', '#ef476f', '#06d6a0', '#8ecae6'];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`viewer page is missing #${id}`);
  return node as T;
};

interface RunMetrics {
  offset: number;
  signature: string | null;
  series: RunSeries;
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

function showMessage(key: string, text: string): void {
  const box = $('messages');
  let node = Array.from(box.children).find((c) => (c as HTMLElement).dataset.key === key) as HTMLElement | undefined;
  if (!node) {
    node = document.createElement('p');
    node.className = 'message';
    node.dataset.key = key;
    box.appendChild(node);
  }
  node.textContent = text;
}

function clearMessage(key: string): void {
  for (const c of Array.from($('messages').children)) if ((c as HTMLElement).dataset.key === key) c.remove();
}

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
      void refreshMetrics().then(renderCharts);
    });
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'run-select';
    button.dataset.run = run.id;
    button.setAttribute('aria-pressed', String(run.id === state.selectedRun));
    button.textContent = `${runLabel(run.id)}${run.env ? ` · ${run.env}` : ''} (${run.replayCount} replays)`;
    button.style.borderLeft = `4px solid ${runColor(run.id)}`;
    button.addEventListener('click', () => void selectRun(run.id));
    li.append(compare, button);
    list.appendChild(li);
  }
}

async function selectRun(id: string): Promise<void> {
  state.selectedRun = id;
  state.compared.add(id);
  state.episodesSignature = null;
  renderRuns();
  await refreshEpisodes();
  const pick = [...state.episodes].reverse().find((e) => e.kind === 'eval' && !e.error) ?? [...state.episodes].reverse().find((e) => !e.error);
  if (pick) await loadEpisode(pick.file);
  await refreshMetrics();
  renderCharts();
}

// ---------------------------------------------------------------- episodes

async function refreshEpisodes(): Promise<void> {
  if (state.selectedRun === null) return;
  const run = state.runs.find((r) => r.id === state.selectedRun);
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
    li.textContent = 'No recorded episodes (yet).';
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
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.tagName === 'SELECT' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range')) return;
    // Space and Enter on a focused button or checkbox keep their native meaning (activate it).
    if ((e.key === ' ' || e.key === 'Enter') && target.tagName === 'BUTTON') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
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

async function refreshMetrics(): Promise<boolean> {
  const wanted = new Set(state.compared);
  if (state.selectedRun !== null) wanted.add(state.selectedRun);
  let changed = false;
  for (const id of wanted) {
    const run = state.runs.find((r) => r.id === id);
    if (!run) continue;
    let m = state.metrics.get(id);
    if (!m) {
      m = { offset: 0, signature: null, series: emptySeries() };
      state.metrics.set(id, m);
    }
    if (m.signature === run.metricsSignature) continue;
    try {
      const chunk = await getJson<MetricsChunk>(`/api/metrics?run=${encodeURIComponent(id)}&from=${m.offset}`);
      if (chunk.reset) m.series = emptySeries();
      appendMetrics(m.series, chunk.lines);
      m.offset = chunk.next;
      m.signature = run.metricsSignature;
      changed = true;
      clearMessage(`metrics:${id}`);
    } catch (err) {
      showMessage(`metrics:${id}`, `${id}/metrics.jsonl: ${(err as Error).message}`);
    }
  }
  return changed;
}

function renderCharts(): void {
  const ids = state.runs.map((r) => r.id).filter((id) => state.compared.has(id) || id === state.selectedRun);
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
  renderChart($('chart-returns') as unknown as SVGSVGElement, { title: 'Returns (dots: episodes, line: evaluation mean ± std)', xLabel: 'environment steps', yLabel: 'return', series: returns });
  renderChart($('chart-loss') as unknown as SVGSVGElement, { title: 'Training loss', xLabel: 'environment steps', yLabel: 'loss', series: losses });
  const legend = $('chart-legend');
  legend.replaceChildren();
  for (const id of ids) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = runColor(id);
    const run = state.runs.find((r) => r.id === id);
    const lr = run?.config?.learningRate;
    li.append(sw, `${runLabel(id)}${run?.env ? ` (${run.env}${lr !== undefined ? `, lr ${lr}` : ''})` : ''}`);
    legend.appendChild(li);
  }
}

// ---------------------------------------------------------------- live updates

async function refreshRuns(): Promise<void> {
  const { runs } = await getJson<{ runs: RunListing[] }>('/api/runs');
  const before = state.runs.map((r) => `${r.id}:${r.replayCount}`).join('|');
  state.runs = runs;
  if (runs.map((r) => `${r.id}:${r.replayCount}`).join('|') !== before) renderRuns();
}

let polling = false;
async function poll(): Promise<void> {
  if (polling) return;
  polling = true;
  try {
    await refreshRuns();
    await refreshEpisodes();
    if (await refreshMetrics()) renderCharts();
    $('live-status').textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    clearMessage('poll');
  } catch (err) {
    $('live-status').textContent = 'live · server unreachable';
    showMessage('poll', `Lost contact with the viewer server: ${(err as Error).message}`);
  } finally {
    polling = false;
  }
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  setupControls();
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
  document.body.dataset.ready = 'true';
  // ?poll=MS overrides the live-update interval (tests use a short one).
  const pollMs = Number(params.get('poll'));
  setInterval(() => void poll(), Number.isFinite(pollMs) && pollMs >= 250 ? pollMs : POLL_MS);
}

start().catch((err) => showMessage('start', `The viewer failed to start: ${(err as Error).message}`));
