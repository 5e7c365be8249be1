/**
 * KeikoRMSPropUpdate: one RMSProp step (plain or centered, any momentum) for one variable in a
 * single kernel (wasm and cpu), instead of the ~10–14 kernels of tfjs's RMSPropOptimizer. Inputs
 * x, ms, mom, g, (centered) mg and optionally scale (a scalar the gradient is multiplied by first,
 * the global-norm clip factor of KeikoClipScale); outputs the new x, ms, mom and (centered) mg
 * (with `inPlaceState`, the slots in their own memory where only the caller holds it):
 *   ms ← ρ·ms + (1−ρ)·g²;  mg ← ρ·mg + (1−ρ)·g;
 *   mom ← μ·mom + lr·g / sqrt(ms − mg² + ε)   (plain: sqrt(ms + ε));  x ← x − mom
 * (the formula of src/optimizers.ts: ε inside the sqrt, after subtracting mg²), or with
 * `epsilonOutside` PyTorch's denominator sqrt(max(ms − mg², 0)) + ε (plain: sqrt(ms) + ε). On wasm the loop
 * is WebAssembly SIMD over the backend's memory (simd-optim.ts); JS does the 0–3 trailing elements.
 * Both flush ms, mg and mom to zero below FLT_MIN (simd-optim.ts `flush`: subnormals stick and are slow).
 */
import * as tf from '@tensorflow/tfjs';
import { allocate, flushSubnormal, gradientScale, read, slotOutput, type KernelBackend, type TensorInfo } from './heap';
import { backendMemory, simdOptimiserFor } from './simd-optim';

export const RMSPROP_KERNEL = 'KeikoRMSPropUpdate';

export interface RMSPropKernelAttrs {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  /** PyTorch's sqrt(v) + ε instead of tfjs's sqrt(v + ε). */
  epsilonOutside: boolean;
  /** The caller owns ms, mom and mg (optimiser slots): update them in place where nothing else holds them. */
  inPlaceState?: boolean;
}

/** The update above over elements [from, n) of plain arrays (mg/mgOut unused unless centered). */
export function rmspropStep(
  x: Float32Array, ms: Float32Array, mom: Float32Array, mg: Float32Array | null, g: Float32Array,
  xOut: Float32Array, msOut: Float32Array, momOut: Float32Array, mgOut: Float32Array | null,
  a: RMSPropKernelAttrs, from = 0, gScale = 1,
): void {
  const { decay, momentum, epsilon, learningRate, epsilonOutside } = a;
  const k = 1 - decay;
  const n = xOut.length;
  for (let i = from; i < n; i++) {
    const gi = gScale === 1 ? g[i] : Math.fround(g[i] * gScale);
    const msi = flushSubnormal(ms[i] * decay + gi * gi * k);
    msOut[i] = msi;
    let variance = msi;
    if (mg && mgOut) {
      const mgi = flushSubnormal(mg[i] * decay + gi * k);
      mgOut[i] = mgi;
      variance = msi - mgi * mgi;
    }
    // Outside the root, a rounding-negative ms − mg² would give NaN: clamp it at 0 first.
    const denom = epsilonOutside ? Math.sqrt(Math.max(variance, 0)) + epsilon : Math.sqrt(variance + epsilon);
    const momi = flushSubnormal(mom[i] * momentum + (learningRate * gi) / denom);
    momOut[i] = momi;
    xOut[i] = x[i] - momi;
  }
}

function rmspropKernel(backendName: KernelBackend) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): TensorInfo[] => {
    const a = args.attrs as unknown as RMSPropKernelAttrs;
    const { x, ms, mom, g, scale } = args.inputs as Record<'x' | 'ms' | 'mom' | 'g', TensorInfo> & { scale?: TensorInfo };
    const gScale = gradientScale(RMSPROP_KERNEL, backendName, args.backend, scale);
    const mg = a.centered ? (args.inputs as { mg?: TensorInfo }).mg : undefined;
    if (a.centered && !mg) throw new Error(`${RMSPROP_KERNEL}: centered needs the mg input`);
    for (const [name, t] of [['x', x], ['ms', ms], ['mom', mom], ['g', g], ['mg', mg ?? x]] as const) {
      if (t.dtype !== 'float32') throw new Error(`${RMSPROP_KERNEL}: ${name} must be float32, got ${t.dtype}`);
    }
    const shape = x.shape.slice();
    // The weights always get new memory: the products' caches (batch-mat-mul.ts) know a tensor by its id.
    const slot = (t: TensorInfo): TensorInfo => slotOutput(backendName, args.backend, t, a.inPlaceState === true);
    const outs = [allocate(backendName, args.backend, shape, false).info, slot(ms), slot(mom)];
    if (mg) outs.push(slot(mg));
    // Views after every allocation (wasm memory may have grown).
    const r = (t: TensorInfo) => read(backendName, args.backend, t) as Float32Array;
    const [vx, vms, vmom, vg] = [r(x), r(ms), r(mom), r(g)];
    const vmg = mg ? r(mg) : null;
    const [xo, mso, momo] = outs.map(r);
    const mgo = mg ? r(outs[3]) : null;
    const simd = backendName === 'wasm' ? simdOptimiserFor(backendMemory(args.backend)) : null;
    let done = 0;
    if (simd) {
      const groups = vx.length >> 2;
      const fn = a.epsilonOutside
        ? (mg ? simd.rmspropCenteredEpsilonOutside : simd.rmspropEpsilonOutside)
        : (mg ? simd.rmspropCentered : simd.rmsprop);
      // Plain RMSProp never touches the mg pointers; pass x's so they are valid addresses.
      fn(vx.byteOffset, vms.byteOffset, vmom.byteOffset, (vmg ?? vx).byteOffset, vg.byteOffset,
        xo.byteOffset, mso.byteOffset, momo.byteOffset, (mgo ?? xo).byteOffset, groups,
        a.decay, 1 - a.decay, a.learningRate, a.momentum, a.epsilon, gScale);
      done = groups * 4;
    }
    rmspropStep(vx, vms, vmom, vmg, vg, xo, mso, momo, mgo, a, done, gScale);
    return outs;
  };
}

export const rmspropKernelWasm: tf.KernelConfig = { kernelName: RMSPROP_KERNEL, backendName: 'wasm', kernelFunc: rmspropKernel('wasm') as unknown as tf.KernelFunc };
export const rmspropKernelCpu: tf.KernelConfig = { kernelName: RMSPROP_KERNEL, backendName: 'cpu', kernelFunc: rmspropKernel('cpu') as unknown as tf.KernelFunc };
