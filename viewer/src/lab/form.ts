/**
 * The lab's training form: the fields a user adjusts, read into a training config and validated
 * with the same zod schema `keiko train` uses (agents/dqn/config.ts resolveConfig). A blank field
 * takes the preset's value; text that is not a number is passed on as text, so the schema's own
 * message names the field ("learningRate: Invalid input: expected number, received string").
 */
import { ConfigError, resolveConfig, type DqnConfig, type TrainInput } from '../../../agents/dqn/config';
import { make } from '../../../envs/registry';
import { LAB_BACKENDS, type LabBackend } from './protocol';

/** Number fields of the form: the input's id is the config key. */
export const NUMBER_FIELDS = ['steps', 'seed', 'learningRate', 'gamma', 'batchSize', 'bufferSize', 'epsilonDecaySteps', 'targetUpdateInterval', 'evalInterval'] as const;
type NumberField = (typeof NUMBER_FIELDS)[number];

export interface FormValues {
  env: string;
  preset: string;
  numbers: Partial<Record<NumberField, string>>;
  /** Hidden layer sizes, e.g. "64, 64" (dense, ReLU); blank = the preset's network. */
  hidden: string;
  /** Stop once a periodic evaluation reaches this mean return; blank = train all steps. */
  stopAtReturn: string;
  backend: string;
}

export interface Problem {
  path: string;
  message: string;
}

export interface ParsedForm {
  input: TrainInput;
  config: DqnConfig;
  stopAtReturn: number | null;
  backend: LabBackend;
}

/** What the lab always sets: no periodic checkpoints (the page keeps no training state to resume). */
const LAB_FIXED = { checkpointInterval: 0 } as const;

function numberOrText(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** "64, 64" → two dense ReLU layers; a problem for anything that is not a list of positive integers. */
export function parseHidden(text: string): TrainInput['network'] | undefined | Problem {
  const t = text.trim();
  if (t === '') return undefined;
  const sizes = t.split(/[\s,]+/).filter(Boolean).map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) {
    return { path: 'network', message: `"${t}" is not a list of layer sizes: give positive integers up to 4096, e.g. 64, 64` };
  }
  return sizes.map((units) => ({ type: 'dense', units, activation: 'relu' }));
}

/** The form's values as a validated config, or every problem by field. */
export function parseForm(values: FormValues): { ok: true; form: ParsedForm } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const input: TrainInput = { env: values.env, preset: values.preset as DqnConfig['preset'], ...LAB_FIXED };
  for (const key of NUMBER_FIELDS) {
    const text = values.numbers[key]?.trim() ?? '';
    if (text !== '') (input as Record<string, unknown>)[key] = numberOrText(text);
  }
  const hidden = parseHidden(values.hidden);
  if (hidden && !Array.isArray(hidden)) problems.push(hidden as Problem);
  else if (hidden) input.network = hidden;
  let stopAtReturn: number | null = null;
  if (values.stopAtReturn.trim() !== '') {
    stopAtReturn = Number(values.stopAtReturn.trim());
    if (!Number.isFinite(stopAtReturn)) problems.push({ path: 'stopAtReturn', message: `"${values.stopAtReturn.trim()}" is not a number (leave it blank to train every step)` });
  }
  if (!(LAB_BACKENDS as readonly string[]).includes(values.backend)) problems.push({ path: 'backend', message: `unknown backend "${values.backend}"; allowed values: ${LAB_BACKENDS.join(', ')}` });
  let config: DqnConfig | null = null;
  try {
    config = resolveConfig(input);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (config) {
    try {
      make(config.env, config.envOptions).close();
    } catch (err) {
      problems.push({ path: 'env', message: (err as Error).message });
    }
  }
  if (problems.length > 0 || !config) return { ok: false, problems };
  return { ok: true, form: { input, config, stopAtReturn, backend: values.backend as LabBackend } };
}

/** The values a preset gives the form's fields for an env (what the fields show before editing). */
export function presetValues(env: string, preset: string): { numbers: Record<NumberField, string>; hidden: string } {
  const config = resolveConfig({ env, preset });
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((k) => [k, String(config[k])])) as Record<NumberField, string>;
  const layers = config.network as { type: string; units?: number }[] | null;
  const hidden = layers && layers.every((l) => l.type === 'dense' && typeof l.units === 'number') ? layers.map((l) => l.units).join(', ') : '';
  return { numbers, hidden };
}
