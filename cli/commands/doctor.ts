/**
 * `keiko doctor`: what Keiko runs on here — backend, versions, native TensorFlow availability (and
 * why not), cores and memory. Exit code 0 when a backend runs.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { BackendError, describeBackend, parsePreference, type BackendInfo } from '../../src/backend';
import { initNodeBackend, installedVersion, probeCuda, probeNative } from '../../node/backend-node';
import { UserError } from '../errors';

export interface DoctorReport {
  backend: BackendInfo;
  node: string;
  packages: Record<string, string | null>;
  native: Record<'tensorflow' | 'tensorflow-gpu', { available: boolean; version?: string; reason?: string; hint?: string }>;
  cuda: { usable: boolean; detail: string };
  cpus: { count: number; model: string };
  memory: { totalGiB: number; freeGiB: number };
  platform: string;
}

const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

export async function collectDoctorReport(backend?: string): Promise<DoctorReport> {
  let info: BackendInfo;
  try {
    info = await initNodeBackend(backend === undefined ? undefined : parsePreference(backend, '--backend'), { quiet: true });
  } catch (err) {
    if (err instanceof BackendError) throw new UserError(err.message);
    throw err;
  }
  const cpus = os.cpus();
  return {
    backend: info,
    node: process.versions.node,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, installedVersion(p) ?? null])),
    native: { tensorflow: probeNative('tensorflow'), 'tensorflow-gpu': probeNative('tensorflow-gpu') },
    cuda: probeCuda(),
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memory: { totalGiB: round(os.totalmem() / 2 ** 30), freeGiB: round(os.freemem() / 2 ** 30) },
    platform: `${process.platform}-${process.arch}`,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export function formatDoctorReport(r: DoctorReport): string {
  const lines: string[] = [];
  lines.push(`backend:   ${describeBackend(r.backend)}`);
  if (r.backend.requested !== r.backend.name) lines.push(`           (asked for '${r.backend.requested}')`);
  for (const s of r.backend.skipped) lines.push(`           skipped ${s.name}: ${s.reason}`);
  if (r.backend.patchedKernels.length) lines.push(`kernels:   Keiko training kernels on ${r.backend.name}: ${r.backend.patchedKernels.join(', ')}`);
  lines.push(`node:      ${r.node} (${r.platform})`);
  for (const [pkg, version] of Object.entries(r.packages)) lines.push(`  ${pkg.padEnd(30)} ${version ?? 'not installed'}`);
  for (const [name, probe] of Object.entries(r.native)) {
    const status = probe.available ? `available${probe.version ? ` (${probe.version})` : ''}` : `unavailable: ${probe.reason}${probe.hint ? ` — ${probe.hint}` : ''}`;
    lines.push(`${(name + ':').padEnd(16)}${status}`);
  }
  lines.push(`cuda:      ${r.cuda.usable ? r.cuda.detail : `no (${r.cuda.detail})`}`);
  lines.push(`cpus:      ${r.cpus.count} × ${r.cpus.model}`);
  lines.push(`memory:    ${r.memory.totalGiB} GiB total, ${r.memory.freeGiB} GiB free`);
  return lines.join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the backend Keiko runs on, versions, native TensorFlow/GPU availability, cores and memory')
    .option('--backend <name>', 'backend to try: auto, tensorflow-gpu, tensorflow, wasm, cpu (default: $KEIKO_BACKEND or auto)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { backend?: string; json?: boolean }) => {
      const report = await collectDoctorReport(opts.backend);
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
    });
}
