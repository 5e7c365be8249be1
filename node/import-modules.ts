/**
 * `--import MODULE`: load user modules before a config is resolved, so that their `register(...)`
 * calls add custom envs to the registry (`keiko train`, `keiko bench` and its worker threads).
 *
 * A module is a path (relative to the current directory, or absolute), a `file:` URL, or a
 * package name (resolved from the current directory's node_modules). TypeScript modules load
 * through tsx: the CLI already runs under it in a checkout, and an installed CLI registers it the
 * first time a `.ts` module needs it. Each module is imported once per thread, in the order given.
 *
 * A training run records the modules it imported in its run directory (`imports.json`, absolute
 * URLs), so `keiko train --out DIR --resume` imports them again without being told.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atomicWriteJson } from './atomic';

/** The run-directory file listing the modules a run imported. */
export const IMPORTS_FILE = 'imports.json';

export class ImportModuleError extends Error {
  override name = 'ImportModuleError';
}

const loaded: string[] = [];
const pending = new Map<string, Promise<void>>();
let tsxRegistered = false;

/** The modules importModules() has loaded in this thread (absolute URLs, in import order). */
export function importedModules(): readonly string[] {
  return loaded;
}

const isPathLike = (spec: string) => spec.startsWith('.') || isAbsolute(spec) || /^[a-z]:[\\/]/i.test(spec) || /\.[cm]?[jt]sx?$/i.test(spec);

/** The absolute URL `spec` names (a path, a file: URL or a package); throws ImportModuleError naming what is missing. */
export function resolveModule(spec: string, cwd: string = process.cwd()): string {
  if (spec.trim() === '') throw new ImportModuleError('--import: empty module name');
  if (/^(file|data):/i.test(spec)) {
    if (/^file:/i.test(spec) && !existsSync(fileURLToPath(spec))) throw new ImportModuleError(`--import ${spec}: no such file`);
    return spec;
  }
  if (isPathLike(spec) || existsSync(resolve(cwd, spec))) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) throw new ImportModuleError(`--import ${spec}: no such file (looked for ${path})`);
    return pathToFileURL(path).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(spec)).href;
  } catch {
    throw new ImportModuleError(`--import ${spec}: no such file, and no package of that name in ${join(cwd, 'node_modules')}`);
  }
}

/**
 * Whether TypeScript modules load in this thread: yes when this very file runs as TypeScript (tsx,
 * vitest); a compiled CLI registers tsx first. (Node caches a failed import, so it must be
 * registered before the first attempt, not after an ERR_UNKNOWN_FILE_EXTENSION.)
 */
async function ensureTypeScript(): Promise<void> {
  if (tsxRegistered || /\.[cm]?tsx?$/.test(new URL(import.meta.url).pathname)) return;
  const { register } = (await import('tsx/esm/api')) as { register: () => unknown };
  register();
  tsxRegistered = true;
}

async function importUrl(url: string): Promise<void> {
  if (/\.[cm]?tsx?$/i.test(new URL(url).pathname)) await ensureTypeScript();
  await import(url);
}

/**
 * Import each module once (in order) and return their URLs. A module that cannot be found or
 * throws while loading is an ImportModuleError naming it, with the module's own message.
 */
export async function importModules(specs: readonly string[], options: { cwd?: string } = {}): Promise<string[]> {
  const urls: string[] = [];
  for (const spec of specs) {
    const url = resolveModule(spec, options.cwd);
    if (!urls.includes(url)) urls.push(url);
    let p = pending.get(url);
    if (!p) {
      p = importUrl(url).then(
        () => {
          loaded.push(url);
        },
        (err: unknown) => {
          pending.delete(url);
          const shown = url.startsWith('file:') ? fileURLToPath(url) : url;
          const message = err instanceof Error ? err.message : String(err);
          throw new ImportModuleError(`--import ${spec}: loading ${shown} failed: ${message}`, { cause: err });
        },
      );
      pending.set(url, p);
    }
    await p;
  }
  return urls;
}

/** The modules recorded in a run directory's imports.json (empty when there is none). */
export function readRunImports(runDir: string): string[] {
  const path = join(runDir, IMPORTS_FILE);
  if (!existsSync(path)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ImportModuleError(`${path} cannot be read: ${(err as Error).message}`);
  }
  const list = (data as { imports?: unknown } | null)?.imports;
  if (!Array.isArray(list) || !list.every((u) => typeof u === 'string')) {
    throw new ImportModuleError(`${path}: expected { "imports": ["file:///path/to/module.ts", ...] }`);
  }
  return list as string[];
}

/** Record the modules a run imported (absolute URLs) in DIR/imports.json; nothing when there are none. */
export function writeRunImports(runDir: string, urls: readonly string[]): void {
  if (urls.length === 0) return;
  atomicWriteJson(join(runDir, IMPORTS_FILE), { imports: [...urls] });
}
