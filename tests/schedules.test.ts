import { describe, expect, it } from 'vitest';
import { betaAt, epsilonAt } from '../src/schedules';

describe('ε schedules', () => {
  it('linear goes from start to end over decaySteps, then stays', () => {
    const s = { kind: 'linear' as const, start: 1, end: 0.1, decaySteps: 1000 };
    expect(epsilonAt(s, 0)).toBe(1);
    expect(epsilonAt(s, 500)).toBeCloseTo(0.55, 12);
    expect(epsilonAt(s, 1000)).toBeCloseTo(0.1, 12);
    expect(epsilonAt(s, 5000)).toBeCloseTo(0.1, 12);
  });

  it('exponential decays with 5 time constants over decaySteps', () => {
    const s = { kind: 'exponential' as const, start: 1, end: 0.1, decaySteps: 1000 };
    expect(epsilonAt(s, 0)).toBe(1);
    expect(epsilonAt(s, 200)).toBeCloseTo(0.1 + 0.9 * Math.exp(-1), 12);
    expect(epsilonAt(s, 1000)).toBeCloseTo(0.1 + 0.9 * Math.exp(-5), 12);
    expect(epsilonAt(s, 1e7)).toBeCloseTo(0.1, 12);
    // Monotone.
    expect(epsilonAt(s, 300)).toBeLessThan(epsilonAt(s, 299));
  });

  it('decaySteps 0 means ε = end from the start', () => {
    expect(epsilonAt({ kind: 'linear', start: 1, end: 0.05, decaySteps: 0 }, 0)).toBe(0.05);
  });

  it('β anneals linearly from β0 to 1', () => {
    expect(betaAt(0.4, 100, 0)).toBeCloseTo(0.4, 12);
    expect(betaAt(0.4, 100, 50)).toBeCloseTo(0.7, 12);
    expect(betaAt(0.4, 100, 100)).toBe(1);
    expect(betaAt(0.4, 100, 1000)).toBe(1);
  });
});
