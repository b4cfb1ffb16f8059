import { layerMacs } from '../model/cost';
import { lowerToOps, opsBeforeExit } from '../model/ops';
import type { GoldenVector } from '../quantize/quantized-files';
import type { QuantizedModel } from '../quantize/quantized-model';
import { C_KERNELS, kernelForOp, OP_KERNEL_FUNCTIONS } from '../quantize/c-kernel-abi';
import type { FirmwareRun } from './run-result';

/** The runtime kernels whose own instructions are counted: every op's, and the exits' evidential head. */
export const COUNTED_KERNELS = [...new Set([...OP_KERNEL_FUNCTIONS, C_KERNELS.evidential_head.function, C_KERNELS.input_gate.function])];

/** The kernels that do MACs, by op kind (instructions per MAC are reported for these). */
const MAC_KINDS = ['conv1d', 'depthwise1d', 'pointwise1d', 'dense', 'gru'] as const;

export type InstructionReport = ReturnType<typeof instructionReport>;

/**
 * Instruction counts from the harness's markers: per vector [start, end] around the deployed inference, then
 * [start, one per exit, end] around the all-exits pass; kernel totals over the whole run divided by the MACs those
 * kernels executed.
 */
export function instructionReport(run: FirmwareRun, model: QuantizedModel, vectors: GoldenVector[]) {
  const counts = run.instructions!;
  const exits = model.exits.length;
  const perVector = exits > 0 ? 2 + exits + 2 : 2;
  const markers = counts.markers;
  if (markers.length !== perVector * vectors.length) {
    throw new Error(`flash-test: ${markers.length} instruction markers, expected ${perVector} for each of ${vectors.length} vectors`);
  }
  const deployed: number[] = [];
  const toExit: number[][] = Array.from({ length: exits }, () => []);
  for (let v = 0; v < vectors.length; v++) {
    const m = markers.slice(v * perVector, (v + 1) * perVector);
    deployed.push(m[1] - m[0]);
    for (let k = 0; k < exits; k++) toExit[k].push(m[3 + k] - m[2]);
  }
  const ops = lowerToOps(model.ir);
  const before = exits > 0 ? opsBeforeExit(ops) : [ops];
  const macsByKernel: Record<string, number> = {};
  const addOps = (list: typeof ops) => {
    for (const op of list) {
      const kernel = (MAC_KINDS as readonly string[]).includes(op.kind) ? C_KERNELS[kernelForOp(op.kind)].function : undefined;
      if (kernel) macsByKernel[kernel] = (macsByKernel[kernel] ?? 0) + layerMacs(op.definition, op.inputShape, op.outputShape);
    }
  };
  for (const v of vectors) {
    addOps(before[v.exitTaken ?? 0] ?? ops);
    if (exits > 0) addOps(ops);
  }
  const perMac: Record<string, number | null> & { allLinear?: number | null } = {};
  for (const kind of MAC_KINDS) {
    const kernel = C_KERNELS[kernelForOp(kind)].function;
    const macs = macsByKernel[kernel] ?? 0;
    perMac[kind] = macs > 0 ? (counts.functions[kernel] ?? 0) / macs : null;
  }
  const totalMacs = Object.values(macsByKernel).reduce((a, b) => a + b, 0);
  const kernelInstructions = Object.keys(macsByKernel).reduce((n, k) => n + (counts.functions[k] ?? 0), 0);
  return {
    method: counts.method,
    perInference: stats(deployed),
    perExit: toExit.map((list, k) => ({ exit: k, ...stats(list) })),
    perMac: { ...perMac, allLinear: totalMacs > 0 ? kernelInstructions / totalMacs : null } as Record<string, number | null>,
    kernels: counts.functions,
    macsByKernel,
    total: counts.total,
  };
}

function stats(values: number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}
