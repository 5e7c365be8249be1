/**
 * The comparison view's data: runs grouped by config (a sweep's seeds of one config form a
 * group), each group's curve as mean and 95% t band over its seeds — the sweep report's
 * statistics (src/stats.ts curveBand, as node/sweep/report.ts uses it) — against environment
 * steps or wall time.
 */
import { curveBand, mean, type Curve } from '../../src/stats';

/** The curves of one run the comparison reads, grown line by line from metrics.jsonl. */
export interface CompareSeries {
  /** Evaluation mean return by step (a later line of the same step wins, as in the sweep report). */
  evals: Map<number, number>;
  /** `recentReturn` of train lines (mean of the last 100 training episodes) by step. */
  recent: Map<number, number>;
  /** (step, sps) of train lines, in file order: the clock of runs whose lines carry no time. */
  speed: [step: number, sps: number][];
  /** (step, wallSeconds) of train lines that carry it, in file order. */
  clock: [step: number, seconds: number][];
  /** How many train lines were read. */
  trainLines: number;
}

export function emptyCompareSeries(): CompareSeries {
  return { evals: new Map(), recent: new Map(), speed: [], clock: [], trainLines: 0 };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function appendCompareLines(series: CompareSeries, lines: readonly Record<string, unknown>[]): CompareSeries {
  for (const line of lines) {
    if (!finite(line.step)) continue;
    if (line.type === 'eval' && finite(line.meanReturn)) series.evals.set(line.step, line.meanReturn);
    else if (line.type === 'train') {
      if (finite(line.recentReturn)) series.recent.set(line.step, line.recentReturn);
      series.trainLines++;
      if (finite(line.sps)) series.speed.push([line.step, line.sps]);
      if (finite(line.wallSeconds)) series.clock.push([line.step, line.wallSeconds]);
    }
  }
  return series;
}

export type CompareMetric = 'eval' | 'train';

export function curveOf(series: CompareSeries, metric: CompareMetric): Curve {
  return [...(metric === 'eval' ? series.evals : series.recent).entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Wall-clock seconds at each train line, from its `sps` (env steps per second since the previous
 * line): t(step_i) = t(step_i−1) + (step_i − step_i−1) / sps_i, from t(0) = 0. A line without a
 * rate (the first line of a run or of a resume reports sps 0) borrows the next line's rate.
 * Empty when no line has a rate.
 */
export function wallClock(speed: readonly [number, number][]): [step: number, seconds: number][] {
  const rates = speed.map(([, sps]) => sps);
  for (let i = rates.length - 2; i >= 0; i--) if (!(rates[i] > 0)) rates[i] = rates[i + 1];
  for (let i = 1; i < rates.length; i++) if (!(rates[i] > 0)) rates[i] = rates[i - 1];
  if (!speed.length || !(rates[0] > 0)) return [];
  const out: [number, number][] = [];
  let t = 0, last = 0;
  speed.forEach(([step], i) => {
    if (step < last) return; // a resume repeats no steps (the file reads as one run), but be safe
    t += (step - last) / rates[i];
    last = step;
    out.push([step, t]);
  });
  return out;
}

/** A run's clock: its lines' own wallSeconds where every train line has one, else rebuilt from sps. */
export function clockOf(series: CompareSeries): [step: number, seconds: number][] {
  return series.clock.length > 0 && series.clock.length === series.trainLines ? series.clock : wallClock(series.speed);
}

/** Seconds at `step` on a clock, linearly between its points and at its last rate beyond; null without a clock. */
export function secondsAt(clock: readonly [number, number][], step: number): number | null {
  if (clock.length === 0) return null;
  let prev: [number, number] = [0, 0];
  for (const point of clock) {
    if (point[0] >= step) return point[0] === prev[0] ? point[1] : prev[1] + ((step - prev[0]) / (point[0] - prev[0])) * (point[1] - prev[1]);
    prev = point;
  }
  const [s1, t1] = clock[clock.length - 1];
  const [s0, t0] = clock.length > 1 ? clock[clock.length - 2] : [0, 0];
  return s1 === s0 ? t1 : t1 + ((step - s1) * (t1 - t0)) / (s1 - s0);
}

/** Config keys that differ between seeds of one config, or name where a run was written. */
export const RUN_SPECIFIC_KEYS = new Set(['seed', 'outDir', 'out', 'runDir', 'resume']);

/** A config as flat dotted keys (`optimizer.learningRate`), run-specific keys left out. */
export function flatConfig(config: Record<string, unknown> | null): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of Object.keys(value).sort()) {
        if (prefix === '' && RUN_SPECIFIC_KEYS.has(key)) continue;
        walk((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key);
      }
    } else out[prefix] = JSON.stringify(value);
  };
  walk(config ?? {}, '');
  return out;
}

export interface RunForCompare {
  id: string;
  config: Record<string, unknown> | null;
}

export interface ConfigGroup {
  /** The config without run-specific keys, as a stable string. */
  key: string;
  /** The keys that differ between groups and their values here, e.g. `learningRate=0.001`. */
  label: string;
  ids: string[];
}

/**
 * Runs whose configs are equal apart from the seed (and where they were written) form a group,
 * labelled by the keys whose values differ between the groups (one group: by its env).
 */
export function groupByConfig(runs: readonly RunForCompare[]): ConfigGroup[] {
  const groups = new Map<string, { flat: Record<string, string>; ids: string[] }>();
  for (const run of runs) {
    const flat = flatConfig(run.config);
    const key = JSON.stringify(flat);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { flat, ids: [] }));
    g.ids.push(run.id);
  }
  const all = [...groups.values()];
  const keys = [...new Set(all.flatMap((g) => Object.keys(g.flat)))].sort();
  const differing = keys.filter((k) => new Set(all.map((g) => g.flat[k] ?? 'absent')).size > 1);
  const show = (v: string | undefined): string => (v === undefined ? '–' : /^"[^"]*"$/.test(v) ? v.slice(1, -1) : v);
  return [...groups.entries()].map(([key, g]) => ({
    key,
    label: differing.length ? differing.map((k) => `${k}=${show(g.flat[k])}`).join(', ') : show(g.flat.env) === '–' ? 'all runs' : show(g.flat.env),
    ids: g.ids,
  }));
}

export interface GroupBand {
  x: number;
  step: number;
  mean: number;
  low: number;
  high: number;
}

export type CompareX = 'steps' | 'wall';

/**
 * A group's band: curveBand over its seeds' curves (the steps every seed has, mean and 95% t
 * interval). Against wall time, a point's x is the seeds' mean wall time at that step (points of
 * a seed without a clock are dropped, so is the band when none has one).
 */
export function groupBand(seeds: readonly CompareSeries[], metric: CompareMetric, x: CompareX): GroupBand[] {
  const curves = seeds.map((s) => curveOf(s, metric)).filter((c) => c.length > 0);
  const band = curveBand(curves);
  if (x === 'steps') return band.map((b) => ({ x: b.step, ...b }));
  const clocks = seeds.filter((s) => curveOf(s, metric).length > 0).map((s) => clockOf(s));
  if (clocks.some((c) => c.length === 0)) return [];
  return band.map((b) => ({ x: mean(clocks.map((c) => secondsAt(c, b.step)!)), ...b }));
}

/** Folders holding at least two of the runs (a sweep, or one env or config of it), outermost first. */
export function sweepFolders(ids: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const parts = id.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
  }
  return [...counts.entries()].filter(([, n]) => n >= 2).map(([f]) => f).sort();
}

export const runsIn = (folder: string, ids: readonly string[]): string[] => ids.filter((id) => id.startsWith(`${folder}/`));
