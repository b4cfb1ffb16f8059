import { expEvidence } from '../model/evidence';
import type { ExitUncertainty } from '../model/ir';
import { INT32_MAX } from './requantize';

/**
 * Evidential uncertainty in fixed point: THE contract the cascade trainer's thresholds, the reference interpreter
 * and the firmware (firmware/runtime/evidential.c) share, so the exit decision is bit-exact.
 *
 * An exit's evidence tensor is int8 with scale s and zero point z, 2·E values interleaved [e⁺_0, e⁻_0, e⁺_1, ...].
 * Per event a = q⁺ − z, b = q⁻ − z (≥ 0: the head's ReLU clamps at the zero point). With K = evidence_one_q16 =
 * max(1, round(2^16 / s)) (the float evidence 1 in Q16 units of the tensor's steps), A = a·2^16, B = b·2^16 and
 * D = A + B + 2K:
 *   p_q15 = floor((A + K)·2^15 / D)   ≈ α / (α + β),  α = s·a + 1, β = s·b + 1
 *   u_q15 = ceil(2K·2^15 / D)          ≈ 2 / (α + β), in [1, 32768]
 *   d_q15 = ceil(2K·2^15 / (|A − B| + 2K)) ≈ 2 / (|α − β| + 2), in [1, 32768]
 *   the event is present ⇔ a > b (exactly p > 0.5).
 * u is the Beta's vacuity (how little evidence there is); d the decision uncertainty (how little evidence the
 * decision has over its opposite): conflicting evidence, e⁺ ≈ e⁻ both large, has a low u but a d near 1.
 * A window leaves at early exit k when its exit uncertainty — the max over events of u_q15 (`exitUncertainty:
 * vacuity`, UR2M) or of d_q15 (`decision`) — is ≤ threshold_q15[k] (0: never, 32768: always); the last exit always
 * takes it. The numerators stay below 2^48, so C needs int64 and these Numbers are exact.
 *
 * Exp evidence (model/evidence.ts): the tensor holds z, and a, b are entries of the exit's evidence table instead,
 * T[q + 128] = min(EXP_TABLE_MAX, round(256·exp(min(s·(q − z), 9)))): evidence in steps of 1/256, so K =
 * EXP_TABLE_ONE_Q16 = 2^24, and with a, b ≤ 2^21 the numerators stay below 2^53. The table is computed here once
 * and shipped in the flash blob, so the firmware only looks it up.
 */

/** u_q15 and thresholds are in [0, U_Q15_ONE]; 32768 = uncertainty 1. */
export const U_Q15_ONE = 32768;

export interface EventEstimate {
  pQ15: number;
  uQ15: number;
  present: boolean;
}

export interface HeadEstimate {
  events: EventEstimate[];
  /** The window's exit uncertainty: the largest u_q15 (vacuity) or d_q15 (decision) over the events, what the exit threshold is compared with. */
  maxUQ15: number;
}

/** K of an evidence tensor with scale s: max(1, round(2^16 / s)), clamped to int32. */
export function evidenceOneQ16(scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`evidenceOneQ16: the scale must be finite and > 0, got ${scale}`);
  return Math.min(INT32_MAX, Math.max(1, Math.round(2 ** 16 / scale)));
}

/** Exp evidence tables: steps per unit of evidence, K for evidentialFixedPoint, and the largest entry. */
export const EXP_TABLE_STEPS = 256;
export const EXP_TABLE_ONE_Q16 = 65536 * EXP_TABLE_STEPS;
export const EXP_TABLE_MAX = 2 ** 21;

/** The 256 entries (q = −128 … 127) of an exp evidence tensor's table, for its scale and zero point (see the header). */
export function expEvidenceTable(scale: number, zeroPoint: number): number[] {
  return Array.from({ length: 256 }, (_, i) => Math.min(EXP_TABLE_MAX, Math.round(EXP_TABLE_STEPS * expEvidence(scale * (i - 128 - zeroPoint)))));
}

/** p_q15, u_q15 and presence of one event from its evidence steps a, b ≥ 0 (see the header). */
export function evidentialFixedPoint(a: number, b: number, oneQ16: number): EventEstimate {
  if (a < 0 || b < 0) throw new RangeError(`evidence must be ≥ 0 after the zero point, got a = ${a}, b = ${b}`);
  const bigA = a * 65536;
  const denominator = bigA + b * 65536 + 2 * oneQ16;
  return {
    pQ15: floorDivide((bigA + oneQ16) * 32768, denominator),
    uQ15: ceilDivide(2 * oneQ16 * 32768, denominator),
    present: a > b,
  };
}

/** d_q15 of one event from its evidence steps a, b ≥ 0: ceil(2K·2^15 / (|A − B| + 2K)) (see the header). */
export function decisionUncertaintyQ15(a: number, b: number, oneQ16: number): number {
  return ceilDivide(2 * oneQ16 * 32768, Math.abs(a - b) * 65536 + 2 * oneQ16);
}

/**
 * Every event of an int8 evidence tensor ([e⁺_0, e⁻_0, e⁺_1, ...]) and the window's exit uncertainty; with `table`
 * (exp evidence) the steps are table[q + 128] instead of q − zeroPoint.
 */
export function evidentialHead(
  evidence: ArrayLike<number>,
  zeroPoint: number,
  oneQ16: number,
  table?: readonly number[],
  exitUncertainty: ExitUncertainty = 'vacuity',
): HeadEstimate {
  if (evidence.length % 2 !== 0) throw new RangeError(`an evidence tensor holds (e⁺, e⁻) pairs, got ${evidence.length} values`);
  const steps = (q: number) => (table ? table[q + 128] : q - zeroPoint);
  const events: EventEstimate[] = [];
  let maxUQ15 = 0;
  for (let i = 0; i < evidence.length; i += 2) {
    const a = steps(evidence[i]);
    const b = steps(evidence[i + 1]);
    const estimate = evidentialFixedPoint(a, b, oneQ16);
    events.push(estimate);
    maxUQ15 = Math.max(maxUQ15, exitUncertainty === 'decision' ? decisionUncertaintyQ15(a, b, oneQ16) : estimate.uQ15);
  }
  return { events, maxUQ15 };
}

/** Whether the window leaves at this exit: always at the last one, else when max u_q15 ≤ threshold_q15. */
export function exitDecision(maxUQ15: number, thresholdQ15: number, isLastExit: boolean): boolean {
  return isLastExit || maxUQ15 <= thresholdQ15;
}

/**
 * The (E + 1)-class decision of a head: 0 = no event, 1 + j = the present event with the highest p_q15 (the first
 * on ties). The firmware decides with its twin, tinyml_evidential_decision (firmware/runtime/evidential.c).
 */
export function evidentialDecision(events: readonly Pick<EventEstimate, 'pQ15' | 'present'>[]): number {
  let best = 0;
  let bestP = -1;
  events.forEach((e, j) => {
    if (e.present && e.pQ15 > bestP) {
      best = j + 1;
      bestP = e.pQ15;
    }
  });
  return best;
}

/** An uncertainty threshold in [0, 1] as threshold_q15 (rounded to nearest). */
export function thresholdQ15(uncertainty: number): number {
  if (!(uncertainty >= 0 && uncertainty <= 1)) throw new RangeError(`an uncertainty threshold must be in [0, 1], got ${uncertainty}`);
  return Math.round(uncertainty * U_Q15_ONE);
}

/** floor(n / d) for integers 0 ≤ n < 2^53, 0 < d: the float quotient corrected by exact integer products. */
function floorDivide(n: number, d: number): number {
  let q = Math.floor(n / d);
  while (q * d > n) q--;
  while ((q + 1) * d <= n) q++;
  return q;
}

function ceilDivide(n: number, d: number): number {
  const q = floorDivide(n, d);
  return q * d === n ? q : q + 1;
}
