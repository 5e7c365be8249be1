/** Shared input checks for envs and wrappers: clear errors that name the env and what is allowed. */
import type { DiscreteSpace } from './core';

/** The info every built-in env returns when it has nothing to say: shared, so frozen. */
export const EMPTY_INFO: Readonly<Record<string, unknown>> = Object.freeze({});

/** True for integers 0 <= a < n (NaN, fractions, strings and negatives fail). */
export function isValidAction(action: number, n: number): boolean {
  return action >>> 0 === action && action < n;
}

export function invalidActionError(envId: string, space: DiscreteSpace, action: unknown): RangeError {
  const names = space.actionNames.map((name, i) => `${i}: ${name}`).join(', ');
  const shown = typeof action === 'number' ? String(action) : `${JSON.stringify(action)} (${typeof action})`;
  return new RangeError(
    `${envId}: action must be an integer in [0, ${space.n - 1}] (${names}); got ${shown}`,
  );
}

/** Gymnasium's OrderEnforcing, as an error rather than a warning. */
export class EnvOrderError extends Error {
  constructor(envId: string, what: 'beforeReset' | 'afterDone') {
    super(
      what === 'beforeReset'
        ? `${envId}: step() called before reset(); call env.reset() first`
        : `${envId}: step() called after the episode ended (terminated or truncated); call env.reset() to start a new episode`,
    );
    this.name = 'EnvOrderError';
  }
}
