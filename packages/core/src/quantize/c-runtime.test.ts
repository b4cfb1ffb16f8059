import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Random } from '../common/random';
import { alarmCase, alarmStreams } from '../../testing/quantize/alarm-program';
import { rrCase, rrStreams } from '../../testing/quantize/rr-cases';
import {
  RuntimeCase,
  accumulatorBoundCases,
  activationCase,
  denseCases,
  evidentialCases,
  inputGateCases,
  gruCases,
  largeDenseCases,
  largePointwiseCases,
  largeWindowCases,
  tiledConvCases,
  pointwiseCases,
  poolCases,
  rawInputCases,
  requantizeCases,
  requantizeViaKernelCases,
  windowCases,
} from '../../testing/quantize/runtime-cases';

/**
 * The C runtime (firmware/runtime) against the TypeScript reference, byte for byte: the driver is built with the
 * system gcc as C11 with every warning an error and ASan + UBSan aborting on the first finding, then fed randomised
 * cases; each output line must equal the reference's. Without a host compiler it is skipped, and the run's toolchain
 * line says so (CI installs gcc: tools/install-toolchains base).
 */
const toolchains = inject('toolchainState');
const RUNTIME = path.resolve(__dirname, '../../../../firmware/runtime');
const FLAGS = [
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-pedantic',
  '-ffp-contract=off',
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=all',
  '-O1',
  '-g',
];

let workDir = '';
let driver = '';

beforeAll(async () => {
  if (!toolchains.hostCompiler) return;
  const gcc = await execa('gcc', ['--version'], { reject: false });
  if (gcc.failed) {
    throw new Error(
      `the C runtime test needs the system gcc, which did not run (${gcc.shortMessage}); install it (Debian: apt-get install gcc, or bash tools/install-toolchains)`,
    );
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-tinyml-runtime-'));
  driver = path.join(workDir, 'kernel_driver');
  const sources = fs
    .readdirSync(RUNTIME)
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(RUNTIME, f));
  await execa('gcc', [...FLAGS, `-I${RUNTIME}`, ...sources, path.join(RUNTIME, 'test', 'kernel_driver.c'), '-o', driver]);
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** Runs the cases through the C driver; returns the labels of those whose output differs (with both outputs). */
async function mismatches(cases: readonly RuntimeCase[]): Promise<string[]> {
  const input = path.join(workDir, `cases-${process.hrtime.bigint()}.txt`);
  fs.writeFileSync(input, cases.map((c) => c.line).join('\n') + '\n');
  const { stdout } = await execa(driver, { inputFile: input, env: { ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' } });
  const lines = stdout.split('\n');
  expect(lines.length).toBe(cases.length);
  return cases.flatMap((c, i) => (lines[i] === c.expected ? [] : [`${c.label}: C ${lines[i].slice(0, 200)} ≠ TS ${c.expected.slice(0, 200)}`]));
}

describe.skipIf(!toolchains.hostCompiler)('the C runtime equals the TypeScript reference, bit for bit (gcc, ASan + UBSan)', () => {
  it('compiles without a warning at the optimisation levels firmware uses (-O2, -Os)', async () => {
    const sources = fs
      .readdirSync(RUNTIME)
      .filter((f) => f.endsWith('.c'))
      .map((f) => path.join(RUNTIME, f));
    for (const level of ['-O2', '-Os']) {
      await execa(
        'gcc',
        ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wconversion', '-ffp-contract=off', level, `-I${RUNTIME}`, '-c', ...sources],
        { cwd: workDir },
      );
    }
  });

  it('requantisation: SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, MultiplyByQuantizedMultiplier, requantize to int8', async () => {
    const cases = requantizeCases(new Random(101), 5000);
    expect(cases.length).toBe(20_000);
    expect(await mismatches(cases)).toEqual([]);
  });

  it('conv1d: same/valid padding (kernels wider than the input), strides 1–3, odd shapes, saturating requantisation', async () => {
    expect(await mismatches(windowCases(new Random(102), 400, 'conv1d'))).toEqual([]);
  });

  it('depthwise1d', async () => {
    expect(await mismatches(windowCases(new Random(103), 400, 'depthwise1d'))).toEqual([]);
  });

  it('pointwise1d and dense', async () => {
    expect(await mismatches([...pointwiseCases(new Random(104), 300), ...denseCases(new Random(105), 300)])).toEqual([]);
  });

  it('layer-sized shapes for the tiled paths: edge steps, full and partial filter groups, kernel 1, in_channels 1, strides 1–3, windows past the pair buffer, fast-path requantisation', async () => {
    const cases = [
      ...largeWindowCases(new Random(110), 250, 'conv1d'),
      ...largeWindowCases(new Random(111), 150, 'depthwise1d'),
      ...largePointwiseCases(new Random(112), 150),
      ...largeDenseCases(new Random(113), 150),
      ...tiledConvCases(new Random(118), 40),
    ];
    expect(await mismatches(cases)).toEqual([]);
  });

  it('accumulators at the int32 bound (biases at the quantiser limit, extreme inputs and weights and zero points)', async () => {
    expect(await mismatches(accumulatorBoundCases(new Random(114), 300))).toEqual([]);
    expect(await mismatches(requantizeViaKernelCases(new Random(117), 300))).toEqual([]);
  });

  it('max/average/global-average pooling and the standalone clamp', async () => {
    expect(await mismatches(poolCases(new Random(106), 300))).toEqual([]);
    expect(await mismatches(poolCases(new Random(116), 100, { length: 64, channels: 36 }))).toEqual([]);
  });

  it('sigmoid and tanh on every Q12 input in [−70000, 70000] (beyond both tables’ domains)', async () => {
    expect(await mismatches([activationCase(-70000, 70000), activationCase(-(2 ** 31), -(2 ** 31) + 2), activationCase(2 ** 31 - 3, 2 ** 31 - 1)])).toEqual([]);
  });

  it('GRU: PTQ-quantised and raw random parameters, sequences and last state', async () => {
    expect(await mismatches(gruCases(new Random(107), 200))).toEqual([]);
    expect(await mismatches(gruCases(new Random(115), 40, { steps: 4, inChannels: 12, units: 40 }))).toEqual([]);
  });

  it('raw sensor samples to the int8 input: per-channel offset, multiplier and shift, counts at the int16 extremes', async () => {
    expect(await mismatches(rawInputCases(new Random(0x5a3), 300))).toEqual([]);
  });

  it('evidential p_q15, u_q15, presence and the exit decision, ReLU evidence and exp evidence tables', async () => {
    expect(await mismatches(evidentialCases(new Random(108), 3000))).toEqual([]);
  });

  it('the input-quality gate: jitter (second differences above a step) and zero-reading samples against their bounds, at and around them', async () => {
    const cases = inputGateCases(new Random(0x6a7e), 2000);
    // Both verdicts occur, so the comparison cannot pass on a constant.
    expect(new Set(cases.map((c) => c.expected))).toEqual(new Set(['0', '1']));
    expect(await mismatches(cases)).toEqual([]);
  });

  it('the alarm rule raises exactly the alarms of evaluate’s TypeScript rule: k of n, refractory samples, resets between recordings, hops and irregular gaps', async () => {
    const random = new Random(0xa1a5);
    const streams = alarmStreams(random, 600);
    const cases = streams.map((stream) => alarmCase(stream, random));
    // The edges are among them, and the streams raise alarms.
    expect(streams.some((s) => s.rule.n === 1)).toBe(true);
    expect(streams.some((s) => s.rule.k === s.rule.n && s.rule.n > 1)).toBe(true);
    expect(streams.some((s) => s.rule.refractorySeconds === 0)).toBe(true);
    expect(streams.some((s) => s.rule.n === 1000)).toBe(true);
    expect(streams.filter((s) => s.recordings.length > 1).length).toBeGreaterThan(100);
    expect(cases.reduce((sum, c) => sum + (c.expected === '' ? 0 : c.expected.split(' ').length / 2), 0)).toBeGreaterThan(3000);
    expect(await mismatches(cases)).toEqual([]);
  });

  it('RR-interval features: the window stage’s definition after every R peak — rhythm, premature beats, pauses, equal samples, clamped gaps, a wrapping counter, resets', async () => {
    const cases = rrStreams(new Random(0x7272), 800).map((stream, i) => rrCase(stream, `rr #${i}`));
    const features = cases.flatMap((c) => c.expected.split(' ').filter((f) => f !== '-'));
    // Every clamp is reached, so the comparison covers the edges, not only the common rhythm.
    expect(features.length).toBeGreaterThan(5000);
    expect(features.some((f) => f.split(',')[1] === '32767')).toBe(true);
    expect(features.some((f) => f.split(',')[2] === '32767')).toBe(true);
    expect(await mismatches(cases)).toEqual([]);
  });
});
