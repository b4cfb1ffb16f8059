import { ArenaPlan, TensorLifetime, planArena } from './arena';
import type { ModelIR } from './ir';
import { DeployedOp, lowerToOps } from './ops';

/**
 * The tensors a deployed model keeps in its arena, with lifetimes in op steps:
 * - `act<j>` (j ≥ 1): the int8 output of op j − 1, shape [T, C], alive from step j − 1 to the last op that reads it
 *   (op j in a plain chain; in a cascade a tapped backbone tensor also lives through its exit's ops, until the next
 *   backbone op has read it). A prediction nothing reads (an exit's evidence, the logits) lives only at its own step:
 *   the runtime turns it into the result right after that op. The network input (activation 0) lives in its own
 *   input buffer, never in the arena. No op works in place: an op's input and output are both alive at its step, so
 *   the planner never lets them share bytes.
 * - GRU scratch, alive only during the GRU's own step: `op<j>.state`, the hidden state h as int16 [units] (Q0.15,
 *   h ∈ (−1, 1)), and `op<j>.gates`, int32 [2][3·units] accumulators of x·W + b and h·U + b' for gates z, r, h.
 * No other op needs scratch: convolutions read their zero padding implicitly (no im2col or padded copy), dense reads
 * [T, C] as its flattened row-major input, and pooling keeps its int32 sums in registers.
 */
export interface ArenaTensor extends TensorLifetime {
  kind: 'activation' | 'scratch';
  dtype: 'int8' | 'int16' | 'int32';
  shape: number[];
  /** The op that writes it (scratch: the op that uses it). */
  op: number;
}

const DTYPE_BYTES = { int8: 1, int16: 2, int32: 4 } as const;

export function arenaTensors(ops: readonly DeployedOp[]): ArenaTensor[] {
  const tensors: ArenaTensor[] = [];
  const lastRead = new Map<number, number>();
  for (const op of ops) lastRead.set(op.input, Math.max(lastRead.get(op.input) ?? -1, op.index));
  for (const op of ops) {
    if (op.kind === 'gru') {
      const units = op.outputShape[1];
      tensors.push(tensor(`op${op.index}.state`, 'scratch', 'int16', [units], op.index, op.index, op.index));
      tensors.push(tensor(`op${op.index}.gates`, 'scratch', 'int32', [2, 3 * units], op.index, op.index, op.index));
    }
    const lastStep = lastRead.get(op.index + 1) ?? op.index;
    tensors.push(tensor(`act${op.index + 1}`, 'activation', 'int8', [...op.outputShape], op.index, op.index, lastStep));
  }
  return tensors;
}

/** The arena plan of a model: what estimateMemory reports and what the C emitter writes out. */
export function planModelArena(ir: ModelIR): ArenaPlan<ArenaTensor> {
  return planArena(arenaTensors(lowerToOps(ir)));
}

function tensor(
  id: string,
  kind: ArenaTensor['kind'],
  dtype: ArenaTensor['dtype'],
  shape: number[],
  op: number,
  firstStep: number,
  lastStep: number,
): ArenaTensor {
  const bytes = shape.reduce((product, n) => product * n, DTYPE_BYTES[dtype]);
  return { id, kind, dtype, shape, op, bytes, firstStep, lastStep };
}
