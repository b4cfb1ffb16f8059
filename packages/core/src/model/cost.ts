import type { Layer, LayerKind, ModelIR, Shape } from './ir';
import { paramCount } from './params';
import { inferShapes } from './shapes';

export interface LayerCost {
  layer: number;
  kind: LayerKind;
  inputShape: Shape;
  outputShape: Shape;
  /** Multiply-accumulates of one inference (see layerMacs). */
  macs: number;
  /** Trainable parameters (paramCount). */
  params: number;
}

export interface ModelCost {
  layers: LayerCost[];
  macs: number;
  params: number;
}

/**
 * Multiply-accumulates of one layer for one window, counting only the products of the matrix ops:
 * conv1d T_out·k·inC·filters (padding taps included, as if the kernel multiplied the zeros), depthwise1d T_out·k·C,
 * pointwise1d T·inC·filters, dense T·C·units, GRU T·(3·inC·units + 3·units·units). Elementwise work (bias adds,
 * clamps, pooling, GRU gate nonlinearities and products) is not counted; batch-norm is 0 because export folds it.
 */
export function layerMacs(layer: Layer, input: Shape, output: Shape): number {
  const [length, channels] = input;
  switch (layer.kind) {
    case 'conv1d':
      return output[0] * layer.kernel * channels * layer.filters;
    case 'depthwise1d':
      return output[0] * layer.kernel * channels;
    case 'pointwise1d':
      return length * channels * layer.filters;
    case 'dense':
      return length * channels * layer.units;
    case 'gru':
      return length * (3 * channels * layer.units + 3 * layer.units * layer.units);
    default:
      return 0;
  }
}

/** MACs and parameters per layer and in total. */
export function modelCost(ir: ModelIR): ModelCost {
  const outputs = inferShapes(ir);
  let input: Shape = [ir.input.length, ir.input.channels];
  const layers = ir.layers.map((layer, index): LayerCost => {
    const outputShape = outputs[index];
    const cost = { layer: index, kind: layer.kind, inputShape: input, outputShape, macs: layerMacs(layer, input, outputShape), params: paramCount(layer, input) };
    input = outputShape;
    return cost;
  });
  return {
    layers,
    macs: layers.reduce((sum, l) => sum + l.macs, 0),
    params: layers.reduce((sum, l) => sum + l.params, 0),
  };
}

/**
 * One line naming the architecture, layer by layer, e.g. `conv16k5-maxpool2-conv32k5-gap-dense2`: conv{filters}k{kernel},
 * dw{kernel}, pw{filters}, gru{units} (`gru32seq` when it returns sequences), dense{units}, {max|avg}pool{size}, gap,
 * bn, relu, relu6. A stride other than 1 (other than the pool size for pools) is appended as s{stride}, `valid`
 * padding as `v`. Layer activations are not shown.
 */
export function summarizeIR(ir: ModelIR): string {
  return ir.layers.map(layerLabel).join('-');
}

function layerLabel(layer: Layer): string {
  switch (layer.kind) {
    case 'conv1d':
      return `conv${layer.filters}k${layer.kernel}${stride(layer.stride, 1)}${layer.padding === 'valid' ? 'v' : ''}`;
    case 'depthwise1d':
      return `dw${layer.kernel}${stride(layer.stride, 1)}${layer.padding === 'valid' ? 'v' : ''}`;
    case 'pointwise1d':
      return `pw${layer.filters}`;
    case 'maxpool1d':
    case 'avgpool1d':
      return `${layer.kind === 'maxpool1d' ? 'max' : 'avg'}pool${layer.pool}${stride(layer.stride, layer.pool)}`;
    case 'globalavgpool':
      return 'gap';
    case 'gru':
      return `gru${layer.units}${layer.returnSequences ? 'seq' : ''}`;
    case 'dense':
      return `dense${layer.units}`;
    case 'batchnorm':
      return 'bn';
    case 'relu':
    case 'relu6':
      return layer.kind;
  }
}

function stride(value: number, usual: number): string {
  return value === usual ? '' : `s${value}`;
}
