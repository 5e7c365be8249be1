/**
 * Sticky actions (Machado et al. 2018): the one rule, shared by the StickyActions wrapper and the
 * MinAtar env, which differ only in when they draw `u` and from which generator.
 */

/** The action actually applied: the previous one when the uniform draw `u` falls below `p`. */
export function stickyAction(previous: number, chosen: number, u: number, p: number): number {
  return u < p ? previous : chosen;
}
