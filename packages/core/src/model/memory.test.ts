import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../spec/board';
import type { BoardMemory } from '../spec/types';
import type { ModelIR } from './ir';
import { budgetProblems, defaultBudget, estimateMemory, fitsBudget, postProcessingBytes } from './memory';
import { referenceCnn } from '../../testing/reference-models';

const WORKSPACE = path.resolve(__dirname, '../../../..');

const BOARD: { memory: BoardMemory } = {
  memory: { sramBytes: 65536, flashBytes: 262144, reserveSramBytes: 2048, stackBytes: 4096, runtimeCodeBytes: 10000, runtimeRamBytes: 48 },
};

const single = (layers: ModelIR['layers'], length: number, channels: number): ModelIR => ({ input: { length, channels }, layers, head: 'sigmoid' });

describe('flash, layer by layer (hand-computed)', () => {
  it('conv 6→16 k5 on 120 samples', () => {
    const ir = single(
      [
        { kind: 'conv1d', filters: 16, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
        { kind: 'globalavgpool' },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      120,
      6,
    );
    const report = estimateMemory(ir, BOARD);
    // conv: 5·6·16 = 480 int8 weights; 16 int32 biases = 64 B; header 16 + 16 channels × (multiplier + shift) 8 = 144 B.
    expect(report.ops[0]).toEqual({ op: 0, kind: 'conv1d', weights: 480, biases: 64, quantParams: 144, padding: 0 });
    expect(report.ops[1]).toEqual({ op: 1, kind: 'globalavgpool', weights: 0, biases: 0, quantParams: 0, padding: 0 });
    // dense 16→1: 16 weights, 4 B bias, 16 + 8 B quantisation.
    expect(report.ops[2]).toEqual({ op: 2, kind: 'dense', weights: 16, biases: 4, quantParams: 24, padding: 0 });
    // + the 24-byte model header + the runtime.
    expect(report.flash).toEqual({ weights: 496, biases: 68, quantParams: 24 + 144 + 24, padding: 0, runtimeCode: 10000, total: 10000 + 496 + 68 + 192 });
  });

  it('pads int8 weight arrays to 4 bytes', () => {
    const ir = single(
      [
        { kind: 'conv1d', filters: 5, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' }, // 3·3·5 = 45 → 3 bytes of padding
        { kind: 'maxpool1d', pool: 2, stride: 2 },
        { kind: 'dense', units: 1, activation: 'none' }, // [4, 5] flattened: 20 weights
      ],
      10,
      3,
    );
    const report = estimateMemory(ir, BOARD);
    expect(report.ops.map(({ weights, biases, quantParams, padding }) => [weights, biases, quantParams, padding])).toEqual([
      [45, 20, 16 + 40, 3],
      [0, 0, 0, 0],
      [20, 4, 24, 0],
    ]);
    expect(report.flash.total).toBe(10000 + 65 + 24 + 24 + 56 + 24 + 3);
  });

  it('depthwise, pointwise and a GRU', () => {
    const ir = single(
      [
        { kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'same', activation: 'relu6' }, // 3·4 = 12 w, 4 biases, 16 + 32
        { kind: 'pointwise1d', filters: 6, activation: 'relu6' }, // 4·6 = 24 w, 6 biases, 16 + 48
        { kind: 'gru', units: 8, returnSequences: false }, // 6·24 + 8·24 = 336 w, 48 biases, 16 + 48·8 + 8
        { kind: 'dense', units: 1, activation: 'none' }, // 8 w, 1 bias, 16 + 8
      ],
      20,
      4,
    );
    const report = estimateMemory(ir, BOARD);
    expect(report.ops.map(({ weights, biases, quantParams }) => [weights, biases, quantParams])).toEqual([
      [12, 16, 48],
      [24, 24, 64],
      [336, 192, 408],
      [8, 4, 24],
    ]);
  });

  it('folds batch-norm away (no flash of its own) and charges an unfused ReLU its op header', () => {
    const plain = single(
      [
        { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
        { kind: 'globalavgpool' },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      16,
      2,
    );
    const withBatchNorm = single(
      [
        { kind: 'conv1d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'none' },
        { kind: 'batchnorm' },
        { kind: 'relu' },
        { kind: 'globalavgpool' },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      16,
      2,
    );
    expect(estimateMemory(withBatchNorm, BOARD).flash).toEqual(estimateMemory(plain, BOARD).flash);
    expect(estimateMemory(withBatchNorm, BOARD).sram).toEqual(estimateMemory(plain, BOARD).sram);
    const unfused = single([...plain.layers.slice(0, 2), { kind: 'relu' }, plain.layers[2]], 16, 2);
    expect(estimateMemory(unfused, BOARD).flash.quantParams).toBe(estimateMemory(plain, BOARD).flash.quantParams + 16);
  });
});

describe('SRAM', () => {
  it('counts GRU state and gate scratch in the arena', () => {
    const ir = single(
      [
        { kind: 'gru', units: 8, returnSequences: false },
        { kind: 'dense', units: 1, activation: 'none' },
      ],
      20,
      4,
    );
    const report = estimateMemory(ir, BOARD);
    // Step 0: state int16[8] = 16 B, gates int32[2][24] = 192 B, output int8[1][8] → 16 B: 224 B. Step 1: 16 + 16.
    expect(report.plan.tensors.map((t) => [t.id, t.dtype, t.bytes, t.alignedBytes, t.firstStep, t.lastStep])).toEqual([
      ['op0.state', 'int16', 16, 16, 0, 0],
      ['op0.gates', 'int32', 192, 192, 0, 0],
      ['act1', 'int8', 8, 16, 0, 1],
      ['act2', 'int8', 1, 16, 1, 1],
    ]);
    // result: a plain model's tinyml_result_t, 4 + 4 + output 4 + 4 + one 24-byte exit row = 40 B; static from the board.
    expect(report.sram).toEqual({
      arena: 224,
      input: 80,
      result: 40,
      postProcessing: 0,
      static: 48,
      stack: 4096,
      reserve: 2048,
      total: 224 + 80 + 40 + 48 + 4096 + 2048,
    });
  });
});

describe('the reference CNN (6→16 k5, maxpool 2, 16→32 k5, GAP, dense 2 on 120 × 6) on real boards', () => {
  // Flash: weights 480 + 2,560 + 64 = 3,104; biases (16 + 32 + 2)·4 = 200; quantisation 24 (model) + 144 (conv 1) +
  // 272 (conv 2: 16 + 32·8) + 32 (dense: 16 + 2·8) = 472; no padding. Arena: act1 [120,16] 1,920 B and act3 [60,32]
  // 1,920 B share offset 0, act2 [60,16] 960 B sits above them at 1,920, act4 32 B at 1,920, act5 2 → 16 B at 0:
  // 2,880 B, the bound (act1 + act2 alive at step 1). Input 120·6 = 720 B.
  it('stm32f446ze', async () => {
    const board = await loadBoard(WORKSPACE, 'stm32f446ze');
    const report = estimateMemory(referenceCnn(2), board);
    expect(report.flash).toEqual({ weights: 3104, biases: 200, quantParams: 472, padding: 0, runtimeCode: 16384, total: 20160 });
    // result: tinyml_result_t of a plain model with 2 outputs, 40 B; static: board.yaml runtimeRamBytes.
    expect(report.sram).toEqual({ arena: 2880, input: 720, result: 40, postProcessing: 0, static: 64, stack: 4096, reserve: 4096, total: 11896 });
    expect(report.plan.tensors.map((t) => [t.id, t.offset])).toEqual([
      ['act1', 0],
      ['act2', 1920],
      ['act3', 0],
      ['act4', 1920],
      ['act5', 0],
    ]);
    expect(report.plan.lowerBoundBytes).toBe(2880);
    expect(report.budget).toEqual({ sramBytes: 131072 - 4096, flashBytes: 524288, sramUsed: 7800, flashUsed: 20160 });
    expect(report.fits).toBe(true);
  });

  it('esp32-s2', async () => {
    const board = await loadBoard(WORKSPACE, 'esp32-s2');
    const report = estimateMemory(referenceCnn(2), board);
    expect(report.flash).toEqual({ weights: 3104, biases: 200, quantParams: 472, padding: 0, runtimeCode: 16384, total: 20160 });
    expect(report.sram).toEqual({ arena: 2880, input: 720, result: 40, postProcessing: 0, static: 64, stack: 8192, reserve: 65536, total: 77432 });
    expect(report.fits).toBe(true);
  });
});

describe('the budget', () => {
  const big: ModelIR = single(
    [
      { kind: 'conv1d', filters: 128, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'conv1d', filters: 128, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: 1, activation: 'none' },
    ],
    256,
    6,
  );

  it('compares arena + input + result + static + stack with the SRAM budget, which excludes the reserve', () => {
    const report = estimateMemory(big, BOARD);
    // Two [256, 128] int8 activations alive together: 65,536 B of arena alone, over 65,536 − 2,048.
    expect(report.sram.arena).toBe(65536);
    expect(report.fits).toBe(false);
    expect(budgetProblems(report, defaultBudget(BOARD))).toEqual([
      `SRAM: arena 65536 + input 1536 + result 40 + static 48 + stack 4096 = 71256 bytes > budget ${65536 - 2048}`,
    ]);
    expect(fitsBudget(report, { sramBytes: 71256, flashBytes: 262144 })).toBe(true);
    expect(fitsBudget(report, { sramBytes: 71255, flashBytes: 262144 })).toBe(false);
  });

  // Issue 16 item 10: the harness's result and counters were left out, so a model at the budget failed to link.
  it('counts the static RAM besides arena and input: board.yaml runtimeRamBytes and the result struct', () => {
    const report = estimateMemory(referenceCnn(2), BOARD);
    const more = estimateMemory(referenceCnn(2), { memory: { ...BOARD.memory, runtimeRamBytes: 1048 } });
    expect(more.budget.sramUsed - report.budget.sramUsed).toBe(1000);
    expect(more.sram.total - report.sram.total).toBe(1000);
    const { arena, input, result, postProcessing, static: staticRam, stack, reserve } = report.sram;
    expect(report.sram.total).toBe(arena + input + result + postProcessing + staticRam + stack + reserve);
    expect(report.budget.sramUsed).toBe(report.sram.total - reserve);
  });

  it("counts the alarm rule's state when it is given: history[n], votes and hold per event, and the struct with the CPU's pointers", () => {
    expect(postProcessingBytes(3, 1, 4)).toBe(3 + 8 + 32);
    expect(postProcessingBytes(3, 1, 8)).toBe(3 + 8 + 48);
    expect(postProcessingBytes(10, 0, 4)).toBe(10 + 8 + 32);
    expect(postProcessingBytes(5, 3, 4)).toBe(5 + 24 + 32);
    const without = estimateMemory(referenceCnn(2), BOARD);
    const withAlarm = estimateMemory(referenceCnn(2), BOARD, undefined, { n: 4 });
    expect(withAlarm.sram.postProcessing).toBe(postProcessingBytes(4, 0, 4));
    expect(withAlarm.budget.sramUsed - without.budget.sramUsed).toBe(withAlarm.sram.postProcessing);
    expect(estimateMemory(referenceCnn(2), { cpu: 'x86-64', memory: BOARD.memory }, undefined, { n: 4 }).sram.postProcessing).toBe(4 + 8 + 48);
  });

  it('with the default budget, fitting means the totals fit the board', () => {
    const report = estimateMemory(referenceCnn(2), BOARD);
    const tight = { memory: { ...BOARD.memory, sramBytes: report.sram.total, flashBytes: report.flash.total } };
    expect(estimateMemory(referenceCnn(2), tight).fits).toBe(true);
    expect(estimateMemory(referenceCnn(2), { memory: { ...tight.memory, sramBytes: report.sram.total - 1 } }).fits).toBe(false);
    expect(estimateMemory(referenceCnn(2), { memory: { ...tight.memory, flashBytes: report.flash.total - 1 } }).fits).toBe(false);
    expect(
      budgetProblems(estimateMemory(referenceCnn(2), { memory: { ...tight.memory, flashBytes: report.flash.total - 1 } }), {
        sramBytes: 1e9,
        flashBytes: report.flash.total - 1,
      }),
    ).toEqual([`flash: ${report.flash.total} bytes > budget ${report.flash.total - 1}`]);
  });
});
