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
 * - the last layer gives [1, K] logits: K = 1 for a sigmoid head, K ≥ 2 for softmax; an evidential head gives
 *   [1, 2·events] evidence from a layer whose activation is ReLU (or a ReLU layer);
 * - every exit (ModelIR.exits) taps a backbone layer before the last, in ascending order, and its own layers follow
 *   the same rules and end in the same kind of prediction. Exit shapes: exitShapes.
 */
export function inferShapes(ir: ModelIR): Shape[] {
  checkInput(ir);
  const shapes = chainShapes(ir.layers, [ir.input.length, ir.input.channels], (index, detail) => new InvalidModelError(index, detail));
  checkHead(ir, ir.layers, shapes[shapes.length - 1], (index, detail) => new InvalidModelError(index, detail));
  checkExits(ir, shapes);
  return shapes;
}

/** Per exit (ModelIR.exits order), the output shape of each of its layers; checks the whole model first. */
export function exitShapes(ir: ModelIR): Shape[][] {
  const backbone = inferShapes(ir);
  return (ir.exits ?? []).map((exit, k) => chainShapes(exit.layers, backbone[exit.after], exitError(k)));
}

/** The error of layer `index` of exit `exit`, e.g. `exit 1, layer 0: dense: ...`. */
function exitError(exit: number): (index: number, detail: string) => InvalidModelError {
  return (index, detail) => {
    const error = new InvalidModelError(-1, detail);
    error.message = index < 0 ? `exit ${exit}: ${detail}` : `exit ${exit}, layer ${index}: ${detail}`;
    return error;
  };
}

type ErrorAt = (index: number, detail: string) => InvalidModelError;

function chainShapes(layers: readonly Layer[], input: Shape, errorAt: ErrorAt): Shape[] {
  const shapes: Shape[] = [];
  let shape = input;
  layers.forEach((layer, index) => {
    try {
      shape = layerOutputShape(layer, shape, index);
    } catch (error) {
      if (error instanceof InvalidModelError && error.layer === index) throw errorAt(index, error.message.replace(/^layer \d+: /, ''));
      throw error;
    }
    shapes.push(shape);
  });
  checkBatchNormPlacement(layers, errorAt);
  return shapes;
}

function checkExits(ir: ModelIR, backbone: readonly Shape[]): void {
  const exits = ir.exits ?? [];
  if (!Array.isArray(exits)) throw new InvalidModelError(-1, `exits must be a list, got ${JSON.stringify(exits)}`);
  if (exits.length > 0 && ir.head !== 'evidential')
    throw new InvalidModelError(-1, `early exits need an evidential head (they stop on its uncertainty), the head is ${ir.head}`);
  let previous = -1;
  exits.forEach((exit, k) => {
    const fail = exitError(k);
    if (!Number.isInteger(exit?.after) || exit.after < 0 || exit.after >= ir.layers.length - 1) {
      throw fail(-1, `after must name a backbone layer before the last (0..${ir.layers.length - 2}), got ${JSON.stringify(exit?.after)}`);
    }
    if (exit.after <= previous) throw fail(-1, `exits must tap the backbone in ascending order; layer ${exit.after} is not after ${previous}`);
    previous = exit.after;
    if (!Array.isArray(exit.layers) || exit.layers.length === 0) throw fail(-1, 'has no layers');
    const shapes = chainShapes(exit.layers, backbone[exit.after], fail);
    checkHead(ir, exit.layers, shapes[shapes.length - 1], fail);
  });
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
  if (ir.head !== 'sigmoid' && ir.head !== 'softmax' && ir.head !== 'evidential') {
    throw new InvalidModelError(-1, `head must be sigmoid, softmax or evidential, got ${JSON.stringify(ir.head)}`);
  }
  if (ir.head === 'evidential' && !isPositiveInteger(ir.events)) {
    throw new InvalidModelError(-1, `an evidential head needs events, a positive integer, got ${JSON.stringify(ir.events)}`);
  }
  if (ir.evidence !== undefined && (ir.head !== 'evidential' || (ir.evidence !== 'relu' && ir.evidence !== 'exp'))) {
    throw new InvalidModelError(-1, `evidence must be relu or exp, and only with an evidential head, got ${JSON.stringify(ir.evidence)} with head ${ir.head}`);
  }
  if (ir.exitUncertainty !== undefined && (ir.head !== 'evidential' || (ir.exitUncertainty !== 'vacuity' && ir.exitUncertainty !== 'decision'))) {
    throw new InvalidModelError(
      -1,
      `exitUncertainty must be vacuity or decision, and only with an evidential head, got ${JSON.stringify(ir.exitUncertainty)} with head ${ir.head}`,
    );
  }
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

function checkBatchNormPlacement(layers: readonly Layer[], errorAt: ErrorAt): void {
  layers.forEach((layer, index) => {
    if (layer.kind !== 'batchnorm') return;
    let previous = index - 1;
    while (previous >= 0 && layers[previous].kind === 'batchnorm') previous--;
    const host = previous >= 0 ? layers[previous] : undefined;
    if (!host || !isLinearLayer(host) || host.activation !== 'none') {
      const after = host ? `${host.kind}${isLinearLayer(host) ? ` with activation ${host.activation}` : ''}` : 'the input';
      throw errorAt(
        index,
        `batchnorm: must directly follow a conv1d, depthwise1d, pointwise1d or dense layer with activation none (it is folded into that layer at export), but follows ${after}`,
      );
    }
  });
}

function checkHead(ir: ModelIR, layers: readonly Layer[], output: Shape, errorAt: ErrorAt): void {
  const last = layers.length - 1;
  if (output[0] !== 1) {
    throw errorAt(last, `the model must end in one prediction per window ([1, K]), but the last layer gives [${output[0]}, ${output[1]}]`);
  }
  if (ir.head === 'sigmoid' && output[1] !== 1) {
    throw errorAt(last, `a sigmoid head needs 1 output unit, the last layer gives ${output[1]}`);
  }
  if (ir.head === 'softmax' && output[1] < 2) {
    throw errorAt(last, `a softmax head needs at least 2 output units, the last layer gives ${output[1]}`);
  }
  if (ir.head === 'evidential') {
    const events = ir.events as number;
    if (output[1] !== 2 * events)
      throw errorAt(
        last,
        `an evidential head over ${events} event${events === 1 ? '' : 's'} needs ${2 * events} evidence units, the last layer gives ${output[1]}`,
      );
    const layer = layers[last];
    const described = `${layer.kind}${isLinearLayer(layer) ? ` with activation ${layer.activation}` : ''}`;
    if (ir.evidence === 'exp') {
      if (layer.kind !== 'dense' || layer.activation !== 'none')
        throw errorAt(last, `exp evidence is exp(z) of a linear dense layer (activation none), the last layer is ${described}`);
    } else if (!(layer.kind === 'relu' || (isLinearLayer(layer) && layer.activation === 'relu'))) {
      throw errorAt(last, `an evidential head's evidence must come through ReLU (activation relu), the last layer is ${described}`);
    }
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
