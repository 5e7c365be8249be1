/**
 * Statistics for sweep reports: mean, sample std, Student-t confidence intervals, learning-curve
 * summaries. Pure functions (no I/O).
 */

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

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; ~1e-15 relative). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularised incomplete beta I_x(a, b), by its continued fraction (modified Lentz), using the
 * symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where the fraction converges slowly.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = Math.floor(i / 2);
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return (Math.exp(lnFront) * (f - 1)) / a;
}

/** CDF of Student's t distribution with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t: the t with CDF(t) = p (bisection on the CDF; p in (0, 1)). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`df must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
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
