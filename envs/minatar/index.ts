import { z } from 'zod';
import type { EnvOptions, RegisterFn } from '../core';
import { Asterix } from './asterix';
import { Breakout } from './breakout';
import type { GameOptions, MinAtarGame } from './draws';
import { MinAtarEnv } from './env';
import { Freeway } from './freeway';
import { Seaquest } from './seaquest';
import { SpaceInvaders } from './space-invaders';

export { Asterix, Breakout, Freeway, Seaquest, SpaceInvaders, MinAtarEnv };
export type { MinAtarEnvConfig } from './env';
export type { DrawSource, GameOptions, MinAtarGame } from './draws';
export { FULL_ACTION_NAMES } from './draws';

/** The five games by their Keiko id stem, e.g. `MinAtar/SpaceInvaders-v1`. */
export const MINATAR_GAMES: Record<string, new (options?: GameOptions) => MinAtarGame> = {
  Breakout,
  Asterix,
  Freeway,
  Seaquest,
  SpaceInvaders,
};

/** Options every MinAtar id accepts through `make()`. */
export interface MinAtarOptions {
  /** Probability in [0, 1] that the previous action repeats instead of the chosen one (default 0.1). */
  stickyActionProb?: number;
  /** Speed the games up over time as the original does (default true). */
  difficultyRamping?: boolean;
}

const optionsSchema = z
  .object({
    stickyActionProb: z
      .number({ error: 'must be a number in [0, 1]' })
      .min(0, { error: 'must be a number in [0, 1]' })
      .max(1, { error: 'must be a number in [0, 1]' })
      .optional(),
    difficultyRamping: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

/** Validate make() options for a MinAtar id, listing every problem by its field. */
export function parseMinAtarOptions(id: string, options: EnvOptions | undefined): MinAtarOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (allowed: stickyActionProb, difficultyRamping)`;
    }
    const value = issue.path.length ? (options as Record<string, unknown>)[String(issue.path[0])] : options;
    return `${issue.path.join('.') || 'options'}: ${issue.message} (got ${JSON.stringify(value) ?? String(value)})`;
  });
  throw new RangeError(`${id}: invalid options: ${problems.join('; ')}`);
}

/** Build one MinAtar env by id stem, e.g. `makeMinAtar('Breakout', 'v1', { stickyActionProb: 0 })`. */
export function makeMinAtar(game: string, version: 'v0' | 'v1', options?: EnvOptions): MinAtarEnv {
  const Game = MINATAR_GAMES[game];
  const id = `MinAtar/${game}-${version}`;
  if (!Game) throw new RangeError(`unknown MinAtar game ${game}; known: ${Object.keys(MINATAR_GAMES).join(', ')}`);
  const opts = parseMinAtarOptions(id, options);
  return new MinAtarEnv(new Game({ difficultyRamping: opts.difficultyRamping ?? true }), {
    id,
    fullActionSet: version === 'v0',
    stickyActionProb: opts.stickyActionProb ?? 0.1,
  });
}

/** Register `MinAtar/<Game>-v1` (minimal action set) and `-v0` (all six actions) for all five games. */
export function registerMinAtar(register: RegisterFn): void {
  for (const game of Object.keys(MINATAR_GAMES)) {
    for (const version of ['v1', 'v0'] as const) {
      const id = `MinAtar/${game}-${version}`;
      register(id, (options) => makeMinAtar(game, version, options), {
        id,
        maxEpisodeSteps: null,
        rewardThreshold: null,
        family: 'minatar',
      });
    }
  }
}
