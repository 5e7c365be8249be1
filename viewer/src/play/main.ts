/**
 * The play page (viewer/play.html): pick an env and a seed, play it from the keyboard in step mode
 * or in real time, drawn by the replay viewer's FrameRenderer; save the episode as a replay; with
 * a run's trained agent picked, its greedy return on the same seed stands beside yours.
 * URL parameters: ?env=ID&seed=N&options=JSON&run=RUN_ID&mode=step|realtime&rate=N&renderer=canvas|webgl.
 */
import type { DqnAgent } from '../../../agents/dqn/agent';
import { listEnvs, type MakeOptions } from '../../../envs/registry';
import type { RunListing } from '../api-types';
import { download } from '../export';
import { setMessage } from '../messages';
import { channelColor, createStage, cssColor, FrameRenderer } from '../render';
import { actionOfKey, controlLegend, controlsFor, PLAY_RATES, type ControlMap, type PlayMode } from './controls';
import { PlayedEpisode, playReplayName, type PlayedState } from './episode';
import { HeldKeys, StepClock } from './input';
import { greedyEpisode, loadAgentFrom, serverAgentFiles, type GreedyEpisode } from './agent';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`play page is missing #${id}`);
  return node as T;
};

/** What the page exposes to scripts and the browser tests (window.keikoPlay). */
export interface PlayHook {
  state(): PlayedState & { mode: PlayMode; rate: number; running: boolean; agent: (GreedyEpisode & { run: string; seed: number }) | null };
}

const params = new URLSearchParams(location.search);
const state = {
  runs: [] as RunListing[],
  episode: null as PlayedEpisode | null,
  controls: null as ControlMap | null,
  mode: 'step' as PlayMode,
  running: false,
  agentRun: null as string | null,
  agent: null as DqnAgent | null,
  agentEpisode: null as (GreedyEpisode & { run: string; seed: number }) | null,
};
const keys = new HeldKeys();
const clock = new StepClock(5);
let renderer: FrameRenderer | null = null;

// ---------------------------------------------------------------- messages

/** One message per topic ('episode', 'agent', 'url', 'runs'); null clears it. */
const showError = (topic: string, text: string | null): void => setMessage($('messages'), topic, text);

// ---------------------------------------------------------------- episode

function parseEnvOptions(): MakeOptions {
  const text = $<HTMLInputElement>('env-options').value.trim() || '{}';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`env options: not valid JSON (${(err as Error).message}); write an object such as {"stickyActionProb": 0}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`env options: must be a JSON object, got ${text}`);
  return value as MakeOptions;
}

function seedValue(): number {
  const raw = $<HTMLInputElement>('seed').value;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed: must be a whole number from 0 to 4294967295, got "${raw}"`);
  return seed;
}

/** Start a new episode from the form (env, seed, options); the agent plays the same seed. */
function newEpisode(): void {
  state.episode?.close();
  state.episode = null;
  keys.clear();
  clock.reset();
  state.running = false;
  try {
    const envId = $<HTMLSelectElement>('env').value;
    const episode = new PlayedEpisode(envId, seedValue(), parseEnvOptions());
    state.episode = episode;
    state.controls = controlsFor(envId, episode.env.actionSpace);
    showError('episode', null);
  } catch (err) {
    showError('episode', (err as Error).message);
  }
  showControls();
  showLegend();
  playAgent();
  draw();
}

/** MinAtar: the channel colours, as the replay viewer shows them. */
function showLegend(): void {
  const legend = $('legend');
  legend.textContent = '';
  const frame = state.episode?.currentFrame;
  if (frame?.family !== 'minatar') return;
  frame.channels.forEach((name, i) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = cssColor(channelColor(i));
    li.append(swatch, name);
    legend.appendChild(li);
  });
}

function step(action: number): void {
  if (state.episode?.step(action)) draw();
}

function draw(): void {
  const ep = state.episode;
  renderer?.draw(ep ? ep.currentFrame : null);
  $('title').textContent = ep ? `${ep.envId} · seed ${ep.seed}` : '–';
  const status = $('status');
  if (!ep) {
    status.textContent = '';
  } else if (ep.done) {
    status.textContent = `Episode over (${ep.terminated ? 'terminated' : 'time limit'}) after ${ep.steps} steps: return ${fmt(ep.return)}. Press r for a new one.`;
  } else {
    const waiting = state.mode === 'realtime' && !state.running ? ' · press a control key to start' : '';
    status.textContent = `Step ${ep.steps} · return ${fmt(ep.return)}${waiting}`;
  }
  status.classList.toggle('over', ep?.done ?? false);
  $('you-return').textContent = ep ? fmt(ep.return) : '–';
  $('you-steps').textContent = ep ? `${ep.steps}${ep.done ? '' : ' (playing)'}` : '–';
  $('returns-seed').textContent = ep ? String(ep.seed) : '–';
  $<HTMLButtonElement>('save').disabled = !ep || ep.steps === 0;
  $('pause').textContent = state.mode === 'realtime' && !state.running ? (ep && ep.steps > 0 ? 'Resume' : 'Start') : 'Pause';
  $<HTMLButtonElement>('pause').disabled = state.mode !== 'realtime' || !ep || ep.done;
  $('stage').dataset.steps = String(ep?.steps ?? 0);
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function showControls(): void {
  const body = $('controls').querySelector('tbody')!;
  body.textContent = '';
  const c = state.controls, ep = state.episode;
  if (!c || !ep) return;
  for (const row of controlLegend(c, ep.env.actionSpace.actionNames)) {
    const tr = document.createElement('tr');
    tr.dataset.action = String(row.action);
    const keysCell = document.createElement('td');
    row.keys.forEach((k, i) => {
      if (i > 0) keysCell.append(' / ');
      const kbd = document.createElement('kbd');
      kbd.textContent = k;
      keysCell.appendChild(kbd);
    });
    const name = document.createElement('td');
    name.textContent = `${row.name} (${row.action})`;
    tr.append(keysCell, name);
    body.appendChild(tr);
  }
  const idle = c.idleAction === null ? 'the env waits while no key is held' : `no key held: ${ep.env.actionSpace.actionNames[c.idleAction]}`;
  $('controls-note').textContent = state.mode === 'step' ? 'Step mode: each press is one step; hold a key to repeat.' : `Real time: the held key acts each step; ${idle}.`;
}

// ---------------------------------------------------------------- agent

async function selectAgent(runId: string): Promise<void> {
  state.agent?.dispose();
  state.agent = null;
  state.agentRun = null;
  state.agentEpisode = null;
  showError('agent', null);
  const run = state.runs.find((r) => r.id === runId);
  if (run?.agentDir) {
    $('agent-note').textContent = `Loading the agent of ${runId}…`;
    try {
      const agent = await loadAgentFrom(run.agentDir, serverAgentFiles(run.agentDir));
      state.agent = agent;
      state.agentRun = runId;
      // Play the env the agent was trained on, with its options (sticky actions and the like).
      $<HTMLSelectElement>('env').value = agent.config.env;
      $<HTMLInputElement>('env-options').value = JSON.stringify(agent.config.envOptions ?? {});
    } catch (err) {
      showError('agent', `agent of ${runId}: ${(err as Error).message}`);
    }
  }
  syncModeToEnv();
  newEpisode();
}

/** The agent's greedy episode on the played env and seed (when it was trained on that env). */
function playAgent(): void {
  const ep = state.episode, agent = state.agent;
  state.agentEpisode = null;
  let note = 'Pick a run with a trained agent to see its return on your seed.';
  if (agent && ep) {
    if (agent.config.env !== ep.envId) {
      note = `The agent of ${state.agentRun} was trained on ${agent.config.env}, not ${ep.envId}.`;
    } else {
      try {
        state.agentEpisode = { ...greedyEpisode(agent, ep.seed, ep.envOptions), run: state.agentRun!, seed: ep.seed };
        note = `The agent of ${state.agentRun} (greedy, argmax Q) on seed ${ep.seed}.`;
      } catch (err) {
        note = `The agent could not play: ${(err as Error).message}`;
      }
    }
  }
  const a = state.agentEpisode;
  $('agent-return').textContent = a ? fmt(a.return) : '–';
  $('agent-steps').textContent = a ? String(a.length) : '–';
  $('agent-note').textContent = note;
}

// ---------------------------------------------------------------- saving

function saveReplay(): void {
  const ep = state.episode;
  if (!ep || ep.steps === 0) return;
  download(new Blob([JSON.stringify(ep.toReplay())], { type: 'application/json' }), playReplayName(ep.envId, ep.seed));
}

// ---------------------------------------------------------------- keys and the real-time loop

const isTyping = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox'));

function onKeyDown(e: KeyboardEvent): void {
  if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
  const c = state.controls, ep = state.episode;
  const action = c ? actionOfKey(c, e.key) : null;
  if (action !== null && ep) {
    e.preventDefault();
    if (state.mode === 'step') {
      step(action);
    } else {
      keys.press(e.key, action);
      if (!state.running && !ep.done) {
        state.running = true;
        clock.reset();
        draw();
      }
    }
    return;
  }
  if (e.key === 'r' && !e.repeat) {
    e.preventDefault();
    newEpisode();
  } else if (e.key === 'p' && !e.repeat) {
    e.preventDefault();
    togglePause();
  }
}

function togglePause(): void {
  if (state.mode !== 'realtime' || !state.episode || state.episode.done) return;
  state.running = !state.running;
  clock.reset();
  draw();
}

let lastFrame = performance.now();
function frameLoop(now: number): void {
  const elapsed = now - lastFrame;
  lastFrame = now;
  const ep = state.episode, c = state.controls;
  if (state.mode === 'realtime' && state.running && ep && c && !ep.done) {
    const due = clock.tick(elapsed);
    let stepped = false;
    for (let i = 0; i < due && !ep.done; i++) {
      const action = keys.next(c.idleAction);
      if (action === null) break;
      ep.step(action);
      stepped = true;
    }
    if (ep.done) state.running = false;
    if (stepped) draw();
  }
  requestAnimationFrame(frameLoop);
}

/** The env's default mode and rate (MinAtar: real time at 5 steps/s; classic control: step mode). */
function syncModeToEnv(): void {
  const envId = $<HTMLSelectElement>('env').value;
  const entry = listEnvs().find((e) => e.id === envId);
  if (!entry) return;
  try {
    const c = controlsFor(envId, entry.actionSpace);
    setMode(c.defaultMode);
    setRate(c.defaultRate);
  } catch {
    // newEpisode() reports the missing controls
  }
}

function setMode(mode: PlayMode): void {
  state.mode = mode;
  $<HTMLSelectElement>('mode').value = mode;
  state.running = false;
  keys.clear();
  showControls();
  draw();
}

function setRate(rate: number): void {
  clock.rate = rate;
  $<HTMLSelectElement>('rate').value = String(rate);
}

// ---------------------------------------------------------------- start

async function main(): Promise<void> {
  const envSelect = $<HTMLSelectElement>('env');
  for (const e of listEnvs()) envSelect.add(new Option(e.id, e.id));
  for (const r of PLAY_RATES) $<HTMLSelectElement>('rate').add(new Option(`${r} steps/s`, String(r)));
  const forced = params.get('renderer');
  renderer = new FrameRenderer(await createStage($<HTMLCanvasElement>('stage'), forced === 'webgl' || forced === 'canvas' ? forced : undefined));

  try {
    const res = await fetch('/api/runs', { cache: 'no-store' });
    if (!res.ok) throw new Error(`/api/runs: HTTP ${res.status}`);
    state.runs = ((await res.json()) as { runs: RunListing[] }).runs;
  } catch (err) {
    showError('runs', `cannot list the runs: ${(err as Error).message}`);
  }
  const agentSelect = $<HTMLSelectElement>('agent');
  for (const r of state.runs) if (r.agentDir) agentSelect.add(new Option(`${r.id === '.' ? 'this run' : r.id} · ${r.env ?? '?'}`, r.id));

  // Settings from the URL.
  const envParam = params.get('env');
  if (envParam !== null) {
    const known = Array.from(envSelect.options, (o) => o.value);
    if (!known.includes(envParam)) showError('url', `env: unknown id "${envParam}"; known: ${known.join(', ')}`);
    else envSelect.value = envParam;
  }
  if (params.has('seed')) $<HTMLInputElement>('seed').value = params.get('seed')!;
  if (params.has('options')) $<HTMLInputElement>('env-options').value = params.get('options')!;
  syncModeToEnv();
  const modeParam = params.get('mode');
  const rateParam = Number(params.get('rate'));
  const applyUrlMode = (): void => {
    if (modeParam === 'step' || modeParam === 'realtime') setMode(modeParam);
    if (PLAY_RATES.includes(rateParam as (typeof PLAY_RATES)[number])) setRate(rateParam);
  };
  applyUrlMode();
  newEpisode();

  const runParam = params.get('run');
  if (runParam !== null && state.runs.some((r) => r.id === runParam && r.agentDir)) {
    agentSelect.value = runParam;
    await selectAgent(runParam); // the agent's env and options, same seed
    applyUrlMode();
  }

  // A changed setting starts a new episode; the focus goes back to the page so the keys play.
  const settle = (el: HTMLElement): void => el.blur();
  envSelect.addEventListener('change', () => {
    syncModeToEnv();
    newEpisode();
    settle(envSelect);
  });
  for (const id of ['seed', 'env-options']) {
    $(id).addEventListener('change', () => newEpisode());
    $(id).addEventListener('keydown', (e) => {
      if (e.key === 'Enter') settle(e.target as HTMLElement);
    });
  }
  agentSelect.addEventListener('change', () => {
    void selectAgent(agentSelect.value).then(() => settle(agentSelect));
  });
  $<HTMLSelectElement>('mode').addEventListener('change', (e) => {
    setMode((e.target as HTMLSelectElement).value as PlayMode);
    settle(e.target as HTMLElement);
  });
  $<HTMLSelectElement>('rate').addEventListener('change', (e) => {
    setRate(Number((e.target as HTMLSelectElement).value));
    settle(e.target as HTMLElement);
  });
  $('reset').addEventListener('click', (e) => {
    newEpisode();
    (e.currentTarget as HTMLElement).blur();
  });
  $('pause').addEventListener('click', (e) => {
    togglePause();
    (e.currentTarget as HTMLElement).blur();
  });
  $('save').addEventListener('click', (e) => {
    saveReplay();
    (e.currentTarget as HTMLElement).blur();
  });
  document.addEventListener('keydown', onKeyDown);
  document.addEventListener('keyup', (e) => keys.release(e.key));
  window.addEventListener('blur', () => keys.clear());

  (window as unknown as { keikoPlay: PlayHook }).keikoPlay = {
    state: () => ({
      ...(state.episode?.state() ?? { envId: '', seed: 0, steps: 0, actions: [], observation: [], return: 0, terminated: false, truncated: false }),
      mode: state.mode,
      rate: clock.rate,
      running: state.running,
      agent: state.agentEpisode,
    }),
  };
  requestAnimationFrame(frameLoop);
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  showError('page', `the play page failed to start: ${(err as Error).message}`);
  document.body.dataset.ready = 'error';
});
