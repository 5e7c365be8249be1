/**
 * The tfjs backend of the lab's training worker. 'auto': WebGL (an OffscreenCanvas in the
 * worker) on a real GPU; wasm otherwise — SIMD where the browser has it, threads when the page is
 * cross-origin isolated (the viewer server sends COOP/COEP, so SharedArrayBuffer exists); cpu
 * last. Software WebGL (SwiftShader, llvmpipe: headless and GPU-less browsers) is skipped, since
 * wasm is several times faster than WebGL emulated on the CPU. wasm and cpu go through
 * src/backend.ts initBackend, which also registers Keiko's training kernels on them.
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend, setWasmBinaryPaths } from '../../../src/backend';
import type { BackendReport, LabBackend } from './protocol';

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** Why WebGL should not train here, or null when a hardware WebGL 2 context exists in this worker. */
export function webglUnusableReason(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return 'no OffscreenCanvas in workers here';
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch {
    gl = null;
  }
  if (!gl) return 'no WebGL 2 context in a worker';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = `${gl.getParameter(gl.RENDERER)} ${info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : ''}`.trim();
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE_RENDERER.test(name) ? `software-rendered (${name})` : null;
}

async function tryWebgl(): Promise<string | null> {
  const reason = webglUnusableReason();
  if (reason) return reason;
  try {
    return (await tf.setBackend('webgl')) ? null : 'the webgl backend failed to initialise';
  } catch (err) {
    return `the webgl backend failed: ${(err as Error).message}`;
  }
}

/** Start the backend `preference` names ('auto': the order above); throws when a named one cannot run. */
export async function chooseLabBackend(preference: LabBackend, wasmPath: string): Promise<BackendReport> {
  setWasmBinaryPaths(wasmPath);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const skipped: BackendReport['skipped'] = [];
  if (preference === 'auto' || preference === 'webgl') {
    const reason = await tryWebgl();
    if (reason === null) {
      return { name: 'webgl', description: `webgl (tfjs ${tf.version.tfjs}, ${tf.env().getNumber('WEBGL_VERSION') === 2 ? 'WebGL 2' : 'WebGL 1'})`, skipped, crossOriginIsolated: isolated };
    }
    if (preference === 'webgl') throw new Error(`backend 'webgl' is not available: ${reason}`);
    skipped.push({ name: 'webgl', reason });
  }
  const order = preference === 'auto' ? (['wasm', 'cpu'] as const) : ([preference] as const);
  for (const name of order) {
    try {
      const info = await initBackend(name, { quiet: true });
      const note = name === 'wasm' && !isolated ? ' — the page is not cross-origin isolated, so no threads' : '';
      return { name: info.name, description: describeBackend(info) + note, skipped, crossOriginIsolated: isolated };
    } catch (err) {
      if (preference !== 'auto') throw err;
      skipped.push({ name, reason: (err as Error).message });
    }
  }
  throw new Error(`no backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
