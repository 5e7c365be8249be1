/**
 * Live updates of the viewer as server-sent events (`GET /api/events`): new complete lines of the
 * watched runs' metrics.jsonl, the episode list of one run when a replay file appears or is renamed
 * into place, and the run listing when it changes. The server watches the disk (fs.watch, plus a
 * stat check every second for the changes a watch can miss); the page never polls.
 *
 * A stream resumes without repeating lines: every metrics event's id is the byte offsets of all
 * watched runs, and a reconnecting EventSource sends it back as Last-Event-ID.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EpisodeListing, EpisodesEvent, MetricsChunk, MetricsEvent, RunListing, RunsEvent } from './src/api-types';

/** What a stream reads; the server supplies it (so this module needs none of its internals). */
export interface LiveSource {
  /** Absolute path of a run directory. */
  runDir(run: string): string;
  /** Directories holding the run's replay files (replays/, or the run dir itself in replay mode). */
  replayDirs(run: string): string[];
  listRuns(): Promise<RunListing[]>;
  listEpisodes(run: string): Promise<EpisodeListing[]>;
  readMetrics(run: string, from: number): Promise<MetricsChunk>;
}

export interface LiveTiming {
  /** Interval of the `: keep-alive` comments that keep proxies and idle timeouts away. */
  heartbeatMs: number;
  /** Interval of the stat check that backs up fs.watch (and rescans the run list). */
  checkMs: number;
  /** The reconnect delay the page's EventSource is told (`retry:`). */
  retryMs: number;
  /** Use fs.watch; off, the disk check alone finds changes (file systems whose watches do not fire). */
  watch: boolean;
}

export const DEFAULT_LIVE_TIMING: LiveTiming = { heartbeatMs: 15_000, checkMs: 1000, retryMs: 1000, watch: true };

/** Most runs one stream may watch (a sweep of hundreds is still one stream). */
export const MAX_STREAM_RUNS = 500;

/** Open streams and fs watchers of a server: tests check that a closed stream leaves none. */
export interface LiveCounts {
  streams: number;
  watchers: number;
}

export interface StreamRequest {
  runs: { id: string; from: number }[];
  /** The run whose episode list is pushed (the page's selected run), or null. */
  episodes: string | null;
}

/**
 * Parse `run=ID` (repeated), `from=BYTES` (absent, or once per run, in order) and `episodes=ID`,
 * with Last-Event-ID (offsets joined by commas, one per run) taking precedence over `from`.
 * Returns an error message for bad input.
 */
export function parseStreamRequest(params: URLSearchParams, lastEventId: string | undefined): StreamRequest | string {
  const ids = params.getAll('run');
  const froms = params.getAll('from');
  if (ids.length > MAX_STREAM_RUNS) return `at most ${MAX_STREAM_RUNS} run parameters per stream, got ${ids.length}`;
  if (froms.length !== 0 && froms.length !== ids.length) return `from must be given once per run (${ids.length}) or not at all, got ${froms.length}`;
  const offsets = froms.map(Number);
  if (offsets.some((n) => !Number.isSafeInteger(n) || n < 0)) return 'from must be a non-negative integer';
  const resumed = lastEventId?.split(',').map(Number);
  const useResumed = resumed !== undefined && lastEventId !== '' && resumed.length === ids.length && resumed.every((n) => Number.isSafeInteger(n) && n >= 0);
  return {
    runs: ids.map((id, i) => ({ id, from: useResumed ? resumed[i] : offsets[i] ?? 0 })),
    episodes: params.get('episodes'),
  };
}

/** One event in the text/event-stream format (data as one JSON line). */
export function formatEvent(event: string, data: unknown, id?: string): string {
  return `event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** The run listing without what changes at every metrics line (those arrive as metrics events). */
function runsKey(runs: readonly RunListing[]): string {
  return JSON.stringify(runs.map(({ metricsSize: _size, metricsSignature: _sig, ...rest }) => rest));
}

/** An open event stream to one page. */
export class LiveStream {
  private readonly offsets: Map<string, number>;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private debounce: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private runsSeen: string | null = null;
  private episodesSeen: string | null = null;
  private replayDirsSeen: string | null = null;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly source: LiveSource,
    private readonly request: StreamRequest,
    private readonly timing: LiveTiming,
    private readonly counts: LiveCounts,
  ) {
    this.offsets = new Map(request.runs.map((r) => [r.id, r.from]));
  }

  /** Send the headers and the current state, then watch. */
  start(req: IncomingMessage): void {
    this.counts.streams++;
    this.res.write(`retry: ${this.timing.retryMs}\n\n`);
    req.on('close', () => this.close());
    this.res.on('close', () => this.close());
    for (const run of this.watchedRuns()) this.watchRun(run);
    this.timers.push(setInterval(() => this.send(': keep-alive\n\n'), this.timing.heartbeatMs));
    this.timers.push(setInterval(() => this.queueAll(), this.timing.checkMs));
    this.queueAll();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers.values()) w.close();
    this.counts.watchers -= this.watchers.size;
    this.watchers.clear();
    this.counts.streams--;
    if (!this.res.writableEnded) this.res.end();
  }

  private watchedRuns(): string[] {
    const runs = new Set(this.offsets.keys());
    if (this.request.episodes !== null) runs.add(this.request.episodes);
    return [...runs];
  }

  /** Watch a run directory and its replay folders; folders created later are picked up by the check. */
  private watchRun(run: string): void {
    for (const dir of [this.source.runDir(run), ...this.source.replayDirs(run)]) this.watchDir(dir, run);
  }

  private watchDir(dir: string, run: string): void {
    if (this.closed || !this.timing.watch || this.watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, () => this.queue(run));
    } catch {
      return; // not there (yet): the periodic check finds it
    }
    watcher.on('error', () => {
      watcher.close();
      if (this.watchers.delete(dir)) this.counts.watchers--;
    });
    this.watchers.set(dir, watcher);
    this.counts.watchers++;
  }

  /** Check a run soon (events of one write come in bursts: one check per burst). */
  private queue(run: string): void {
    this.pending.add(run);
    if (this.debounce || this.closed) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const runs = [...this.pending];
      this.pending.clear();
      this.enqueue(async () => {
        for (const r of runs) await this.checkRun(r, true);
      });
    }, 25);
  }

  private queueAll(): void {
    this.enqueue(async () => {
      for (const run of this.watchedRuns()) {
        await this.checkRun(run, false);
      }
      // The run list (new runs, summaries, sample plots) is rescanned here only: a scan reads
      // every run's config and summary, too much for every appended line.
      await this.checkRuns();
    });
  }

  /** Checks run one at a time, so two of them never send the same lines. */
  private enqueue(job: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.closed ? undefined : job())).catch(() => {
      // A file vanished mid-read (a run directory removed): the next check sees the new state.
    });
  }

  private send(text: string): void {
    if (!this.closed) this.res.write(text);
  }

  /** Send what is new in a run; `changed`: a watch saw something, so list the episodes again. */
  private async checkRun(run: string, changed: boolean): Promise<void> {
    for (const dir of this.source.replayDirs(run)) this.watchDir(dir, run); // a replays/ folder made since
    const from = this.offsets.get(run);
    if (from !== undefined) {
      const chunk = await this.source.readMetrics(run, from);
      if (chunk.lines.length > 0 || chunk.reset || chunk.skipped > 0 || chunk.next !== from) {
        this.offsets.set(run, chunk.next);
        const event: MetricsEvent = { run, from: chunk.reset ? 0 : from, ...chunk };
        this.send(formatEvent('metrics', event, [...this.offsets.values()].join(',')));
      }
    }
    if (run === this.request.episodes) {
      // Without a watch event, only a changed replay folder (a file added, renamed or removed) is listed again.
      const dirs = await Promise.all(this.source.replayDirs(run).map(async (d) => `${d}:${(await stat(d).catch(() => null))?.mtimeMs ?? 'missing'}`));
      const dirsKey = dirs.join('|');
      if (!changed && dirsKey === this.replayDirsSeen) return;
      this.replayDirsSeen = dirsKey;
      const episodes = await this.source.listEpisodes(run);
      const key = JSON.stringify(episodes);
      if (key !== this.episodesSeen) {
        this.episodesSeen = key;
        const event: EpisodesEvent = { run, episodes };
        this.send(formatEvent('episodes', event));
      }
    }
  }

  private async checkRuns(): Promise<void> {
    const runs = await this.source.listRuns();
    const key = runsKey(runs);
    if (key === this.runsSeen) return;
    this.runsSeen = key;
    const event: RunsEvent = { runs };
    this.send(formatEvent('runs', event));
  }
}
