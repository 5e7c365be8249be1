/** Exploration and annealing schedules: pure functions of the step. */

export type EpsilonScheduleKind = 'linear' | 'exponential';

export interface EpsilonSchedule {
  kind: EpsilonScheduleKind;
  start: number;
  end: number;
  /** Steps over which ε moves from start to end (linear), or the e-folding-like horizon (exponential). */
  decaySteps: number;
}

/**
 * ε at `step`. Linear: straight line from start to end over decaySteps, then flat (DQN paper,
 * CleanRL). Exponential: end + (start − end)·exp(−5·step/decaySteps), i.e. within 1% of the way to `end`
 * after decaySteps (5 time constants ≈ 0.7% left).
 */
export function epsilonAt(s: EpsilonSchedule, step: number): number {
  if (s.decaySteps <= 0) return s.end;
  if (s.kind === 'linear') {
    const f = Math.min(1, Math.max(0, step / s.decaySteps));
    return s.start + f * (s.end - s.start);
  }
  return s.end + (s.start - s.end) * Math.exp((-5 * Math.max(0, step)) / s.decaySteps);
}

/** Prioritised replay β: linear from beta0 to 1 over `steps` (Schaul et al. 2016). */
export function betaAt(beta0: number, steps: number, step: number): number {
  if (steps <= 0) return 1;
  return Math.min(1, beta0 + (1 - beta0) * Math.max(0, step) / steps);
}

/** Linear interpolation from `start` to `end` over `steps`, then `end` (e.g. learning-rate annealing). */
export function linearAt(start: number, end: number, steps: number, step: number): number {
  if (steps <= 0) return end;
  return start + Math.min(1, Math.max(0, step / steps)) * (end - start);
}
