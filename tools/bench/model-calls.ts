/**
 * A quantised model's ops as KernelCalls for the kernel benchmark: real shapes, weights and requantisation from a
 * quantize stage output (quantized-model.json), and as each op's input the tensor the integer reference interpreter
 * computes for a real window (with every exit run, so every op has one). Standalone ReLU ops are not kernel calls
 * (the shipped models fuse them) and are left out.
 */
import type { KernelCall } from '../../packages/core/testing/quantize/runtime-program';
import { runQuantized } from '../../packages/core/src/quantize/interpreter';
import type { QuantizedModel, QuantizedOp } from '../../packages/core/src/quantize/quantized-model';

export interface ModelCall {
  /** The op's index in the model (its position in run order). */
  op: number;
  call: KernelCall;
}

export function modelCalls(model: QuantizedModel, input: Int8Array, name: string): ModelCall[] {
  const { tensors } = runQuantized(model, input, { runAllExits: true });
  return model.ops.flatMap((op) => {
    const call = callOf(op, tensors[op.input] as Int8Array, `${name} op ${op.index}`);
    return call ? [{ op: op.index, call }] : [];
  });
}

function callOf(op: QuantizedOp, input: Int8Array, name: string): KernelCall | null {
  const [inLength, channels] = op.inputShape;
  const [outLength, outChannels] = op.outputShape;
  const where = op.branch === null ? '' : ` (exit ${op.exit ?? op.branch})`;
  switch (op.kind) {
    case 'conv1d':
    case 'depthwise1d': {
      const label = `${name}: ${op.kind === 'conv1d' ? `conv ${channels}→${outChannels}` : `depthwise ${channels}`} k${op.kernel}${op.stride > 1 ? ` s${op.stride}` : ''}, ${outLength} steps${where}`;
      return {
        kind: op.kind,
        label,
        inLength,
        channels,
        kernel: op.kernel,
        stride: op.stride,
        padBefore: op.padBefore,
        outChannels,
        outLength,
        input,
        linear: linearOf(op),
      };
    }
    case 'pointwise1d':
      return {
        kind: 'pointwise1d',
        label: `${name}: pointwise ${channels}→${outChannels}, ${inLength} steps${where}`,
        length: inLength,
        channels,
        filters: outChannels,
        input,
        linear: linearOf(op),
      };
    case 'dense':
      return {
        kind: 'dense',
        label: `${name}: dense ${inLength * channels}→${outChannels}${where}`,
        inputs: inLength * channels,
        units: outChannels,
        input,
        linear: linearOf(op),
      };
    case 'maxpool1d':
    case 'avgpool1d':
      return {
        kind: op.kind,
        label: `${name}: ${op.kind === 'maxpool1d' ? 'max' : 'avg'} pool ${op.pool} on ${inLength}×${channels}${where}`,
        inLength,
        channels,
        pool: op.pool,
        stride: op.stride,
        outLength,
        input,
      };
    case 'globalavgpool':
      return { kind: 'globalavgpool', label: `${name}: global average pool ${inLength}×${channels}${where}`, length: inLength, channels, input };
    case 'gru': {
      const kernelCount = channels * 3 * op.units;
      return {
        kind: 'gru',
        label: `${name}: GRU(${op.units}) on ${channels} channels, ${inLength} steps${where}`,
        steps: inLength,
        inChannels: channels,
        units: op.units,
        returnSequences: op.returnSequences,
        input,
        kernel: op.weights.slice(0, kernelCount),
        recurrent: op.weights.slice(kernelCount),
        bias: op.bias,
        requant: op.requant,
      };
    }
    case 'relu':
    case 'relu6':
      return null;
  }
}

function linearOf(op: QuantizedOp & { kind: 'conv1d' | 'depthwise1d' | 'pointwise1d' | 'dense' }) {
  return { weights: op.weights, bias: op.bias, ...op.requant };
}
