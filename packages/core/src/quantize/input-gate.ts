/**
 * The input-quality gate: two integer readings of the int8 input window x[t][c] (T × C, time-major), computed the
 * same way by the reference interpreter and the firmware (firmware/runtime/input_gate.c):
 *
 *   jitter        = #{ (t, c) : 1 ≤ t ≤ T − 2, |x[t+1][c] − 2·x[t][c] + x[t−1][c]| > jitterStep }
 *   zero samples  = #{ t : x[t][c] = zero[c] for every c }
 *
 * Sensor noise bends nearly every sample (white noise of σ gives second differences of √6·σ), while body motion
 * sampled at tens of Hz is smooth: only impacts and fast turns bend it, at a few samples of a window. A lost signal
 * reads 0 on every axis, zero[c] being the int8 input a raw reading of 0 gives (gravity keeps a working accelerometer
 * away from it). The window passes when jitter ≤ jitterMax and zero samples ≤ zeroSamplesMax. Fitted on the
 * calibration windows (training subjects, clean, as the device gets them): jitterStep is the 99th percentile of
 * their |second differences| and both bounds are their largest readings, so no calibration window is rejected. A
 * rejected window's uncertainty is 1 at every exit (max_u_q15 = 32768): the cascade does not stop early on it and
 * reports it as unknown, while the decision is still the model's. Evidential heads alone do not see damage (their u
 * falls under noise on SisFall); this is the gate issue 11 allows, run by the firmware too.
 */
import { U_Q15_ONE } from './evidential';

export interface InputGate {
  /** Per channel: the int8 input of a raw reading of 0. */
  zero: number[];
  /** A second difference above this many input steps counts as jitter. */
  jitterStep: number;
  jitterMax: number;
  zeroSamplesMax: number;
}

export interface GateReading {
  jitter: number;
  zeroSamples: number;
  ok: boolean;
}

/** Share of the calibration windows' second differences at or below jitterStep. */
const JITTER_QUANTILE = 0.99;

/** The two readings of `input` (T × C int8, time-major) and whether the window passes. */
export function readInputGate(gate: InputGate, input: ArrayLike<number>): GateReading {
  const C = gate.zero.length;
  const T = input.length / C;
  let jitter = 0;
  let zeroSamples = 0;
  for (let t = 0; t < T; t++) {
    let zero = true;
    for (let c = 0; c < C; c++) {
      const x = input[t * C + c];
      if (x !== gate.zero[c]) zero = false;
      if (t > 0 && t < T - 1 && Math.abs(input[(t + 1) * C + c] - 2 * x + input[(t - 1) * C + c]) > gate.jitterStep) jitter++;
    }
    if (zero) zeroSamples++;
  }
  return { jitter, zeroSamples, ok: jitter <= gate.jitterMax && zeroSamples <= gate.zeroSamplesMax };
}

/** The gate fitted on `inputs` (clean calibration windows as the device gets them; see the file comment). */
export function fitInputGate(zero: readonly number[], inputs: readonly ArrayLike<number>[]): InputGate {
  if (inputs.length === 0) throw new RangeError('fitInputGate: no calibration windows');
  const C = zero.length;
  // |second difference| ≤ 4·255: a histogram finds the quantile exactly.
  const histogram = new Float64Array(4 * 255 + 1);
  for (const input of inputs) {
    const T = input.length / C;
    for (let t = 1; t < T - 1; t++) for (let c = 0; c < C; c++) histogram[Math.abs(input[(t + 1) * C + c] - 2 * input[t * C + c] + input[(t - 1) * C + c])]++;
  }
  const total = histogram.reduce((a, b) => a + b, 0);
  let jitterStep = 0;
  for (let seen = histogram[0]; seen < JITTER_QUANTILE * total && jitterStep < histogram.length - 1;) seen += histogram[++jitterStep];
  const open: InputGate = { zero: [...zero], jitterStep, jitterMax: Number.MAX_SAFE_INTEGER, zeroSamplesMax: Number.MAX_SAFE_INTEGER };
  let jitterMax = 0;
  let zeroSamplesMax = 0;
  for (const input of inputs) {
    const reading = readInputGate(open, input);
    jitterMax = Math.max(jitterMax, reading.jitter);
    zeroSamplesMax = Math.max(zeroSamplesMax, reading.zeroSamples);
  }
  return { zero: [...zero], jitterStep, jitterMax, zeroSamplesMax };
}

/** The window-level uncertainty the device reports: max_u_q15, or 32768 when the gate rejects the window. */
export function gatedUncertaintyQ15(maxUQ15: number, reading: GateReading | null): number {
  return reading && !reading.ok ? U_Q15_ONE : maxUQ15;
}
