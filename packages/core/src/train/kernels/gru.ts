import type { GruLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';

/**
 * GRU, Keras `reset_after = true` (the cuDNN-compatible variant, Keras 2/3 default), gates ordered z, r, h,
 * activation tanh, recurrent activation sigmoid, initial state zeros:
 *
 *   z  = σ(x·Wz + b_in_z + h·Uz + b_rec_z)
 *   r  = σ(x·Wr + b_in_r + h·Ur + b_rec_r)
 *   ĥ  = tanh(x·Wh + b_in_h + r ⊙ (h·Uh + b_rec_h))
 *   h' = z ⊙ h + (1 − z) ⊙ ĥ
 *
 * Parameter layout (canonical: the quantiser and the C emitter read the same one), with u = units, G = 3u:
 *   kernel     [inC][G]  columns z | r | h
 *   recurrent  [u][G]    columns z | r | h
 *   bias       [2][G]    row 0 input bias, row 1 recurrent bias
 * i.e. Keras's GRU weights [kernel, recurrent_kernel, bias] flattened row-major. (tfjs-layers' own GRU only
 * implements reset_after = false, with a single [G] bias, so it cannot hold these weights.)
 *
 * Output [T, u] with `returnSequences`, else [1, u] (the last step). Backward is full BPTT from the per-step gates
 * kept by forward; all scratch is allocated here, once.
 */
export function createGruKernel(layer: GruLayer, inputShape: Shape): LayerKernel {
  const [steps, inC] = inputShape;
  const units = layer.units;
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`gru: units must be a positive integer, got ${units}`);
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(inC) || inC < 1) {
    throw new RangeError(`gru: input shape must be positive integers, got [${steps}, ${inC}]`);
  }
  const u = units;
  const g = 3 * u;
  const offKernel = 0;
  const offRecurrent = offKernel + inC * g;
  const offBiasIn = offRecurrent + u * g;
  const offBiasRec = offBiasIn + g;
  const paramCount = offBiasRec + g; // = 3u(inC + u + 2)
  const returnSequences = layer.returnSequences;
  const outputShape: Shape = returnSequences ? [steps, u] : [1, u];

  // Per-sample state for backward. states[t·u ..] is h_{t-1} (states[0 .. u) = initial zeros), so step t reads
  // row t and writes row t + 1.
  const states = new Float64Array((steps + 1) * u);
  const gateZ = new Float64Array(steps * u);
  const gateR = new Float64Array(steps * u);
  const cand = new Float64Array(steps * u); // ĥ
  const recH = new Float64Array(steps * u); // h·Uh + b_rec_h, before the reset gate
  // Per-step work vectors.
  const xProj = new Float64Array(g);
  const hProj = new Float64Array(g);
  const gradX = new Float64Array(g); // dLoss/d(x-side pre-activations) z | r | h
  const gradH = new Float64Array(g); // dLoss/d(h-side pre-activations) z | r | h
  const dState = new Float64Array(u); // dLoss/dh_t, carried backwards
  const dDirect = new Float64Array(u); // z ⊙ dh_t: the path h_{t-1} → h_t not through the gates

  function forward(params: Float64Array, input: Float64Array, output: Float64Array): void {
    for (let t = 0; t < steps; t++) {
      const xOff = t * inC;
      const hOff = t * u;
      // x·W + b_in and h·U + b_rec (h_{-1} = 0: only the bias at t = 0).
      matVec(params, input, xOff, inC, g, offKernel, offBiasIn, xProj);
      if (t > 0) matVec(params, states, hOff, u, g, offRecurrent, offBiasRec, hProj);
      else for (let k = 0; k < g; k++) hProj[k] = params[offBiasRec + k];
      const next = hOff + u;
      for (let j = 0; j < u; j++) {
        const z = 1 / (1 + Math.exp(-(xProj[j] + hProj[j])));
        const r = 1 / (1 + Math.exp(-(xProj[u + j] + hProj[u + j])));
        const rh = hProj[2 * u + j];
        const n = Math.tanh(xProj[2 * u + j] + r * rh);
        const i = hOff + j;
        gateZ[i] = z;
        gateR[i] = r;
        cand[i] = n;
        recH[i] = rh;
        states[next + j] = z * states[i] + (1 - z) * n;
      }
    }
    const from = returnSequences ? u : steps * u;
    const count = returnSequences ? steps * u : u;
    for (let i = 0; i < count; i++) output[i] = states[from + i];
  }

  function backward(
    params: Float64Array,
    input: Float64Array,
    outputGrad: Float64Array,
    grads: Float64Array,
    inputGrad: Float64Array | null,
  ): void {
    if (returnSequences) dState.fill(0);
    else for (let j = 0; j < u; j++) dState[j] = outputGrad[j];
    for (let t = steps - 1; t >= 0; t--) {
      const hOff = t * u;
      if (returnSequences) for (let j = 0; j < u; j++) dState[j] += outputGrad[hOff + j];
      // Through h' = z ⊙ h + (1 − z) ⊙ ĥ and the three non-linearities, to the pre-activations.
      for (let j = 0; j < u; j++) {
        const i = hOff + j;
        const d = dState[j];
        const z = gateZ[i];
        const r = gateR[i];
        const n = cand[i];
        const dn = d * (1 - z) * (1 - n * n);
        const dz = d * (states[i] - n) * z * (1 - z);
        const dr = dn * recH[i] * r * (1 - r);
        gradX[j] = dz;
        gradX[u + j] = dr;
        gradX[2 * u + j] = dn;
        gradH[j] = dz;
        gradH[u + j] = dr;
        gradH[2 * u + j] = dn * r;
        dDirect[j] = d * z;
      }
      for (let k = 0; k < g; k++) {
        grads[offBiasIn + k] += gradX[k];
        grads[offBiasRec + k] += gradH[k];
      }
      // dW[c, :] += x[c]·gradX and dx[c] = W[c, :]·gradX, one pass over each row of W.
      if (inputGrad) outerAndBack(params, grads, gradX, input, t * inC, inC, g, offKernel, inputGrad, t * inC);
      else outer(grads, gradX, input, t * inC, inC, g, offKernel);
      // dU[j, :] += h_{t-1}[j]·gradH and dh_{t-1}[j] = z ⊙ dh_t + U[j, :]·gradH. At t = 0, h_{-1} = 0 adds no dU
      // and its gradient is not needed.
      if (t > 0) {
        outerAndBack(params, grads, gradH, states, hOff, u, g, offRecurrent, dState, 0);
        for (let j = 0; j < u; j++) dState[j] += dDirect[j];
      }
    }
  }

  function init(params: Float64Array, random: () => number): void {
    // Kernel: Glorot-uniform over the whole [inC, 3u] matrix, as Keras (fan_in = inC, fan_out = 3u).
    const limit = Math.sqrt(6 / (inC + g));
    for (let i = 0; i < inC * g; i++) params[offKernel + i] = (2 * random() - 1) * limit;
    // Recurrent: orthogonal over the whole [u, 3u] matrix, as Keras (rows orthonormal since u < 3u): Gaussian rows,
    // then modified Gram–Schmidt, done twice per row for round-off. Keras's QR with sign(diag R) fixed is the same
    // map, so the distribution is the same (Haar).
    for (let j = 0; j < u; j++) {
      const row = offRecurrent + j * g;
      for (let k = 0; k < g; k += 2) {
        // Box–Muller; 1 − random() is in (0, 1], so the log is finite.
        const radius = Math.sqrt(-2 * Math.log(1 - random()));
        const angle = 2 * Math.PI * random();
        params[row + k] = radius * Math.cos(angle);
        if (k + 1 < g) params[row + k + 1] = radius * Math.sin(angle);
      }
      if (!orthonormalise(params, row, j)) {
        // Degenerate draw (only with a non-random `random`): take the first basis vector outside the span so far.
        for (let e = 0; e < g; e++) {
          params.fill(0, row, row + g);
          params[row + e] = 1;
          if (orthonormalise(params, row, j)) break;
        }
      }
    }
    params.fill(0, offBiasIn, offBiasRec + g);
  }

  /** Makes row `row` (the j-th) orthogonal to rows 0 .. j−1 and unit length; false if it lay in their span. */
  function orthonormalise(params: Float64Array, row: number, j: number): boolean {
    const before = norm(params, row);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const other = offRecurrent + i * g;
        let dot = 0;
        for (let k = 0; k < g; k++) dot += params[row + k] * params[other + k];
        for (let k = 0; k < g; k++) params[row + k] -= dot * params[other + k];
      }
    }
    const after = norm(params, row);
    if (!(after > 0 && after > 1e-8 * before)) return false;
    for (let k = 0; k < g; k++) params[row + k] /= after;
    return true;
  }

  function norm(params: Float64Array, row: number): number {
    let s = 0;
    for (let k = 0; k < g; k++) s += params[row + k] * params[row + k];
    return Math.sqrt(s);
  }

  return { layer, inputShape, outputShape, paramCount, init, forward, backward };
}

// The hot loops, as module functions taking every size as an argument (one optimised copy shared by all GRU
// kernels). Several running sums per loop: a single one is bound by the latency of the floating-point add.

/**
 * out[k] = params[bias + k] + Σ_i vec[vecOff + i]·params[mat + i·g + k], k < g: four output columns at a time, so four
 * independent sums are in flight (one running sum is bound by the latency of the add) and each vec[i] is read
 * once per block; the matrix is walked down four adjacent columns.
 */
function matVec(
  params: Float64Array,
  vec: Float64Array,
  vecOff: number,
  rows: number,
  g: number,
  mat: number,
  bias: number,
  out: Float64Array,
): void {
  let k = 0;
  for (; k + 4 <= g; k += 4) {
    let s0 = params[bias + k];
    let s1 = params[bias + k + 1];
    let s2 = params[bias + k + 2];
    let s3 = params[bias + k + 3];
    for (let i = 0, p = mat + k; i < rows; i++, p += g) {
      const v = vec[vecOff + i];
      s0 += v * params[p];
      s1 += v * params[p + 1];
      s2 += v * params[p + 2];
      s3 += v * params[p + 3];
    }
    out[k] = s0;
    out[k + 1] = s1;
    out[k + 2] = s2;
    out[k + 3] = s3;
  }
  for (; k < g; k++) {
    let s = params[bias + k];
    for (let i = 0, p = mat + k; i < rows; i++, p += g) s += vec[vecOff + i] * params[p];
    out[k] = s;
  }
}

/**
 * For each row i < rows: grads[mat + i·g + :] += vec[vecOff + i]·gate (a weight gradient) and back[backOff + i] =
 * params[mat + i·g + :]·gate (the gradient of the vector), in one pass over the row. g must be a multiple of 3 (it
 * is 3u): three columns per iteration, with three running sums.
 */
function outerAndBack(
  params: Float64Array,
  grads: Float64Array,
  gate: Float64Array,
  vec: Float64Array,
  vecOff: number,
  rows: number,
  g: number,
  mat: number,
  back: Float64Array,
  backOff: number,
): void {
  for (let i = 0; i < rows; i++) {
    const v = vec[vecOff + i];
    const row = mat + i * g;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < g; k += 3) {
      const p = row + k;
      const g0 = gate[k];
      const g1 = gate[k + 1];
      const g2 = gate[k + 2];
      grads[p] += v * g0;
      grads[p + 1] += v * g1;
      grads[p + 2] += v * g2;
      s0 += params[p] * g0;
      s1 += params[p + 1] * g1;
      s2 += params[p + 2] * g2;
    }
    back[backOff + i] = s0 + s1 + s2;
  }
}

/** grads[mat + i·g + k] += vec[vecOff + i]·gate[k] for i < rows, k < g. */
function outer(grads: Float64Array, gate: Float64Array, vec: Float64Array, vecOff: number, rows: number, g: number, mat: number): void {
  for (let i = 0; i < rows; i++) {
    const v = vec[vecOff + i];
    const row = mat + i * g;
    for (let k = 0; k < g; k++) grads[row + k] += v * gate[k];
  }
}
