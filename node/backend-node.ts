/**
 * Node-only half of backend selection: probing and loading the native TensorFlow backends
 * (@tensorflow/tfjs-node, @tensorflow/tfjs-node-gpu). `src/backend.ts` stays browser-safe and
 * receives this through setNativeBackendLoader; Node entry points call registerNodeBackendLoader()
 * (or initNodeBackend) once before initBackend.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  initBackend,
  setNativeBackendLoader,
  type BackendInfo,
  type BackendPreference,
  type NativeBackendLoader,
  type NativeBackendName,
  type NativeProbe,
} from '../src/backend';

const require = createRequire(import.meta.url);

const PACKAGES: Record<NativeBackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/** Where a package is installed (its directory), or undefined. */
function packageDir(pkg: string): string | undefined {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** Finds the compiled binding that tfjs-node's install script downloads/builds (lib/napi-v*). */
function bindingPath(dir: string): string | undefined {
  const lib = join(dir, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const entry of readdirSync(lib)) {
    const candidate = join(lib, entry, 'tfjs_binding.node');
    if (entry.startsWith('napi-v') && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface CudaStatus {
  usable: boolean;
  detail: string;
}

/** Whether an NVIDIA GPU with a driver is visible (driver proc file or nvidia-smi). */
export function probeCuda(): CudaStatus {
  if (existsSync('/proc/driver/nvidia/version')) {
    const line = readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0]?.trim() ?? '';
    return { usable: true, detail: line || 'NVIDIA driver present' };
  }
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
    const gpus = out.split('\n').filter((l) => l.startsWith('GPU'));
    if (gpus.length > 0) return { usable: true, detail: gpus.join('; ') };
    return { usable: false, detail: 'nvidia-smi lists no GPU' };
  } catch {
    return { usable: false, detail: 'no CUDA device (no NVIDIA driver, nvidia-smi not found)' };
  }
}

/** Probes a native backend without loading it. */
export function probeNative(name: NativeBackendName): NativeProbe {
  const pkg = PACKAGES[name];
  const installHint = `install it with \`npm install ${pkg}@4.22.0\` (install scripts allowed; needs internet to download libtensorflow)`;
  const dir = packageDir(pkg);
  if (!dir) return { available: false, reason: `${pkg} is not installed`, hint: installHint };
  let version: string | undefined;
  try {
    version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    version = undefined;
  }
  if (!bindingPath(dir)) {
    return {
      available: false,
      version,
      reason: `${pkg}${version ? `@${version}` : ''} is installed but its native binary is missing (its install script did not run or could not download libtensorflow)`,
      hint: `run \`npm rebuild ${pkg}\` with install scripts allowed and internet access`,
    };
  }
  if (name === 'tensorflow-gpu') {
    const cuda = probeCuda();
    if (!cuda.usable) return { available: false, version, reason: cuda.detail, hint: 'use the tensorflow (CPU) backend instead' };
  }
  return { available: true, version };
}

let loaded: NativeBackendName | undefined;

export const nodeBackendLoader: NativeBackendLoader = {
  probe: probeNative,
  async load(name) {
    if (loaded && loaded !== name) {
      throw new Error(`${PACKAGES[loaded]} is already loaded in this process; both register the 'tensorflow' backend`);
    }
    // Importing the package registers the 'tensorflow' backend with the shared tfjs engine.
    require(PACKAGES[name]);
    loaded = name;
  },
};

/** Lets initBackend probe and load tfjs-node(-gpu). Safe to call more than once. */
export function registerNodeBackendLoader(): void {
  setNativeBackendLoader(nodeBackendLoader);
}

/** registerNodeBackendLoader + initBackend: the one call Node entry points need. */
export async function initNodeBackend(
  preference?: BackendPreference,
  options?: { quiet?: boolean; log?: (line: string) => void },
): Promise<BackendInfo> {
  registerNodeBackendLoader();
  return initBackend(preference, options);
}

/** Installed version of a package, or undefined (for `keiko doctor`). */
export function installedVersion(pkg: string): string | undefined {
  const dir = packageDir(pkg);
  if (!dir) return undefined;
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
