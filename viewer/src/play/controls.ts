/**
 * Keyboard controls for every registered env: which key gives which action, the label the page
 * shows, and how the env advances (step mode: one step per key press; real time: steps at a
 * fixed rate with the held key's action, the idle action when none is held). Classic control is
 * listed by id; MinAtar games map by their action names (noop, left, up, right, down, fire), so
 * both action sets (-v1 minimal, -v0 full) are covered. An env id with no entry is an error: a new
 * env must get its controls here (tests/viewer-play.test.ts checks every registered id).
 */
import type { DiscreteSpace } from '../../../envs/core';

export type PlayMode = 'step' | 'realtime';

export interface KeyBinding {
  /** KeyboardEvent.key of the key. */
  key: string;
  /** What the page shows for the key. */
  label: string;
  action: number;
}

export interface ControlMap {
  envId: string;
  bindings: readonly KeyBinding[];
  /** The action taken in real time while no key is held; null: the env waits for a key. */
  idleAction: number | null;
  /** How the env advances at first (the page can switch). */
  defaultMode: PlayMode;
  /** Steps per second at first in real time. */
  defaultRate: number;
}

/** Steps-per-second choices of the speed selector. */
export const PLAY_RATES = [2, 5, 10, 20, 30] as const;

/** The key that takes the "do nothing" action where an env has one. */
export const IDLE_KEY: Omit<KeyBinding, 'action'> = { key: '.', label: '.' };

const ARROWS: Record<string, Omit<KeyBinding, 'action'>> = {
  left: { key: 'ArrowLeft', label: '←' },
  right: { key: 'ArrowRight', label: '→' },
  up: { key: 'ArrowUp', label: '↑' },
  down: { key: 'ArrowDown', label: '↓' },
  fire: { key: ' ', label: 'space' },
  noop: IDLE_KEY,
};

const bind = (action: number, ...keys: Omit<KeyBinding, 'action'>[]): KeyBinding[] => keys.map((k) => ({ ...k, action }));

/** Classic control, by id: action indices as the envs define them (envs/classic/*.ts). */
const CLASSIC: Record<string, { bindings: KeyBinding[]; idleAction: number | null }> = {
  // 0 push left, 1 push right: there is no "no push", so real time waits for a key.
  'CartPole-v1': { bindings: [...bind(0, ARROWS.left), ...bind(1, ARROWS.right)], idleAction: null },
  // 0 accelerate left, 1 don't accelerate, 2 accelerate right.
  'MountainCar-v0': { bindings: [...bind(0, ARROWS.left), ...bind(1, IDLE_KEY, ARROWS.down), ...bind(2, ARROWS.right)], idleAction: 1 },
  // 0 torque −1, 1 torque 0, 2 torque +1.
  'Acrobot-v1': { bindings: [...bind(0, ARROWS.left), ...bind(1, IDLE_KEY, ARROWS.down), ...bind(2, ARROWS.right)], idleAction: 1 },
};

export class MissingControlsError extends Error {
  override name = 'MissingControlsError';
}

/** The controls of env `envId` with `actionSpace` (from make(envId) or listEnvs()). */
export function controlsFor(envId: string, actionSpace: DiscreteSpace): ControlMap {
  const classic = CLASSIC[envId];
  if (classic) {
    checkCovers(envId, actionSpace, classic.bindings);
    return { envId, ...classic, defaultMode: 'step', defaultRate: 20 };
  }
  if (envId.startsWith('MinAtar/')) {
    const bindings: KeyBinding[] = [];
    actionSpace.actionNames.forEach((name, action) => {
      const key = ARROWS[name];
      if (!key) throw new MissingControlsError(`${envId}: action ${action} "${name}" has no key (known MinAtar actions: ${Object.keys(ARROWS).join(', ')})`);
      bindings.push({ ...key, action });
    });
    const noop = actionSpace.actionNames.indexOf('noop');
    return { envId, bindings, idleAction: noop < 0 ? null : noop, defaultMode: 'realtime', defaultRate: 5 };
  }
  throw new MissingControlsError(`${envId}: no keyboard controls; add them to viewer/src/play/controls.ts (envs with controls: ${Object.keys(CLASSIC).join(', ')}, MinAtar/*)`);
}

function checkCovers(envId: string, space: DiscreteSpace, bindings: readonly KeyBinding[]): void {
  for (let a = 0; a < space.n; a++) {
    if (!bindings.some((b) => b.action === a)) throw new MissingControlsError(`${envId}: action ${a} "${space.actionNames[a]}" has no key`);
  }
  const stray = bindings.find((b) => b.action >= space.n);
  if (stray) throw new MissingControlsError(`${envId}: key ${stray.label} maps to action ${stray.action}, the env has ${space.n}`);
}

/** The action of a key, or null when the key is not one of the env's. */
export function actionOfKey(controls: ControlMap, key: string): number | null {
  return controls.bindings.find((b) => b.key === key)?.action ?? null;
}

/** One line per action for the page: "← push left", ". / ↓ don't accelerate". */
export function controlLegend(controls: ControlMap, actionNames: readonly string[]): { keys: string[]; action: number; name: string }[] {
  return actionNames.map((name, action) => ({ keys: controls.bindings.filter((b) => b.action === action).map((b) => b.label), action, name }));
}
