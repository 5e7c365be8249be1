/**
 * Bundles the viewer app (viewer/src/main.ts + pixi.js + zod) with esbuild into viewer/dist/.
 * Staleness is a content hash of the sources (not mtimes, which a fresh clone resets), so
 * `keiko view` rebuilds exactly when something changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { atomicWriteFile } from '../node/atomic';

const VIEWER_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_DIR = join(VIEWER_DIR, '..');
export const DIST_DIR = join(VIEWER_DIR, 'dist');
const HASH_FILE = join(DIST_DIR, '.build-hash');
/** An installed package ships the app prebuilt (scripts/build.mjs) and no viewer sources. */
const HAS_SOURCES = existsSync(join(VIEWER_DIR, 'src', 'main.ts'));
/** The pages (the viewer, the play page, the lab) and the stylesheet they share, copied as they are. */
const PAGES = ['index.html', 'play.html', 'lab.html', 'common.css'];
/** The tfjs wasm binaries the lab's worker loads from the page's own origin (setWasmPaths). */
const WASM_DIR = join(REPO_DIR, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const wasmBinaries = (): string[] => (existsSync(WASM_DIR) ? readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm')).sort() : []);

/** The bundles, by output name: the viewer app, the play page, the lab page and the lab's training worker. */
export const VIEWER_ENTRY_POINTS = (viewerDir: string): Record<string, string> => ({
  app: join(viewerDir, 'src', 'main.ts'),
  play: join(viewerDir, 'src', 'play', 'main.ts'),
  lab: join(viewerDir, 'src', 'lab', 'main.ts'),
  'lab-worker': join(viewerDir, 'src', 'lab', 'worker.ts'),
});
/** The files every build writes. */
const BUILT_FILES = [...Object.keys(VIEWER_ENTRY_POINTS(VIEWER_DIR)).map((n) => `${n}.js`), ...PAGES];
const isBuilt = () => BUILT_FILES.every((f) => existsSync(join(DIST_DIR, f)));

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.(ts|css|html)$/.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(join(VIEWER_DIR, 'src'));
  files.push(...PAGES.map((p) => join(VIEWER_DIR, p)), join(VIEWER_DIR, 'build.ts'));
  // Bundled from outside viewer/: the play page and the lab run the core (src/, envs/, agents/),
  // and the pinned libraries come from the lock file.
  for (const dir of ['src', 'envs', 'agents']) walk(join(REPO_DIR, dir));
  if (existsSync(join(REPO_DIR, 'package-lock.json'))) files.push(join(REPO_DIR, 'package-lock.json'));
  return files.sort();
}

export function viewerSourceHash(): string {
  const hash = createHash('sha256');
  for (const f of sourceFiles()) {
    hash.update(relative(REPO_DIR, f));
    hash.update('\0');
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function isViewerBuildStale(): boolean {
  if (!HAS_SOURCES) return !isBuilt();
  if (!existsSync(HASH_FILE) || !isBuilt()) return true;
  return readFileSync(HASH_FILE, 'utf8').trim() !== viewerSourceHash();
}

export interface BuildResult {
  built: boolean;
  distDir: string;
  ms: number;
  bytes: number;
}

/** Build viewer/dist when it is missing or stale (or always, with force). */
export async function buildViewer(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<BuildResult> {
  const t0 = performance.now();
  if (!HAS_SOURCES) {
    if (isBuilt()) return { built: false, distDir: DIST_DIR, ms: 0, bytes: 0 };
    throw new Error(`the viewer app is missing from this installation (${DIST_DIR}); reinstall the package`);
  }
  if (!options.force && !isViewerBuildStale()) return { built: false, distDir: DIST_DIR, ms: 0, bytes: 0 };
  options.log?.('keiko view: building the viewer app (viewer/dist)...');
  const hash = viewerSourceHash();
  const result = await build({
    entryPoints: VIEWER_ENTRY_POINTS(VIEWER_DIR),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outdir: DIST_DIR,
    write: false,
    logLevel: 'silent',
    legalComments: 'linked',
  });
  let bytes = 0;
  // Each output is written atomically, the hash last: a half-finished build is never "fresh".
  for (const out of result.outputFiles) {
    atomicWriteFile(out.path, out.contents);
    bytes += out.contents.length;
  }
  for (const page of PAGES) atomicWriteFile(join(DIST_DIR, page), readFileSync(join(VIEWER_DIR, page)));
  for (const wasm of wasmBinaries()) atomicWriteFile(join(DIST_DIR, wasm), readFileSync(join(WASM_DIR, wasm)));
  atomicWriteFile(HASH_FILE, hash + '\n');
  return { built: true, distDir: DIST_DIR, ms: performance.now() - t0, bytes };
}
