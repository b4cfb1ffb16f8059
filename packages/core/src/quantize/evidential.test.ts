import { describe, expect, it } from 'vitest';
import { Random } from '../common/random';
import { EXP_EVIDENCE_MAX_LOGIT } from '../model/evidence';
import {
  decisionUncertaintyQ15,
  evidenceOneQ16,
  evidentialDecision,
  evidentialFixedPoint,
  evidentialHead,
  exitDecision,
  EXP_TABLE_MAX,
  EXP_TABLE_ONE_Q16,
  expEvidenceTable,
  thresholdQ15,
} from './evidential';

/** The float definition: α = s·a + 1, β = s·b + 1, p = α/(α+β), u = 2/(α+β). */
function floatBeta(a: number, b: number, scale: number): { p: number; u: number } {
  const alpha = scale * a + 1;
  const beta = scale * b + 1;
  return { p: alpha / (alpha + beta), u: 2 / (alpha + beta) };
}

describe('evidence_one_q16', () => {
  it('is round(2^16 / s), at least 1, at most INT32_MAX', () => {
    expect(evidenceOneQ16(0.25)).toBe(262144);
    expect(evidenceOneQ16(0.1)).toBe(655360);
    expect(evidenceOneQ16(0.3)).toBe(218453); // 218453.33
    expect(evidenceOneQ16(2 ** 20)).toBe(1);
    expect(evidenceOneQ16(2 ** -20)).toBe(2147483647);
    expect(() => evidenceOneQ16(0)).toThrow(RangeError);
  });
});

describe('evidentialFixedPoint', () => {
  it('hand values', () => {
    // s = 0.25, a = 4, b = 0: α = 2, β = 1, p = u = 2/3. K = 2^18, D = 3·2^18: p = floor(21845.33), u = ceil(21845.33).
    expect(evidentialFixedPoint(4, 0, 262144)).toEqual({ pQ15: 21845, uQ15: 21846, present: true });
    // No evidence at all: p = 1/2, u = 1 exactly.
    expect(evidentialFixedPoint(0, 0, 262144)).toEqual({ pQ15: 16384, uQ15: 32768, present: false });
    // s = 1, a = b = 1: α = β = 2, p = u = 1/2 exactly; equal evidence is not an event.
    expect(evidentialFixedPoint(1, 1, 65536)).toEqual({ pQ15: 16384, uQ15: 16384, present: false });
    // The most evidence int8 holds, with the smallest K: u = ceil(2·2^15 / (255·2^16 + 2)) = 1.
    expect(evidentialFixedPoint(255, 0, 1)).toEqual({ pQ15: 32767, uQ15: 1, present: true });
    expect(evidentialFixedPoint(0, 255, 1)).toEqual({ pQ15: 0, uQ15: 1, present: false });
  });

  it('matches the float formulas within 2^−15 (floor/ceil) plus the rounding of K, on random scales and evidence', () => {
    const random = new Random(11);
    const violations: string[] = [];
    let worstP = 0;
    let worstU = 0;
    for (let i = 0; i < 50_000; i++) {
      const scale = 2 ** (-12 + 12 * random.next());
      const a = random.int(256);
      const b = random.int(256);
      const k = evidenceOneQ16(scale);
      const { pQ15, uQ15, present } = evidentialFixedPoint(a, b, k);
      const p = pQ15 / 32768;
      const u = uQ15 / 32768;
      // Exact with the scale K stands for: p_q15 is the floor and u_q15 the ceiling of the Q15 values.
      const represented = floatBeta(a, b, 2 ** 16 / k);
      if (!(p <= represented.p + 1e-12 && p > represented.p - 2 ** -15)) violations.push(`p ${a},${b},${scale}`);
      if (!(u >= represented.u - 1e-12 && u < represented.u + 2 ** -15)) violations.push(`u ${a},${b},${scale}`);
      // Against the true scale: K's rounding adds at most 2^−18·s to p and 2^−19·s to u (dp/dK, du/dK bounds).
      const exact = floatBeta(a, b, scale);
      worstP = Math.max(worstP, Math.abs(p - exact.p));
      worstU = Math.max(worstU, Math.abs(u - exact.u));
      if (Math.abs(p - exact.p) > 2 ** -15 + 2 ** -18 * scale) violations.push(`p vs float ${a},${b},${scale}`);
      if (Math.abs(u - exact.u) > 2 ** -15 + 2 ** -19 * scale) violations.push(`u vs float ${a},${b},${scale}`);
      if (present !== exact.p > 0.5 || uQ15 < 1 || uQ15 > 32768) violations.push(`range ${a},${b},${scale}`);
    }
    expect(violations).toEqual([]);
    expect(worstP).toBeLessThan(2 ** -15 + 2 ** -18);
    expect(worstU).toBeLessThan(2 ** -15 + 2 ** -19);
  });
});

describe('decisionUncertaintyQ15: 2 / (|α − β| + 2) in Q15', () => {
  it('hand values: 1 when the evidence is equal however much there is, the vacuity when one side has none', () => {
    // s = 1 (K = 2^16): a = b gives |α − β| = 0, so d = 1 at any amount of evidence, where u falls with it.
    for (const a of [0, 1, 100, 255]) expect(decisionUncertaintyQ15(a, a, 65536)).toBe(32768);
    expect(evidentialFixedPoint(100, 100, 65536).uQ15).toBe(ceilQ15(2 / 202));
    // One side empty: |α − β| + 2 = α + β, so d = u (s = 0.25: a = 4 → α = 2, β = 1, 2/3).
    expect(decisionUncertaintyQ15(4, 0, 262144)).toBe(evidentialFixedPoint(4, 0, 262144).uQ15);
    expect(decisionUncertaintyQ15(0, 4, 262144)).toBe(evidentialFixedPoint(0, 4, 262144).uQ15);
    // s = 1, a = 3, b = 1: 2 / (2 + 2) = 0.5 exactly.
    expect(decisionUncertaintyQ15(3, 1, 65536)).toBe(16384);
  });

  it('is the ceiling of the float value at the scale K stands for, never below u, on random scales and evidence', () => {
    const random = new Random(12);
    const violations: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const scale = 2 ** (-12 + 12 * random.next());
      const a = random.int(256);
      const b = random.int(256);
      const k = evidenceOneQ16(scale);
      const d = decisionUncertaintyQ15(a, b, k) / 32768;
      const s = 2 ** 16 / k;
      const exact = 2 / (s * Math.abs(a - b) + 2);
      if (!(d >= exact - 1e-12 && d < exact + 2 ** -15)) violations.push(`d ${a},${b},${scale}`);
      if (decisionUncertaintyQ15(a, b, k) < evidentialFixedPoint(a, b, k).uQ15) violations.push(`d < u ${a},${b},${scale}`);
    }
    expect(violations).toEqual([]);
  });
});

function ceilQ15(x: number): number {
  return Math.ceil(x * 32768);
}

describe('evidentialHead and exitDecision', () => {
  it('reads interleaved (e⁺, e⁻) pairs after the zero point and reports the largest uncertainty', () => {
    // Zero point −128, K = 2^16 (s = 1): event 0 a = 3, b = 0 (α = 4, β = 1, u = 0.4); event 1 a = b = 0 (u = 1).
    const head = evidentialHead(Int8Array.from([-125, -128, -128, -128]), -128, 65536);
    expect(head.events.map((e) => e.present)).toEqual([true, false]);
    expect(head.events[0]).toEqual({ pQ15: 26214, uQ15: 13108, present: true }); // 0.8 → floor(26214.4), 0.4 → ceil(13107.2)
    expect(head.maxUQ15).toBe(32768);
    expect(() => evidentialHead([1, 2, 3], 0, 1)).toThrow(/pairs/);
    expect(() => evidentialHead([-1, 0], 0, 1)).toThrow(/≥ 0/);
  });

  it('with exit uncertainty decision reports the largest d_q15: conflicting evidence is unsure however much of it there is', () => {
    // Zero point −128, K = 2^16: event 0 a = 100, b = 98 (α = 101, β = 99): u = 0.01 but d = 2/4 = 0.5; event 1 a = 7, b = 0: u = d = 2/9.
    const evidence = Int8Array.from([-28, -30, -121, -128]);
    const vacuity = evidentialHead(evidence, -128, 65536);
    const decision = evidentialHead(evidence, -128, 65536, undefined, 'decision');
    expect(vacuity.maxUQ15).toBe(7282); // event 1's 2/9 → ceil(7281.8)
    expect(decision.maxUQ15).toBe(16384); // event 0's 0.5
    // p, u and presence per event do not depend on the exit uncertainty.
    expect(decision.events).toEqual(vacuity.events);
  });

  it('exits when max u ≤ threshold; threshold 0 never exits, 32768 always, the last exit always', () => {
    expect(exitDecision(100, 100, false)).toBe(true);
    expect(exitDecision(101, 100, false)).toBe(false);
    for (const u of [1, 2, 16384, 32767, 32768]) {
      expect(exitDecision(u, 0, false)).toBe(false);
      expect(exitDecision(u, 32768, false)).toBe(true);
      expect(exitDecision(u, 0, true)).toBe(true);
    }
    expect([0, 0.5, 1, 0.1].map(thresholdQ15)).toEqual([0, 16384, 32768, 3277]);
    expect(() => thresholdQ15(1.5)).toThrow(RangeError);
  });
});

describe('exp evidence tables', () => {
  it('hold round(256·exp(s·(q − z))) for q = −128 … 127, capped where z reaches the cap', () => {
    const table = expEvidenceTable(0.05, 10);
    expect(table).toHaveLength(256);
    expect(table[10 + 128]).toBe(256); // z = 0: evidence 1
    expect(table[30 + 128]).toBe(Math.round(256 * Math.exp(1)));
    expect(table[0]).toBe(Math.round(256 * Math.exp(0.05 * (-128 - 10))));
    for (let i = 1; i < 256; i++) expect(table[i]).toBeGreaterThanOrEqual(table[i - 1]);
    // A wide tensor reaches the logit cap: e^9·256 < EXP_TABLE_MAX, so the cap of z binds first.
    const wide = expEvidenceTable(0.2, 0);
    expect(wide[255]).toBe(Math.round(256 * Math.exp(EXP_EVIDENCE_MAX_LOGIT)));
    expect(Math.max(...wide)).toBeLessThanOrEqual(EXP_TABLE_MAX);
    expect(wide[0]).toBe(0);
  });

  it('give p and u of the float Beta of exp(z) within 2^−8 through the head', () => {
    const scale = 0.04;
    const zeroPoint = -3;
    const table = expEvidenceTable(scale, zeroPoint);
    const random = new Random(5);
    for (let i = 0; i < 500; i++) {
      const q = [random.int(256) - 128, random.int(256) - 128];
      const head = evidentialHead(q, zeroPoint, EXP_TABLE_ONE_Q16, table);
      const [alpha, beta] = q.map((v) => Math.exp(scale * (v - zeroPoint)) + 1);
      expect(Math.abs(head.events[0].pQ15 / 32768 - alpha / (alpha + beta))).toBeLessThan(2 ** -8);
      expect(Math.abs(head.events[0].uQ15 / 32768 - 2 / (alpha + beta))).toBeLessThan(2 ** -8);
      expect(head.events[0].present).toBe(table[q[0] + 128] > table[q[1] + 128]);
    }
  });

  it('keep the fixed-point numerators exact at the largest entries', () => {
    const top = evidentialFixedPoint(EXP_TABLE_MAX, 0, EXP_TABLE_ONE_Q16);
    expect((EXP_TABLE_MAX * 65536 + EXP_TABLE_ONE_Q16) * 32768).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(top.pQ15).toBe(Math.floor(((EXP_TABLE_MAX * 65536 + EXP_TABLE_ONE_Q16) * 32768) / (EXP_TABLE_MAX * 65536 + 2 * EXP_TABLE_ONE_Q16)));
    expect(top.present).toBe(true);
  });
});

describe('the class decision (evidentialDecision, twin of tinyml_evidential_decision)', () => {
  const event = (pQ15: number, present: boolean) => ({ pQ15, present });
  it('is 1 + j for the present event with the highest p, the first on ties, and 0 when no event is present', () => {
    expect(evidentialDecision([])).toBe(0);
    expect(evidentialDecision([event(30000, false), event(16000, false)])).toBe(0);
    expect(evidentialDecision([event(17000, true), event(30000, false), event(20000, true)])).toBe(3);
    expect(evidentialDecision([event(20000, true), event(20000, true)])).toBe(1);
  });
});
