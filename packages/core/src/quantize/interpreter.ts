import { exitUncertaintyOf } from '../model/evidence';
import { evidentialHead, exitDecision, HeadEstimate } from './evidential';
import { gatedUncertaintyQ15, readInputGate, type GateReading } from './input-gate';
import { clampInt8 } from './kernels/clamp';
import { conv1dInt8 } from './kernels/conv1d';
import { denseInt8 } from './kernels/dense';
import { depthwise1dInt8 } from './kernels/depthwise1d';
import { gruInt8 } from './kernels/gru';
import { isLinearOp, type WasmLinearKernels } from './kernels/linear-wasm';
import { pointwise1dInt8 } from './kernels/pointwise1d';
import { avgPool1dInt8, globalAvgPoolInt8, maxPool1dInt8 } from './kernels/pool';
import type { QuantizedModel, QuantizedOp } from './quantized-model';

/**
 * The integer reference interpreter, the golden model the firmware must equal byte for byte: runs a QuantizedModel
 * on an int8 window with integer arithmetic only, op by op in deployed order, each op reading its `input` tensor.
 * An evidential model evaluates each exit right after the op that completes it (evidential.ts) and, like the
 * firmware's cascade, stops at the first exit that takes the window — unless `runAllExits`, which computes every op
 * and evaluates every exit (for threshold calibration and per-exit reports).
 */
export interface InterpreterOptions {
  runAllExits?: boolean;
  /**
   * Runs conv1d, pointwise and dense in WebAssembly (the same bytes as the reference kernels, which stay the
   * definition; linear-wasm.test.ts checks them equal): for callers that run many windows, such as evaluate.
   */
  linearKernels?: WasmLinearKernels;
}

export interface ExitEvaluation {
  exit: number;
  /** The op after which it was evaluated. */
  op: number;
  estimate: HeadEstimate;
  thresholdQ15: number;
  /** Whether this exit would take the window (the last always does). */
  takes: boolean;
}

export interface InterpreterResult {
  /** Every activation tensor (0 = the input); null for tensors an early exit left uncomputed. */
  tensors: (Int8Array | null)[];
  /** Evidential models: the exits evaluated, in order. */
  exits: ExitEvaluation[];
  /** Evidential models: the exit that took the window (the first whose `takes` holds); else null. */
  exitTaken: number | null;
  /** The prediction: the taken exit's evidence, or the model's output tensor. */
  output: Int8Array;
  /** The input-quality gate's readings (models with a gate); a rejected window has max u = 1 at every exit. */
  inputGate: GateReading | null;
}

export function runQuantized(model: QuantizedModel, input: Int8Array, options: InterpreterOptions = {}): InterpreterResult {
  const [length, channels] = model.tensors[0].shape;
  if (input.length !== length * channels) throw new RangeError(`an input of ${input.length} values, the model reads ${length * channels}`);
  const tensors: (Int8Array | null)[] = model.tensors.map(() => null);
  tensors[0] = input;
  const exits: ExitEvaluation[] = [];
  let exitTaken: number | null = null;
  const gate = model.inputGate ? readInputGate(model.inputGate, input) : null;
  const exitUncertainty = exitUncertaintyOf(model.ir);
  for (const op of model.ops) {
    const source = tensors[op.input];
    if (source === null) throw new Error(`op ${op.index} reads tensor ${op.input}, which was not computed`);
    const output = new Int8Array(op.outputShape[0] * op.outputShape[1]);
    if (options.linearKernels && isLinearOp(op)) options.linearKernels.run(op, source, output);
    else runOp(op, source, output);
    tensors[op.index + 1] = output;
    const row = op.exit === null ? undefined : model.exits[op.exit];
    if (row === undefined) continue;
    const head = evidentialHead(output, model.tensors[row.tensor].zeroPoint, row.evidenceOneQ16, row.evidenceTable, exitUncertainty);
    const estimate = { ...head, maxUQ15: gatedUncertaintyQ15(head.maxUQ15, gate) };
    const takes = exitDecision(estimate.maxUQ15, row.thresholdQ15, row.exit === model.exits.length - 1);
    exits.push({ exit: row.exit, op: op.index, estimate, thresholdQ15: row.thresholdQ15, takes });
    if (takes && exitTaken === null) {
      exitTaken = row.exit;
      if (!options.runAllExits) break;
    }
  }
  const outputTensor = exitTaken === null ? model.tensors.length - 1 : model.exits[exitTaken].tensor;
  return { tensors, exits, exitTaken, output: tensors[outputTensor] as Int8Array, inputGate: gate };
}

function runOp(op: QuantizedOp, input: Int8Array, output: Int8Array): void {
  const [inLength, inChannels] = op.inputShape;
  const [outLength, outChannels] = op.outputShape;
  switch (op.kind) {
    case 'conv1d':
      return conv1dInt8(input, op.weights, op.bias, op.requant, windowOf(op), outChannels, output);
    case 'depthwise1d':
      return depthwise1dInt8(input, op.weights, op.bias, op.requant, windowOf(op), output);
    case 'pointwise1d':
      return pointwise1dInt8(input, op.weights, op.bias, op.requant, inLength, inChannels, outChannels, output);
    case 'dense':
      return denseInt8(input, op.weights, op.bias, op.requant, inLength * inChannels, outChannels, output);
    case 'gru': {
      const kernelCount = inChannels * 3 * op.units;
      const shape = { steps: inLength, inChannels, units: op.units, returnSequences: op.returnSequences };
      const scratch = { state: new Int16Array(op.units), gates: new Int32Array(6 * op.units) };
      return gruInt8(input, op.weights.slice(0, kernelCount), op.weights.slice(kernelCount), op.bias, op.requant, shape, scratch.state, scratch.gates, output);
    }
    case 'relu':
    case 'relu6': {
      const { inputZeroPoint, outputZeroPoint, actMin, actMax } = op.clamp;
      return clampInt8(input, input.length, inputZeroPoint, outputZeroPoint, actMin, actMax, output);
    }
    case 'maxpool1d':
    case 'avgpool1d': {
      const geometry = { inLength, channels: inChannels, pool: op.pool, stride: op.stride, outLength };
      return op.kind === 'maxpool1d' ? maxPool1dInt8(input, geometry, output) : avgPool1dInt8(input, geometry, output);
    }
    case 'globalavgpool':
      return globalAvgPoolInt8(input, inLength, inChannels, output);
  }
}

function windowOf(op: QuantizedOp & { kernel: number; stride: number; padBefore: number }) {
  return {
    inLength: op.inputShape[0],
    channels: op.inputShape[1],
    kernel: op.kernel,
    stride: op.stride,
    padBefore: op.padBefore,
    outLength: op.outputShape[0],
  };
}
