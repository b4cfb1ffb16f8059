import type { DeployedOp } from '../model/ops';
import { CascadeWeights, layerWeights } from './model-weights';

/**
 * The float parameters each deployed op runs with: the linear layer's own, with every batch-norm folded into it
 * (train/kernels/batchnorm.ts computes γ·x + β per channel, so W[.., c] ← γ_c·W[.., c] and b_c ← γ_c·b_c + β_c, one
 * batch-norm after the other), and the GRU's as they are. Ops without parameters get an empty array.
 */
export function foldedOpParams(ops: readonly DeployedOp[], weights: CascadeWeights): Float64Array[] {
  return ops.map((op) => {
    const params = Float64Array.from(layerWeights(weights, op.branch, op.layer));
    if (op.foldedBatchNorms.length === 0) return params;
    const channels = op.outputShape[1];
    const weightCount = params.length - channels; // linear layers: weights, then bias [C_out]
    for (const batchNorm of op.foldedBatchNorms) {
      const affine = layerWeights(weights, op.branch, batchNorm);
      for (let i = 0; i < weightCount; i++) params[i] *= affine[i % channels];
      for (let c = 0; c < channels; c++) params[weightCount + c] = affine[c] * params[weightCount + c] + affine[channels + c];
    }
    return params;
  });
}
