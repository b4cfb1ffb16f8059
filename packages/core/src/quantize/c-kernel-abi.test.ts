import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceAlarmRule } from '../evaluate/alarms';
import { emitModel } from '../codegen/emit-model';
import { planModelArena } from '../model/arena-tensors';
import { referenceCnn } from '../../testing/reference-models';
import { C_KERNELS, type CKernel, cCall, dataParams, driverCaseLine, bindCall, GENERATED_C_BLOCKS, kernelForOp, withGeneratedBlock } from './c-kernel-abi';
import { buildFlashBlob } from './flash-blob';
import { quantizeModel } from './ptq';
import type { QuantizedOp } from './quantized-model';
import { rawInputSpec } from './raw-input';
import { TEST_MODELS, testCascadeWeights, testWeights, testWindows } from '../../testing/quantize/test-models';

const ROOT = path.resolve(__dirname, '../../../..');
const KERNELS = Object.entries(C_KERNELS as Readonly<Record<string, CKernel>>);

/** Every op kind a quantised model holds; a Record so a new kind does not compile until it is listed. */
const OP_KINDS = Object.keys({
  conv1d: 0,
  depthwise1d: 0,
  pointwise1d: 0,
  dense: 0,
  gru: 0,
  relu: 0,
  relu6: 0,
  maxpool1d: 0,
  avgpool1d: 0,
  globalavgpool: 0,
} satisfies Record<QuantizedOp['kind'], 0>) as QuantizedOp['kind'][];

/** model.c of each test model, as emit-firmware writes it. */
function emittedSources(): { name: string; model: ReturnType<typeof quantizeModel>; source: string }[] {
  return Object.entries({ ...TEST_MODELS, referenceCnn: referenceCnn(2) }).map(([name, ir]) => {
    const model = quantizeModel(ir, ir.exits?.length ? testCascadeWeights(ir, 2) : testWeights(ir, 2), testWindows(ir, 16, 1));
    const C = ir.input.channels;
    const rawInput = rawInputSpec(model, {
      sampleRateHz: 50,
      windowLength: ir.input.length,
      hop: 8,
      channels: Array.from({ length: C }, (_, c) => ({ name: `c${c}`, unit: 'g' })),
      normalization: { mean: Array<number>(C).fill(0.5), std: Array<number>(C).fill(2) },
    });
    const alarm = deviceAlarmRule({ k: 2, n: 3, refractorySeconds: 1 }, 50, 8);
    const { source } = emitModel({ name, model, blob: buildFlashBlob(model), plan: planModelArena(model.ir), rawInput, alarm });
    return { name, model, source };
  });
}

/** Every call `tinyml_x(...)` in C source: the function and its top-level argument count. */
function callsIn(source: string): { name: string; args: number }[] {
  const calls: { name: string; args: number }[] = [];
  for (const match of source.matchAll(/\b(tinyml_\w+)\(/g)) {
    let depth = 1;
    let args = 1;
    let i = match.index + match[0].length;
    if (source[i] === ')') args = 0;
    for (; depth > 0; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')') depth--;
      else if (source[i] === ',' && depth === 1) args++;
    }
    calls.push({ name: match[1], args });
  }
  return calls;
}

describe("the C runtime's interface table (c-kernel-abi.ts)", () => {
  it.each(GENERATED_C_BLOCKS.map((b) => [b.file, b] as const))('%s holds the block the table generates', (file, block) => {
    const committed = readFileSync(path.join(ROOT, file), 'utf8');
    // If this fails after editing the table: npm run gen:c-abi
    expect(committed).toBe(withGeneratedBlock(committed, block.what, block.block()));
  });

  it('runs every quantised op kind on exactly one kernel', () => {
    for (const kind of OP_KINDS) expect(KERNELS.filter(([, k]) => k.opKinds?.includes(kind)).length, kind).toBe(1);
  });

  it('gives every pointer a length over the parameters, and only pointers can be outputs or scratch', () => {
    for (const [name, kernel] of KERNELS) {
      const names = new Set(kernel.params.map((p) => p.name));
      expect(names.size, name).toBe(kernel.params.length);
      for (const param of kernel.params) {
        const pointer = param.type.endsWith('*');
        expect(param.length !== undefined, `${name}.${param.name}`).toBe(pointer);
        if (!pointer) expect(param.role, `${name}.${param.name}`).toBeUndefined();
        if (param.role !== undefined) expect(param.type.startsWith('const'), `${name}.${param.name}`).toBe(false);
        const words = (param.length ?? '').replace(/->\w+/g, '').match(/[A-Za-z_]\w*/g) ?? [];
        for (const word of words) expect(names.has(word), `${name}.${param.name} length ${param.length}`).toBe(true);
      }
    }
  });

  it('names functions the runtime defines', () => {
    const runtime = path.join(ROOT, 'firmware/runtime');
    const sources = readdirSync(runtime)
      .filter((f) => f.endsWith('.c'))
      .map((f) => readFileSync(path.join(runtime, f), 'utf8'))
      .join('\n');
    for (const [, kernel] of KERNELS) expect(sources, kernel.function).toMatch(new RegExp(`^${kernel.returns} ${kernel.function}\\(`, 'm'));
  });

  it('is all the emitted model.c calls of the runtime: table functions with the table’s argument count, each op on its kernel', () => {
    const byFunction = new Map(KERNELS.map(([, k]) => [k.function, k]));
    // The model's own API (model.h) and its static helper.
    const ownFunctions = new Set([
      'tinyml_infer',
      'tinyml_exit',
      'tinyml_input_from_raw',
      'tinyml_input_from_raw_samples',
      'tinyml_postprocess',
      'tinyml_postprocess_reset',
    ]);
    const called = new Set<string>();
    for (const { name, model, source } of emittedSources()) {
      for (const call of callsIn(source)) {
        if (ownFunctions.has(call.name)) continue;
        const kernel = byFunction.get(call.name);
        expect(kernel, `${name}: ${call.name}`).toBeDefined();
        expect(call.args, `${name}: ${call.name}`).toBe(kernel!.params.length);
        called.add(call.name);
      }
      for (const op of model.ops) {
        const after = source.slice(source.indexOf(`/* op ${op.index}: ${op.kind} `));
        expect(callsIn(after)[0]?.name, `${name} op ${op.index}`).toBe(C_KERNELS[kernelForOp(op.kind)].function);
      }
    }
    // The test models exercise every op kind, the evidential exits and the alarm rule.
    for (const kind of OP_KINDS) expect(called.has(C_KERNELS[kernelForOp(kind)].function), kind).toBe(true);
    for (const fn of ['tinyml_evidential_head', 'tinyml_exit_decision', 'tinyml_evidential_decision', 'tinyml_alarm_update', 'tinyml_input_from_raw_s16'])
      expect(called.has(fn), fn).toBe(true);
  });

  it('writes calls by parameter name in the table’s order, and refuses a missing or unknown name', () => {
    expect(cCall('globalavgpool', { output: 'out', channels: 3, length: 'n', input: 'in' })).toBe('tinyml_globalavgpool_s8(in, n, 3, out)');
    expect(() => cCall('globalavgpool', { input: 'in', length: 1, channels: 3 } as never)).toThrow(/no argument for output/);
    expect(() => cCall('globalavgpool', { input: 'in', length: 1, channels: 3, output: 'o', stride: 2 } as never)).toThrow(/no parameter stride/);
  });

  it("writes a driver case's data in table order, arrays as their length then their values", () => {
    expect(dataParams(C_KERNELS.clamp).map((p) => p.name)).toEqual(['input', 'count', 'input_zero_point', 'output_zero_point', 'act_min', 'act_max']);
    expect(driverCaseLine(bindCall('clamp', { act_max: 127, act_min: 0, output_zero_point: -3, input_zero_point: -3, count: 2, input: [5, -7] }))).toBe(
      'clamp 2 5 -7 2 -3 -3 0 127',
    );
    expect(() => driverCaseLine(bindCall('clamp', { act_max: 127, act_min: 0, output_zero_point: -3, input_zero_point: -3, count: [2], input: [5] }))).toThrow(
      /count is a number/,
    );
  });
});
