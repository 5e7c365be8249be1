/** "Did you mean …?" for a mistyped name (config keys, env ids), by Levenshtein distance. */
import { distance } from 'fastest-levenshtein';

/** Levenshtein distance (insert, delete, substitute, each cost 1). */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}

export interface ClosestMatchOptions {
  /** The largest distance still taken for a typo of `name`, given the closest candidate. */
  maxDistance: (name: string, closest: string) => number;
}

/**
 * The known name closest to `name` (case-insensitive; the first on ties), or undefined when even
 * that one is too far to be a typo.
 */
export function closestMatch(name: string, known: readonly string[], options: ClosestMatchOptions): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= options.maxDistance(name, best) ? best : undefined;
}
