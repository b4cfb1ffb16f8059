import { UserError } from '../common/errors';
import type { Random } from '../common/random';
import { summarizeIR } from './cost';
import type { Layer, ModelIR } from './ir';
import { convolvedLength, validateIR } from './shapes';
import type { ConvChoices, Cnn1dSpace, DsconvSpace, GruSpace, SearchSpace } from './space-types';

/**
 * Architectures of a search space. Every architecture is a point in a mixed-radix "genome": a block count, then one
 * digit per decision (cnn1d: per block filters, kernel, stride, pool, then the dense head; gru: the front end option,
 * then units per GRU layer; dsconv: channels, expansion, depthwise kernel, stem filters, stem kernel, stem stride).
 * Sampling draws the block count uniformly, then each digit uniformly. Enumeration (grid search) walks block counts
 * ascending and, within one, the digits as a number whose first digit is the most significant; a space bigger than
 * the limit yields `limit` architectures at evenly strided positions of that order (index ⌊k·size/limit⌋).
 */

/** How the logits layer is sized: one unit under a sigmoid (binary), one per class under softmax. */
export interface HeadSpec {
  head: ModelIR['head'];
  outputs: number;
}

/** Layers [start, end) of one repeated block (cnn1d conv+pool, one GRU layer, one dsconv block). */
export interface BlockSpan {
  start: number;
  end: number;
}

/** A third of the dsconv blocks: blocks [firstBlock, endBlock) and the layer whose output an exit reads. */
export interface ThirdSpan {
  firstBlock: number;
  endBlock: number;
  /** Index of the last IR layer of the third's last block. */
  tapLayer: number;
}

export interface Architecture {
  ir: ModelIR;
  /** summarizeIR(ir), e.g. `conv16k5-maxpool2-conv32k5-gap-dense2`. */
  summary: string;
  blocks: BlockSpan[];
  /** dsconv only (null otherwise): the blocks split into shallow, medium and deep thirds, where exits attach. */
  thirds: { shallow: ThirdSpan; medium: ThirdSpan; deep: ThirdSpan } | null;
}

/** Binary problems get a single sigmoid logit, more classes a softmax over one logit each. */
export function headForClasses(classes: number): HeadSpec {
  if (!Number.isInteger(classes) || classes < 2) throw new UserError(`a classifier needs at least 2 classes, got ${classes}`);
  return classes === 2 ? { head: 'sigmoid', outputs: 1 } : { head: 'softmax', outputs: classes };
}

/** One architecture drawn from the space; the same Random state gives the same architecture. */
export function sampleArchitecture(space: SearchSpace, input: ModelIR['input'], head: HeadSpec, random: Random): Architecture {
  const codec = codecFor(space);
  const blocks = random.pick(codec.blockCounts);
  const digits = codec.radices(blocks).map((radix) => random.int(radix));
  return build(codec, blocks, digits, input, head);
}

/** Number of genomes in the space (a few decode to the same IR, see cnn1dCodec). */
export function spaceSize(space: SearchSpace): bigint {
  const codec = codecFor(space);
  return codec.blockCounts.reduce((sum, blocks) => sum + product(codec.radices(blocks)), 0n);
}

/** Grid search's candidates: the whole space in enumeration order, or `limit` evenly strided ones when it is bigger. */
export function enumerateArchitectures(space: SearchSpace, input: ModelIR['input'], head: HeadSpec, limit: number): Architecture[] {
  if (!Number.isInteger(limit) || limit < 1) throw new UserError(`the number of architectures must be a positive integer, got ${limit}`);
  const codec = codecFor(space);
  const size = spaceSize(space);
  const count = size < BigInt(limit) ? Number(size) : limit;
  const architectures: Architecture[] = [];
  for (let k = 0; k < count; k++) {
    const index = size <= BigInt(limit) ? BigInt(k) : (BigInt(k) * size) / BigInt(limit);
    const { blocks, digits } = genomeAt(codec, index);
    architectures.push(build(codec, blocks, digits, input, head));
  }
  return architectures;
}

interface Codec {
  /** Possible block counts, ascending. */
  blockCounts: number[];
  /** Number of choices of each decision for a network of `blocks` blocks, most significant first. */
  radices(blocks: number): number[];
  decode(blocks: number, digits: readonly number[], input: ModelIR['input'], head: HeadSpec): Omit<Architecture, 'summary'>;
}

function build(codec: Codec, blocks: number, digits: readonly number[], input: ModelIR['input'], head: HeadSpec): Architecture {
  const architecture = codec.decode(blocks, digits, input, head);
  validateIR(architecture.ir); // a space must never produce an IR that cannot run
  return { ...architecture, summary: summarizeIR(architecture.ir) };
}

function genomeAt(codec: Codec, index: bigint): { blocks: number; digits: number[] } {
  let rest = index;
  for (const blocks of codec.blockCounts) {
    const radices = codec.radices(blocks);
    const size = product(radices);
    if (rest < size) {
      const digits = new Array<number>(radices.length);
      for (let i = radices.length - 1; i >= 0; i--) {
        digits[i] = Number(rest % BigInt(radices[i]));
        rest /= BigInt(radices[i]);
      }
      return { blocks, digits };
    }
    rest -= size;
  }
  throw new Error(`genome index ${index} is beyond the space`);
}

function product(radices: readonly number[]): bigint {
  return radices.reduce((p, r) => p * BigInt(r), 1n);
}

function codecFor(space: SearchSpace): Codec {
  checkSpace(space);
  switch (space.kind) {
    case 'cnn1d':
      return cnn1dCodec(space);
    case 'gru':
      return gruCodec(space);
    case 'dsconv':
      return dsconvCodec(space);
  }
}

/** The spec check reports these with file:line:col; this guards callers that build spaces in code. */
function checkSpace(space: SearchSpace): void {
  const fail = (detail: string): never => {
    throw new UserError(`search space ${space.kind}: ${detail}`);
  };
  for (const [key, value] of Object.entries(space)) if (Array.isArray(value) && value.length === 0) fail(`${key} has no choices`);
  const range = (key: string, [min, max]: [number, number], least: number) => {
    if (!(Number.isInteger(min) && Number.isInteger(max) && least <= min && min <= max))
      fail(`${key} must be [min, max] with ${least} ≤ min ≤ max, got [${min}, ${max}]`);
  };
  if (space.kind === 'cnn1d') {
    range('blocks', space.blocks, 1);
  }
  if (space.kind === 'gru') {
    range('layers', space.layers, 1);
    if (space.frontEnd.filters.length === 0 || space.frontEnd.kernels.length === 0 || space.frontEnd.strides.length === 0)
      fail('frontEnd has an empty choice list');
  }
  if (space.kind === 'dsconv') {
    range('blocks', space.blocks, 3);
    if (space.stem.filters.length === 0 || space.stem.kernels.length === 0 || space.stem.strides.length === 0) fail('stem has an empty choice list');
  }
}

function blockCounts([min, max]: [number, number]): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function logits(head: HeadSpec): Layer {
  return { kind: 'dense', units: head.outputs, activation: 'none' };
}

/**
 * cnn1d. A pool is left out where the sequence is already shorter than the pool size (several stride-2 blocks on a
 * short window), so such genomes decode to the same IR as their no-pool twin.
 */
function cnn1dCodec(space: Cnn1dSpace): Codec {
  const perBlock = [space.filters.length, space.kernels.length, space.strides.length, space.pools.length];
  return {
    blockCounts: blockCounts(space.blocks),
    radices: (blocks) => [...Array.from({ length: blocks }, () => perBlock).flat(), space.denseUnits.length],
    decode(blocks, digits, input, head) {
      const layers: Layer[] = [];
      const spans: BlockSpan[] = [];
      let length = input.length;
      for (let b = 0; b < blocks; b++) {
        const [f, k, s, p] = digits.slice(4 * b, 4 * b + 4);
        const start = layers.length;
        const stride = space.strides[s];
        layers.push({ kind: 'conv1d', filters: space.filters[f], kernel: space.kernels[k], stride, padding: 'same', activation: 'relu' });
        length = convolvedLength(length, space.kernels[k], stride, 'same');
        const pool = space.pools[p];
        if (pool !== 'none' && length >= space.poolSize) {
          layers.push({ kind: pool === 'max' ? 'maxpool1d' : 'avgpool1d', pool: space.poolSize, stride: space.poolSize });
          length = convolvedLength(length, space.poolSize, space.poolSize, 'valid');
        }
        spans.push({ start, end: layers.length });
      }
      layers.push({ kind: 'globalavgpool' });
      const dense = space.denseUnits[digits[4 * blocks]];
      if (dense > 0) layers.push({ kind: 'dense', units: dense, activation: 'relu' });
      layers.push(logits(head));
      return { ir: { input: { ...input }, layers, head: head.head }, blocks: spans, thirds: null };
    },
  };
}

/** The front end options of a GRU space: `null` (none, when filters lists 0) then every filters × kernel × stride. */
function frontEndOptions(choices: ConvChoices): ({ filters: number; kernel: number; stride: number } | null)[] {
  const options: ({ filters: number; kernel: number; stride: number } | null)[] = choices.filters.includes(0) ? [null] : [];
  for (const filters of choices.filters.filter((f) => f > 0)) {
    for (const kernel of choices.kernels) for (const stride of choices.strides) options.push({ filters, kernel, stride });
  }
  return options;
}

function gruCodec(space: GruSpace): Codec {
  const frontEnds = frontEndOptions(space.frontEnd);
  return {
    blockCounts: blockCounts(space.layers),
    radices: (layers) => [frontEnds.length, ...Array.from({ length: layers }, () => space.units.length)],
    decode(count, digits, input, head) {
      const layers: Layer[] = [];
      const frontEnd = frontEnds[digits[0]];
      if (frontEnd) layers.push({ kind: 'conv1d', ...frontEnd, padding: 'same', activation: 'relu' });
      const spans: BlockSpan[] = [];
      for (let l = 0; l < count; l++) {
        spans.push({ start: layers.length, end: layers.length + 1 });
        layers.push({ kind: 'gru', units: space.units[digits[1 + l]], returnSequences: l < count - 1 });
      }
      layers.push(logits(head));
      return { ir: { input: { ...input }, layers, head: head.head }, blocks: spans, thirds: null };
    },
  };
}

/** Blocks per third: floor(n/3) each, the remainder going to the deep third first, then the medium one. */
export function thirdSizes(blocks: number): [number, number, number] {
  return [Math.floor(blocks / 3), Math.floor((blocks + 1) / 3), Math.floor((blocks + 2) / 3)];
}

function dsconvCodec(space: DsconvSpace): Codec {
  const { stem } = space;
  return {
    blockCounts: blockCounts(space.blocks),
    radices: () => [space.channels.length, space.expansions.length, space.kernels.length, stem.filters.length, stem.kernels.length, stem.strides.length],
    decode(blocks, digits, input, head) {
      const [c, e, k, sf, sk, ss] = digits;
      const channels = space.channels[c];
      const expanded = channels * space.expansions[e];
      const layers: Layer[] = [
        { kind: 'conv1d', filters: stem.filters[sf], kernel: stem.kernels[sk], stride: stem.strides[ss], padding: 'same', activation: 'relu6' },
      ];
      const spans: BlockSpan[] = [];
      for (let b = 0; b < blocks; b++) {
        const start = layers.length;
        layers.push(
          { kind: 'pointwise1d', filters: expanded, activation: 'relu6' },
          { kind: 'depthwise1d', kernel: space.kernels[k], stride: space.downsampleBlocks.includes(b) ? 2 : 1, padding: 'same', activation: 'relu6' },
          { kind: 'pointwise1d', filters: channels, activation: 'relu6' },
        );
        spans.push({ start, end: layers.length });
      }
      layers.push({ kind: 'globalavgpool' }, logits(head));
      const [shallow, medium] = thirdSizes(blocks);
      const third = (firstBlock: number, endBlock: number): ThirdSpan => ({ firstBlock, endBlock, tapLayer: spans[endBlock - 1].end - 1 });
      return {
        ir: { input: { ...input }, layers, head: head.head },
        blocks: spans,
        thirds: { shallow: third(0, shallow), medium: third(shallow, shallow + medium), deep: third(shallow + medium, blocks) },
      };
    },
  };
}
