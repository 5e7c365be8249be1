/**
 * The viewer's HTTP server (node:http, no framework): serves the built app from viewer/dist and,
 * read-only, the run files under one root directory, plus a small JSON API (see
 * viewer/src/api-types.ts). Nothing outside the root is ever served: request paths are decoded
 * once, `.`/`..`/empty segments, backslashes and NUL bytes are refused, and the real path of
 * every file (symlinks resolved) must lie inside the real root. Requests whose Host header does not
 * name the bound address and port are refused (421), which defeats DNS rebinding, and every
 * response carries a strict Content-Security-Policy and `X-Content-Type-Options: nosniff`.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EpisodeListing, MetricsChunk, RunKind, RunListing, ViewerInfo } from './src/api-types';
import { DEFAULT_LIVE_TIMING, LiveStream, parseStreamRequest, type LiveCounts, type LiveSource, type LiveTiming } from './live-events';

export const DEFAULT_VIEWER_PORT = 8765;
export const DEFAULT_VIEWER_HOST = '127.0.0.1';
export const VIEWER_DIST_DIR = fileURLToPath(new URL('./dist/', import.meta.url));

export interface ViewerTarget {
  /** The directory whose files are served (real path). */
  root: string;
  mode: ViewerInfo['mode'];
  /** When a replay file was given: its path relative to root, opened first. */
  initialEpisode: string | null;
}

/** What `keiko view PATH` serves: a replay file's folder, a run directory or a folder of runs. */
export function resolveViewerTarget(path: string): ViewerTarget {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`no such file or directory: ${path}`);
  const real = realpathSync(abs);
  const st = statSync(real);
  if (st.isFile()) {
    if (extname(real) !== '.json') throw new Error(`${path} is not a replay file (.json) or a directory`);
    // A replay inside a run's replays/ folder: serve the whole run, so its curves show too.
    const runDir = dirname(dirname(real));
    if (basename(dirname(real)) === 'replays' && isRunDir(runDir)) {
      return { root: runDir, mode: 'run', initialEpisode: `replays/${basename(real)}` };
    }
    return { root: dirname(real), mode: 'replay', initialEpisode: basename(real) };
  }
  if (!st.isDirectory()) throw new Error(`${path} is neither a file nor a directory`);
  return { root: real, mode: isRunDir(real) ? 'run' : 'runs', initialEpisode: null };
}

/** A folder of runs that does not exist (yet): no runs, no files (`keiko view --lab` without runs). */
function emptyTarget(path: string): ViewerTarget {
  return { root: resolve(path), mode: 'runs', initialEpisode: null };
}

const RUN_MARKERS = ['config.json', 'metrics.jsonl', 'summary.json'];

function isRunDir(dir: string): boolean {
  return RUN_MARKERS.some((f) => existsSync(join(dir, f))) || existsSync(join(dir, 'replays'));
}

// Folders never searched for runs: a run's own internals and tooling noise.
const SKIP_DIRS = new Set(['replays', 'checkpoints', 'node_modules', '.git']);
// Inside a run directory, its own model and sample folders are not searched either.
const RUN_INTERNALS = new Set(['samples', 'generator', 'model', 'final']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What wrote a run directory, from its config.json, summary.json and entries: a training run has
 * an `env` (or replays/checkpoints), a GAN run (`keiko gan`) a latent size, a `samples/` or
 * `generator/` folder or GAN losses in its summary, a supervised run (`keiko supervised`) epochs
 * and a dataset, a `model/` folder or test results in its summary. Anything else counts as a
 * training run (one that has only begun writing, say).
 */
export function runKind(config: Record<string, unknown> | null, summary: Record<string, unknown> | null, entries: ReadonlySet<string>): RunKind {
  if (typeof config?.env === 'string' || typeof summary?.env === 'string' || entries.has('replays') || entries.has('checkpoints')) return 'rl';
  if (config && ('latentDim' in config || 'discriminator' in config || 'emaDecay' in config)) return 'gan';
  if (entries.has('samples') || entries.has('generator') || (summary && ('finalLosses' in summary || 'classifierScore' in summary || isObject(summary.ring)))) return 'gan';
  if (config && 'epochs' in config && 'dataset' in config) return 'supervised';
  if (entries.has('model') || (summary && ('testAccuracy' in summary || 'testLoss' in summary))) return 'supervised';
  return 'rl';
}
const MAX_DEPTH = 8;
const MAX_DIRS = 5000;

/** Run directories under root (recursively, symlinks not followed), as root-relative ids. */
export async function discoverRuns(root: string, mode: ViewerInfo['mode']): Promise<string[]> {
  if (mode !== 'runs') return ['.'];
  const found: string[] = [];
  let visited = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (++visited > MAX_DIRS) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // vanished or unreadable while a run writes: skip it
    }
    const names = new Set(entries.map((e) => e.name));
    const isRun = RUN_MARKERS.some((m) => names.has(m)) || entries.some((e) => e.name === 'replays' && e.isDirectory());
    if (isRun) found.push(relative(root, dir).split(sep).join('/') || '.');
    if (depth >= MAX_DEPTH) return;
    const skip = (name: string): boolean => name.startsWith('.') || SKIP_DIRS.has(name) || (isRun && RUN_INTERNALS.has(name));
    const subdirs = entries.filter((e) => e.isDirectory() && !skip(e.name)).map((e) => e.name).sort();
    for (const name of subdirs) await walk(join(dir, name), depth + 1);
  };
  await walk(root, 0);
  return found;
}

async function statOrNull(path: string): Promise<import('node:fs').Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function readJsonOrNull(path: string): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Replay files of a run: `replays/*.json`, or in replay mode the .json files beside the given one. */
async function replayFiles(root: string, runId: string, mode: ViewerInfo['mode']): Promise<string[]> {
  const runDir = join(root, runId);
  const replaysDir = join(runDir, 'replays');
  const dir = (await statOrNull(replaysDir))?.isDirectory() ? replaysDir : mode === 'replay' ? runDir : null;
  if (!dir) return [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const skip = new Set(['config.json', 'summary.json']);
  // Temp files of atomic writes start with '.'; they are renamed into place when complete.
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.') && !skip.has(n)).map((n) => relative(root, join(dir, n)).split(sep).join('/'));
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function listRun(root: string, runId: string, mode: ViewerInfo['mode']): Promise<RunListing> {
  const runDir = join(root, runId);
  const [metrics, replays, config, summary, entries] = await Promise.all([
    statOrNull(join(runDir, 'metrics.jsonl')),
    replayFiles(root, runId, mode),
    readJsonOrNull(join(runDir, 'config.json')),
    readJsonOrNull(join(runDir, 'summary.json')),
    readdirOrEmpty(runDir),
  ]);
  const kind = mode === 'replay' ? 'rl' : runKind(config, summary, new Set(entries));
  const env = typeof config?.env === 'string' ? config.env : typeof summary?.env === 'string' ? summary.env : null;
  const dataset = kind !== 'rl' && typeof config?.dataset === 'string' ? config.dataset : kind !== 'rl' && typeof summary?.dataset === 'string' ? summary.dataset : null;
  // GAN sample grids: samples/step-NNNNNN.png, the newest last (temp files of atomic writes skipped).
  const samples = kind === 'gan' ? (await readdirOrEmpty(join(runDir, 'samples'))).filter((n) => n.endsWith('.png') && !n.startsWith('.')).sort() : [];
  const latestSample = samples.length ? relative(root, join(runDir, 'samples', samples[samples.length - 1])).split(sep).join('/') : null;
  const replaysMtime = (await statOrNull(join(runDir, 'replays')))?.mtimeMs ?? 0;
  // The play page loads this agent directory (docs/run-directory.md) to play beside you.
  const agentDir = kind === 'rl' && (await statOrNull(join(runDir, 'final', 'agent.json')))?.isFile() ? (runId === '.' ? 'final' : `${runId}/final`) : null;
  return {
    id: runId,
    kind,
    env,
    dataset,
    latestSample,
    metricsSize: metrics?.size ?? 0,
    replayCount: replays.length,
    metricsSignature: `${metrics?.size ?? 0}:${metrics?.mtimeMs ?? 0}`,
    replaysSignature: `${replays.length}:${replaysMtime}`,
    summary,
    config,
    agentDir,
  };
}

/** A run's episodes in training order (by training step, then name). */
async function listEpisodes(target: ViewerTarget, index: EpisodeIndex, run: string): Promise<EpisodeListing[]> {
  const files = await replayFiles(target.root, run, target.mode);
  const listed = (await Promise.all(files.map((f) => index.describe(target.root, f)))).filter((e): e is EpisodeListing => e !== null);
  listed.sort((a, b) => (a.trainingStep ?? Infinity) - (b.trainingStep ?? Infinity) || a.name.localeCompare(b.name));
  return listed;
}

// train-ep<EPISODE>-step<STEP>.json, eval-step<STEP>.json, optionally tagged (eval-step<STEP>-final.json).
const NAME_PATTERN = /^(train|eval)(?:-ep(\d+))?-step(\d+)(?:-[\w.-]+)?\.json$/;

/** Episode metadata, read from the file (cached by size and mtime) with the file name as fallback. */
class EpisodeIndex {
  private cache = new Map<string, { key: string; listing: EpisodeListing }>();

  async describe(root: string, file: string): Promise<EpisodeListing | null> {
    const path = join(root, file);
    const st = await statOrNull(path);
    if (!st?.isFile()) return null;
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(path);
    if (hit && hit.key === key) return hit.listing;
    const name = basename(file);
    const m = NAME_PATTERN.exec(name);
    const listing: EpisodeListing = {
      file,
      name,
      kind: m ? (m[1] as 'train' | 'eval') : null,
      episode: m?.[2] !== undefined ? Number(m[2]) : null,
      trainingStep: m ? Number(m[3]) : null,
      return: null,
      length: null,
      error: null,
    };
    try {
      const value = JSON.parse(await readFile(path, 'utf8'));
      const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      if (value?.kind === 'train' || value?.kind === 'eval') listing.kind = value.kind;
      listing.episode = num(value?.episode) ?? listing.episode;
      listing.trainingStep = num(value?.trainingStep) ?? listing.trainingStep;
      listing.return = num(value?.return);
      listing.length = num(value?.length);
    } catch (err) {
      listing.error = `not valid JSON (${(err as Error).message})`;
    }
    this.cache.set(path, { key, listing });
    return listing;
  }
}

/** Complete lines of a JSONL file from a byte offset; a trailing partial line is left for later. */
export async function readMetricsChunk(path: string, from: number): Promise<MetricsChunk> {
  const st = await statOrNull(path);
  if (!st?.isFile()) return { lines: [], next: 0, skipped: 0, reset: from > 0 };
  const reset = from > st.size;
  const start = reset ? 0 : from;
  const length = st.size - start;
  if (length <= 0) return { lines: [], next: start, skipped: 0, reset };
  const fh = await open(path, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(length);
    let off = 0;
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, start + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    buf = buf.subarray(0, off);
  } finally {
    await fh.close();
  }
  const lastNewline = buf.lastIndexOf(0x0a);
  if (lastNewline < 0) return { lines: [], next: start, skipped: 0, reset };
  const lines: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const line of buf.subarray(0, lastNewline).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) lines.push(value);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { lines, next: start + lastNewline + 1, skipped, reset };
}

/**
 * Map a raw URL path (below a route prefix) to a real file inside root, or null. Decodes once;
 * refuses NUL bytes, backslashes, empty/`.`/`..` segments and anything whose real path (after
 * resolving symlinks) leaves the real root.
 */
export async function resolveSafePath(root: string, rawPath: string): Promise<string | null> {
  if (/%00|\0|\\|%5c/i.test(rawPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const candidate = resolve(root, ...segments);
  if (!candidate.startsWith(root + sep)) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    const st = await stat(realFile);
    return st.isFile() ? realFile : null;
  } catch {
    return null;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Whether a --host value is a loopback address or name (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(h) === 6) return /^(0{0,4}:){2,7}0{0,3}1$/.test(h) || h === '::1';
  return false;
}

const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`.toLowerCase();

/**
 * The Host header values a server bound to `host`:`port` answers (lower case). Bound to loopback:
 * 127.0.0.1, localhost and [::1] with the port (and the bound name itself); bound to another
 * address: that address; bound to every interface (0.0.0.0, ::): the loopback names and the
 * addresses of this machine's interfaces. On port 80 the port-less forms are accepted too, as
 * browsers leave the default port out.
 */
export function allowedHostHeaders(host: string, port: number): Set<string> {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  const names = new Set<string>([bare]);
  const wildcard = bare === '0.0.0.0' || bare === '::' || bare === '';
  if (isLoopbackHost(bare) || wildcard) for (const n of ['127.0.0.1', 'localhost', '::1']) names.add(n);
  if (wildcard) {
    for (const iface of Object.values(networkInterfaces()).flat()) if (iface) names.add(iface.address.replace(/%.*$/, ''));
  }
  names.delete('');
  names.delete('0.0.0.0');
  names.delete('::');
  const allowed = new Set<string>();
  for (const n of names) {
    allowed.add(hostPort(n, port));
    if (port === 80) allowed.add(hostPort(n, port).replace(/:80$/, ''));
  }
  return allowed;
}

/** Whether a request's Host header names this server (absent or foreign: no). */
export function hostHeaderAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.trim().toLowerCase());
}

/**
 * The policy for every response. pixi.js compiles its shader-uniform upload functions with
 * `new Function` (it refuses to start without it unless the app imports `pixi.js/unsafe-eval`),
 * hence 'unsafe-eval'; the lab compiles WebAssembly (tfjs's wasm backend, Keiko's SIMD kernels),
 * hence 'wasm-unsafe-eval'; the page itself has an inline <style> and the app injects styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The lab's training worker script (viewer/src/lab/worker.ts, bundled). */
export const LAB_WORKER_SCRIPT = 'lab-worker.js';

/**
 * The policy of the lab's worker script alone: the same, plus `blob:` scripts, because tfjs's
 * threaded wasm backend starts each of its threads with importScripts() of a blob: URL the
 * worker itself makes. Pages keep the policy above.
 */
export const LAB_WORKER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' blob:");

export interface ViewerServerOptions {
  /** A run directory, a folder of runs, or a replay file. */
  target: string;
  /** For the lab (`keiko view --lab`): a missing target is served as an empty folder of runs. */
  allowMissingTarget?: boolean;
  port?: number;
  host?: string;
  /** The built app (default viewer/dist). */
  distDir?: string;
  /** Heartbeat, disk-check and reconnect intervals of /api/events (tests shorten them). */
  live?: Partial<LiveTiming>;
}

export interface ViewerServer {
  url: string;
  host: string;
  port: number;
  target: ViewerTarget;
  server: Server;
  /** Open /api/events streams and their fs watchers (0 and 0 once every page has gone). */
  live: Readonly<LiveCounts>;
  close(): Promise<void>;
}

export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const target = options.allowMissingTarget && !existsSync(resolve(options.target)) ? emptyTarget(options.target) : resolveViewerTarget(options.target);
  const distDir = realpathSync(resolve(options.distDir ?? VIEWER_DIST_DIR));
  const host = options.host ?? DEFAULT_VIEWER_HOST;
  const episodes = new EpisodeIndex();
  const info: ViewerInfo = { mode: target.mode, rootName: basename(target.root), initialEpisode: target.initialEpisode };

  const knownRun = async (id: string | null): Promise<string | null> => (id !== null && (await discoverRuns(target.root, target.mode)).includes(id) ? id : null);

  let allowedHosts = new Set<string>();
  const live = liveEvents(target, episodes, { ...DEFAULT_LIVE_TIMING, ...options.live });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a page of another site whose name now resolves to us still sends its own Host.
    if (!hostHeaderAllowed(req.headers.host, allowedHosts)) return send(res, 421, 'misdirected request: unknown Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) return send(res, 400, 'bad request target');
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));

    if (path === '/api/info') return sendJson(res, info);
    if (path === '/api/runs') {
      const ids = await discoverRuns(target.root, target.mode);
      return sendJson(res, { runs: await Promise.all(ids.map((id) => listRun(target.root, id, target.mode))) });
    }
    if (path === '/api/episodes') {
      const run = await knownRun(params.get('run'));
      if (run === null) return send(res, 404, 'unknown run');
      return sendJson(res, { episodes: await listEpisodes(target, episodes, run) });
    }
    if (path === '/api/metrics') {
      const run = await knownRun(params.get('run'));
      if (run === null) return send(res, 404, 'unknown run');
      const from = Number(params.get('from') ?? 0);
      if (!Number.isSafeInteger(from) || from < 0) return send(res, 400, 'from must be a non-negative integer');
      return sendJson(res, await readMetricsChunk(join(target.root, run, 'metrics.jsonl'), from));
    }
    if (path === '/api/events') return live.serve(req, res, params);
    if (path.startsWith('/files/')) {
      const file = await resolveSafePath(target.root, path.slice('/files/'.length));
      return file ? sendFile(req, res, file) : send(res, 404, 'not found');
    }
    const asset = path === '/' ? 'index.html' : path.slice(1);
    const file = await resolveSafePath(distDir, asset);
    if (!file) return send(res, 404, 'not found');
    return sendFile(req, res, file, asset === LAB_WORKER_SCRIPT ? LAB_WORKER_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? DEFAULT_VIEWER_PORT, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? DEFAULT_VIEWER_PORT;
  allowedHosts = allowedHostHeaders(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    target,
    server,
    live: live.counts,
    close: () =>
      new Promise<void>((ok) => {
        live.closeAll();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** The /api/events route: server-sent events of the runs a page shows (viewer/live-events.ts). */
function liveEvents(target: ViewerTarget, episodes: EpisodeIndex, timing: LiveTiming) {
  const counts: LiveCounts = { streams: 0, watchers: 0 };
  const streams = new Set<LiveStream>();
  const source: LiveSource = {
    runDir: (run) => join(target.root, run),
    replayDirs: (run) => [target.mode === 'replay' ? join(target.root, run) : join(target.root, run, 'replays')],
    listRuns: async () => Promise.all((await discoverRuns(target.root, target.mode)).map((id) => listRun(target.root, id, target.mode))),
    listEpisodes: (run) => listEpisodes(target, episodes, run),
    readMetrics: (run, from) => readMetricsChunk(join(target.root, run, 'metrics.jsonl'), from),
  };
  return {
    counts,
    async serve(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
      const request = parseStreamRequest(params, req.headers['last-event-id'] as string | undefined);
      if (typeof request === 'string') return send(res, 400, request);
      // Only discovered runs: an id outside the root (or any other path) is refused.
      const known = new Set(await discoverRuns(target.root, target.mode));
      const unknown = [...request.runs.map((r) => r.id), ...(request.episodes !== null ? [request.episodes] : [])].find((id) => !known.has(id));
      if (unknown !== undefined) return send(res, 404, `unknown run: ${unknown}`);
      res.writeHead(200, { ...baseHeaders('text/event-stream; charset=utf-8'), Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      if (req.method === 'HEAD') return void res.end();
      const stream = new LiveStream(res, source, request, timing, counts);
      streams.add(stream);
      res.on('close', () => streams.delete(stream));
      stream.start(req);
    },
    closeAll(): void {
      for (const s of streams) s.close();
      streams.clear();
    },
  };
}

function baseHeaders(type: string, policy: string = CONTENT_SECURITY_POLICY): Record<string, string> {
  return {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': policy,
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Cross-origin isolation: the lab's worker gets SharedArrayBuffer, so tfjs's wasm backend can use threads.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

function send(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, baseHeaders('text/plain; charset=utf-8'));
  res.end(message + '\n');
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { ...baseHeaders('application/json; charset=utf-8'), 'Content-Length': String(body.length) });
  res.end(body);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, policy: string = CONTENT_SECURITY_POLICY): Promise<void> {
  const body = await readFile(file);
  res.writeHead(200, { ...baseHeaders(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', policy), 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
