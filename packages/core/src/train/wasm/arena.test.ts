import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Layer, Shape } from '../../model/ir';
import { createKernel } from '../create-kernel';
import { Arena } from './arena';

const uniform = (random: Random, n: number) => Float64Array.from({ length: n }, () => 2 * random.next() - 1);

describe('wasm arena', () => {
  it('is reserved, then sealed once: no views before, no reservations after', () => {
    const arena = new Arena();
    const block = arena.reserve(3);
    expect(() => arena.heap).toThrow(/before seal/);
    arena.seal();
    expect(() => arena.reserve(1)).toThrow(/after seal/);
    const view = arena.view(block);
    expect(view.length).toBe(3);
    expect(view.byteOffset % 16).toBe(0);
    expect(arena.holds(view)).toBe(true);
    expect(arena.holds(new Float64Array(3))).toBe(false);
  });

  it.each<[string, Layer, Shape]>([
    ['conv1d (zero-skipping backward)', { kind: 'conv1d', filters: 6, kernel: 5, stride: 1, padding: 'same', activation: 'relu' }, [9, 8]],
    ['depthwise1d', { kind: 'depthwise1d', kernel: 3, stride: 2, padding: 'same', activation: 'relu6' }, [9, 5]],
    ['maxpool1d', { kind: 'maxpool1d', pool: 3, stride: 2 }, [9, 3]],
    ['gru', { kind: 'gru', units: 5, returnSequences: true }, [6, 3]],
  ])('%s: the same bits on arrays in its arena (in place) as on ordinary arrays (copied in and out)', (_name, layer, shape) => {
    const random = new Random(3);
    const alone = createKernel(layer, shape);
    const arena = new Arena();
    const shared = createKernel(layer, shape, arena);
    const outValues = shared.outputShape[0] * shared.outputShape[1];
    const blocks = [shared.paramCount, shape[0] * shape[1], outValues, outValues, shared.paramCount, shape[0] * shape[1]].map((n) => arena.reserve(n));
    arena.seal();
    const [params, input, output, outputGrad, grads, inputGrad] = blocks.map((b) => arena.view(b));
    params.set(uniform(random, params.length));
    input.set(uniform(random, input.length));
    outputGrad.set(uniform(random, outputGrad.length));
    shared.forward(params, input, output, true);
    shared.backward(params, input, outputGrad, grads, inputGrad);

    const plain = (a: Float64Array) => Float64Array.from(a);
    const out2 = new Float64Array(outValues);
    const grads2 = new Float64Array(shared.paramCount);
    const inputGrad2 = new Float64Array(input.length);
    alone.forward(plain(params), plain(input), out2, true);
    alone.backward(plain(params), plain(input), plain(outputGrad), grads2, inputGrad2);
    expect(Array.from(out2)).toEqual(Array.from(output));
    expect(Array.from(grads2)).toEqual(Array.from(grads));
    expect(Array.from(inputGrad2)).toEqual(Array.from(inputGrad));
    expect(output.some((v) => v !== 0)).toBe(true);
  });
});
