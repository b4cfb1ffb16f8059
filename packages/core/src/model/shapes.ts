import { UserError } from '../common/errors';
import type { Conv1dLayer, DenseLayer, DepthwiseConv1dLayer, Layer, ModelIR, Padding, PointwiseConv1dLayer, Shape } from './ir';

/** Layers that are a matrix product plus bias: they carry int8 weights, and batch-norm folds into them. */
export type LinearLayer = Conv1dLayer | DepthwiseConv1dLayer | PointwiseConv1dLayer | DenseLayer;

/** An IR that cannot be built or run; names the offending layer (0-based index into `ir.layers`, -1 for the model). */
export class InvalidModelError extends UserError {
  override name = 'InvalidModelError';
  constructor(
    readonly layer: number,
    detail: string,
  ) {
    super(layer < 0 ? `model: ${detail}` : `layer ${layer}: ${detail}`);
  }
}

/**
 * Zero padding of a `same` convolution, TensorFlow's convention (the engine, the tfjs oracle and the C kernels all
 * follow it): total = max((T_out − 1)·stride + kernel − T, 0), the smaller half on the left.
 */
export function samePadding(length: number, kernel: number, stride: number): { left: number; right: number } {
  const total = Math.max((Math.ceil(length / stride) - 1) * stride + kernel - length, 0);
  const left = Math.floor(total / 2);
  return { left, right: total - left };
}

/** Output length of a 1-D window op: `same` keeps ceil(T/stride) steps, `valid` only full windows. */
export function convolvedLength(length: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - kernel) / stride) + 1;
}

/**
 * The output shape of every layer, in order (`result[i]` is what layer i writes; layer i reads `result[i − 1]`, or
 * the input for i = 0). Throws InvalidModelError for an IR that cannot work. Legal IRs:
 * - every count (filters, kernel, stride, units, pool) is a positive integer, and every window op leaves ≥ 1 step;
 * - `dense` flattens a [T, C] input row-major ([t][c]) and gives [1, units]; later layers see a 1-step sequence
 *   (conv `same` with any kernel, or `valid` with kernel 1, a GRU, dense, GAP are all fine on it; pools are not);
 * - `batchnorm` must directly follow a conv/depthwise/pointwise/dense layer without activation (or another such
 *   batchnorm): it is folded into that layer's weights at export and has no runtime op of its own;
 * - the last layer gives [1, K] logits: K = 1 for a sigmoid head, K ≥ 2 for softmax.
 */
export function inferShapes(ir: ModelIR): Shape[] {
  checkInput(ir);
  const shapes: Shape[] = [];
  let shape: Shape = [ir.input.length, ir.input.channels];
  ir.layers.forEach((layer, index) => {
    shape = layerOutputShape(layer, shape, index);
    shapes.push(shape);
  });
  checkBatchNormPlacement(ir.layers);
  checkHead(ir, shapes[shapes.length - 1]);
  return shapes;
}

/** The shape each layer reads: the input for layer 0, else the previous layer's output. */
export function inputShapes(ir: ModelIR): Shape[] {
  const outputs = inferShapes(ir);
  return [[ir.input.length, ir.input.channels] as Shape, ...outputs.slice(0, -1)];
}

/** Throws InvalidModelError unless `ir` is a legal model (see inferShapes). */
export function validateIR(ir: ModelIR): void {
  inferShapes(ir);
}

function checkInput(ir: ModelIR): void {
  if (!isPositiveInteger(ir.input?.length) || !isPositiveInteger(ir.input?.channels)) {
    throw new InvalidModelError(-1, `the input must be [length, channels] of positive integers, got ${JSON.stringify(ir.input)}`);
  }
  if (!Array.isArray(ir.layers) || ir.layers.length === 0) throw new InvalidModelError(-1, 'has no layers');
  if (ir.head !== 'sigmoid' && ir.head !== 'softmax') throw new InvalidModelError(-1, `head must be sigmoid or softmax, got ${JSON.stringify(ir.head)}`);
}

/** Output shape of one layer on `input`; checks the layer's own fields on the way. */
export function layerOutputShape(layer: Layer, input: Shape, index: number): Shape {
  const [length, channels] = input;
  const fail = (detail: string): never => {
    throw new InvalidModelError(index, `${layer.kind}: ${detail}`);
  };
  const positive = (field: string, value: unknown): number => {
    if (!isPositiveInteger(value)) fail(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
    return value as number;
  };
  const windowed = (kernel: number, stride: number, padding: Padding, what: string): number => {
    const out = convolvedLength(length, kernel, stride, padding);
    if (out < 1) fail(`the input has ${length} time step${length === 1 ? '' : 's'}, fewer than the ${what} ${kernel}`);
    return out;
  };
  switch (layer.kind) {
    case 'conv1d': {
      const filters = positive('filters', layer.filters);
      checkActivation(layer.activation, fail);
      checkPadding(layer.padding, fail);
      return [windowed(positive('kernel', layer.kernel), positive('stride', layer.stride), layer.padding, 'kernel'), filters];
    }
    case 'depthwise1d':
      checkActivation(layer.activation, fail);
      checkPadding(layer.padding, fail);
      return [windowed(positive('kernel', layer.kernel), positive('stride', layer.stride), layer.padding, 'kernel'), channels];
    case 'pointwise1d':
      checkActivation(layer.activation, fail);
      return [length, positive('filters', layer.filters)];
    case 'maxpool1d':
    case 'avgpool1d':
      return [windowed(positive('pool', layer.pool), positive('stride', layer.stride), 'valid', 'pool size'), channels];
    case 'globalavgpool':
      return [1, channels];
    case 'gru': {
      const units = positive('units', layer.units);
      if (typeof layer.returnSequences !== 'boolean') fail(`returnSequences must be true or false, got ${JSON.stringify(layer.returnSequences)}`);
      return [layer.returnSequences ? length : 1, units];
    }
    case 'dense':
      checkActivation(layer.activation, fail);
      return [1, positive('units', layer.units)];
    case 'batchnorm':
    case 'relu':
    case 'relu6':
      return input;
    default:
      return fail(`unknown layer kind ${JSON.stringify((layer as { kind: unknown }).kind)}`);
  }
}

/** Layers whose output batch-norm can be folded into (per output channel affine on a linear op). */
export function isLinearLayer(layer: Layer): layer is LinearLayer {
  return layer.kind === 'conv1d' || layer.kind === 'depthwise1d' || layer.kind === 'pointwise1d' || layer.kind === 'dense';
}

function checkBatchNormPlacement(layers: readonly Layer[]): void {
  layers.forEach((layer, index) => {
    if (layer.kind !== 'batchnorm') return;
    let previous = index - 1;
    while (previous >= 0 && layers[previous].kind === 'batchnorm') previous--;
    const host = previous >= 0 ? layers[previous] : undefined;
    if (!host || !isLinearLayer(host) || host.activation !== 'none') {
      const after = host ? `${host.kind}${isLinearLayer(host) ? ` with activation ${host.activation}` : ''}` : 'the input';
      throw new InvalidModelError(
        index,
        `batchnorm: must directly follow a conv1d, depthwise1d, pointwise1d or dense layer with activation none (it is folded into that layer at export), but follows ${after}`,
      );
    }
  });
}

function checkHead(ir: ModelIR, output: Shape): void {
  const last = ir.layers.length - 1;
  if (output[0] !== 1) {
    throw new InvalidModelError(last, `the model must end in one prediction per window ([1, K]), but the last layer gives [${output[0]}, ${output[1]}]`);
  }
  if (ir.head === 'sigmoid' && output[1] !== 1) {
    throw new InvalidModelError(last, `a sigmoid head needs 1 output unit, the last layer gives ${output[1]}`);
  }
  if (ir.head === 'softmax' && output[1] < 2) {
    throw new InvalidModelError(last, `a softmax head needs at least 2 output units, the last layer gives ${output[1]}`);
  }
}

function checkActivation(activation: unknown, fail: (detail: string) => never): void {
  if (activation !== 'none' && activation !== 'relu' && activation !== 'relu6') {
    fail(`activation must be none, relu or relu6, got ${JSON.stringify(activation)}`);
  }
}

function checkPadding(padding: unknown, fail: (detail: string) => never): void {
  if (padding !== 'same' && padding !== 'valid') fail(`padding must be same or valid, got ${JSON.stringify(padding)}`);
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
