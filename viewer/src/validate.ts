/** Validate a fetched replay file with the zod schema, producing a message that names the problem. */
import { replaySchema, type ReplayFile } from '../../agents/recording/replay-format';

export type ReplayCheck = { ok: true; replay: ReplayFile } | { ok: false; message: string };

const MAX_ISSUES = 5;

export function checkReplay(fileName: string, text: string): ReplayCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${fileName}: not valid JSON, the file is truncated or corrupt (${(err as Error).message})` };
  }
  const result = replaySchema.safeParse(value);
  if (result.success) {
    const replay = result.data;
    if (replay.steps.length !== replay.length) {
      return { ok: false, message: `${fileName}: length: says ${replay.length} steps but has ${replay.steps.length}` };
    }
    return { ok: true, replay };
  }
  const issues = result.error.issues;
  const lines = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (issues.length > MAX_ISSUES) lines.push(`… and ${issues.length - MAX_ISSUES} more`);
  return { ok: false, message: `${fileName}: not a valid replay file: ${lines.join('; ')}` };
}
