/**
 * Backend selection: one call, `await initBackend()`, before any tensor work.
 *
 * Browser-safe on purpose: nothing here imports Node modules. The native TensorFlow backends
 * (`@tensorflow/tfjs-node`, `@tensorflow/tfjs-node-gpu`) can only be probed and loaded from Node,
 * so Node entry points register a loader first (`registerNodeBackendLoader()` from
 * `node/backend-node.ts`); without one, 'tensorflow' and 'tensorflow-gpu' are simply unavailable.
 *
 * 'auto' order — Node: tensorflow-gpu (only with a usable CUDA device) → tensorflow → wasm → cpu;
 * browser: wasm → webgl → cpu. The `KEIKO_BACKEND` environment variable replaces the default 'auto'
 * (an explicit argument still wins).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels, registeredTrainingKernels } from './wasm/index';

export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
/** A concrete backend Keiko can run on ('webgl' only ever in a browser, via 'auto'). */
export type BackendName = Exclude<BackendPreference, 'auto'> | 'webgl';
export type NativeBackendName = 'tensorflow' | 'tensorflow-gpu';

export interface BackendInfo {
  /** What Keiko runs on. */
  name: BackendName;
  /** The tfjs backend name registered with the engine ('tensorflow' for both native ones). */
  tfjsBackend: string;
  tfjsVersion: string;
  /** Set when name is 'wasm'. */
  wasm?: { simd: boolean; threads: boolean; threadCount: number };
  /** Kernels Keiko registered or replaced on this backend so that training works (see docs/backends.md). */
  patchedKernels: string[];
  environment: 'node' | 'browser';
  /** What was asked for (after KEIKO_BACKEND), and why anything earlier in the 'auto' order was skipped. */
  requested: BackendPreference;
  skipped: { name: BackendName; reason: string }[];
}

/** Whether a native backend can be loaded here and, if not, why (and how to fix it). */
export interface NativeProbe {
  available: boolean;
  /** Installed package version, when the package is present. */
  version?: string;
  /** Why it is unavailable: not installed, binary missing, no CUDA device... */
  reason?: string;
  /** How to get it. */
  hint?: string;
}

/** Node-only probing and loading of tfjs-node(-gpu), injected by `node/backend-node.ts`. */
export interface NativeBackendLoader {
  probe(name: NativeBackendName): NativeProbe;
  /** Loads the package so that it registers the 'tensorflow' tfjs backend. */
  load(name: NativeBackendName): Promise<void>;
}

/** A backend that was asked for cannot run here; the message says what is available and how to fix it. */
export class BackendError extends Error {
  override name = 'BackendError';
}

let nativeLoader: NativeBackendLoader | undefined;
let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** Registers how to probe/load the native backends (Node entry points call this once). */
export function setNativeBackendLoader(loader: NativeBackendLoader | undefined): void {
  nativeLoader = loader;
}

export function getNativeBackendLoader(): NativeBackendLoader | undefined {
  return nativeLoader;
}

/**
 * Where the wasm backend fetches its .wasm binaries (a URL prefix ending in '/', or a map by file
 * name). Browsers served by a bundler need this; Node finds them inside the package by itself.
 */
export function setWasmBinaryPaths(prefixOrFileMap: string | Record<string, string>): void {
  setWasmPaths(prefixOrFileMap as Parameters<typeof setWasmPaths>[0]);
}

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/** The KEIKO_BACKEND environment variable, validated; undefined when unset (or in a browser). */
export function backendFromEnv(): BackendPreference | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.KEIKO_BACKEND?.trim();
  if (!value) return undefined;
  return parsePreference(value, 'KEIKO_BACKEND');
}

/** Validates a backend name from user input (flag, env var, config field). */
export function parsePreference(value: string, field = 'backend'): BackendPreference {
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new BackendError(`${field}: unknown backend '${value}'; allowed values: ${BACKEND_PREFERENCES.join(', ')}`);
}

/** The backend chosen by the last successful initBackend, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current && tf.getBackend() === current.tfjsBackend ? current : undefined;
}

/**
 * Selects and initialises a backend; returns (and logs once, unless `quiet`) what runs.
 * Idempotent: asking again for the same thing returns the cached info; asking for a different
 * backend switches to it. Throws BackendError when an explicitly requested backend is unavailable.
 */
export async function initBackend(
  preference?: BackendPreference,
  options: { quiet?: boolean; log?: (line: string) => void } = {},
): Promise<BackendInfo> {
  const requested = preference ?? backendFromEnv() ?? 'auto';
  if (preference !== undefined) parsePreference(preference);
  // Serialise concurrent calls: two racing setBackend calls would leave the engine undefined.
  while (pending) await pending.catch(() => undefined);
  const active = currentBackend();
  if (active && (active.requested === requested || active.name === requested)) return active;
  pending = select(requested);
  try {
    const info = await pending;
    current = info;
    if (!options.quiet) (options.log ?? console.log)(`keiko: backend ${describeBackend(info)}`);
    return info;
  } finally {
    pending = undefined;
  }
}

/** One line saying what runs, e.g. "wasm (tfjs 4.22.0, SIMD on, threads off)". */
export function describeBackend(info: BackendInfo): string {
  const extra = info.wasm
    ? `, SIMD ${info.wasm.simd ? 'on' : 'off'}, threads ${info.wasm.threads ? `on (${info.wasm.threadCount})` : 'off'}`
    : '';
  return `${info.name} (tfjs ${info.tfjsVersion}${extra})`;
}

function autoOrder(): BackendName[] {
  return isNode() ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : ['wasm', 'webgl', 'cpu'];
}

async function select(requested: BackendPreference): Promise<BackendInfo> {
  if (requested !== 'auto') {
    const reason = await tryBackend(requested);
    if (reason !== undefined) throw new BackendError(unavailableMessage(requested, reason));
    return describe(requested, requested, []);
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of autoOrder()) {
    const reason = await tryBackend(name);
    if (reason === undefined) return describe(name, requested, skipped);
    skipped.push({ name, reason });
  }
  throw new BackendError(
    `no backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
  );
}

/** Switches to the backend; returns undefined on success or the reason it cannot run. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    if (!nativeLoader) {
      return isNode()
        ? 'no native loader registered (call registerNodeBackendLoader() from node/backend-node.ts)'
        : 'native TensorFlow backends only exist in Node';
    }
    const probe = nativeLoader.probe(name);
    if (!probe.available) return [probe.reason ?? 'unavailable', probe.hint].filter(Boolean).join('; ');
    try {
      await nativeLoader.load(name);
    } catch (err) {
      return `failed to load: ${(err as Error).message.split('\n')[0]}`;
    }
    return (await switchTo('tensorflow')) ? undefined : 'the tensorflow backend failed to initialise';
  }
  if (name === 'webgl' && isNode()) return 'WebGL is only available in a browser';
  if (name === 'wasm' && typeof WebAssembly === 'undefined') return 'WebAssembly is not supported here';
  if (!tf.findBackendFactory(name)) return `the ${name} backend is not registered`;
  if (!(await switchTo(name))) return `the ${name} backend failed to initialise`;
  if (name === 'wasm' || name === 'cpu') registerTrainingKernels(name);
  return undefined;
}

async function switchTo(tfjsName: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(tfjsName);
    // tfjs's cpu backend greets Node users with "install our node backend" on first use; Keiko
    // reports the backend and what is missing itself (initBackend's log, `keiko doctor`).
    if (ok && tfjsName === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return ok;
  } catch {
    return false;
  }
}

function unavailableMessage(name: BackendName, reason: string): string {
  const lines = [`backend '${name}' is not available: ${reason.replace(/\.$/, '')}.`];
  const installed: string[] = [];
  for (const other of ['tensorflow-gpu', 'tensorflow'] as const) {
    if (nativeLoader?.probe(other).available) installed.push(other);
  }
  if (isNode()) installed.push('wasm', 'cpu');
  else installed.push(...(['wasm', 'webgl', 'cpu'] as const).filter((n) => tf.findBackendFactory(n)));
  lines.push(`Available here: ${installed.join(', ')} (or 'auto').`);
  if ((name === 'tensorflow' || name === 'tensorflow-gpu') && !reason.includes('npm ')) {
    const pkg = name === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    lines.push(
      `To get it (Node only): npm install ${pkg}@${tf.version.tfjs} with install scripts allowed; ` +
        `it downloads libtensorflow, so it needs internet access.`,
    );
  }
  if (name === 'tensorflow-gpu') lines.push('tensorflow-gpu also needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1.');
  return lines.join(' ');
}

async function describe(name: BackendName, requested: BackendPreference, skipped: BackendInfo['skipped']): Promise<BackendInfo> {
  const info: BackendInfo = {
    name,
    tfjsBackend: tf.getBackend(),
    tfjsVersion: tf.version.tfjs,
    patchedKernels: patchedKernelsFor(name),
    environment: isNode() ? 'node' : 'browser',
    requested,
    skipped,
  };
  if (name === 'wasm') {
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info.wasm = { simd, threads, threadCount: threads ? getThreadsCount() : 1 };
  }
  return info;
}

function patchedKernelsFor(name: BackendName): string[] {
  if (name !== 'wasm' && name !== 'cpu') return [];
  return registeredTrainingKernels(name);
}
