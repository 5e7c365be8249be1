/** The MinAtar benchmark's target rules (node/sweep/minatar-targets.ts) on synthetic results. */
import { describe, expect, it } from 'vitest';
import { judgeGame, judgePresets, paperAt, type GameResult } from '../node/sweep/minatar-targets';

const GAMES = ['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders'] as const;
const env = (game: string) => `MinAtar/${game}-v0`;
const result = (game: string, preset: string, returns: number[], planned = returns.length): GameResult => ({
  env: env(game),
  preset,
  planned,
  returns,
  evals: returns.map((r) => r + 1),
});

describe('MinAtar targets', () => {
  it('reads the paper values the issue quotes', () => {
    expect(paperAt(env('Breakout'), 1_000_000)).toBe(9.3);
    expect(paperAt(env('Freeway'), 5_000_000)).toBe(50);
    expect(paperAt(env('SpaceInvaders'), 750_000)).toBeNull();
    expect(paperAt('CartPole-v1', 1_000_000)).toBeNull();
  });

  it('the paper preset needs 80% of the 1M value: 7.44 passes on Breakout, 7.43 fails', () => {
    expect(judgeGame(result('Breakout', 'minatar', [7.44])).meets1M).toBe(true);
    expect(judgeGame(result('Breakout', 'minatar', [7.43])).meets1M).toBe(false);
  });

  it('the tuned preset needs the full 1M value, on the mean over seeds', () => {
    const g = judgeGame(result('Asterix', 'minatar-tuned', [9, 10, 11.5]));
    expect(g.trainingReturn.mean).toBeCloseTo(10.1667, 4);
    expect(g.meets1M).toBe(true);
    expect(g.reaches5M).toBe(false);
    expect(judgeGame(result('Asterix', 'minatar-tuned', [9, 10, 10.9])).meets1M).toBe(false);
  });

  it('a game with seeds still running is not judged', () => {
    const g = judgeGame(result('Freeway', 'minatar-tuned', [60, 60], 3));
    expect(g.complete).toBe(false);
    expect(g.meets1M).toBeNull();
    expect(g.reaches5M).toBeNull();
  });

  it('the three verdicts: pending until every game is judged, then PASS or FAIL by the counts', () => {
    const paper = GAMES.map((game) => judgeGame(result(game, 'minatar', [paperAt(env(game), 1_000_000)! * 0.9])));
    // Tuned: every game at its 1M value; at its 5M value on Breakout and Freeway only.
    const tunedReturns = (fiveM: readonly string[]) =>
      GAMES.map((game) => judgeGame(result(game, 'minatar-tuned', [paperAt(env(game), fiveM.includes(game) ? 5_000_000 : 1_000_000)!])));
    const two = tunedReturns(['Breakout', 'Freeway']);
    const three = tunedReturns(['Breakout', 'Freeway', 'Seaquest']);
    const verdicts = (games: typeof paper) => Object.fromEntries(judgePresets(games).map((v) => [v.rule, v.pass]));

    expect(verdicts([...paper, ...two])).toEqual({
      "≥ 80% of the paper's 1M value on every game": true,
      "≥ the paper's 1M value on every game": true,
      "≥ the paper's 5M value on at least 3 games": false,
    });
    expect(verdicts([...paper, ...three])["≥ the paper's 5M value on at least 3 games"]).toBe(true);

    // One paper-preset game at 79%: that verdict fails.
    const weak = paper.map((g, i) => (i === 0 ? judgeGame(result(GAMES[0], 'minatar', [paperAt(env(GAMES[0]), 1_000_000)! * 0.79])) : g));
    expect(verdicts([...weak, ...three])["≥ 80% of the paper's 1M value on every game"]).toBe(false);

    // A game still running leaves every verdict of its preset pending.
    const running = [...paper.slice(1), judgeGame(result(GAMES[0], 'minatar', [], 1))];
    const pending = judgePresets(running).find((v) => v.preset === 'minatar')!;
    expect(pending.pass).toBeNull();
    expect(pending.judged).toBe(4);

    // But one failing game decides an every-game rule while others still run; three games at 5M
    // decide the at-least-three rule.
    const early = [...three.slice(0, 3), judgeGame(result('Seaquest', 'minatar-tuned', [], 3)), judgeGame(result('SpaceInvaders', 'minatar-tuned', [1]))];
    expect(verdicts(early)).toEqual({
      "≥ the paper's 1M value on every game": false,
      "≥ the paper's 5M value on at least 3 games": null,
    });
    const threeEarly = [...three.slice(0, 4), judgeGame(result('SpaceInvaders', 'minatar-tuned', [], 3))];
    expect(verdicts(threeEarly)["≥ the paper's 5M value on at least 3 games"]).toBe(true);
  });
});
