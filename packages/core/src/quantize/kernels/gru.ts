import { sigmoidQ15, tanhQ15 } from '../fixed-point-activations';
import { INT32_MAX, multiplyByQuantizedMultiplier, requantizeToInt8, roundingDivideByPOT } from '../requantize';
import { checkAccumulatorBound } from './requant-params';

/**
 * The int8 GRU (Keras reset_after = true, gates z, r, h; model/params.ts layout), the project's fixed-point scheme:
 *
 *   state   h: int16 Q0.15 (h_real = h / 2^15), zero at the first step; output = requant(h) to int8.
 *   gates   gates[0][k] = b_in[k] + Σ_c (x_c − z_x)·W[c][k]   (int32, scale s_x·s_W[k]; W per-column symmetric int8)
 *           gates[1][k] = b_rec[k] + Σ_j h_j·U[j][k]          (int32, scale 2^−15·s_U[k])
 *   each gate column is requantised into the Q12 gate domain (4096 = 1.0) with its own {multiplier, shift}:
 *           kernel:    s_x·s_W[k]·2^12,  recurrent: 2^−15·s_U[k]·2^12
 *   per unit j, with X_k = requant_kernel(gates[0][k]) and H_k = requant_recurrent(gates[1][k]):
 *           z = σ(X_z + H_z), r = σ(X_r + H_r)                       (Q0.15, fixed-point-activations.ts)
 *           ĥ = tanh(X_h + round(r·H_h / 2^15))                       (ties away from zero, int64 in C)
 *           h ← roundingDivideByPOT(z·h + (32768 − z)·ĥ, 15)          (|·| ≤ 32768·32767: fits int32)
 * Sums of gate-domain values are exact here and int64 in C; the activations clamp their input to their tables'
 * domains. The recurrent accumulator's bound (|b_rec| + units·32767·128 ≤ INT32_MAX) limits a GRU to 512 units.
 * Scratch (arena-tensors.ts): `state` int16 [units], `gates` int32 [2][3·units]. Mirrors firmware/runtime/gru.c.
 */
export interface GruRequant {
  inputZeroPoint: number;
  outputZeroPoint: number;
  actMin: number;
  actMax: number;
  kernelMultiplier: ArrayLike<number>;
  kernelShift: ArrayLike<number>;
  recurrentMultiplier: ArrayLike<number>;
  recurrentShift: ArrayLike<number>;
  outputMultiplier: number;
  outputShift: number;
}

export interface GruShape {
  steps: number;
  inChannels: number;
  units: number;
  returnSequences: boolean;
}

/** |h| ≤ 32767 (the state never reaches −32768), |U| ≤ 128. */
const MAX_RECURRENT_TAP = 32767 * 128;

export function gruRecurrentBiasLimit(units: number): number {
  const limit = INT32_MAX - units * MAX_RECURRENT_TAP;
  if (limit < 0) throw new RangeError(`a GRU of ${units} units can overflow its int32 recurrent accumulator (at most 512 units)`);
  return limit;
}

export function gruInt8(
  input: ArrayLike<number>,
  kernel: ArrayLike<number>,
  recurrent: ArrayLike<number>,
  bias: ArrayLike<number>,
  requant: GruRequant,
  shape: GruShape,
  state: Int16Array,
  gates: Int32Array,
  output: Int8Array,
): void {
  const { steps, inChannels, units, returnSequences } = shape;
  const g = 3 * units;
  checkAccumulatorBound(bias, inChannels, 'gru kernel', 0, g);
  const recurrentLimit = gruRecurrentBiasLimit(units);
  for (let k = g; k < 2 * g; k++) {
    if (Math.abs(bias[k]) > recurrentLimit)
      throw new RangeError(`gru: recurrent bias ${bias[k]} can overflow the int32 accumulator (|bias| ≤ ${recurrentLimit})`);
  }
  const zx = requant.inputZeroPoint;
  // Gate column k of the x side and of the h side, in the Q12 gate domain.
  const kernelPart = (k: number) => multiplyByQuantizedMultiplier(gates[k], requant.kernelMultiplier[k], requant.kernelShift[k]);
  const recurrentPart = (k: number) => multiplyByQuantizedMultiplier(gates[g + k], requant.recurrentMultiplier[k], requant.recurrentShift[k]);
  state.fill(0, 0, units);
  for (let t = 0; t < steps; t++) {
    const x0 = t * inChannels;
    for (let k = 0; k < g; k++) {
      let acc = bias[k];
      for (let c = 0; c < inChannels; c++) acc += (input[x0 + c] - zx) * kernel[c * g + k];
      gates[k] = acc;
    }
    for (let k = 0; k < g; k++) {
      let acc = bias[g + k];
      for (let j = 0; j < units; j++) acc += state[j] * recurrent[j * g + k];
      gates[g + k] = acc;
    }
    for (let j = 0; j < units; j++) {
      const z = sigmoidQ15(kernelPart(j) + recurrentPart(j));
      const r = sigmoidQ15(kernelPart(units + j) + recurrentPart(units + j));
      const candidate = tanhQ15(kernelPart(2 * units + j) + roundedQ15Product(r, recurrentPart(2 * units + j)));
      state[j] = roundingDivideByPOT(z * state[j] + (32768 - z) * candidate, 15);
    }
    if (returnSequences || t === steps - 1) {
      const row = returnSequences ? t * units : 0;
      for (let j = 0; j < units; j++) {
        output[row + j] = requantizeToInt8(state[j], requant.outputMultiplier, requant.outputShift, requant.outputZeroPoint, requant.actMin, requant.actMax);
      }
    }
  }
}

/** round(q15 · value / 2^15), ties away from zero; |q15·value| < 2^47, exact in a Number (int64 in C). */
export function roundedQ15Product(q15: number, value: number): number {
  const product = q15 * value;
  const magnitude = Math.floor((Math.abs(product) + 16384) / 32768);
  return product < 0 ? -magnitude : magnitude;
}
