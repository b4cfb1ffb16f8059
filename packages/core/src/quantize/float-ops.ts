import type { Layer } from '../model/ir';
import type { DeployedOp } from '../model/ops';
import { isLinearLayer } from '../model/shapes';
import { createKernel } from '../train/create-kernel';
import type { LayerKernel } from '../train/kernel';

/**
 * The deployed op list in float64 (batch-norms folded, activations fused): what the int8 model approximates, and what
 * calibration records. Each op runs the training engine's kernel for its layer, with the fused activation.
 */
export class FloatOps {
  private readonly kernels: LayerKernel[];
  private readonly tensors: Float64Array[];

  constructor(
    private readonly ops: readonly DeployedOp[],
    private readonly params: readonly Float64Array[],
  ) {
    this.kernels = ops.map((op) => createKernel(deployedLayer(op), op.inputShape));
    const [first] = ops;
    this.tensors = [new Float64Array(first.inputShape[0] * first.inputShape[1]), ...ops.map((op) => new Float64Array(op.outputShape[0] * op.outputShape[1]))];
  }

  /** Every activation tensor of one window (index 0 = the input); the arrays are reused by the next call. */
  run(window: ArrayLike<number>): readonly Float64Array[] {
    if (window.length !== this.tensors[0].length) throw new RangeError(`a window of ${window.length} values, the model reads ${this.tensors[0].length}`);
    this.tensors[0].set(window);
    this.ops.forEach((op, j) => this.kernels[j].forward(this.params[j], this.tensors[op.input], this.tensors[j + 1], false));
    return this.tensors;
  }
}

/** The IR layer an op runs as: a linear layer carries its fused activation. */
export function deployedLayer(op: DeployedOp): Layer {
  return isLinearLayer(op.definition) ? { ...op.definition, activation: op.activation } : op.definition;
}
