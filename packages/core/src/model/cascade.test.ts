import { describe, expect, it } from 'vitest';
import { arenaPlanProblems } from './arena';
import { arenaTensors } from './arena-tensors';
import { exitCosts, summarizeIR, totalParams } from './cost';
import type { Layer, ModelIR } from './ir';
import { EVIDENCE_TABLE_BYTES, EXIT_ENTRY_BYTES, MODEL_HEADER_BYTES, estimateMemory, exitTableBytes, resultBytes } from './memory';
import { lowerToOps, opsBeforeExit } from './ops';
import { exitShapes, inferShapes, validateIR } from './shapes';

const BOARD = { memory: { sramBytes: 65536, flashBytes: 262144, reserveSramBytes: 0, stackBytes: 1024, runtimeCodeBytes: 0, runtimeRamBytes: 0 } };

const conv = (filters: number): Layer => ({ kind: 'conv1d', filters, kernel: 3, stride: 1, padding: 'same', activation: 'relu' });
const pool: Layer = { kind: 'maxpool1d', pool: 2, stride: 2 };
const evidenceHead = (events: number): Layer[] => [{ kind: 'globalavgpool' }, { kind: 'dense', units: 2 * events, activation: 'relu' }];

/** Three conv blocks on 16 × 2; exits after blocks 1 and 2, the backbone's own head after block 3. */
function cascade(events = 2): ModelIR {
  return {
    input: { length: 16, channels: 2 },
    layers: [conv(4), pool, conv(8), pool, conv(8), ...evidenceHead(events)],
    head: 'evidential',
    events,
    exits: [
      { after: 1, layers: evidenceHead(events) },
      { after: 3, layers: evidenceHead(events) },
    ],
  };
}

describe('a cascade IR (backbone + early exits, evidential heads)', () => {
  it('infers the backbone and every exit, each ending in 2·events evidence values', () => {
    const ir = cascade();
    expect(inferShapes(ir).map((s) => [...s])).toEqual([
      [16, 4],
      [8, 4],
      [8, 8],
      [4, 8],
      [4, 8],
      [1, 8],
      [1, 4],
    ]);
    expect(exitShapes(ir).map((shapes) => shapes.map((s) => [...s]))).toEqual([
      [
        [1, 4],
        [1, 4],
      ],
      [
        [1, 8],
        [1, 4],
      ],
    ]);
  });

  it('lowers to one op list in run order: each exit right after the op it taps, the backbone continuing from the tap', () => {
    const ops = lowerToOps(cascade());
    expect(ops.map((op) => [op.index, op.kind, op.branch, op.layer, op.input, op.exit])).toEqual([
      [0, 'conv1d', null, 0, 0, null],
      [1, 'maxpool1d', null, 1, 1, null],
      [2, 'globalavgpool', 0, 0, 2, null],
      [3, 'dense', 0, 1, 3, 0],
      [4, 'conv1d', null, 2, 2, null], // reads the pool's output (tensor 2), not the exit's evidence
      [5, 'maxpool1d', null, 3, 5, null],
      [6, 'globalavgpool', 1, 0, 6, null],
      [7, 'dense', 1, 1, 7, 1],
      [8, 'conv1d', null, 4, 6, null],
      [9, 'globalavgpool', null, 5, 9, null],
      [10, 'dense', null, 6, 10, 2],
    ]);
    expect(opsBeforeExit(ops).map((list) => list.length)).toEqual([4, 8, 11]);
  });

  it('keeps a tapped tensor alive through its exit, until the backbone has read it, and never overlaps live tensors', () => {
    const ir = cascade();
    const tensors = arenaTensors(lowerToOps(ir));
    const life = Object.fromEntries(tensors.map((t) => [t.id, [t.firstStep, t.lastStep]]));
    expect(life.act2).toEqual([1, 4]); // the first tap: read by the exit's GAP (step 2) and by the next conv (step 4)
    expect(life.act4).toEqual([3, 3]); // exit 0's evidence: turned into the result at its own step
    expect(life.act6).toEqual([5, 8]);
    expect(life.act11).toEqual([10, 10]);
    expect(arenaPlanProblems(estimateMemory(ir, BOARD).plan)).toEqual([]);
  });

  it('charges the exit table in flash: one 8-byte row per prediction', () => {
    const plain: ModelIR = { ...cascade(), exits: [] };
    const withExits = estimateMemory(cascade(), BOARD);
    const without = estimateMemory(plain, BOARD);
    const headFlash = (report: typeof withExits) => report.ops.reduce((n, op) => n + op.weights + op.biases + op.quantParams + op.padding, 0);
    expect(without.flash.quantParams - without.ops.reduce((n, op) => n + op.quantParams, 0)).toBe(MODEL_HEADER_BYTES + EXIT_ENTRY_BYTES);
    expect(withExits.flash.quantParams - withExits.ops.reduce((n, op) => n + op.quantParams, 0)).toBe(MODEL_HEADER_BYTES + 3 * EXIT_ENTRY_BYTES);
    // The two exit heads: GAP (nothing) + dense 4→4 (16 w, 4 biases, header 16 + 4·8) and dense 8→4 (32 w, ...).
    expect(headFlash(withExits) - headFlash(without)).toBe(16 + 16 + 16 + 32 + (32 + 16 + 16 + 32));
  });

  it("counts the result struct the caller holds in SRAM: one row per prediction, sized like model.h's tinyml_result_t", () => {
    // 3 events, 3 predictions, output int8[6] → 8: row = evidence 6 → 8 + p 12 + u 12 + present 3 → 4 + max_u 4 +
    // takes 4 = 44; struct = exit_taken 4 + decision 4 + output 8 + exits_evaluated 4 + 3 × 44 = 152.
    expect(resultBytes(cascade(3))).toBe(152);
    expect(estimateMemory(cascade(3), BOARD).sram.result).toBe(152);
    // 2 events: row 4 + 8 + 8 + 4 + 8 = 32, output 4: 16 + 3 × 32 = 112. Without exits one row: 16 + 32 = 48.
    expect(resultBytes(cascade(2))).toBe(112);
    expect(resultBytes({ ...cascade(2), exits: [] })).toBe(48);
  });

  it('costs each exit: the backbone up to its tap plus every head evaluated so far', () => {
    const costs = exitCosts(cascade());
    // conv 16·3·2·4 = 384; exit 0 dense 4·4 = 16; conv 8·3·4·8 = 768; exit 1 dense 8·4 = 32; conv 4·3·8·8 = 768; dense 32.
    expect(costs).toEqual([
      { exit: 0, macs: 384 + 16, headMacs: 16 },
      { exit: 1, macs: 384 + 16 + 768 + 32, headMacs: 32 },
      { exit: 2, macs: 384 + 16 + 768 + 32 + 768 + 32, headMacs: 768 + 32 },
    ]);
    expect(totalParams(cascade())).toBe(4 * 3 * 2 + 4 + (8 * 3 * 4 + 8) + (8 * 3 * 8 + 8) + (8 * 4 + 4) + (4 * 4 + 4) + (8 * 4 + 4));
    expect(summarizeIR(cascade())).toBe('conv4k3-maxpool2-conv8k3-maxpool2-conv8k3-gap-dense4 [exits @1:gap-dense4 @3:gap-dense4]');
  });

  it('rejects what cannot run, naming the exit', () => {
    const bad = (change: (ir: ModelIR) => void): (() => void) => {
      const ir = cascade();
      change(ir);
      return () => validateIR(ir);
    };
    expect(bad((ir) => (ir.exits![1].after = 0))).toThrow(/exit 1: exits must tap the backbone in ascending order/);
    expect(bad((ir) => (ir.exits![0].after = 6))).toThrow(/exit 0: after must name a backbone layer before the last \(0\.\.5\)/);
    expect(bad((ir) => (ir.exits![0].layers = [{ kind: 'globalavgpool' }, { kind: 'dense', units: 4, activation: 'none' }]))).toThrow(
      /exit 0, layer 1: an evidential head's evidence must come through ReLU/,
    );
    expect(bad((ir) => (ir.exits![0].layers = evidenceHead(3)))).toThrow(
      /exit 0, layer 1: an evidential head over 2 events needs 4 evidence units, the last layer gives 6/,
    );
    expect(bad((ir) => (ir.exits![0].layers = [pool, pool, pool, pool, { kind: 'dense', units: 4, activation: 'relu' }]))).toThrow(
      /exit 0, layer 3: maxpool1d: the input has 1 time step,/,
    );
    expect(bad((ir) => delete ir.events)).toThrow(/an evidential head needs events/);
    expect(bad((ir) => (ir.head = 'softmax'))).toThrow(/early exits need an evidential head/);
    // Exp evidence needs linear evidence layers, and only an evidential head has evidence.
    expect(bad((ir) => (ir.evidence = 'exp'))).toThrow(
      /layer \d+: exp evidence is exp\(z\) of a linear dense layer \(activation none\), the last layer is dense with activation relu/,
    );
    expect(bad((ir) => Object.assign(ir, { evidence: 'softplus' }))).toThrow(/evidence must be relu or exp, and only with an evidential head, got "softplus"/);
    expect(bad((ir) => Object.assign(ir, { exitUncertainty: 'margin' }))).toThrow(
      /exitUncertainty must be vacuity or decision, and only with an evidential head, got "margin"/,
    );
  });

  it('takes exp evidence from linear evidence layers', () => {
    const ir = cascade();
    const linear = { kind: 'dense', units: 4, activation: 'none' } as const;
    ir.evidence = 'exp';
    ir.layers[ir.layers.length - 1] = linear;
    for (const exit of ir.exits!) exit.layers[exit.layers.length - 1] = linear;
    expect(() => validateIR(ir)).not.toThrow();
    // Each prediction's exit row is followed in flash by its 256-entry int32 evidence table.
    expect(exitTableBytes(ir)).toBe(3 * (EXIT_ENTRY_BYTES + EVIDENCE_TABLE_BYTES));
    expect(exitTableBytes(cascade())).toBe(3 * EXIT_ENTRY_BYTES);
  });

  it('refuses an exit that taps a layer export merges into the next op', () => {
    const ir: ModelIR = {
      input: { length: 8, channels: 1 },
      layers: [{ kind: 'conv1d', filters: 2, kernel: 3, stride: 1, padding: 'same', activation: 'none' }, { kind: 'relu' }, ...evidenceHead(1)],
      head: 'evidential',
      events: 1,
      exits: [{ after: 0, layers: evidenceHead(1) }],
    };
    expect(() => lowerToOps(ir)).toThrow(/exit 0 taps layer 0, which export merges into the op of layer 0 \(ending at layer 1\); tap layer 1 instead/);
  });
});
