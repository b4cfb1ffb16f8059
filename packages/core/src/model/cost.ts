import type { Layer, LayerKind, ModelIR, Shape } from './ir';
import { paramCount } from './params';
import { lowerToOps } from './ops';
import { exitShapes, inferShapes } from './shapes';

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
    const cost = {
      layer: index,
      kind: layer.kind,
      inputShape: input,
      outputShape,
      macs: layerMacs(layer, input, outputShape),
      params: paramCount(layer, input),
    };
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
  const backbone = ir.layers.map(layerLabel).join('-');
  const exits = ir.exits ?? [];
  return exits.length === 0 ? backbone : `${backbone} [exits ${exits.map((e) => `@${e.after}:${e.layers.map(layerLabel).join('-')}`).join(' ')}]`;
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

/** What it costs to reach each prediction of a cascade (a plain model has one). */
export interface ExitCost {
  /** Exit number in run order; the last is the backbone's own prediction. */
  exit: number;
  /** MACs of every op that runs before this exit decides: the backbone up to its tap and all earlier exit heads. */
  macs: number;
  /** MACs of this exit's own head. */
  headMacs: number;
}

/** Cumulative MACs per exit, from the deployed op list (the order the firmware runs). */
export function exitCosts(ir: ModelIR): ExitCost[] {
  const costs: ExitCost[] = [];
  let cumulative = 0;
  let head = 0;
  for (const op of lowerToOps(ir)) {
    const macs = layerMacs(op.definition, op.inputShape, op.outputShape);
    cumulative += macs;
    if (op.branch !== null) head += macs;
    if (op.exit !== null) {
      costs.push({ exit: op.exit, macs: cumulative, headMacs: op.branch !== null ? head : 0 });
      head = 0;
    }
  }
  // The final prediction's own head is the backbone tail after the deepest tap; report it as such.
  const last = costs[costs.length - 1];
  const taps = ir.exits ?? [];
  if (taps.length > 0) {
    const backbone = modelCost(ir).layers;
    last.headMacs = backbone.slice(taps[taps.length - 1].after + 1).reduce((n, l) => n + l.macs, 0);
  }
  return costs;
}

/** Parameters of the whole cascade: the backbone and every exit head. */
export function totalParams(ir: ModelIR): number {
  const shapes = exitShapes(ir);
  const backbone = inferShapes(ir);
  const exitParams = (ir.exits ?? []).reduce((sum, exit, k) => {
    let input = backbone[exit.after];
    return (
      sum +
      exit.layers.reduce((n, layer, i) => {
        const count = paramCount(layer, input);
        input = shapes[k][i];
        return n + count;
      }, 0)
    );
  }, 0);
  return modelCost(ir).params + exitParams;
}
