import type { Activation } from '../../model/ir';
import type { WasmKernels } from '../wasm/arena';

/** out = act(pre) over n values in wasm memory (byte addresses; may be the same). Same rules as activation.ts. */
export function activateWasm(wasm: WasmKernels, activation: Activation, pre: number, out: number, n: number): void {
  if (activation === 'relu') wasm.relu(pre, out, n);
  else if (activation === 'relu6') wasm.relu6(pre, out, n);
  else if (out !== pre) throw new Error('activateWasm: a linear activation has no pre-activation buffer');
}

/** grad = outGrad · act′(pre) over n values in wasm memory (byte addresses). */
export function activationGradientWasm(wasm: WasmKernels, activation: Activation, pre: number, outGrad: number, grad: number, n: number): void {
  if (activation === 'relu') wasm.reluGrad(pre, outGrad, grad, n);
  else if (activation === 'relu6') wasm.relu6Grad(pre, outGrad, grad, n);
  else throw new Error('activationGradientWasm: a linear activation has no derivative buffer');
}
