import { UserError } from '../common/errors';
import type { Layer, ModelIR, Shape } from './ir';
import { elementCount, paramCount, paramLayout } from './params';
import { InvalidModelError, inputShapes } from './shapes';

/**
 * Structured pruning: removing whole output channels (conv filters, pointwise filters, hidden dense units), the only
 * kind that shrinks what the C runtime stores (dense int8 weights) and the activations it keeps in the arena. This is
 * the second half of MicroNAS's "two-stage" baseline: search without the memory constraint, then prune the winner
 * until it fits the board, then fine-tune.
 *
 * A channel made by a PRODUCER (conv1d, pointwise1d, or a dense layer that is not the last) travels unchanged
 * through channel-wise layers (relu, relu6, max/avg pools, global average pool, batchnorm, depthwise1d) to the first
 * CONSUMER with input weights (conv1d, pointwise1d, dense, gru), where it is one input channel. Removing it deletes
 * the producer's filter and bias entry, the channel's entry in every channel-wise layer on the way (batchnorm γ/β,
 * depthwise kernel column and bias), and the consumer's weights that read it. A producer whose channels reach the
 * model's output without a consumer (the last layer, or e.g. conv → global average pool at the end) makes logits and
 * is never pruned. Weights are plain arrays in the canonical layout (params.ts, train/network.ts NetworkWeights).
 */

/** One flat parameter array per IR layer, in params.ts's layout (= train/network.ts NetworkWeights). */
export type LayerWeights = readonly (readonly number[])[];

export interface PrunedModel {
  ir: ModelIR;
  weights: number[][];
}

export interface ChannelImportance {
  layer: number;
  channel: number;
  /** Mean absolute value of the channel's filter weights (L1 norm / element count). */
  importance: number;
}

export interface PruneResult extends PrunedModel {
  /** In removal order; `channel` indexes the producer's channels at the time of that removal. */
  removed: ChannelImportance[];
}

export interface PruneOptions {
  /** Give up (UserError) after this many removals if the model still does not fit. Default: no limit. */
  maxSteps?: number;
}

type ProducerLayer = Extract<Layer, { kind: 'conv1d' | 'pointwise1d' | 'dense' }>;

/** Where one producer's channels go: the channel-wise layers in between and the consuming layer. */
interface ChannelPath {
  passThrough: number[];
  consumer: number;
}

/** Output channels of a producer layer (filters or units). */
function producerChannels(layer: ProducerLayer): number {
  return layer.kind === 'dense' ? layer.units : layer.filters;
}

function isProducer(layer: Layer): layer is ProducerLayer {
  return layer.kind === 'conv1d' || layer.kind === 'pointwise1d' || layer.kind === 'dense';
}

/** The path of `index`'s output channels, or undefined when they reach the model output (logits) unconsumed. */
function channelPath(layers: readonly Layer[], index: number): ChannelPath | undefined {
  const passThrough: number[] = [];
  for (let i = index + 1; i < layers.length; i++) {
    switch (layers[i].kind) {
      case 'relu':
      case 'relu6':
      case 'maxpool1d':
      case 'avgpool1d':
      case 'globalavgpool':
      case 'batchnorm':
      case 'depthwise1d':
        passThrough.push(i);
        break;
      case 'conv1d':
      case 'pointwise1d':
      case 'dense':
      case 'gru':
        return { passThrough, consumer: i };
    }
  }
  return undefined;
}

/** Indices of the layers whose output channels can be pruned (whether or not they have more than one left). */
export function prunableLayers(ir: ModelIR): number[] {
  const result: number[] = [];
  ir.layers.forEach((layer, index) => {
    if (isProducer(layer) && channelPath(ir.layers, index) !== undefined) result.push(index);
  });
  return result;
}

/**
 * Removes output channel `channel` of producer layer `layerIndex` and everything that only served it (see the
 * module comment). Returns a new IR and new weight arrays; `ir` and `weights` are not mutated. Throws
 * InvalidModelError when the layer cannot be pruned or has a single channel left, RangeError for a channel out of
 * range or weights that do not match the IR.
 */
export function removeChannel(ir: ModelIR, weights: LayerWeights, layerIndex: number, channel: number): PrunedModel {
  const inputs = inputShapes(ir);
  checkWeights(ir, inputs, weights);
  const layer = ir.layers[layerIndex];
  if (!Number.isInteger(layerIndex) || layer === undefined) {
    throw new RangeError(`layer ${layerIndex} does not exist (the model has ${ir.layers.length} layers)`);
  }
  if (!isProducer(layer)) {
    throw new InvalidModelError(layerIndex, `${layer.kind}: only conv1d, pointwise1d and hidden dense layers have channels to prune`);
  }
  const path = channelPath(ir.layers, layerIndex);
  if (path === undefined) {
    throw new InvalidModelError(layerIndex, `${layer.kind}: its outputs are the model's logits, which are never pruned`);
  }
  const channels = producerChannels(layer);
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new RangeError(`layer ${layerIndex} (${layer.kind}): channel ${channel} out of range [0, ${channels})`);
  }
  if (channels === 1) {
    throw new InvalidModelError(layerIndex, `${layer.kind}: cannot remove its last channel`);
  }

  const layers = ir.layers.map((l) => ({ ...l }));
  const next = weights.map((w) => Array.from(w));

  // The producer: its filter (last axis of the weights) and its bias entry.
  const produced = layers[layerIndex] as ProducerLayer;
  if (produced.kind === 'dense') produced.units--;
  else produced.filters--;
  next[layerIndex] = editTensors(layer, inputs[layerIndex], weights[layerIndex], {
    weights: (values, shape) => dropAlong(values, shape, shape.length - 1, channel),
    bias: (values, shape) => dropAlong(values, shape, 0, channel),
  });

  // Channel-wise layers on the way: batchnorm γ/β, depthwise kernel column and bias; the others have no parameters.
  for (const i of path.passThrough) {
    const kind = ir.layers[i].kind;
    if (kind === 'batchnorm') {
      next[i] = editTensors(ir.layers[i], inputs[i], weights[i], {
        gamma: (values, shape) => dropAlong(values, shape, 0, channel),
        beta: (values, shape) => dropAlong(values, shape, 0, channel),
      });
    } else if (kind === 'depthwise1d') {
      next[i] = editTensors(ir.layers[i], inputs[i], weights[i], {
        weights: (values, shape) => dropAlong(values, shape, 1, channel),
        bias: (values, shape) => dropAlong(values, shape, 0, channel),
      });
    }
  }

  // The consumer loses the input channel.
  const consumer = ir.layers[path.consumer];
  const [length, inChannels] = inputs[path.consumer];
  switch (consumer.kind) {
    case 'conv1d': // [kernel][inC][filters]
      next[path.consumer] = editTensors(consumer, inputs[path.consumer], weights[path.consumer], {
        weights: (values, shape) => dropAlong(values, shape, 1, channel),
      });
      break;
    case 'pointwise1d': // [inC][filters]
      next[path.consumer] = editTensors(consumer, inputs[path.consumer], weights[path.consumer], {
        weights: (values, shape) => dropAlong(values, shape, 0, channel),
      });
      break;
    case 'dense': // [T·C][units] viewed as [T][C][units]
      next[path.consumer] = editTensors(consumer, inputs[path.consumer], weights[path.consumer], {
        weights: (values, shape) => dropAlong(values, [length, inChannels, shape[1]], 1, channel),
      });
      break;
    case 'gru': // kernel [inC][3u]
      next[path.consumer] = editTensors(consumer, inputs[path.consumer], weights[path.consumer], {
        kernel: (values, shape) => dropAlong(values, shape, 0, channel),
      });
      break;
    default:
      throw new Error(`unreachable: ${consumer.kind} is not a consumer`);
  }

  const pruned: ModelIR = { ...ir, input: { ...ir.input }, layers };
  // Cheap self-check: the new weights must match the new IR's layout exactly.
  checkWeights(pruned, inputShapes(pruned), next);
  return { ir: pruned, weights: next };
}

/**
 * The importance of every prunable channel: the L1 norm of the weights of the filter that makes it, divided by their
 * number (kernel·inC for conv1d, inC for pointwise1d, T·C for dense), so layers of different sizes compare. Ordered by
 * layer, then channel. Biases, and any batchnorm scale after the layer, are not counted.
 */
export function channelImportance(ir: ModelIR, weights: LayerWeights): ChannelImportance[] {
  const inputs = inputShapes(ir);
  checkWeights(ir, inputs, weights);
  const result: ChannelImportance[] = [];
  for (const index of prunableLayers(ir)) {
    const layer = ir.layers[index] as ProducerLayer;
    const tensor = paramLayout(layer, inputs[index]).find((t) => t.name === 'weights');
    if (!tensor) throw new Error(`unreachable: ${layer.kind} has no weights tensor`);
    const channels = producerChannels(layer);
    const rows = elementCount(tensor.shape) / channels;
    const sums = new Array<number>(channels).fill(0);
    const values = weights[index];
    for (let row = 0; row < rows; row++) {
      const base = tensor.offset + row * channels;
      for (let c = 0; c < channels; c++) sums[c] += Math.abs(values[base + c]);
    }
    sums.forEach((sum, channel) => result.push({ layer: index, channel, importance: sum / rows }));
  }
  return result;
}

/**
 * Greedy structured pruning until `fits(ir)`: removes the least important channel (channelImportance; ties go to the
 * lowest layer, then the lowest channel), recomputes the importances, and repeats. Never prunes a layer below one
 * channel, nor the logits. Throws UserError when nothing prunable remains (or `maxSteps` removals were not enough).
 * Returns the pruned IR and weights (to fine-tune) and the removals in order.
 */
export function pruneToFit(ir: ModelIR, weights: LayerWeights, fits: (ir: ModelIR) => boolean, options: PruneOptions = {}): PruneResult {
  const maxSteps = options.maxSteps ?? Infinity;
  if (!(maxSteps >= 0)) throw new RangeError(`maxSteps must be ≥ 0, got ${maxSteps}`);
  let current: PrunedModel = { ir, weights: weights.map((w) => Array.from(w)) };
  const removed: ChannelImportance[] = [];
  while (!fits(current.ir)) {
    const candidates = channelImportance(current.ir, current.weights).filter((c) => producerChannels(current.ir.layers[c.layer] as ProducerLayer) > 1);
    if (candidates.length === 0) {
      const layers = prunableLayers(current.ir);
      const detail =
        layers.length === 0
          ? 'it has no prunable layer (a conv1d, pointwise1d or hidden dense layer whose channels feed a later weighted layer)'
          : `every prunable layer (${layers.map((i) => `${i}: ${current.ir.layers[i].kind}`).join(', ')}) is down to one channel`;
      throw new UserError(`cannot prune the model to fit: ${detail}, after removing ${removed.length} channel${removed.length === 1 ? '' : 's'}`);
    }
    if (removed.length >= maxSteps) {
      throw new UserError(`cannot prune the model to fit: it still does not fit after the maximum of ${maxSteps} channel removals`);
    }
    // channelImportance is ordered by (layer, channel), so the first minimum wins ties.
    let least = candidates[0];
    for (const candidate of candidates) if (candidate.importance < least.importance) least = candidate;
    current = removeChannel(current.ir, current.weights, least.layer, least.channel);
    removed.push(least);
  }
  return { ...current, removed };
}

/** Throws unless there is one weight array per layer of the size params.ts gives it. */
function checkWeights(ir: ModelIR, inputs: readonly Shape[], weights: LayerWeights): void {
  if (weights.length !== ir.layers.length) {
    throw new RangeError(`weights for ${weights.length} layers, the model has ${ir.layers.length}`);
  }
  ir.layers.forEach((layer, i) => {
    const expected = paramCount(layer, inputs[i]);
    if (weights[i].length !== expected) {
      throw new RangeError(`layer ${i} (${layer.kind}): ${weights[i].length} weights, expected ${expected}`);
    }
  });
}

type TensorEdit = (values: number[], shape: number[]) => number[];

/** Rebuilds a layer's flat parameter array tensor by tensor (params.ts order), applying `edits` by tensor name. */
function editTensors(layer: Layer, inputShape: Shape, flat: readonly number[], edits: Partial<Record<string, TensorEdit>>): number[] {
  const result: number[] = [];
  for (const tensor of paramLayout(layer, inputShape)) {
    const values = flat.slice(tensor.offset, tensor.offset + elementCount(tensor.shape));
    const edit = edits[tensor.name];
    for (const v of edit ? edit(values, tensor.shape) : values) result.push(v);
  }
  return result;
}

/** A row-major tensor of `shape` without index `index` of axis `axis`. */
function dropAlong(values: readonly number[], shape: readonly number[], axis: number, index: number): number[] {
  const outer = elementCount(shape.slice(0, axis));
  const size = shape[axis];
  const inner = elementCount(shape.slice(axis + 1));
  const result: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < size; i++) {
      if (i === index) continue;
      const base = (o * size + i) * inner;
      for (let j = 0; j < inner; j++) result.push(values[base + j]);
    }
  }
  return result;
}
