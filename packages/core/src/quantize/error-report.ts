import { lowerToOps } from '../model/ops';
import { FloatOps } from './float-ops';
import { foldedOpParams } from './fold';
import { runQuantized } from './interpreter';
import { cascadeWeights, ModelWeights } from './model-weights';
import { quantizeInput } from './ptq';
import type { QuantizedModel } from './quantized-model';
import { dequantizeValue } from './tensor-quant';

/** How far one int8 tensor is from the float model's, over a set of windows. */
export interface TensorError {
  tensor: number;
  /** The op that writes it (null for the input). */
  op: number | null;
  kind: string;
  /** max and mean |dequantised int8 − float|, in units of the tensor's own scale (steps). */
  maxSteps: number;
  meanSteps: number;
  /** The same, absolute. */
  maxAbsolute: number;
}

/**
 * Per-tensor error of the int8 model against the float model it came from (batch-norms folded, the same op list),
 * each window quantised as the firmware receives it, every exit run: the per-layer statistics of a quantisation report.
 */
export function quantizationErrors(model: QuantizedModel, weights: ModelWeights, windows: readonly ArrayLike<number>[]): TensorError[] {
  const ops = lowerToOps(model.ir);
  const float = new FloatOps(ops, foldedOpParams(ops, cascadeWeights(model.ir, weights)));
  const stats = model.tensors.map(() => ({ max: 0, sum: 0, count: 0, maxAbsolute: 0 }));
  for (const window of windows) {
    const reference = float.run(window);
    const { tensors } = runQuantized(model, quantizeInput(model, window), { runAllExits: true });
    tensors.forEach((values, t) => {
      const quant = model.tensors[t];
      const s = stats[t];
      for (let i = 0; i < (values as Int8Array).length; i++) {
        const error = Math.abs(dequantizeValue((values as Int8Array)[i], quant) - reference[t][i]);
        s.max = Math.max(s.max, error / quant.scale);
        s.maxAbsolute = Math.max(s.maxAbsolute, error);
        s.sum += error / quant.scale;
        s.count++;
      }
    });
  }
  return stats.map((s, t) => ({
    tensor: t,
    op: t === 0 ? null : t - 1,
    kind: t === 0 ? 'input' : model.ops[t - 1].kind,
    maxSteps: s.max,
    meanSteps: s.count > 0 ? s.sum / s.count : 0,
    maxAbsolute: s.maxAbsolute,
  }));
}
