import type { Activation } from '../../model/ir';
import type { WasmKernels } from '../wasm/arena';

/**
 * out = act(pre) over n values in wasm memory (byte addresses; may be the same). The rules (tools/wasm/kernels-wat.ts)
 * follow tfjs, the test oracle: ReLU passes pre ≥ 0, ReLU6 clamps to [0, 6].
 */
export function activateWasm(wasm: WasmKernels, activation: Activation, pre: number, out: number, n: number): void {
  if (activation === 'relu') wasm.relu(pre, out, n);
  else if (activation === 'relu6') wasm.relu6(pre, out, n);
  else throw new Error('activateWasm: a linear activation has no pre-activation buffer');
}

/**
 * grad = outGrad · act′(pre) over n values in wasm memory: ReLU passes for pre > 0, ReLU6 for 0 < pre ≤ 6 (tfjs;
 * TensorFlow's C++ kernel uses pre < 6, the two differ only at exactly 6), +0 elsewhere.
 */
export function activationGradientWasm(wasm: WasmKernels, activation: Activation, pre: number, outGrad: number, grad: number, n: number): void {
  if (activation === 'relu') wasm.reluGrad(pre, outGrad, grad, n);
  else if (activation === 'relu6') wasm.relu6Grad(pre, outGrad, grad, n);
  else throw new Error('activationGradientWasm: a linear activation has no derivative buffer');
}
