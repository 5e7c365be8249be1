/**
 * Live runs pushed by server-sent events (GET /api/events): the event format, one event per
 * complete appended line, replay files appearing by rename (temp files ignored), resuming from
 * Last-Event-ID, watchers closed with the stream, the server's hardening on the new route; then
 * in headless Chromium: new lines and replays appear without any polling, and the page follows
 * a restarted server.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewer } from '../viewer/build';
import { formatEvent, parseStreamRequest } from '../viewer/live-events';
import { startViewerServer, type ViewerServer } from '../viewer/server';
import type { EpisodesEvent, MetricsEvent, RunsEvent } from '../viewer/src/api-types';
import { launchChromium, newWatchedPage, waitReady } from './helpers/browser';

const FIXTURES = new URL('./fixtures/runs/', import.meta.url).pathname;

interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/** A raw text/event-stream reader over node:http (the parser is the format's, by hand, on purpose). */
interface Stream {
  res: IncomingMessage;
  raw: () => string;
  events: SseEvent[];
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

function openStream(port: number, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let raw = '';
      let buffer = '';
      const events: SseEvent[] = [];
      const waiters: { pred: (e: SseEvent) => boolean; done: (e: SseEvent) => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = block.split('\n').filter((l) => !l.startsWith(':'));
          const get = (name: string): string | null => fields.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
          if (get('event') === null) continue; // retry: or a comment
          const e = { event: get('event')!, id: get('id'), data: get('data') ?? '' };
          events.push(e);
          for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.done(e); }
        }
      });
      res.on('error', () => {});
      resolve({
        res,
        raw: () => raw,
        events,
        waitFor: (pred, timeoutMs = 3000) => {
          const seen = events.find(pred);
          if (seen) return Promise.resolve(seen);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`)), timeoutMs);
            waiters.push({ pred, done: (e) => { clearTimeout(timer); ok(e); } });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const line = (i: number): string => JSON.stringify({ type: 'episode', step: 30_000 + i * 10, episode: 1000 + i, return: 100 + i, length: 10 });

describe('viewer live events (server)', () => {
  let tmp: string;
  let root: string;
  let srv: ViewerServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'keiko-viewer-live-'));
    root = join(tmp, 'runs');
    cpSync(FIXTURES, root, { recursive: true });
    writeFileSync(join(tmp, 'secret.txt'), 'outside the root');
    // The disk check backs fs.watch up only once a minute here: what arrives quickly came by the watch.
    srv = await startViewerServer({ target: root, port: 0, distDir: join(tmp), live: { heartbeatMs: 150, checkMs: 60_000, retryMs: 250 } });
  });

  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('parses run/from/episodes and Last-Event-ID, refusing bad offsets with a clear message', () => {
    expect(parseStreamRequest(new URLSearchParams('run=a&from=5&run=b&from=0&episodes=a'), undefined)).toEqual({ runs: [{ id: 'a', from: 5 }, { id: 'b', from: 0 }], episodes: 'a' });
    expect(parseStreamRequest(new URLSearchParams('run=a&run=b'), undefined)).toEqual({ runs: [{ id: 'a', from: 0 }, { id: 'b', from: 0 }], episodes: null });
    // A reconnect resumes from the offsets of the last event it got.
    expect(parseStreamRequest(new URLSearchParams('run=a&from=5&run=b&from=0'), '70,12')).toMatchObject({ runs: [{ id: 'a', from: 70 }, { id: 'b', from: 12 }] });
    expect(parseStreamRequest(new URLSearchParams('run=a&from=5'), 'junk')).toMatchObject({ runs: [{ id: 'a', from: 5 }] });
    expect(parseStreamRequest(new URLSearchParams('run=a&from=-1'), undefined)).toBe('from must be a non-negative integer');
    expect(parseStreamRequest(new URLSearchParams('run=a&run=b&from=1'), undefined)).toMatch(/^from must be given once per run \(2\)/);
    expect(formatEvent('metrics', { a: 1 }, '7')).toBe('event: metrics\nid: 7\ndata: {"a":1}\n\n');
  });

  it('streams text/event-stream with retry, heartbeats, the run list and the episode list at connect', async () => {
    const size = statSync(join(root, 'cartpole', 'metrics.jsonl')).size;
    const s = await openStream(srv.port, `/api/events?run=cartpole&from=${size}&episodes=cartpole`);
    try {
      expect(s.res.statusCode).toBe(200);
      expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(s.res.headers['x-content-type-options']).toBe('nosniff');
      expect(s.res.headers['content-security-policy']).toContain("default-src 'self'");
      const runs = JSON.parse((await s.waitFor((e) => e.event === 'runs')).data) as RunsEvent;
      expect(runs.runs.map((r) => r.id)).toContain('sweep/lr-0.001');
      const eps = JSON.parse((await s.waitFor((e) => e.event === 'episodes')).data) as EpisodesEvent;
      expect(eps.run).toBe('cartpole');
      expect(eps.episodes).toHaveLength(5);
      await sleep(400);
      expect(s.raw().startsWith('retry: 250\n\n')).toBe(true);
      expect(s.raw()).toContain(': keep-alive\n\n');
      // Nothing was appended after `from`: no metrics event.
      expect(s.events.filter((e) => e.event === 'metrics')).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('sends one metrics event per appended complete line; a partial line waits for its newline', async () => {
    const file = join(root, 'cartpole', 'metrics.jsonl');
    const from = statSync(file).size;
    const s = await openStream(srv.port, `/api/events?run=cartpole&from=${from}&run=mountaincar&from=0`);
    try {
      // mountaincar from 0: its whole file in one event at connect.
      const mc = JSON.parse((await s.waitFor((e) => e.event === 'metrics' && JSON.parse(e.data).run === 'mountaincar')).data) as MetricsEvent;
      expect(mc.lines.length).toBe(readFileSync(join(root, 'mountaincar', 'metrics.jsonl'), 'utf8').trim().split('\n').length);
      const metrics = (): MetricsEvent[] => s.events.filter((e) => e.event === 'metrics').map((e) => JSON.parse(e.data) as MetricsEvent).filter((e) => e.run === 'cartpole');
      const t0 = performance.now();
      appendFileSync(file, `${line(0)}\n`);
      const first = await s.waitFor((e) => e.event === 'metrics' && JSON.parse(e.data).run === 'cartpole', 1500);
      console.log(`viewer live: a metrics line reached the stream ${(performance.now() - t0).toFixed(0)} ms after it was written (fs.watch)`);
      const ev = JSON.parse(first.data) as MetricsEvent;
      expect(ev).toMatchObject({ run: 'cartpole', from, next: from + line(0).length + 1, skipped: 0, reset: false });
      expect(ev.lines).toEqual([JSON.parse(line(0))]);
      // The id is every watched run's offset: cartpole's, then mountaincar's.
      expect(first.id).toBe(`${from + line(0).length + 1},${statSync(join(root, 'mountaincar', 'metrics.jsonl')).size}`);
      // Half a line: no event until its newline arrives.
      appendFileSync(file, line(1).slice(0, 25));
      await sleep(500);
      expect(metrics()).toHaveLength(1);
      appendFileSync(file, `${line(1).slice(25)}\n`);
      await expect.poll(() => metrics().length, { timeout: 1500, interval: 50 }).toBe(2);
      expect(metrics()[1].lines).toEqual([JSON.parse(line(1))]);
      expect(metrics()[1].from).toBe(metrics()[0].next);
      // Two lines in one write: one event with both.
      appendFileSync(file, `${line(2)}\n${line(3)}\n`);
      await expect.poll(() => metrics().length, { timeout: 1500, interval: 50 }).toBe(3);
      expect(metrics()[2].lines).toEqual([JSON.parse(line(2)), JSON.parse(line(3))]);
    } finally {
      s.close();
    }
  });

  it('resumes from Last-Event-ID without repeating lines', async () => {
    const file = join(root, 'cartpole', 'metrics.jsonl');
    const at = statSync(file).size;
    appendFileSync(file, `${line(10)}\n${line(11)}\n`);
    // The URL still says from=0; the reconnect's Last-Event-ID (the offset it had got to) wins.
    const s = await openStream(srv.port, '/api/events?run=cartpole&from=0', { 'Last-Event-ID': String(at) });
    try {
      const ev = JSON.parse((await s.waitFor((e) => e.event === 'metrics')).data) as MetricsEvent;
      expect(ev.from).toBe(at);
      expect(ev.lines).toEqual([JSON.parse(line(10)), JSON.parse(line(11))]);
    } finally {
      s.close();
    }
  });

  it('sends the episode list when a replay is renamed into place, not for the temp file of the write', async () => {
    const dir = join(root, 'cartpole', 'replays');
    const s = await openStream(srv.port, '/api/events?episodes=cartpole');
    try {
      await s.waitFor((e) => e.event === 'episodes');
      const src = readFileSync(join(dir, 'eval-step000020000.json'), 'utf8');
      // The recorder's atomic write (node/atomic.ts): `.<name>.<pid>.<ms>.tmp`, then a rename.
      const tmpName = `.eval-step000040000.json.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(join(dir, tmpName), src.replace('"trainingStep":20000', '"trainingStep":40000'));
      await sleep(500);
      expect(s.events.filter((e) => e.event === 'episodes')).toHaveLength(1);
      const t0 = performance.now();
      renameSync(join(dir, tmpName), join(dir, 'eval-step000040000.json'));
      const ev = JSON.parse((await s.waitFor((e) => e.event === 'episodes' && e.data.includes('eval-step000040000.json'), 1500)).data) as EpisodesEvent;
      console.log(`viewer live: a renamed replay reached the stream after ${(performance.now() - t0).toFixed(0)} ms`);
      const names = ev.episodes.map((e) => e.name);
      expect(names).toContain('eval-step000040000.json');
      expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
      expect(ev.episodes.find((e) => e.name === 'eval-step000040000.json')).toMatchObject({ kind: 'eval', trainingStep: 40000 });
    } finally {
      s.close();
    }
  });

  it('finds changes by the disk check alone when watches are off', async () => {
    // Watches that never fire (some network file systems): the one-second check, here 200 ms, still finds the line.
    const quick = await startViewerServer({ target: root, port: 0, distDir: tmp, live: { heartbeatMs: 10_000, checkMs: 200, retryMs: 250, watch: false } });
    const file = join(root, 'acrobot', 'metrics.jsonl');
    const s = await openStream(quick.port, `/api/events?run=acrobot&from=${statSync(file).size}`);
    try {
      await s.waitFor((e) => e.event === 'runs');
      expect(quick.live).toEqual({ streams: 1, watchers: 0 });
      appendFileSync(file, `${line(20)}\n`);
      const ev = JSON.parse((await s.waitFor((e) => e.event === 'metrics', 2000)).data) as MetricsEvent;
      expect(ev.lines).toEqual([JSON.parse(line(20))]);
    } finally {
      s.close();
      await quick.close();
    }
  });

  it('closes its watchers when the page goes away', async () => {
    await expect.poll(() => srv.live.streams, { timeout: 3000 }).toBe(0);
    expect(srv.live.watchers).toBe(0);
    const streams = await Promise.all([0, 1, 2].map(() => openStream(srv.port, '/api/events?run=cartpole&run=mountaincar&episodes=cartpole')));
    await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'runs')));
    expect(srv.live.streams).toBe(3);
    // Per stream: cartpole/, cartpole/replays/, mountaincar/, mountaincar/replays/.
    expect(srv.live.watchers).toBe(12);
    for (const s of streams) s.close();
    await expect.poll(() => [srv.live.streams, srv.live.watchers], { timeout: 3000, interval: 50 }).toEqual([0, 0]);
  });

  it('keeps the hardening: Host check, only runs inside the root, bad offsets refused', async () => {
    const status = async (path: string, host = `127.0.0.1:${srv.port}`): Promise<number> => {
      const s = await openStream(srv.port, path, { Host: host });
      const code = s.res.statusCode ?? 0;
      s.close();
      return code;
    };
    expect(await status('/api/events?run=cartpole', `evil.example:${srv.port}`)).toBe(421);
    for (const run of ['..', '../secret.txt', '/etc', 'cartpole/../..', 'cartpole/replays', 'nope']) {
      expect(await status(`/api/events?run=${encodeURIComponent(run)}`), run).toBe(404);
    }
    expect(await status(`/api/events?episodes=${encodeURIComponent('../runs')}`)).toBe(404);
    expect(await status('/api/events?run=cartpole&from=x')).toBe(400);
    expect(srv.live.streams).toBe(0);
  });
});

describe('viewer live updates in headless Chromium', () => {
  let tmp: string;
  let root: string;
  let srv: ViewerServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const requests: string[] = [];

  beforeAll(async () => {
    await buildViewer();
    tmp = mkdtempSync(join(tmpdir(), 'keiko-viewer-live-browser-'));
    root = join(tmp, 'runs');
    cpSync(FIXTURES, root, { recursive: true });
    srv = await startViewerServer({ target: root, port: 0, live: { retryMs: 300 } });
    browser = await launchChromium();
    ({ page, pageErrors } = await newWatchedPage(browser, { viewport: { width: 1280, height: 1000 } }));
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const dots = async (): Promise<number> => ((await page.locator('#chart-returns g.series[data-name="cartpole episodes"] path.dots').getAttribute('d')) ?? '').split('M').length - 1;

  it('shows an appended metrics line within 2 s and a renamed replay within about 1 s, without polling', async () => {
    await page.goto(`${srv.url}?run=cartpole`);
    await waitReady(page);
    await expect.poll(() => page.getAttribute('#live-status', 'data-state'), { timeout: 5000 }).toBe('open');
    const loaded = requests.length;
    const before = await dots();
    const metrics = join(root, 'cartpole', 'metrics.jsonl');
    let t0 = performance.now();
    appendFileSync(metrics, `${line(0)}\n`);
    await expect.poll(dots, { timeout: 2000, interval: 25 }).toBe(before + 1);
    const lineMs = performance.now() - t0;
    // A replay, written as the recorder does: a temp name, then a rename into place.
    const dir = join(root, 'cartpole', 'replays');
    const src = JSON.parse(readFileSync(join(dir, 'eval-step000020000.json'), 'utf8'));
    const tmpName = `.eval-step000030000.json.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(join(dir, tmpName), JSON.stringify({ ...src, trainingStep: 30000 }));
    t0 = performance.now();
    renameSync(join(dir, tmpName), join(dir, 'eval-step000030000.json'));
    const fresh = page.locator('#episodes button[data-file="cartpole/replays/eval-step000030000.json"]');
    await expect.poll(() => fresh.count(), { timeout: 1500, interval: 25 }).toBe(1);
    const replayMs = performance.now() - t0;
    console.log(`viewer live (browser): new line drawn after ${lineMs.toFixed(0)} ms, new replay listed after ${replayMs.toFixed(0)} ms`);
    expect(await fresh.textContent()).toContain(`return ${src.return}`);
    // Three more seconds: no request at all (the old page asked /api/runs and /api/metrics every 2 s).
    await page.waitForTimeout(3000);
    const after = requests.slice(loaded);
    expect(after.filter((p) => p === '/api/metrics' || p === '/api/runs' || p === '/api/episodes')).toEqual([]);
    expect(requests.filter((p) => p === '/api/events')).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  it('reconnects after the server restarts and resumes without repeating lines', async () => {
    const before = await dots();
    const port = srv.port;
    await srv.close();
    await expect.poll(() => page.getAttribute('#live-status', 'data-state'), { timeout: 5000 }).not.toBe('open');
    const metrics = join(root, 'cartpole', 'metrics.jsonl');
    appendFileSync(metrics, `${line(1)}\n`); // written while the server is down
    await sleep(1500);
    srv = await startViewerServer({ target: root, port, live: { retryMs: 300 } });
    await expect.poll(() => page.getAttribute('#live-status', 'data-state'), { timeout: 10_000 }).toBe('open');
    appendFileSync(metrics, `${line(2)}\n`);
    // Both lines, each once.
    await expect.poll(dots, { timeout: 5000, interval: 50 }).toBe(before + 2);
    await page.waitForTimeout(1000);
    expect(await dots()).toBe(before + 2);
    expect(await page.locator('#messages .message').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
