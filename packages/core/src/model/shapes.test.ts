import { describe, expect, it } from 'vitest';
import { UserError } from '../common/errors';
import type { Layer, ModelIR } from './ir';
import { lowerToOps } from './ops';
import { referenceCnn } from '../../testing/reference-models';
import { InvalidModelError, convolvedLength, inferShapes, samePadding, validateIR } from './shapes';

const model = (length: number, channels: number, layers: Layer[], head: ModelIR['head'] = 'sigmoid'): ModelIR => ({
  input: { length, channels },
  layers,
  head,
});

function invalid(ir: ModelIR): InvalidModelError {
  try {
    validateIR(ir);
  } catch (error) {
    if (error instanceof InvalidModelError) return error;
    throw error;
  }
  throw new Error('expected an InvalidModelError');
}

describe('shape inference', () => {
  it('follows the reference CNN', () => {
    expect(inferShapes(referenceCnn(2))).toEqual([
      [120, 16],
      [60, 16],
      [60, 32],
      [1, 32],
      [1, 2],
    ]);
  });

  it('uses ceil(T/stride) for same and floor((T − k)/stride) + 1 for valid', () => {
    expect(convolvedLength(120, 5, 1, 'same')).toBe(120);
    expect(convolvedLength(121, 5, 2, 'same')).toBe(61);
    expect(convolvedLength(120, 5, 1, 'valid')).toBe(116);
    expect(convolvedLength(120, 5, 3, 'valid')).toBe(39);
    expect(convolvedLength(4, 5, 1, 'valid')).toBe(0);
    const ir = model(10, 3, [
      { kind: 'conv1d', filters: 4, kernel: 3, stride: 2, padding: 'valid', activation: 'relu' },
      { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu6' },
      { kind: 'pointwise1d', filters: 7, activation: 'none' },
      { kind: 'avgpool1d', pool: 2, stride: 1 },
      { kind: 'gru', units: 5, returnSequences: true },
      { kind: 'gru', units: 6, returnSequences: false },
      { kind: 'dense', units: 1, activation: 'none' },
    ]);
    expect(inferShapes(ir)).toEqual([
      [4, 4],
      [2, 4],
      [2, 7],
      [1, 7],
      [1, 5],
      [1, 6],
      [1, 1],
    ]);
  });

  it('pads same convolutions like TensorFlow (the smaller half on the left)', () => {
    expect(samePadding(120, 5, 1)).toEqual({ left: 2, right: 2 });
    expect(samePadding(120, 4, 1)).toEqual({ left: 1, right: 2 });
    expect(samePadding(10, 3, 2)).toEqual({ left: 0, right: 1 });
    expect(samePadding(9, 3, 2)).toEqual({ left: 1, right: 1 });
    expect(samePadding(5, 1, 3)).toEqual({ left: 0, right: 0 });
  });

  it('lets dense flatten a sequence and later layers see one step', () => {
    const ir = model(
      8,
      2,
      [
        { kind: 'dense', units: 4, activation: 'relu' },
        { kind: 'conv1d', filters: 3, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
        { kind: 'gru', units: 2, returnSequences: false },
        { kind: 'dense', units: 3, activation: 'none' },
      ],
      'softmax',
    );
    expect(inferShapes(ir)).toEqual([
      [1, 4],
      [1, 3],
      [1, 2],
      [1, 3],
    ]);
  });
});

describe('illegal models', () => {
  const conv = (kernel: number, padding: 'same' | 'valid' = 'same'): Layer => ({ kind: 'conv1d', filters: 4, kernel, stride: 1, padding, activation: 'relu' });
  const logit: Layer = { kind: 'dense', units: 1, activation: 'none' };

  it.each([
    {
      what: 'pool after global pooling',
      layers: [conv(3), { kind: 'globalavgpool' }, { kind: 'maxpool1d', pool: 2, stride: 2 }, logit] as Layer[],
      layer: 2,
      says: 'the input has 1 time step, fewer than the pool size 2',
    },
    {
      what: 'valid kernel longer than the input',
      layers: [conv(3), conv(9, 'valid'), { kind: 'globalavgpool' }, logit] as Layer[],
      layer: 1,
      says: 'the input has 8 time steps, fewer than the kernel 9',
    },
    { what: 'zero filters', layers: [{ ...conv(3), filters: 0 } as Layer, logit], layer: 0, says: 'filters must be a positive integer, got 0' },
    { what: 'fractional stride', layers: [{ kind: 'maxpool1d', pool: 2, stride: 1.5 }, logit] as Layer[], layer: 0, says: 'stride must be a positive integer' },
    { what: 'unknown kind', layers: [{ kind: 'conv2d' } as unknown as Layer, logit], layer: 0, says: 'unknown layer kind "conv2d"' },
    {
      what: 'bad activation',
      layers: [{ ...conv(3), activation: 'gelu' } as unknown as Layer, logit],
      layer: 0,
      says: 'activation must be none, relu or relu6',
    },
    {
      what: 'batchnorm after an activation',
      layers: [conv(3), { kind: 'batchnorm' }, { kind: 'globalavgpool' }, logit] as Layer[],
      layer: 1,
      says: 'but follows conv1d with activation relu',
    },
    {
      what: 'batchnorm after a pool',
      layers: [{ ...conv(3), activation: 'none' } as Layer, { kind: 'maxpool1d', pool: 2, stride: 2 }, { kind: 'batchnorm' }, logit] as Layer[],
      layer: 2,
      says: 'but follows maxpool1d',
    },
    { what: 'batchnorm first', layers: [{ kind: 'batchnorm' }, logit] as Layer[], layer: 0, says: 'but follows the input' },
    { what: 'ends in a sequence', layers: [conv(3)], layer: 0, says: 'one prediction per window ([1, K]), but the last layer gives [8, 4]' },
    {
      what: 'sigmoid with 2 outputs',
      layers: [conv(3), { kind: 'globalavgpool' }, { kind: 'dense', units: 2, activation: 'none' }] as Layer[],
      layer: 2,
      says: 'a sigmoid head needs 1 output unit, the last layer gives 2',
    },
  ])('$what', ({ layers, layer, says }) => {
    const error = invalid(model(8, 3, layers));
    expect(error).toBeInstanceOf(UserError);
    expect(error.layer).toBe(layer);
    expect(error.message).toMatch(new RegExp(`^layer ${layer}: `));
    expect(error.message).toContain(says);
  });

  it('rejects a softmax head with one output and a bad input', () => {
    expect(invalid({ ...referenceCnn(1), head: 'softmax' }).message).toContain('a softmax head needs at least 2 output units');
    expect(invalid({ ...referenceCnn(1), input: { length: 0, channels: 6 } }).message).toMatch(/^model: the input must be/);
    expect(invalid({ ...referenceCnn(1), layers: [] }).message).toBe('model: has no layers');
  });
});

describe('deployed ops', () => {
  it('fold batch-norms into the linear layer before them and fuse a trailing ReLU', () => {
    const ir = model(16, 2, [
      { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'none' },
      { kind: 'batchnorm' },
      { kind: 'relu6' },
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      { kind: 'relu' },
      { kind: 'pointwise1d', filters: 3, activation: 'relu' },
      { kind: 'relu' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 1, activation: 'none' },
      { kind: 'batchnorm' },
    ]);
    const ops = lowerToOps(ir);
    expect(ops.map((op) => [op.index, op.kind, op.layers, op.foldedBatchNorms, op.activation, op.inputShape, op.outputShape])).toEqual([
      [0, 'conv1d', [0, 1, 2], [1], 'relu6', [16, 2], [16, 4]],
      [1, 'maxpool1d', [3], [], 'none', [16, 4], [8, 4]],
      // A ReLU after a pool cannot be fused: it runs as its own op.
      [2, 'relu', [4], [], 'relu', [8, 4], [8, 4]],
      [3, 'pointwise1d', [5], [], 'relu', [8, 4], [8, 3]],
      // Nor after a layer that already clamps.
      [4, 'relu', [6], [], 'relu', [8, 3], [8, 3]],
      [5, 'globalavgpool', [7], [], 'none', [8, 3], [1, 3]],
      [6, 'dense', [8, 9], [9], 'none', [1, 3], [1, 1]],
    ]);
  });
});
