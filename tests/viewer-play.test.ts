/**
 * Play mode (viewer/play.html): every registered env has keyboard controls covering its actions;
 * in headless Chromium the keys step the env as the controls say — checked against the same env
 * stepped in Node with the same seed and actions, and against the dynamics (CartPole's push,
 * MountainCar's acceleration, Breakout's paddle, Freeway's chicken); a saved episode is a valid
 * replay whose actions are the keys pressed and which the replay viewer opens; a run's trained
 * agent plays the same seed and the page shows the return Node computes for it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewer } from '../viewer/build';
import { startViewerServer, type ViewerServer } from '../viewer/server';
import type { RunListing } from '../viewer/src/api-types';
import { actionOfKey, controlsFor, MissingControlsError } from '../viewer/src/play/controls';
import { HeldKeys, StepClock } from '../viewer/src/play/input';
import type { PlayHook } from '../viewer/src/play/main';
import { checkReplay } from '../viewer/src/validate';
import { replaySchema } from '../agents/recording/replay-format';
import { listEnvs, make, type MakeOptions } from '../envs/registry';
import { discrete } from '../envs/spaces';
import { DqnAgent } from '../agents/dqn/agent';
import { resolveConfig } from '../agents/dqn/config';
import { loadAgent, saveAgentDir } from '../node/agent-dir';
import { runTraining } from '../node/run-training';
import { launchChromium, newWatchedPage, waitReady } from './helpers/browser';
import { tinyRun } from './helpers/tiny-run';

const FIXTURES = new URL('./fixtures/runs/', import.meta.url).pathname;
const OUTPUT = new URL('../test-output/', import.meta.url).pathname;

type PlayState = ReturnType<PlayHook['state']>;

/** The observation after `actions` from reset({seed}), stepped in Node. */
function reference(envId: string, seed: number, actions: readonly number[], options: MakeOptions = {}): { observation: number[]; return: number; done: boolean } {
  const env = make(envId, options);
  let obs: ArrayLike<number> = env.reset({ seed }).observation;
  let ret = 0;
  let done = false;
  for (const a of actions) {
    const r = env.step(a);
    obs = r.observation;
    ret += r.reward;
    done = r.terminated || r.truncated;
  }
  return { observation: Array.from(obs), return: ret, done };
}

/** Column of the first lit cell of `channel` in `row` of a flat 10×10×C MinAtar observation. */
function cellX(obs: readonly number[], channels: number, channel: number, row: number): number {
  for (let x = 0; x < 10; x++) if (obs[(row * 10 + x) * channels + channel] === 1) return x;
  return -1;
}

/** Row of the first lit cell of `channel` in column `x`. */
function cellY(obs: readonly number[], channels: number, channel: number, x: number): number {
  for (let y = 0; y < 10; y++) if (obs[(y * 10 + x) * channels + channel] === 1) return y;
  return -1;
}

/** Breakout: the column where the ball reaches the paddle row, from its cell and trail (bouncing off the walls). */
function breakoutLanding(obs: readonly number[]): number {
  const find = (channel: number): [number, number] => {
    for (let y = 0; y < 10; y++) {
      const x = cellX(obs, 4, channel, y);
      if (x >= 0) return [x, y];
    }
    return [-1, -1];
  };
  const [bx, by] = find(1), [tx, ty] = find(2);
  if (ty < 0 || by <= ty) return bx; // rising (or just served): stay under it
  let x = bx, dx = bx - tx;
  for (let y = by; y < 9; y++) {
    x += dx;
    if (x < 0) [x, dx] = [1, -dx];
    if (x > 9) [x, dx] = [8, -dx];
  }
  return x;
}

describe('play controls', () => {
  it('every registered env has a key for each of its actions, and no key maps outside the action space', () => {
    const envs = listEnvs();
    expect(envs.length).toBeGreaterThanOrEqual(13);
    for (const e of envs) {
      const c = controlsFor(e.id, e.actionSpace);
      for (let a = 0; a < e.actionSpace.n; a++) expect(c.bindings.some((b) => b.action === a), `${e.id} action ${a}`).toBe(true);
      for (const b of c.bindings) expect(b.action, `${e.id} key ${b.label}`).toBeLessThan(e.actionSpace.n);
      expect(new Set(c.bindings.map((b) => b.key)).size, `${e.id}: a key bound twice`).toBe(c.bindings.length);
      expect(c.idleAction === null || c.idleAction < e.actionSpace.n).toBe(true);
    }
    expect(() => controlsFor('Pendulum-v1', discrete(3, ['a', 'b', 'c']))).toThrow(MissingControlsError);
    expect(() => controlsFor('Pendulum-v1', discrete(3, ['a', 'b', 'c']))).toThrow(/Pendulum-v1: no keyboard controls; add them to viewer\/src\/play\/controls.ts/);
  });

  it('maps keys by the env action meanings', () => {
    const cp = listEnvs().find((e) => e.id === 'CartPole-v1')!;
    const c = controlsFor(cp.id, cp.actionSpace);
    expect(cp.actionSpace.actionNames[actionOfKey(c, 'ArrowRight')!]).toBe('push right');
    expect(cp.actionSpace.actionNames[actionOfKey(c, 'ArrowLeft')!]).toBe('push left');
    expect(actionOfKey(c, ' ')).toBeNull();
    expect(c.idleAction).toBeNull();
    expect(c.defaultMode).toBe('step');
    for (const id of ['MinAtar/Breakout-v1', 'MinAtar/Seaquest-v0', 'MinAtar/Freeway-v1', 'MinAtar/SpaceInvaders-v1']) {
      const e = listEnvs().find((x) => x.id === id)!;
      const m = controlsFor(id, e.actionSpace);
      const name = (key: string): string | undefined => {
        const a = actionOfKey(m, key);
        return a === null ? undefined : e.actionSpace.actionNames[a];
      };
      const expected: Record<string, string> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down', ' ': 'fire', '.': 'noop' };
      for (const [key, meaning] of Object.entries(expected)) {
        expect(name(key), `${id} ${key}`).toBe(e.actionSpace.actionNames.includes(meaning) ? meaning : undefined);
      }
      expect(e.actionSpace.actionNames[m.idleAction!]).toBe('noop');
      expect(m.defaultMode).toBe('realtime');
    }
  });

  it('real time takes the last held key, counts a quick tap once, and idles when nothing is held', () => {
    const keys = new HeldKeys();
    expect(keys.next(0)).toBe(0);
    expect(keys.next(null)).toBeNull();
    keys.press('ArrowLeft', 1);
    keys.release('ArrowLeft'); // released before the step
    expect(keys.next(0)).toBe(1);
    expect(keys.next(0)).toBe(0);
    keys.press('ArrowLeft', 1);
    keys.press('ArrowRight', 2);
    keys.press('ArrowRight', 2); // auto-repeat: no second tap
    expect([keys.next(0), keys.next(0), keys.next(0), keys.next(0)]).toEqual([1, 2, 2, 2]);
    keys.release('ArrowRight');
    expect(keys.next(0)).toBe(1);
    const clock = new StepClock(10);
    expect([clock.tick(50), clock.tick(50), clock.tick(250), clock.tick(5000)]).toEqual([0, 1, 2, 3]);
  });
});

describe('play page in headless Chromium', () => {
  let tmp: string;
  let root: string;
  let srv: ViewerServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let cspViolations: string[];

  async function open(query: string): Promise<void> {
    await page.goto(`${srv.url}play.html${query}`);
    await waitReady(page, 30_000);
  }
  const playState = (): Promise<PlayState> => page.evaluate(() => (window as unknown as { keikoPlay: PlayHook }).keikoPlay.state());
  const press = async (key: string, times = 1): Promise<void> => {
    for (let i = 0; i < times; i++) await page.keyboard.press(key);
  };

  beforeAll(async () => {
    await buildViewer();
    tmp = mkdtempSync(join(tmpdir(), 'keiko-viewer-play-'));
    root = join(tmp, 'runs');
    cpSync(join(FIXTURES, 'breakout'), join(root, 'breakout'), { recursive: true });
    // A trained CartPole agent (a tiny run writes final/) and a fresh conv-net MinAtar agent.
    await runTraining(tinyRun({ seed: 4 }), { outDir: join(root, 'cp-agent'), quiet: true });
    const minatar = resolveConfig({
      env: 'MinAtar/Breakout-v1',
      seed: 11,
      network: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }],
    });
    const fresh = new DqnAgent(minatar, [10, 10, 4], 3);
    mkdirSync(join(root, 'breakout-agent'), { recursive: true });
    writeFileSync(join(root, 'breakout-agent', 'config.json'), JSON.stringify(minatar));
    saveAgentDir(join(root, 'breakout-agent', 'final'), fresh);
    fresh.dispose();
    mkdirSync(OUTPUT, { recursive: true });
    srv = await startViewerServer({ target: root, port: 0 });
    browser = await launchChromium();
    ({ page, pageErrors, cspViolations } = await newWatchedPage(browser, { viewport: { width: 1280, height: 620 }, acceptDownloads: true }));
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the agent directory of runs that have one', async () => {
    const runs = ((await (await fetch(`${srv.url}api/runs`)).json()) as { runs: RunListing[] }).runs;
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get('cp-agent')?.agentDir).toBe('cp-agent/final');
    expect(byId.get('breakout-agent')?.agentDir).toBe('breakout-agent/final');
    expect(byId.get('breakout')?.agentDir).toBeNull();
  });

  it('CartPole, step mode: → pushes the cart right, ← left, one step per press, as the env stepped in Node', async () => {
    await open('?env=CartPole-v1&seed=3');
    expect(await page.textContent('#controls tbody')).toContain('push right');
    let s = await playState();
    expect([s.mode, s.envId, s.seed, s.steps]).toEqual(['step', 'CartPole-v1', 3, 0]);
    await press('ArrowRight', 4);
    await press(' '); // not a CartPole control: no step
    s = await playState();
    expect(s.actions).toEqual([1, 1, 1, 1]);
    expect(s.observation).toEqual(reference('CartPole-v1', 3, [1, 1, 1, 1]).observation);
    const right = s.observation[1];
    await press('r'); // new episode, same seed
    await press('ArrowLeft', 4);
    s = await playState();
    expect(s.actions).toEqual([0, 0, 0, 0]);
    expect(s.observation).toEqual(reference('CartPole-v1', 3, [0, 0, 0, 0]).observation);
    expect(right).toBeGreaterThan(0.5); // four pushes right: about +0.78 m/s
    expect(s.observation[1]).toBeLessThan(-0.5);
    expect(await page.getAttribute('#stage', 'data-steps')).toBe('4');
    // Holding a key repeats it (auto-repeat keydowns).
    await page.keyboard.down('ArrowRight');
    for (let i = 0; i < 3; i++) await page.keyboard.down('ArrowRight');
    await page.keyboard.up('ArrowRight');
    s = await playState();
    expect(s.actions).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Number(await page.textContent('#you-return'))).toBe(8);
  });

  it('MountainCar: holding → raises the velocity, the no-op key leaves it to gravity', async () => {
    await open('?env=MountainCar-v0&seed=1');
    await page.keyboard.down('ArrowRight');
    for (let i = 0; i < 14; i++) await page.keyboard.down('ArrowRight');
    await page.keyboard.up('ArrowRight');
    let s = await playState();
    expect(s.actions).toEqual(Array(15).fill(2));
    const ref = reference('MountainCar-v0', 1, s.actions);
    expect(s.observation).toEqual(ref.observation);
    const pushed = s.observation[1];
    await press('r');
    await press('.', 15);
    s = await playState();
    expect(s.actions).toEqual(Array(15).fill(1));
    expect(s.observation).toEqual(reference('MountainCar-v0', 1, s.actions).observation);
    // Full throttle to the right beats coasting by 15 × 0.001 m/s minus what gravity takes back.
    expect(pushed - s.observation[1]).toBeGreaterThan(0.01);
    expect(pushed).toBeGreaterThan(0);
  });

  it('MinAtar Breakout, step mode: ←/→ move the paddle one cell, the no-op key leaves it; Save replay downloads a valid replay the viewer plays', async () => {
    const options = { stickyActionProb: 0 };
    await open(`?env=MinAtar/Breakout-v1&seed=1&mode=step&options=${encodeURIComponent(JSON.stringify(options))}`);
    const paddle = async (): Promise<number> => cellX((await playState()).observation, 4, 0, 9);
    const x0 = await paddle();
    expect(x0).toBeGreaterThanOrEqual(2);
    const moves: [string, number][] = [['ArrowRight', 1], ['ArrowRight', 1], ['.', 0], ['ArrowLeft', -1], ['ArrowLeft', -1], ['ArrowLeft', -1], ['.', 0]];
    let x = x0;
    for (const [key, dx] of moves) {
      await press(key);
      const now = await paddle();
      expect(now, `${key} from column ${x}`).toBe(x + dx);
      x = now;
    }
    const s = await playState();
    // Breakout-v1's minimal set: 0 noop, 1 left, 2 right.
    const pressed = [2, 2, 0, 1, 1, 1, 0];
    expect(s.actions).toEqual(pressed);
    expect(s.observation).toEqual(reference('MinAtar/Breakout-v1', 1, pressed, options).observation);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toBe('play-MinAtar-Breakout-v1-seed1.json');
    const text = readFileSync((await download.path())!, 'utf8');
    const parsed = replaySchema.safeParse(JSON.parse(text));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    const replay = parsed.data!;
    expect(replay.steps.map((st) => st.action)).toEqual(pressed);
    expect(replay.steps.map((st) => st.actionName)).toEqual(['right', 'right', 'noop', 'left', 'left', 'left', 'noop']);
    expect([replay.env.id, replay.seed, replay.length, replay.return]).toEqual(['MinAtar/Breakout-v1', 1, 7, s.return]);
    expect(checkReplay('played.json', text).ok).toBe(true);

    // Dropped into a run's replays/ folder, the replay viewer lists it and shows the actions.
    mkdirSync(join(root, 'played', 'replays'), { recursive: true });
    writeFileSync(join(root, 'played', 'replays', download.suggestedFilename()), text);
    await page.goto(`${srv.url}?run=played`);
    await waitReady(page);
    await expect.poll(() => page.textContent('#episode-title')).toContain('play-MinAtar-Breakout-v1-seed1.json');
    expect(await page.textContent('#step-counter')).toBe('Step 0 / 7');
    for (let i = 0; i < pressed.length; i++) {
      expect(await page.textContent('#info-action'), `step ${i}`).toBe(`${pressed[i]} (${replay.steps[i].actionName})`);
      await page.keyboard.press('ArrowRight');
    }
  });

  it('MinAtar Freeway, real time: holding ↑ moves the chicken up; with no key held the steps are no-ops', async () => {
    await open('?env=MinAtar/Freeway-v1&seed=2&rate=20');
    let s = await playState();
    expect([s.mode, s.rate, s.running, s.steps]).toEqual(['realtime', 20, false, 0]);
    await page.keyboard.down('ArrowUp'); // the first control key starts the clock
    await expect.poll(async () => (await playState()).steps, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(12);
    const held = (await playState()).steps; // every one of these steps was taken with ↑ down
    await page.keyboard.up('ArrowUp');
    await expect.poll(async () => (await playState()).steps, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(held + 6);
    await page.keyboard.press('p'); // pause
    s = await playState();
    expect(s.running).toBe(false);
    const paused = s.steps;
    await page.waitForTimeout(300);
    s = await playState();
    expect(s.steps).toBe(paused);
    // Freeway-v1: 0 noop, 1 up, 2 down. Up while held, then the idle no-op.
    const ups = s.actions.findIndex((a) => a !== 1);
    expect(ups).toBeGreaterThanOrEqual(held);
    expect(s.actions.slice(ups).every((a) => a === 0)).toBe(true);
    expect(s.observation).toEqual(reference('MinAtar/Freeway-v1', 2, s.actions, {}).observation);
    // The chicken (channel 0, column 4) rose: replay the actions in Node and track its row (on
    // this seed twelve ups take it from row 9 to row 6; it moves every fourth step).
    const env = make('MinAtar/Freeway-v1');
    env.reset({ seed: 2 });
    const rows: number[] = [];
    for (const a of s.actions.slice(0, ups)) rows.push(cellY(Array.from(env.step(a).observation), 7, 0, 4));
    expect(Math.min(...rows)).toBeLessThanOrEqual(7);
    expect(await page.textContent('#controls tbody')).toMatch(/↑.*up/);
  });

  it('bad settings get a message naming the field and what is allowed', async () => {
    await open(`?env=MinAtar/Breakout-v1&options=${encodeURIComponent('{"sticky": 1}')}`);
    expect(await page.textContent('#messages')).toContain('MinAtar/Breakout-v1: invalid options: unknown option sticky (allowed: stickyActionProb, difficultyRamping)');
    await page.fill('#env-options', '{"stickyActionProb": 0}');
    await page.press('#env-options', 'Enter');
    await expect.poll(() => page.textContent('#messages')).toBe('');
    await page.fill('#seed', '-3');
    await page.press('#seed', 'Enter');
    expect(await page.textContent('#messages')).toContain('seed: must be a whole number from 0 to 4294967295, got "-3"');
    await open('?env=Pong-v5');
    expect(await page.textContent('#messages')).toMatch(/^env: unknown id "Pong-v5"; known: CartPole-v1, /);
  });

  it('the agent beside you: a trained CartPole agent and a MinAtar agent play your seed greedily, the page shows the return Node computes', async () => {
    for (const [run, seed] of [['cp-agent', 5], ['breakout-agent', 9]] as const) {
      await open(`?run=${run}&seed=${seed}`);
      await expect.poll(() => page.textContent('#agent-return'), { timeout: 20_000 }).not.toBe('–');
      const agent = await loadAgent(join(root, run, 'final'));
      const env = make(agent.config.env, agent.config.envOptions as MakeOptions);
      let obs: ArrayLike<number> = env.reset({ seed }).observation;
      let ret = 0, length = 0;
      for (;;) {
        const r = env.step(agent.predict(obs));
        ret += r.reward;
        length++;
        obs = r.observation;
        if (r.terminated || r.truncated) break;
      }
      agent.dispose();
      const s = await playState();
      expect(s.envId).toBe(agent.config.env);
      expect(s.seed).toBe(seed);
      expect(s.agent).toMatchObject({ run, seed, return: ret, length });
      expect(Number(await page.textContent('#agent-return')), run).toBe(ret);
      expect(Number(await page.textContent('#agent-steps')), run).toBe(length);
      expect(await page.textContent('#agent-note')).toContain(`on seed ${seed}`);
    }
    // A new seed: the agent plays that one.
    await page.fill('#seed', '10');
    await page.press('#seed', 'Enter');
    await expect.poll(async () => (await playState()).agent?.seed).toBe(10);
  });

  it('plays a MinAtar episode with the agent beside it and saves the screenshot for the docs', async () => {
    await open('?run=breakout-agent&seed=9&mode=step');
    // Play it: move the paddle to where the ball will come down (channels: paddle, ball, trail, brick).
    let s = await playState();
    for (let t = 0; t < 200 && s.return < 3 && !s.terminated; t++) {
      const aim = breakoutLanding(s.observation), paddle = cellX(s.observation, 4, 0, 9);
      await press(aim > paddle ? 'ArrowRight' : aim < paddle ? 'ArrowLeft' : '.');
      s = await playState();
    }
    expect(s.return).toBe(3);
    expect(s.observation).toEqual(reference('MinAtar/Breakout-v1', 9, s.actions).observation);
    expect(await page.textContent('#you-return')).toBe(String(s.return));
    const file = join(OUTPUT, 'viewer-play.png');
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeLessThan(200_000);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
