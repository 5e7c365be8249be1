/**
 * The viewer server without a browser: run discovery, episode listing, incremental metrics with
 * partial lines, replay-file mode, and that nothing outside the root can be read.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHostHeaders, isLoopbackHost, readMetricsChunk, runKind, startViewerServer, type ViewerServer } from '../viewer/server';
import { exposureWarning } from '../cli/commands/view';
import type { EpisodeListing, MetricsChunk, RunListing, ViewerInfo } from '../viewer/src/api-types';

const FIXTURES = new URL('./fixtures/runs/', import.meta.url).pathname;
const KEIKO = new URL('../bin/keiko.js', import.meta.url).pathname;
const SECRET = 'TOP-SECRET-must-not-leak';

/**
 * A raw HTTP/1.1 GET over a socket: the path goes out byte for byte, unlike fetch, which normalises
 * it, and so does the Host header (default: 127.0.0.1:PORT, what a browser sends).
 */
function rawGet(port: number, rawPath: string, host = `127.0.0.1:${port}`, address = '127.0.0.1'): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address, () => {
      socket.write(`GET ${rawPath} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer for ${rawPath}`)));
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const head = data.slice(0, data.indexOf('\r\n\r\n'));
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
  });
}

async function getJson<T>(srv: ViewerServer, path: string): Promise<T> {
  const res = await fetch(new URL(path, srv.url));
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe('viewer server', () => {
  let tmp: string;
  let root: string;
  let srv: ViewerServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'keiko-viewer-server-'));
    root = join(tmp, 'runs');
    cpSync(FIXTURES, root, { recursive: true });
    writeFileSync(join(tmp, 'secret.txt'), SECRET);
    mkdirSync(join(tmp, 'dist'));
    writeFileSync(join(tmp, 'dist', 'index.html'), '<!doctype html><title>Keiko viewer</title>');
    writeFileSync(join(tmp, 'dist', 'lab-worker.js'), '// the lab worker');
    // Symlinks out of the root, to a file and to a directory.
    symlinkSync(join(tmp, 'secret.txt'), join(root, 'cartpole', 'leak.json'));
    symlinkSync(tmp, join(root, 'outside'));
    srv = await startViewerServer({ target: root, port: 0, distDir: join(tmp, 'dist') });
  });

  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 only by default', async () => {
    const address = srv.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/`);
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(srv.port, external.address);
        s.on('connect', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(true));
      });
      expect(refused, `connection on ${external.address} must be refused`).toBe(true);
    }
  });

  it('discovers run directories recursively, sweep sub-folders included', async () => {
    const { runs } = await getJson<{ runs: RunListing[] }>(srv, '/api/runs');
    expect(runs.map((r) => r.id)).toEqual(['acrobot', 'breakout', 'cartpole', 'custom', 'gan', 'mountaincar', 'supervised', 'sweep/lr-0.0003', 'sweep/lr-0.001']);
    const cart = runs.find((r) => r.id === 'cartpole')!;
    expect(cart.env).toBe('CartPole-v1');
    expect(cart.kind).toBe('rl');
    expect(cart.replayCount).toBe(5);
    expect(cart.metricsSize).toBe(readFileSync(join(root, 'cartpole', 'metrics.jsonl')).length);
    const info = await getJson<ViewerInfo>(srv, '/api/info');
    expect(info).toEqual({ mode: 'runs', rootName: 'runs', initialEpisode: null });
  });

  it('tells supervised and GAN run folders from training runs', async () => {
    const { runs } = await getJson<{ runs: RunListing[] }>(srv, '/api/runs');
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(runs.filter((r) => r.kind !== 'rl').map((r) => [r.id, r.kind, r.dataset])).toEqual([['gan', 'gan', 'ring'], ['supervised', 'supervised', 'spiral']]);
    expect(byId.get('supervised')).toMatchObject({ env: null, replayCount: 0, latestSample: null, summary: { testAccuracy: 0.9833 } });
    // The newest sample plot, servable through /files/.
    expect(byId.get('gan')).toMatchObject({ env: null, replayCount: 0, latestSample: 'gan/samples/step-000800.png' });
    const png = await fetch(new URL('/files/gan/samples/step-000800.png', srv.url));
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    // Their model and sample folders are not searched for runs.
    expect(runs.some((r) => /\/(model|generator|samples)$/.test(r.id))).toBe(false);
    expect((await getJson<{ episodes: EpisodeListing[] }>(srv, '/api/episodes?run=gan')).episodes).toEqual([]);
    // From what the commands write, alone or in part (a run still going has no summary yet).
    const none = new Set<string>();
    expect(runKind({ env: 'CartPole-v1' }, null, none)).toBe('rl');
    expect(runKind(null, null, new Set(['replays']))).toBe('rl');
    expect(runKind({ dataset: 'mnist', latentDim: 64, steps: 10 }, null, none)).toBe('gan');
    expect(runKind(null, { dataset: 'ring', finalLosses: null }, none)).toBe('gan');
    expect(runKind({ dataset: 'ring' }, null, new Set(['samples']))).toBe('gan');
    expect(runKind({ dataset: 'spiral', epochs: 3, model: 'mlp' }, null, none)).toBe('supervised');
    expect(runKind(null, { testAccuracy: 0.9 }, none)).toBe('supervised');
    expect(runKind(null, null, new Set(['metrics.jsonl']))).toBe('rl');
  });

  it('lists episodes with return, length, training step and kind, flagging unreadable files', async () => {
    const { episodes } = await getJson<{ episodes: EpisodeListing[] }>(srv, '/api/episodes?run=cartpole');
    const byName = new Map(episodes.map((e) => [e.name, e]));
    const evalFile = 'eval-step000020000.json';
    const replay = JSON.parse(readFileSync(join(root, 'cartpole', 'replays', evalFile), 'utf8'));
    expect(byName.get(evalFile)).toMatchObject({ file: `cartpole/replays/${evalFile}`, kind: 'eval', trainingStep: 20000, return: replay.return, length: replay.length, error: null });
    expect(byName.get('train-ep000003-step000002000.json')).toMatchObject({ kind: 'train', episode: 3, trainingStep: 2000 });
    // The truncated file: metadata from its name, and the JSON problem.
    expect(byName.get('train-ep000008-step000009500.json')).toMatchObject({ kind: 'train', episode: 8, trainingStep: 9500, return: null });
    expect(byName.get('train-ep000008-step000009500.json')!.error).toMatch(/not valid JSON/);
    const steps = episodes.filter((e) => e.trainingStep !== null).map((e) => e.trainingStep!);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect((await fetch(new URL('/api/episodes?run=../secret', srv.url))).status).toBe(404);
  });

  it('serves run files and the app, and never anything outside the root', async () => {
    const ok = await rawGet(srv.port, '/files/cartpole/config.json');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).env).toBe('CartPole-v1');
    expect((await rawGet(srv.port, '/')).body).toContain('Keiko viewer');
    const attacks = [
      '/../../etc/passwd',
      '/files/../../etc/passwd',
      '/files/../secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/files/%2e%2e/secret.txt',
      '/files/%2e%2e%2fsecret.txt',
      '/files/..%2fsecret.txt',
      '/files/%252e%252e/secret.txt',
      '/files/%252e%252e%252fsecret.txt',
      '/files/..\\secret.txt',
      '/files/%5c..%5csecret.txt',
      '/files/cartpole/..%5c..%5csecret.txt',
      '/files/secret.txt%00.json',
      '/files/cartpole/config.json%00',
      '/files//etc/passwd',
      '/files/%2fetc%2fpasswd',
      '/files/cartpole/leak.json', // symlink to a file outside
      '/files/outside/secret.txt', // symlink to a directory outside
      '/%2e%2e/secret.txt',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/files/%c0%ae%c0%ae/secret.txt', // overlong UTF-8
      '/no/such/path',
    ];
    for (const path of attacks) {
      const res = await rawGet(srv.port, path);
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toMatch(/root:.*:0:0:/);
    }
    expect((await rawGet(srv.port, '/files/cartpole/leak.json')).status).toBe(404);
    const post = await fetch(new URL('/api/runs', srv.url), { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('refuses a foreign Host header (DNS rebinding) and serves the loopback names', async () => {
    const p = srv.port;
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`, `LocalHost:${p}`]) {
      const res = await rawGet(p, '/api/info', host);
      expect(res.status, host).toBe(200);
      expect(JSON.parse(res.body).rootName, host).toBe('runs');
    }
    const foreign = [
      `evil.example:${p}`,
      'evil.example',
      `127.0.0.1:${p + 1}`, // the right name, a wrong port
      `localhost:${p === 65535 ? p - 1 : p + 1}`,
      '127.0.0.1', // no port (the server is not on 80)
      `localhost.evil.example:${p}`,
      `127.0.0.1.nip.io:${p}`,
      `127.0.0.1:${p}@evil.example`,
      '',
    ];
    for (const host of foreign) {
      for (const path of ['/', '/api/runs', '/files/cartpole/config.json']) {
        const res = await rawGet(p, path, host);
        expect([403, 421], `Host: ${host} ${path} → ${res.status}`).toContain(res.status);
        expect(res.headers['content-type'], host).toMatch(/^text\/plain/);
        expect(res.body, host).not.toMatch(/CartPole|cartpole|Keiko viewer/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    }
    // What the server accepts, by bound address (nothing non-loopback is bound here).
    expect(allowedHostHeaders('127.0.0.1', 8765)).toEqual(new Set(['127.0.0.1:8765', 'localhost:8765', '[::1]:8765']));
    expect(allowedHostHeaders('::1', 8765)).toEqual(new Set(['[::1]:8765', '127.0.0.1:8765', 'localhost:8765']));
    expect(allowedHostHeaders('192.168.1.5', 8765)).toEqual(new Set(['192.168.1.5:8765']));
    expect(allowedHostHeaders('myhost.lan', 80)).toEqual(new Set(['myhost.lan:80', 'myhost.lan']));
    const any = allowedHostHeaders('0.0.0.0', 8765);
    expect(any.has('127.0.0.1:8765') && any.has('localhost:8765')).toBe(true);
    expect(any.has('0.0.0.0:8765') || any.has('evil.example:8765')).toBe(false);
  });

  it('bound to [::1], answers its loopback names and refuses others', async (ctx) => {
    let v6: ViewerServer;
    try {
      v6 = await startViewerServer({ target: root, port: 0, host: '::1', distDir: join(tmp, 'dist') });
    } catch {
      return ctx.skip(); // no IPv6 loopback here
    }
    try {
      expect(v6.url).toBe(`http://[::1]:${v6.port}/`);
      expect((await rawGet(v6.port, '/api/info', `[::1]:${v6.port}`, '::1')).status).toBe(200);
      expect((await rawGet(v6.port, '/api/info', `localhost:${v6.port}`, '::1')).status).toBe(200);
      expect((await rawGet(v6.port, '/api/info', `evil.example:${v6.port}`, '::1')).status).toBe(421);
    } finally {
      await v6.close();
    }
  });

  it('sends a strict Content-Security-Policy and nosniff on the page, a replay and the API', async () => {
    const csp = (value: string | undefined): Map<string, string> =>
      new Map((value ?? '').split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1).join(' ')]));
    for (const path of ['/', '/files/cartpole/replays/eval-step000020000.json', '/api/runs', '/no/such/path']) {
      const res = await rawGet(srv.port, path);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      const policy = csp(res.headers['content-security-policy']);
      expect(policy.get('default-src'), path).toBe("'self'");
      expect(policy.get('script-src'), path).toMatch(/^'self'( 'unsafe-eval')?( 'wasm-unsafe-eval')?$/);
      expect(policy.get('script-src'), path).not.toMatch(/unsafe-inline|\*|data:|https?:/);
      expect(policy.get('connect-src'), path).toBe("'self'");
      expect(policy.get('img-src'), path).toBe("'self' data: blob:");
      expect(policy.get('object-src'), path).toBe("'none'");
      expect(policy.get('base-uri'), path).toBe("'none'");
      expect(policy.get('frame-ancestors'), path).toBe("'none'");
    }
    // Cross-origin isolated (the lab's wasm threads); only the lab's worker script may load blob: scripts.
    for (const path of ['/', '/lab-worker.js', '/api/runs']) {
      const res = await rawGet(srv.port, path);
      expect([res.headers['cross-origin-opener-policy'], res.headers['cross-origin-embedder-policy']], path).toEqual(['same-origin', 'require-corp']);
      expect(csp(res.headers['content-security-policy']).get('script-src'), path).toBe(path === '/lab-worker.js' ? "'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'" : "'self' 'unsafe-eval' 'wasm-unsafe-eval'");
    }
    const replay = await rawGet(srv.port, '/files/cartpole/replays/eval-step000020000.json');
    expect([replay.status, replay.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
    // An absolute-form request target is refused, whatever it names.
    expect((await rawGet(srv.port, `http://127.0.0.1:${srv.port}/`)).status).toBe(400);
  });

  it('warns when --host is not loopback, and only then', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(exposureWarning(host, '/runs'), host).toBeNull();
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'fe80::1', '::ffff:10.0.0.1', 'myhost.lan', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(exposureWarning(host, '/runs'), host).toMatch(new RegExp(`warning: listening on ${host.replace(/[.:[\]]/g, '\\$&')}, not loopback: .*network.*/runs`));
    }
  });

  it('returns complete metrics lines only and resumes from the byte offset', async () => {
    const run = join(root, 'live');
    mkdirSync(run);
    writeFileSync(join(run, 'config.json'), JSON.stringify({ env: 'CartPole-v1' }));
    const l1 = JSON.stringify({ type: 'episode', step: 10, episode: 0, return: 10, length: 10 });
    const l2 = JSON.stringify({ type: 'eval', step: 20, meanReturn: 15, stdReturn: 2, episodes: 3 });
    const l3 = JSON.stringify({ type: 'train', step: 20, loss: 0.5, qMean: 1, epsilon: 0.9, sps: 100 });
    writeFileSync(join(run, 'metrics.jsonl'), `${l1}\nnot json\n${l2}\n${l3.slice(0, 15)}`);
    const first = await getJson<MetricsChunk>(srv, '/api/metrics?run=live&from=0');
    expect(first.lines).toEqual([JSON.parse(l1), JSON.parse(l2)]);
    expect(first.skipped).toBe(1);
    expect(first.next).toBe(Buffer.byteLength(`${l1}\nnot json\n${l2}\n`));
    const runs = await getJson<{ runs: RunListing[] }>(srv, '/api/runs');
    const sigBefore = runs.runs.find((r) => r.id === 'live')!.metricsSignature;
    appendFileSync(join(run, 'metrics.jsonl'), `${l3.slice(15)}\n`);
    const second = await getJson<MetricsChunk>(srv, `/api/metrics?run=live&from=${first.next}`);
    expect(second.lines).toEqual([JSON.parse(l3)]);
    expect(second.reset).toBe(false);
    const sigAfter = (await getJson<{ runs: RunListing[] }>(srv, '/api/runs')).runs.find((r) => r.id === 'live')!.metricsSignature;
    expect(sigAfter).not.toBe(sigBefore);
    // A file replaced by a shorter one starts over.
    writeFileSync(join(run, 'metrics.jsonl'), `${l1}\n`);
    const third = await readMetricsChunk(join(run, 'metrics.jsonl'), second.next);
    expect(third).toMatchObject({ reset: true, lines: [JSON.parse(l1)] });
    expect((await fetch(new URL('/api/metrics?run=live&from=-1', srv.url))).status).toBe(400);
  });

  it('picks up replays renamed into place and ignores temp files', async () => {
    const dir = join(root, 'cartpole', 'replays');
    const src = readFileSync(join(dir, 'eval-step000020000.json'), 'utf8');
    const tmpName = join(dir, '.eval-step000030000.json.123.tmp');
    writeFileSync(tmpName, src.slice(0, 100));
    let { episodes } = await getJson<{ episodes: EpisodeListing[] }>(srv, '/api/episodes?run=cartpole');
    expect(episodes.some((e) => e.name.includes('000030000'))).toBe(false);
    writeFileSync(tmpName, src.replace('"trainingStep":20000', '"trainingStep":30000'));
    renameSync(tmpName, join(dir, 'eval-step000030000.json'));
    ({ episodes } = await getJson<{ episodes: EpisodeListing[] }>(srv, '/api/episodes?run=cartpole'));
    expect(episodes.at(-1)).toMatchObject({ name: 'eval-step000030000.json', trainingStep: 30000, error: null });
    // A tagged name (the trainer's final evaluation) still parses; a truncated one is listed by its name.
    writeFileSync(join(dir, 'eval-step000040000-final.json'), src.slice(0, 50));
    ({ episodes } = await getJson<{ episodes: EpisodeListing[] }>(srv, '/api/episodes?run=cartpole'));
    expect(episodes.at(-1)).toMatchObject({ name: 'eval-step000040000-final.json', kind: 'eval', trainingStep: 40000 });
  });

  it('serves a replay file inside a run as that run, opening the file first', async () => {
    const one = await startViewerServer({ target: join(root, 'breakout', 'replays', 'eval-step000020000.json'), port: 0, distDir: join(tmp, 'dist') });
    try {
      expect(await getJson<ViewerInfo>(one, '/api/info')).toEqual({ mode: 'run', rootName: 'breakout', initialEpisode: 'replays/eval-step000020000.json' });
      expect((await getJson<{ runs: RunListing[] }>(one, '/api/runs')).runs.map((r) => r.id)).toEqual(['.']);
      expect((await getJson<MetricsChunk>(one, '/api/metrics?run=.&from=0')).lines.length).toBeGreaterThan(10);
    } finally {
      await one.close();
    }
  });

  it('serves a lone replay file with its folder as the root', async () => {
    mkdirSync(join(tmp, 'loose'));
    const file = join(tmp, 'loose', 'eval-step000020000.json');
    cpSync(join(root, 'breakout', 'replays', 'eval-step000020000.json'), file);
    writeFileSync(join(tmp, 'loose', 'notes.txt'), 'x');
    const one = await startViewerServer({ target: file, port: 0, distDir: join(tmp, 'dist') });
    try {
      const info = await getJson<ViewerInfo>(one, '/api/info');
      expect(info).toEqual({ mode: 'replay', rootName: 'loose', initialEpisode: 'eval-step000020000.json' });
      const { episodes } = await getJson<{ episodes: EpisodeListing[] }>(one, '/api/episodes?run=.');
      expect(episodes.map((e) => e.file)).toEqual(['eval-step000020000.json']);
      expect((await rawGet(one.port, '/files/eval-step000020000.json')).status).toBe(200);
      expect((await rawGet(one.port, '/files/../secret.txt')).status).toBe(404);
    } finally {
      await one.close();
    }
  });

  it('refuses a target that does not exist, naming it', async () => {
    await expect(startViewerServer({ target: join(tmp, 'nope'), port: 0, distDir: join(tmp, 'dist') })).rejects.toThrow(/no such file or directory: .*nope/);
  });

  it('keiko view prints the URL, serves the runs and stops on SIGTERM; bad input is a clear error', async () => {
    const child = spawn(process.execPath, [KEIKO, 'view', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
        child.stdout.on('data', (d) => {
          out += d;
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        });
        child.on('exit', (code) => reject(new Error(`keiko view exited with ${code}: ${out}`)));
      });
      const { runs } = (await (await fetch(new URL('/api/runs', url))).json()) as { runs: RunListing[] };
      expect(runs.map((r) => r.id)).toContain('sweep/lr-0.001');
      expect(await (await fetch(url)).text()).toContain('<title>Keiko viewer</title>');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const missing = spawnSync(process.execPath, [KEIKO, 'view', join(tmp, 'missing-run'), '--port', '0'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^keiko: keiko view .*missing-run: no such file or directory/m);
    expect(missing.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    const badPort = spawnSync(process.execPath, [KEIKO, 'view', root, '--port', 'http'], { encoding: 'utf8' });
    expect(badPort.status).not.toBe(0);
    expect(badPort.stderr).toContain('--port must be an integer from 0 to 65535');
  });
});
