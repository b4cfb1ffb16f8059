import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGMOID_TABLE, TANH_TABLE, runtimeTablesC, sigmoidQ15, tanhQ15 } from './fixed-point-activations';

const RUNTIME_TABLES = path.resolve(__dirname, '../../../../firmware/runtime/activation_tables.c');

/** Largest |approximation − f(x)·2^15| over every Q12 input from `from` to `to`. */
function maxErrorLsb(approx: (q12: number) => number, f: (x: number) => number, from: number, to: number): number {
  let worst = 0;
  for (let q = from; q <= to; q++) worst = Math.max(worst, Math.abs(approx(q) - f(q / 4096) * 32768));
  return worst;
}

describe('fixed-point sigmoid and tanh (Q12 in, Q0.15 out)', () => {
  it('sigmoid is within 2.25 Q15 units (measured 2.20) of the exact value on every Q12 input, the clamped tails included', () => {
    const error = maxErrorLsb(sigmoidQ15, (x) => 1 / (1 + Math.exp(-x)), -20 * 4096, 20 * 4096);
    expect(error).toBeLessThanOrEqual(2.25);
    expect(error).toBeGreaterThan(1.5); // the bound is tight enough to mean something
  });

  it('tanh is within 4 Q15 units (measured 3.80) of the exact value on every Q12 input, the clamped tails included', () => {
    const error = maxErrorLsb(tanhQ15, Math.tanh, -10 * 4096, 10 * 4096);
    expect(error).toBeLessThanOrEqual(4);
  });

  it('is monotone, odd/complementary as the functions are, and hits the exact values at 0 and the limits', () => {
    const decreasing: number[] = [];
    for (let q = -70000; q < 70000; q++) if (sigmoidQ15(q + 1) < sigmoidQ15(q) || tanhQ15(q + 1) < tanhQ15(q)) decreasing.push(q);
    expect(decreasing).toEqual([]);
    expect([sigmoidQ15(0), tanhQ15(0)]).toEqual([16384, 0]);
    expect([sigmoidQ15(-(2 ** 31)), sigmoidQ15(2 ** 31 - 1)]).toEqual([0, 32767]);
    expect([tanhQ15(-(2 ** 31)), tanhQ15(2 ** 31 - 1)]).toEqual([-32767, 32767]);
    expect(Array.from(TANH_TABLE.entries)).toEqual(Array.from(TANH_TABLE.entries).map((_, i, all) => -all[all.length - 1 - i] | 0));
    // Q12 input 4096 = 1.0: σ(1) = 0.7310586, tanh(1) = 0.7615942.
    expect(Math.abs(sigmoidQ15(4096) - 0.7310586 * 32768)).toBeLessThan(1);
    expect(Math.abs(tanhQ15(4096) - 0.7615942 * 32768)).toBeLessThan(2);
  });

  it('the C runtime holds exactly these tables (regenerate: node -r @swc-node/register tools/generate-runtime-tables.ts)', () => {
    expect(fs.readFileSync(RUNTIME_TABLES, 'utf8')).toBe(runtimeTablesC());
    expect(SIGMOID_TABLE.entries.length).toBe(513);
  });
});
