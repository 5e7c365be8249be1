/**
 * Registers the kernels Keiko adds to or fixes in tfjs 4.22 so that every layer of the stack trains
 * on wasm and cpu. Called by initBackend when it selects one of them; registration happens once.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';
import { conv2DBackpropInputWasm } from './conv2d-backprop-input';
import { adamKernelCpu, adamKernelWasm } from './adam-kernel';
import { rmspropKernelCpu, rmspropKernelWasm } from './rmsprop-kernel';
import { clipScaleKernelCpu, clipScaleKernelWasm } from './clip-kernel';
import { denseGradKernelCpu, denseGradKernelWasm, denseKernelCpu, denseKernelWasm } from './dense-kernel';
import { tdGradKernelCpu, tdGradKernelWasm } from './td-kernel';
import { convGradKernelCpu, convGradKernelWasm } from './conv-grad-kernel';
import { sumWasmConfig } from './sum';
import { transposeWasmConfig } from './transpose';
import { batchMatMulWasmConfig, fusedMatMulWasmConfig } from './batch-mat-mul';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise';
import { gatherV2WasmConfig } from './gather';
import { tileWasm } from './tile';
import { maxPoolGradWasm, resizeNearestNeighborGradCpu, resizeNearestNeighborGradWasm, unsortedSegmentSumWasm } from './grad-kernels';

const KERNELS: Record<'wasm' | 'cpu', Array<tf.KernelConfig | ((stock: tf.KernelConfig | undefined) => tf.KernelConfig)>> = {
  wasm: [batchMatMulWasmConfig, conv2DBackpropFilterWasm, conv2DBackpropInputWasm, maxPoolGradWasm, unsortedSegmentSumWasm, gatherV2WasmConfig, resizeNearestNeighborGradWasm, adamKernelWasm, depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm, tileWasm, rmspropKernelWasm, sumWasmConfig, transposeWasmConfig, fusedMatMulWasmConfig, clipScaleKernelWasm, denseKernelWasm, denseGradKernelWasm, tdGradKernelWasm, convGradKernelWasm],
  cpu: [resizeNearestNeighborGradCpu, adamKernelCpu, rmspropKernelCpu, clipScaleKernelCpu, denseKernelCpu, denseGradKernelCpu, tdGradKernelCpu, convGradKernelCpu],
};
const NAMES: Record<'wasm' | 'cpu', string[]> = {
  wasm: ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'UnsortedSegmentSum', 'GatherV2', 'ResizeNearestNeighborGrad', 'KeikoAdamUpdate', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Tile', 'KeikoRMSPropUpdate', 'Sum', 'Transpose', '_FusedMatMul', 'KeikoClipScale', 'KeikoDense', 'KeikoDenseGrad', 'KeikoTdGrad', 'KeikoConvGrad'],
  cpu: ['ResizeNearestNeighborGrad', 'KeikoAdamUpdate', 'KeikoRMSPropUpdate', 'KeikoClipScale', 'KeikoDense', 'KeikoDenseGrad', 'KeikoTdGrad', 'KeikoConvGrad'],
};

const registered = new Set<string>();
const stockKernels = new Map<string, tf.KernelConfig | undefined>();

/** Registers (replacing any stock version) the training kernels for one backend; idempotent. */
export function registerTrainingKernels(backend: 'wasm' | 'cpu'): string[] {
  if (!registered.has(backend)) {
    KERNELS[backend].forEach((entry, i) => {
      const name = NAMES[backend][i];
      const stock = tf.getKernel(name, backend);
      stockKernels.set(`${backend}/${name}`, stock);
      // A wrapper gets the stock kernel to delegate to; the config it builds replaces it.
      const config = typeof entry === 'function' ? entry(stock) : entry;
      // Replacing a stock kernel: unregister first so tfjs does not warn about the duplicate.
      if (stock) tf.unregisterKernel(name, backend);
      tf.registerKernel(config);
    });
    registered.add(backend);
  }
  return registeredTrainingKernels(backend);
}

/** Names of the kernels Keiko registers for a backend. */
export function registeredTrainingKernels(backend: 'wasm' | 'cpu'): string[] {
  return NAMES[backend].slice();
}

/** Whether registerTrainingKernels already ran for the backend. */
export function trainingKernelsRegistered(backend: 'wasm' | 'cpu'): boolean {
  return registered.has(backend);
}

/**
 * Puts tfjs's stock kernels back (removing Keiko's), for before/after benchmarks only: stock wasm
 * cannot train conv nets and has the bugs listed in docs/backends.md.
 */
export function restoreStockKernels(backend: 'wasm' | 'cpu'): void {
  if (!registered.has(backend)) return;
  for (const name of NAMES[backend]) {
    tf.unregisterKernel(name, backend);
    const stock = stockKernels.get(`${backend}/${name}`);
    if (stock) tf.registerKernel(stock);
  }
  registered.delete(backend);
}
