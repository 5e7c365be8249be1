/**
 * The page's end of `GET /api/events`: one EventSource for everything the page shows. The browser
 * reconnects by itself after a dropped connection (resuming from Last-Event-ID); when it gives
 * up (the server was down and answered nothing, or answered an error) the stream is opened again
 * with the page's own offsets, so the page follows a restarted server without a reload.
 */
import type { EpisodesEvent, MetricsEvent, RunsEvent } from './api-types';

export interface LiveHandlers {
  metrics(event: MetricsEvent): void;
  episodes(event: EpisodesEvent): void;
  runs(event: RunsEvent): void;
  status(state: 'connecting' | 'open' | 'lost'): void;
}

export interface LiveSubscription {
  /** Runs whose metrics lines are wanted, with the byte offset the page has read up to. */
  runs: { id: string; from: number }[];
  /** The run whose episode list is wanted. */
  episodes: string | null;
}

export function eventsUrl(sub: LiveSubscription): string {
  const params = new URLSearchParams();
  for (const r of sub.runs) {
    params.append('run', r.id);
    params.append('from', String(r.from));
  }
  if (sub.episodes !== null) params.set('episodes', sub.episodes);
  return `/api/events?${params}`;
}

const REOPEN_MS = 1000;

export class LiveConnection {
  private source: EventSource | null = null;
  private url: string | null = null;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;

  /** `subscription` is asked again at every (re)open, so offsets are the page's current ones. */
  constructor(private readonly subscription: () => LiveSubscription, private readonly handlers: LiveHandlers) {}

  /** Open the stream, or reopen it when what the page shows has changed. */
  update(): void {
    const url = eventsUrl(this.subscription());
    if (this.source && url === this.url && this.source.readyState !== EventSource.CLOSED) return;
    this.open(url);
  }

  private open(url: string): void {
    this.source?.close();
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    this.url = url;
    const source = new EventSource(url);
    this.source = source;
    this.handlers.status('connecting');
    const on = <T>(type: string, handle: (data: T) => void): void => {
      source.addEventListener(type, (e) => {
        if (this.source !== source) return; // a stream being replaced
        handle(JSON.parse((e as MessageEvent<string>).data) as T);
      });
    };
    on<MetricsEvent>('metrics', (d) => this.handlers.metrics(d));
    on<EpisodesEvent>('episodes', (d) => this.handlers.episodes(d));
    on<RunsEvent>('runs', (d) => this.handlers.runs(d));
    source.addEventListener('open', () => this.handlers.status('open'));
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      this.handlers.status('lost');
      // CONNECTING: the browser retries by itself. CLOSED: it gave up, so start afresh.
      if (source.readyState === EventSource.CLOSED && !this.reopenTimer) {
        this.reopenTimer = setTimeout(() => {
          this.reopenTimer = null;
          this.open(eventsUrl(this.subscription()));
        }, REOPEN_MS);
      }
    });
  }
}
