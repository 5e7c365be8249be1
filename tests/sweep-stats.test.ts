import { describe, expect, it } from 'vitest';
import {
  curveAuc,
  curveBand,
  meanCi,
  sampleStd,
  stepsToThreshold,
  studentTCdf,
  studentTQuantile,
} from '../node/sweep/stats';

describe('sweep statistics', () => {
  it('Student-t quantiles match the published table', () => {
    // Two-sided 95% critical values t_{0.975, df}.
    const table: [number, number][] = [
      [1, 12.7062047],
      [2, 4.30265273],
      [3, 3.18244631],
      [4, 2.77644511],
      [5, 2.57058184],
      [9, 2.26215716],
      [10, 2.22813885],
      [29, 2.04522964],
      [100, 1.98397152],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 5);
    expect(studentTQuantile(0.995, 4)).toBeCloseTo(4.60409487, 5);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.77644511, 5);
    // Large df tends to the normal quantile.
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 4);
    // The CDF of df = 1 is the Cauchy CDF.
    for (const t of [-3, -0.5, 0.2, 4]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
  });

  it('mean and 95% CI over seeds', () => {
    const ci = meanCi([480, 500, 455]);
    expect(ci.mean).toBeCloseTo(478.333333, 5);
    expect(ci.std).toBeCloseTo(sampleStd([480, 500, 455]), 12);
    expect(ci.std).toBeCloseTo(22.5462487, 5);
    // half width = t_{0.975,2} · s / √3
    expect(ci.halfWidth).toBeCloseTo((4.30265273 * 22.5462487) / Math.sqrt(3), 4);
    expect(ci.low).toBeCloseTo(ci.mean - ci.halfWidth, 12);
    expect(meanCi([7]).halfWidth).toBeNaN();
    expect(meanCi([]).n).toBe(0);
  });

  it('AUC, steps to threshold and the band over seeds', () => {
    const a: [number, number][] = [
      [1000, 20],
      [2000, 200],
      [3000, 480],
    ];
    const b: [number, number][] = [
      [1000, 30],
      [2000, 480],
      [3000, 500],
    ];
    expect(curveAuc(a)).toBeCloseTo(700 / 3, 10);
    expect(curveAuc([])).toBeNull();
    expect(stepsToThreshold(a, 475)).toBe(3000);
    expect(stepsToThreshold(b, 475)).toBe(2000);
    expect(stepsToThreshold(a, 600)).toBeNull();
    expect(stepsToThreshold(a, null)).toBeNull();
    const band = curveBand([a, b]);
    expect(band.map((p) => p.step)).toEqual([1000, 2000, 3000]);
    expect(band[1]!.mean).toBe(340);
    // n = 2: half width = t_{0.975,1} · s / √2 with s = |480 − 200| / √2.
    expect(band[1]!.high - band[1]!.mean).toBeCloseTo((12.7062047 * (280 / Math.SQRT2)) / Math.SQRT2, 4);
    // A step missing in one seed is left out.
    expect(curveBand([a, b.slice(0, 2)]).map((p) => p.step)).toEqual([1000, 2000]);
  });
});
