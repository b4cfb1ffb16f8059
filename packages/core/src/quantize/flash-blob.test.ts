import { describe, expect, it } from 'vitest';
import type { ModelIR } from '../model/ir';
import { estimateMemory } from '../model/memory';
import { referenceCnn } from '../../testing/reference-models';
import { buildFlashBlob } from './flash-blob';
import { quantizeModel } from './ptq';
import type { QuantizedLinearOp } from './quantized-model';
import { TEST_MODELS, testCascadeWeights, testWeights, testWindows } from '../../testing/quantize/test-models';

const BOARD = { memory: { sramBytes: 1 << 20, flashBytes: 1 << 22, reserveSramBytes: 0, stackBytes: 4096, runtimeCodeBytes: 12345, runtimeRamBytes: 0 } };

function quantized(ir: ModelIR) {
  const weights = ir.exits?.length ? testCascadeWeights(ir, 2) : testWeights(ir, 2);
  return quantizeModel(ir, weights, testWindows(ir, 16, 1));
}

describe('buildFlashBlob: the flash layout of model/memory.ts', () => {
  const models: Record<string, ModelIR> = { ...TEST_MODELS, referenceCnn: referenceCnn(2) };

  for (const [name, ir] of Object.entries(models)) {
    it(`${name}: the blob is exactly estimateMemory's flash minus the runtime, op by op`, () => {
      const blob = buildFlashBlob(quantized(ir));
      const report = estimateMemory(ir, BOARD);
      expect(blob.bytes.length).toBe(report.flash.total - report.flash.runtimeCode);
      for (const op of report.ops) {
        const sections = blob.sections.filter((s) => s.op === op.op);
        const padded = sections.reduce((n, s) => n + s.bytes + (s.name.endsWith('weights') ? (4 - (s.bytes % 4)) % 4 : 0), 0);
        expect(padded).toBe(op.weights + op.biases + op.quantParams + op.padding);
        const weights = sections.find((s) => s.name.endsWith('weights'));
        expect(weights?.bytes ?? 0).toBe(op.weights);
      }
      // Every array starts 4-byte aligned and the sections tile the blob in order.
      let end = 0;
      for (const section of blob.sections) {
        expect(section.offset % 4).toBe(0);
        expect(section.offset).toBe(end);
        end = section.offset + section.bytes + (section.name.endsWith('weights') ? (4 - (section.bytes % 4)) % 4 : 0);
      }
      expect(end).toBe(blob.bytes.length);
    });
  }

  it('writes little-endian int32 headers, multipliers, biases and int8 weights where the sections say', () => {
    const model = quantized(TEST_MODELS.dense);
    const blob = buildFlashBlob(model);
    const view = new DataView(blob.bytes.buffer);
    const int32At = (offset: number, i: number) => view.getInt32(offset + 4 * i, true);
    const { input, output } = model.header;
    expect([0, 1, 2, 3, 4, 5].map((i) => int32At(0, i))).toEqual([
      input.zeroPoint,
      input.multiplier,
      input.shift,
      output.zeroPoint,
      output.multiplier,
      output.shift,
    ]);
    const conv = model.ops[0] as QuantizedLinearOp;
    const at = (name: string) => (blob.sections.find((s) => s.name === `op0.${name}`) as { offset: number }).offset;
    expect([0, 1, 2, 3].map((i) => int32At(at('header'), i))).toEqual([
      conv.requant.inputZeroPoint,
      conv.requant.outputZeroPoint,
      conv.requant.actMin,
      conv.requant.actMax,
    ]);
    expect(conv.requant.multiplier.map((_, c) => int32At(at('multiplier'), c))).toEqual(conv.requant.multiplier);
    expect(conv.requant.shift.map((_, c) => int32At(at('shift'), c))).toEqual(conv.requant.shift);
    expect(conv.bias.map((_, c) => int32At(at('bias'), c))).toEqual(conv.bias);
    expect(conv.weights.map((_, i) => view.getInt8(at('weights') + i))).toEqual(conv.weights);
    // The first op's header follows the 24-byte model header.
    expect(at('header')).toBe(24);
  });

  it('ends an evidential model with its exit table {evidence_one_q16, threshold_q15} per prediction', () => {
    const model = quantized(TEST_MODELS.cascade);
    const blob = buildFlashBlob(model);
    const table = blob.sections[blob.sections.length - 1];
    expect(table).toEqual({ name: 'exits', op: null, offset: blob.bytes.length - 24, bytes: 24 });
    const view = new DataView(blob.bytes.buffer);
    expect([0, 1, 2, 3, 4, 5].map((i) => view.getInt32(table.offset + 4 * i, true))).toEqual(model.exits.flatMap((r) => [r.evidenceOneQ16, r.thresholdQ15]));
  });

  it('is deterministic', () => {
    expect(Buffer.from(buildFlashBlob(quantized(TEST_MODELS.gru)).bytes).equals(Buffer.from(buildFlashBlob(quantized(TEST_MODELS.gru)).bytes))).toBe(true);
  });
});
