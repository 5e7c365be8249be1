/** The JSON shapes of the viewer server's small API (shared by viewer/server.ts and the app). */

export interface ViewerInfo {
  /** 'runs': a folder of run directories; 'run': one run directory; 'replay': one replay file. */
  mode: 'runs' | 'run' | 'replay';
  /** The name of the served root (its base name), for the page title. */
  rootName: string;
  /** When a replay file was given: its root-relative path, opened first. */
  initialEpisode: string | null;
}

/**
 * What wrote a run directory: 'rl' a training run (`keiko train`, replays and learning curves),
 * 'supervised' a `keiko supervised` run, 'gan' a `keiko gan` run. Only 'rl' runs have episodes.
 */
export type RunKind = 'rl' | 'supervised' | 'gan';

export interface RunListing {
  /** Root-relative path of the run directory, '.' for the root itself. */
  id: string;
  kind: RunKind;
  env: string | null;
  /** Supervised and GAN runs: the config's dataset (mnist, ring, csv:FILE, ...). */
  dataset: string | null;
  /** GAN runs: the newest samples/step-*.png (root-relative), null when none is written yet. */
  latestSample: string | null;
  /** Size in bytes of metrics.jsonl, 0 when absent: a cheap change signal for live mode. */
  metricsSize: number;
  replayCount: number;
  /** Changes whenever metrics.jsonl changes (live mode compares it). */
  metricsSignature: string;
  /** Changes whenever the set of replay files changes. */
  replaysSignature: string;
  summary: Record<string, unknown> | null;
  config: Record<string, unknown> | null;
  /** Training runs: the root-relative agent directory `final/` when it holds agent.json, else null. */
  agentDir: string | null;
}

export interface EpisodeListing {
  /** Root-relative path of the replay file (fetch it from /files/<file>). */
  file: string;
  name: string;
  kind: 'train' | 'eval' | null;
  episode: number | null;
  trainingStep: number | null;
  return: number | null;
  length: number | null;
  /** Set when the file cannot be read as JSON (the app shows the full validation problem). */
  error: string | null;
}

export interface MetricsChunk {
  /** Complete, parsed lines from byte offset `from` on. */
  lines: Record<string, unknown>[];
  /** The offset to ask from next time (just past the last complete line). */
  next: number;
  /** Lines that were complete but not valid JSON objects. */
  skipped: number;
  /** True when the file shrank below `from` (it was replaced): the lines start again from 0. */
  reset: boolean;
}

/**
 * Events of `GET /api/events?run=ID&from=BYTES&…&episodes=ID` (text/event-stream), the live
 * updates of the page. `metrics`: new complete lines of one watched run (its id is the byte offsets
 * of every watched run, in the order of the `run` parameters, for Last-Event-ID); `episodes`: the
 * episode list of the `episodes` run, sent at connect and whenever its replay files change; `runs`:
 * the run listing, sent at connect and whenever a run, its kind, summary or replay count changes.
 */
export interface MetricsEvent extends MetricsChunk {
  run: string;
  /** The offset the lines start at (0 after a reset): a page that is elsewhere ignores the event. */
  from: number;
}

export interface EpisodesEvent {
  run: string;
  episodes: EpisodeListing[];
}

export interface RunsEvent {
  runs: RunListing[];
}
