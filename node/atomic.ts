/**
 * Atomic file writes (write a temp file in the same directory, fsync, rename, fsync the
 * directory): a reader or a crash never sees half a checkpoint, result file or model, and after
 * a power loss the rename itself is on disk too.
 */
import { existsSync, mkdirSync, openSync, readdirSync, writeSync, fsyncSync, closeSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** `beforeRename` runs once the data is safely on disk, just before it replaces `path`. */
export function atomicWriteFile(path: string, data: string | Uint8Array, beforeRename?: () => void): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  beforeRename?.();
  renameSync(tmp, path);
  fsyncDirectory(dir);
}

/** Make a rename in `dir` durable. Windows cannot open a directory: there the step is skipped. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM where directories cannot be opened or synced; the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The temp-file name of atomicWriteFile: `.<name>.<pid>.<ms>.tmp`. */
const TEMP_FILE = /^\..+\.\d+\.\d+\.tmp$/;

/**
 * Remove the temp files that writes killed mid-way (SIGKILL, power loss) left anywhere under
 * `dir`; returns how many. Only for a directory no other process is writing to (a resume owns
 * its run directory).
 */
export function removeStaleTempFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (!TEMP_FILE.test(basename(rel))) continue;
    rmSync(join(dir, rel), { force: true });
    n++;
  }
  return n;
}

export function atomicWriteJson(path: string, value: unknown): void {
  atomicWriteFile(path, JSON.stringify(value, null, 2) + '\n');
}
