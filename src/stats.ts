/**
 * Statistics for learning curves over seeds: mean, sample std, Student-t confidence intervals,
 * curve summaries. Pure functions (no I/O, no Node imports), shared by the sweep report
 * (node/sweep/report.ts) and the viewer's comparison view; the t distribution comes from stdlib.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return xs.length === 1 ? 0 : NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** CDF of Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  return tCdf(t, df);
}

/** Quantile of Student's t: the t with CDF(t) = p (p in (0, 1)). */
export function studentTQuantile(p: number, df: number): number {
  // The library returns NaN for bad arguments; a report must not print a NaN interval silently.
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`df must be > 0, got ${df}`);
  return tQuantile(p, df);
}

export interface MeanCi {
  n: number;
  mean: number;
  std: number;
  /** Half width of the two-sided confidence interval (NaN with fewer than 2 values). */
  halfWidth: number;
  low: number;
  high: number;
}

/** Mean and two-sided t confidence interval (default 95%) over independent values (e.g. seeds). */
export function meanCi(values: readonly number[], level = 0.95): MeanCi {
  const n = values.length;
  const m = mean(values);
  const s = sampleStd(values);
  const halfWidth = n >= 2 ? (studentTQuantile(1 - (1 - level) / 2, n - 1) * s) / Math.sqrt(n) : NaN;
  return { n, mean: m, std: s, halfWidth, low: m - halfWidth, high: m + halfWidth };
}

export type Curve = [step: number, value: number][];

/**
 * Area under an evaluation curve, normalised to a return: the mean of the evaluation returns over
 * the evaluation points (evaluations are evenly spaced, so this equals the step-weighted average
 * up to the first interval). null for an empty curve.
 */
export function curveAuc(curve: Curve): number | null {
  if (curve.length === 0) return null;
  return mean(curve.map(([, v]) => v));
}

/** Env steps of the first evaluation whose mean return reaches the threshold; null if never. */
export function stepsToThreshold(curve: Curve, threshold: number | null): number | null {
  if (threshold === null) return null;
  for (const [step, v] of curve) if (v >= threshold) return step;
  return null;
}

/**
 * Mean and t band over seeds of several curves, at the steps present in every curve (curves of
 * one config share their evaluation steps; a step missing in one seed is skipped).
 */
export function curveBand(curves: readonly Curve[], level = 0.95): { step: number; mean: number; low: number; high: number }[] {
  if (curves.length === 0) return [];
  const maps = curves.map((c) => new Map(c));
  const steps = curves[0]!.map(([s]) => s).filter((s) => maps.every((m) => m.has(s)));
  return steps.map((step) => {
    const ci = meanCi(maps.map((m) => m.get(step)!), level);
    const hw = Number.isFinite(ci.halfWidth) ? ci.halfWidth : 0;
    return { step, mean: ci.mean, low: ci.mean - hw, high: ci.mean + hw };
  });
}
