/**
 * The input-quality gate: two integer readings of the int8 input window x[t][c] (T × C, time-major), computed the
 * same way by the reference interpreter and the firmware (firmware/runtime/input_gate.c):
 *
 *   roughness     = Σ_{t ≥ 1} Σ_c |x[t][c] − x[t−1][c]|        (sensor noise: every sample moves)
 *   zero samples  = #{ t : x[t][c] = zero[c] for every c }      (a lost signal: the sensor reads 0 on every axis)
 *
 * where zero[c] is the int8 input a raw reading of 0 gives (the raw-input map of count 0). The window passes when
 * roughness ≤ roughnessMax and zero samples ≤ zeroSamplesMax; both bounds are the largest readings of the
 * calibration windows (training subjects, clean), so no calibration window is gated. A gated window's
 * uncertainty is 1 at every exit (max_u_q15 = 32768): the cascade does not stop early on it and reports it as
 * unknown, while the decision is still the model's. Evidential heads alone do not see damage (their u falls under
 * noise on SisFall); this is the gate issue 11 allows, run by the firmware too.
 */
import { U_Q15_ONE } from './evidential';

export interface InputGate {
  /** Per channel: the int8 input of a raw reading of 0. */
  zero: number[];
  roughnessMax: number;
  zeroSamplesMax: number;
}

export interface GateReading {
  roughness: number;
  zeroSamples: number;
  ok: boolean;
}

/** The two readings of `input` (T × C int8, time-major) and whether the window passes. */
export function readInputGate(gate: InputGate, input: ArrayLike<number>): GateReading {
  const C = gate.zero.length;
  const T = input.length / C;
  let roughness = 0;
  let zeroSamples = 0;
  for (let t = 0; t < T; t++) {
    let zero = true;
    for (let c = 0; c < C; c++) {
      const x = input[t * C + c];
      if (x !== gate.zero[c]) zero = false;
      if (t > 0) roughness += Math.abs(x - input[(t - 1) * C + c]);
    }
    if (zero) zeroSamples++;
  }
  return { roughness, zeroSamples, ok: roughness <= gate.roughnessMax && zeroSamples <= gate.zeroSamplesMax };
}

/** The gate whose bounds are the largest readings of `inputs` (clean calibration windows as the device gets them). */
export function fitInputGate(zero: readonly number[], inputs: readonly ArrayLike<number>[]): InputGate {
  if (inputs.length === 0) throw new RangeError('fitInputGate: no calibration windows');
  const open: InputGate = { zero: [...zero], roughnessMax: Number.MAX_SAFE_INTEGER, zeroSamplesMax: Number.MAX_SAFE_INTEGER };
  let roughnessMax = 0;
  let zeroSamplesMax = 0;
  for (const input of inputs) {
    const reading = readInputGate(open, input);
    roughnessMax = Math.max(roughnessMax, reading.roughness);
    zeroSamplesMax = Math.max(zeroSamplesMax, reading.zeroSamples);
  }
  return { zero: [...zero], roughnessMax, zeroSamplesMax };
}

/** The window-level uncertainty the device reports: max_u_q15, or 32768 when the gate rejects the window. */
export function gatedUncertaintyQ15(maxUQ15: number, reading: GateReading | null): number {
  return reading && !reading.ok ? U_Q15_ONE : maxUQ15;
}
