/**
 * The MinAtar benchmark's targets (issue "Learn every game"), judged on the training return at
 * 1M frames, mean over seeds:
 *   - the `minatar` preset (the paper's DQN) reaches PAPER_PRESET_SHARE of the paper's 1M value
 *     on every game: the implementation is faithful;
 *   - the `minatar-tuned` preset reaches the paper's 1M value on every game, and its 5M value on
 *     at least TUNED_5M_GAMES games.
 * A game is judged once all its planned seeds are done; a verdict is given once the judged games
 * decide it (one failing game already fails an every-game rule).
 */
import { meanCi, type MeanCi } from './stats';
import { paperCurveFor, paperValueAt } from './references';

export const PAPER_PRESET_SHARE = 0.8;
export const TUNED_5M_GAMES = 3;

/** One game and preset: the finished seeds' training returns at 1M and final greedy evals. */
export interface GameResult {
  env: string;
  preset: string;
  /** Seeds the sweep plans for this game. */
  planned: number;
  returns: number[];
  evals: number[];
}

export interface GameVerdict extends GameResult {
  trainingReturn: MeanCi;
  greedyEval: MeanCi;
  paper1M: number | null;
  paper5M: number | null;
  /** All planned seeds done and the paper has both values. */
  complete: boolean;
  /** Meets the preset's 1M target (null until complete, or for presets without targets). */
  meets1M: boolean | null;
  /** At or above the paper's 5M value (null until complete). */
  reaches5M: boolean | null;
}

export interface PresetVerdict {
  preset: string;
  rule: string;
  games: number;
  judged: number;
  /** Games that meet the rule's per-game condition so far. */
  meeting: number;
  /** null while the games still running could decide it either way. */
  pass: boolean | null;
}

/** The paper's value at `step` (a point of its curve), or null. */
export function paperAt(env: string, step: number): number | null {
  return paperValueAt(paperCurveFor(env), step);
}

export function judgeGame(g: GameResult): GameVerdict {
  const paper1M = paperAt(g.env, 1_000_000);
  const paper5M = paperAt(g.env, 5_000_000);
  const trainingReturn = meanCi(g.returns);
  const complete = g.planned > 0 && g.returns.length >= g.planned && paper1M !== null && paper5M !== null;
  const share = g.preset === 'minatar' ? PAPER_PRESET_SHARE : g.preset === 'minatar-tuned' ? 1 : null;
  // "At least": a mean exactly at the bound passes, whatever 0.8 × 9.3 rounds to in binary.
  const atLeast = (value: number, bound: number) => value >= bound - 1e-9 * Math.max(1, Math.abs(bound));
  return {
    ...g,
    trainingReturn,
    greedyEval: meanCi(g.evals),
    paper1M,
    paper5M,
    complete,
    meets1M: complete && share !== null ? atLeast(trainingReturn.mean, share * paper1M!) : null,
    reaches5M: complete ? atLeast(trainingReturn.mean, paper5M!) : null,
  };
}

/** The three verdicts over the judged games (presets other than the two are ignored). */
export function judgePresets(games: readonly GameVerdict[]): PresetVerdict[] {
  const out: PresetVerdict[] = [];
  const of = (preset: string) => games.filter((g) => g.preset === preset);
  const verdict = (preset: string, rule: string, meets: (g: GameVerdict) => boolean, needed: (games: number) => number) => {
    const mine = of(preset);
    if (mine.length === 0) return;
    const judged = mine.filter((g) => g.complete);
    const meeting = judged.filter(meets).length;
    // Decided as soon as the judged games settle it: enough games meet the rule, or too many fail it.
    const need = needed(mine.length);
    const failing = judged.length - meeting;
    const pass = meeting >= need ? true : mine.length - failing < need ? false : null;
    out.push({ preset, rule, games: mine.length, judged: judged.length, meeting, pass });
  };
  verdict('minatar', `≥ ${PAPER_PRESET_SHARE * 100}% of the paper's 1M value on every game`, (g) => g.meets1M === true, (n) => n);
  verdict('minatar-tuned', "≥ the paper's 1M value on every game", (g) => g.meets1M === true, (n) => n);
  verdict('minatar-tuned', `≥ the paper's 5M value on at least ${TUNED_5M_GAMES} games`, (g) => g.reaches5M === true, () => TUNED_5M_GAMES);
  return out;
}
