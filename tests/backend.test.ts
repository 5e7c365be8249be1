/**
 * Backend selection: explicit unavailable backends fail with the documented message, 'auto' picks
 * one that runs, KEIKO_BACKEND is honoured, kernel registration happens once; `keiko doctor`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, backendFromEnv, initBackend, setNativeBackendLoader, type NativeBackendLoader } from '../src/backend';
import { registerNodeBackendLoader, probeNative } from '../node/backend-node';
import { trainingKernelsRegistered } from '../src/wasm/index';
import { collectDoctorReport } from '../cli/commands/doctor';
import { UserError } from '../cli/errors';

const run = promisify(execFile);
const savedEnv = process.env.KEIKO_BACKEND;

afterEach(() => {
  if (savedEnv === undefined) delete process.env.KEIKO_BACKEND;
  else process.env.KEIKO_BACKEND = savedEnv;
  registerNodeBackendLoader();
});

describe('initBackend', () => {
  it("asking for 'tensorflow' without tfjs-node fails naming what is installed and how to get it", async () => {
    registerNodeBackendLoader();
    expect(probeNative('tensorflow').available).toBe(false);
    const err = await initBackend('tensorflow', { quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const message = (err as Error).message;
    expect(message).toContain("backend 'tensorflow' is not available");
    expect(message).toContain('@tensorflow/tfjs-node is not installed');
    expect(message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
    expect(message).toContain('Available here: wasm, cpu');
  });

  it("'tensorflow-gpu' without a CUDA device or package is an error too", async () => {
    const err = await initBackend('tensorflow-gpu', { quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/tfjs-node-gpu|CUDA/);
  });

  it("'auto' picks wasm here (native packages absent) and says why it skipped the others", async () => {
    delete process.env.KEIKO_BACKEND;
    const lines: string[] = [];
    const info = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
    expect(typeof info.wasm?.simd).toBe('boolean');
    expect(info.wasm?.threadCount).toBeGreaterThanOrEqual(1);
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(info.patchedKernels).toContain('Conv2DBackpropFilter');
    expect(lines).toEqual(['keiko: backend wasm (tfjs 4.22.0, SIMD ' + (info.wasm?.simd ? 'on' : 'off') + ', threads off)']);
  });

  it('is idempotent and registers the training kernels exactly once', async () => {
    const a = await initBackend('wasm', { quiet: true });
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const b = await initBackend('wasm', { quiet: true });
    expect(b).toBe(a);
    expect(trainingKernelsRegistered('wasm')).toBe(true);
    await initBackend('cpu', { quiet: true });
    await initBackend('wasm', { quiet: true });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(kernel);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('concurrent calls settle on one backend', async () => {
    const [a, b] = await Promise.all([initBackend('cpu', { quiet: true }), initBackend('cpu', { quiet: true })]);
    expect(a).toBe(b);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('honours KEIKO_BACKEND when no preference is given, and validates it', async () => {
    process.env.KEIKO_BACKEND = 'cpu';
    expect(backendFromEnv()).toBe('cpu');
    expect((await initBackend(undefined, { quiet: true })).name).toBe('cpu');
    process.env.KEIKO_BACKEND = 'wasm';
    expect((await initBackend(undefined, { quiet: true })).name).toBe('wasm');
    // An explicit argument still wins over the environment.
    expect((await initBackend('cpu', { quiet: true })).name).toBe('cpu');
    process.env.KEIKO_BACKEND = 'gpu';
    await expect(initBackend(undefined, { quiet: true })).rejects.toThrow(
      "KEIKO_BACKEND: unknown backend 'gpu'; allowed values: auto, tensorflow-gpu, tensorflow, wasm, cpu",
    );
  });

  it('auto uses a native backend when the loader can provide one', async () => {
    // A fake loader that "loads" tfjs-node by registering a cpu-backed 'tensorflow' backend.
    const loads: string[] = [];
    const fake: NativeBackendLoader = {
      probe: (name) => (name === 'tensorflow' ? { available: true, version: '4.22.0' } : { available: false, reason: 'no CUDA device' }),
      async load(name) {
        loads.push(name);
        if (!tf.findBackendFactory('tensorflow')) {
          tf.registerBackend('tensorflow', () => new (tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend)(), 0);
        }
      },
    };
    setNativeBackendLoader(fake);
    const info = await initBackend('auto', { quiet: true });
    expect(info.name).toBe('tensorflow');
    expect(info.skipped).toEqual([{ name: 'tensorflow-gpu', reason: 'no CUDA device' }]);
    expect(loads).toEqual(['tensorflow']);
    tf.removeBackend('tensorflow');
    await initBackend('wasm', { quiet: true });
  });
});

describe('keiko doctor', () => {
  it('names the backend in use and exits 0', async () => {
    const { stdout } = await run(process.execPath, ['bin/keiko.js', 'doctor', '--backend', 'wasm'], { cwd: process.cwd() });
    expect(stdout).toMatch(/^backend: +wasm \(tfjs 4\.22\.0, SIMD (on|off), threads (on|off)/m);
    expect(stdout).toMatch(/tensorflow: +unavailable: @tensorflow\/tfjs-node is not installed/);
    expect(stdout).toMatch(/cpus: +\d+ ×/);
  });

  it('turns an unavailable --backend into a UserError (exit 2, no stack trace)', async () => {
    const err = await collectDoctorReport('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain("backend 'tensorflow' is not available");
    await expect(collectDoctorReport('gpu')).rejects.toThrow("--backend: unknown backend 'gpu'");
  });
});
