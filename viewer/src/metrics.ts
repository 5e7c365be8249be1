/** Learning-curve series from metrics.jsonl lines (docs/run-directory.md), grown incrementally. */

export interface Point {
  x: number;
  y: number;
}

export interface BandPoint {
  x: number;
  lo: number;
  hi: number;
}

export interface RunSeries {
  episodeReturns: Point[];
  evalMeans: Point[];
  evalBand: BandPoint[];
  losses: Point[];
  /**
   * Curves of supervised and GAN runs, keyed `type.field`: `epoch.loss`, `epoch.valAccuracy`, ...
   * (x = epoch), `gan.dLoss`, `gan.gLoss`, `gan.dReal`, `gan.dFake`, `score.classifierScore` (x = step).
   */
  curves: Record<string, Point[]>;
}

export function emptySeries(): RunSeries {
  return { episodeReturns: [], evalMeans: [], evalBand: [], losses: [], curves: {} };
}

const CURVE_FIELDS: Record<string, { x: string; fields: readonly string[] }> = {
  epoch: { x: 'epoch', fields: ['loss', 'valLoss', 'accuracy', 'valAccuracy', 'mae', 'valMae'] },
  gan: { x: 'step', fields: ['dLoss', 'gLoss', 'dReal', 'dFake'] },
  score: { x: 'step', fields: ['classifierScore'] },
};

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Append parsed metrics lines to a run's series; lines of other or unknown types are ignored. */
export function appendMetrics(series: RunSeries, lines: readonly Record<string, unknown>[]): RunSeries {
  for (const line of lines) {
    const curve = typeof line.type === 'string' ? CURVE_FIELDS[line.type] : undefined;
    if (curve) {
      const x = line[curve.x];
      if (!finite(x)) continue;
      for (const field of curve.fields) {
        const y = line[field];
        if (finite(y)) (series.curves[`${line.type}.${field}`] ??= []).push({ x, y });
      }
      continue;
    }
    const step = line.step;
    if (!finite(step)) continue;
    if (line.type === 'episode' && finite(line.return)) series.episodeReturns.push({ x: step, y: line.return });
    else if (line.type === 'eval' && finite(line.meanReturn)) {
      series.evalMeans.push({ x: step, y: line.meanReturn });
      const std = finite(line.stdReturn) ? line.stdReturn : 0;
      series.evalBand.push({ x: step, lo: line.meanReturn - std, hi: line.meanReturn + std });
    } else if (line.type === 'train' && finite(line.loss)) series.losses.push({ x: step, y: line.loss });
  }
  return series;
}

/**
 * Thin a long series for drawing: at most `maxPoints`, each bucket keeping its mean, so a run
 * of a million episodes still draws in milliseconds.
 */
export function downsample(points: readonly Point[], maxPoints: number): Point[] {
  if (points.length <= maxPoints) return points.slice();
  const out: Point[] = [];
  const size = points.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const lo = Math.floor(b * size), hi = Math.floor((b + 1) * size);
    let sx = 0, sy = 0;
    for (let i = lo; i < hi; i++) {
      sx += points[i].x;
      sy += points[i].y;
    }
    out.push({ x: sx / (hi - lo), y: sy / (hi - lo) });
  }
  return out;
}

/** Moving average over a window of `window` points (for a readable episode-return line). */
export function movingAverage(points: readonly Point[], window: number): Point[] {
  const out: Point[] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i].y;
    if (i >= window) sum -= points[i - window].y;
    out.push({ x: points[i].x, y: sum / Math.min(i + 1, window) });
  }
  return out;
}
