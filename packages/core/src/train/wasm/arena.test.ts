import { describe, expect, it } from 'vitest';
import { Random } from '../../common/random';
import type { Layer, Shape } from '../../model/ir';
import { createKernel } from '../create-kernel';
import { Arena, type Floats } from './arena';

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
    ['conv1d (zero-skipping backward)', { kind: 'conv1d', filters: 33, kernel: 5, stride: 1, padding: 'same', activation: 'relu' }, [9, 8]],
    ['conv1d (masked zero-skipping backward)', { kind: 'conv1d', filters: 8, kernel: 4, stride: 1, padding: 'same', activation: 'relu' }, [9, 6]],
    ['pointwise1d (masked backward, written input gradient)', { kind: 'pointwise1d', filters: 16, activation: 'relu' }, [7, 4]],
    ['conv1d (dense backward)', { kind: 'conv1d', filters: 5, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }, [9, 3]],
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

    const plain = (a: Floats) => Float64Array.from(a);
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

  it('the zero-skipping products match the dense GEMM: same bits for dW, dX up to the order overlapping rows add in', () => {
    const random = new Random(5);
    const [outLen, window, filters, step] = [13, 40, 33, 8];
    const inLen = (outLen - 1) * step + window;
    const arena = new Arena();
    const b = {
      x: arena.reserve(inLen),
      g: arena.reserve(outLen * filters),
      wT: arena.reserve(window * filters),
      dwDense: arena.reserve(window * filters),
      dwSparse: arena.reserve(window * filters),
      dxDense: arena.reserve(inLen),
      dxSparse: arena.reserve(inLen),
      vals: arena.reserve(outLen * filters),
      offs: arena.reserve(outLen * filters),
      counts: arena.reserve(outLen + filters),
      dwT: arena.reserve(window * filters),
    };
    arena.seal();
    const at = (block: { offset: number }) => block.offset * 8;
    arena.view(b.x).set(uniform(random, inLen));
    arena.view(b.g).set(uniform(random, outLen * filters).map((v) => (v < 0 ? 0 : v)));
    arena.view(b.wT).set(uniform(random, window * filters));
    const w = arena.wasm;
    w.gemm(at(b.x), 8, step * 8, at(b.g), filters * 8, at(b.dwDense), filters * 8, window, filters, outLen, 0, 1);
    w.compact(at(b.g), filters, outLen, 8, filters * 8, step * 8, at(b.vals), at(b.offs), at(b.counts));
    w.sparseGemm(at(b.vals), at(b.offs), at(b.counts), filters, outLen, at(b.x), window, at(b.dwT), window * 8, 0);
    w.transposeAdd(at(b.dwT), filters, window, at(b.dwSparse));
    expect(Array.from(arena.view(b.dwSparse))).toEqual(Array.from(arena.view(b.dwDense)));
    w.gemm(at(b.g), filters * 8, 8, at(b.wT), window * 8, at(b.dxDense), step * 8, outLen, window, filters, 0, 1);
    w.compact(at(b.g), outLen, filters, filters * 8, 8, window * 8, at(b.vals), at(b.offs), at(b.counts));
    w.sparseGemm(at(b.vals), at(b.offs), at(b.counts), outLen, filters, at(b.wT), window, at(b.dxSparse), step * 8, 1);
    const dense = arena.view(b.dxDense);
    arena.view(b.dxSparse).forEach((v, i) => expect(Math.abs(v - dense[i])).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(dense[i]))));
    expect(arena.view(b.dxDense).some((v) => v !== 0)).toBe(true);
  });

  it.each(['float32', 'float64'] as const)(
    '%s: the masked zero-skipping backward (sparseBackward) matches the dense GEMMs: same bits for dW, dX up to the order overlapping rows add in',
    (precision) => {
      const random = new Random(6);
      for (const [outLen, window, filters, step, mode] of [
        [13, 80, 32, 16, 1],
        [11, 24, 8, 8, 1],
        [9, 32, 16, 32, 2],
        [5, 4, 4, 4, 0],
      ]) {
        const inLen = (outLen - 1) * step + window;
        const arena = new Arena(precision);
        const b = {
          x: arena.reserve(inLen),
          g: arena.reserve(outLen * filters),
          wT: arena.reserve(window * filters),
          dwDense: arena.reserve(window * filters),
          dwSparse: arena.reserve(window * filters),
          dxDense: arena.reserve(inLen),
          dxSparse: arena.reserve(inLen),
          dwT: arena.reserve(window * filters),
          db: arena.reserve(filters),
          dbDense: arena.reserve(filters),
          dbs: arena.reserve(filters),
        };
        arena.seal();
        const B = arena.bytes;
        const at = (block: { offset: number }) => block.offset * B;
        arena.view(b.x).set(uniform(random, inLen));
        arena.view(b.g).set(uniform(random, outLen * filters).map((v) => (v < 0 ? 0 : v)));
        arena.view(b.wT).set(uniform(random, window * filters));
        arena.view(b.dxSparse).fill(mode === 2 ? Number.NaN : 0);
        const w = arena.wasm;
        w.gemm(at(b.x), B, step * B, at(b.g), filters * B, at(b.dwDense), filters * B, window, filters, outLen, 0, 1);
        w.gemm(at(b.g), filters * B, B, at(b.wT), window * B, at(b.dxDense), step * B, outLen, window, filters, 0, 1);
        w.sparseBackward(at(b.g), 0, filters, outLen, at(b.x), step * B, window, at(b.wT), at(b.dwT), at(b.db), at(b.dbs), at(b.dxSparse), step * B, mode);
        w.transposeAdd(at(b.dwT), filters, window, at(b.dwSparse));
        expect(Array.from(arena.view(b.dwSparse))).toEqual(Array.from(arena.view(b.dwDense)));
        w.gemm(0, 0, 0, at(b.g), filters * B, at(b.dbDense), 0, 1, filters, outLen, 0, 1);
        expect(Array.from(arena.view(b.db))).toEqual(Array.from(arena.view(b.dbDense)));
        const dense = arena.view(b.dxDense);
        const tolerance = precision === 'float32' ? 1e-6 : 1e-14;
        if (mode === 0) expect(arena.view(b.dxSparse).every((v) => v === 0)).toBe(true);
        else arena.view(b.dxSparse).forEach((v, i) => expect(Math.abs(v - dense[i])).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(dense[i]))));
        expect(dense.some((v) => v !== 0)).toBe(true);
      }
    },
  );

  it.each(['float32', 'float64'] as const)("%s: the zero-skipping forward (sparseForward) has the dense GEMM's bits", (precision) => {
    const random = new Random(7);
    for (const [len, window, filters, relu] of [
      [13, 32, 32, 1],
      [7, 16, 8, 0],
      [5, 4, 20, 1],
    ]) {
      const arena = new Arena(precision);
      const b = {
        x: arena.reserve(len * window),
        w: arena.reserve(window * filters + filters),
        dense: arena.reserve(len * filters),
        sparse: arena.reserve(len * filters),
      };
      arena.seal();
      const B = arena.bytes;
      const at = (block: { offset: number }) => block.offset * B;
      arena.view(b.x).set(uniform(random, len * window).map((v) => (v < 0 ? 0 : v)));
      arena.view(b.w).set(uniform(random, window * filters + filters));
      const w = arena.wasm;
      const bias = at(b.w) + window * filters * B;
      w.gemm(at(b.x), window * B, B, at(b.w), filters * B, at(b.dense), filters * B, len, filters, window, bias, relu ? 2 : 0);
      w.sparseForward(at(b.x), window * B, window, len, at(b.w), filters, bias, at(b.sparse), relu);
      expect(Array.from(arena.view(b.sparse))).toEqual(Array.from(arena.view(b.dense)));
      expect(arena.view(b.dense).some((v) => v !== 0)).toBe(true);
    }
  });
});
