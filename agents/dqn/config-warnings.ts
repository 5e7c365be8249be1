/**
 * Settings that are valid but probably not what the user meant: training that trains nothing,
 * evaluations or checkpoints that never happen. Pure: the CLI prints them, scripts may too.
 */
import type { DqnConfig } from './config';

export function configWarnings(c: DqnConfig): string[] {
  const out: string[] = [];
  if (c.steps <= c.learningStarts) {
    out.push(`steps (${c.steps}) ≤ learningStarts (${c.learningStarts}): no gradient step will run, the agent will not learn`);
  } else if (c.steps - c.learningStarts < c.trainFrequency) {
    out.push(`only ${c.steps - c.learningStarts} steps after learningStarts with trainFrequency ${c.trainFrequency}: no gradient step will run`);
  }
  if (c.evalInterval === 0 || c.evalInterval > c.steps) {
    out.push(`no periodic evaluation will run (evalInterval ${c.evalInterval}, steps ${c.steps}): only the final evaluation, and the best model is the final one`);
  }
  if (c.checkpointInterval > c.steps) out.push(`checkpointInterval (${c.checkpointInterval}) > steps (${c.steps}): the only checkpoint is the final one`);
  if (c.epsilonDecaySteps > c.steps && c.epsilonStart !== c.epsilonEnd) {
    out.push(`epsilonDecaySteps (${c.epsilonDecaySteps}) > steps (${c.steps}): ε never reaches epsilonEnd (${c.epsilonEnd})`);
  }
  if (c.recordEvery > 0 && c.recordEvery > c.steps) out.push(`recordEvery (${c.recordEvery}) episodes is more than the run can have: only the first episode is recorded`);
  if (c.targetUpdateInterval > c.steps - c.learningStarts && c.steps > c.learningStarts) {
    out.push(`targetUpdateInterval (${c.targetUpdateInterval}) > the learning steps (${c.steps - c.learningStarts}): the target network never updates`);
  }
  return out;
}
