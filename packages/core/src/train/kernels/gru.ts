import type { GruLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, ONE, Slot, type Block, type Floats } from '../wasm/arena';

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
 * kept by forward; all scratch is reserved in the arena here, once. The matrix products are wasm GEMMs: x·W for all
 * steps before the recurrence, h·U (forward) and gradH·Uᵀ (backward) per step, and the weight and input gradients as
 * three GEMMs over all steps after it; the recurrence itself (gates and the per-step h·U) is one wasm call each way
 * (tools/wasm/gru-wat.ts), with its own exp: Math.exp and Math.tanh would cost more than all the products.
 */
export function createGruKernel(layer: GruLayer, inputShape: Shape, shared?: Arena): LayerKernel {
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

  // Stand-alone (no Network's arena): a private one, sealed below once everything is reserved.
  const arena = shared ?? new Arena();
  // Scratch in the arena. states row t is h_{t-1} (row 0 = the initial zeros, never written), so step t reads row t
  // and writes row t + 1. xProj row t = x_t·W + b_in for every step at once (one GEMM before the recurrence).
  const states = arena.reserve((steps + 1) * u);
  const xProj = arena.reserve(steps * g);
  const hProj = arena.reserve(g); // h·U + b_rec of the current step
  const gateZ = arena.reserve(steps * u);
  const gateR = arena.reserve(steps * u);
  const cand = arena.reserve(steps * u); // ĥ
  const recH = arena.reserve(steps * u); // h·Uh + b_rec_h, before the reset gate
  // Backward: per step, dLoss/d(x-side pre-activations) z | r | h and d(h-side) z | r | h; kept for all steps so the
  // weight and input gradients are three GEMMs after the recurrence instead of 3·T small outer products.
  const gradX = arena.reserve(steps * g);
  const gradH = arena.reserve(steps * g);
  const dState = arena.reserve(u); // dLoss/dh_t, carried backwards
  const recurrentT = arena.reserve(g * u); // Uᵀ [3u][u]
  const kernelT = arena.reserve(g * inC); // Wᵀ [3u][inC]
  const slots = {
    params: new Slot(arena, paramCount),
    input: new Slot(arena, steps * inC),
    outputGrad: new Slot(arena, outputShape[0] * u),
    grads: new Slot(arena, paramCount),
    inputGrad: new Slot(arena, steps * inC),
  };
  /** Byte address of the input the last forward read. */
  let source = 0;
  let dStateView: Floats | null = null;
  const B = arena.bytes;
  const at = (block: Block, index = 0) => (block.offset + index) * B;

  function forward(params: Floats, input: Floats, output: Floats): void {
    const wasm = arena.wasm;
    const w = slots.params.place(params, true);
    source = slots.input.place(input, true);
    wasm.gemm(source, inC * B, B, w + offKernel * B, g * B, at(xProj), g * B, steps, g, inC, w + offBiasIn * B, 0);
    wasm.gruForward(at(xProj), w + offRecurrent * B, w + offBiasRec * B, at(states), at(gateZ), at(gateR), at(cand), at(recH), at(hProj), steps, u);
    arena.copyOut(states.offset + (returnSequences ? u : steps * u), output, outputShape[0] * u);
  }

  function backward(params: Floats, _input: Floats, outputGrad: Floats, grads: Floats, inputGrad: Floats | null): void {
    const wasm = arena.wasm;
    const w = slots.params.place(params, true);
    const ds = (dStateView ??= arena.view(dState));
    if (steps > 1) wasm.transpose(w + offRecurrent * B, u, g, at(recurrentT));
    // dLoss/dh at the last step; with returnSequences every step's output gradient is added on the way back.
    if (returnSequences) ds.fill(0);
    else arena.copyIn(outputGrad, dState.offset, u);
    const og = returnSequences ? slots.outputGrad.place(outputGrad, true) : 0;
    wasm.gruBackward(
      at(states),
      at(gateZ),
      at(gateR),
      at(cand),
      at(recH),
      at(gradX),
      at(gradH),
      at(dState),
      at(recurrentT),
      og,
      returnSequences ? 1 : 0,
      steps,
      u,
    );
    const dw = slots.grads.place(grads, true);
    // Biases: column sums over the steps. dW += Xᵀ·gradX; dU += H_prevᵀ·gradH over t ≥ 1 (h_{-1} = 0 adds nothing).
    wasm.gemm(ONE, 0, 0, at(gradX), g * B, dw + offBiasIn * B, 0, 1, g, steps, 0, 1);
    wasm.gemm(ONE, 0, 0, at(gradH), g * B, dw + offBiasRec * B, 0, 1, g, steps, 0, 1);
    wasm.gemm(source, B, inC * B, at(gradX), g * B, dw + offKernel * B, g * B, inC, g, steps, 0, 1);
    wasm.gemm(at(states, u), B, u * B, at(gradH, g), g * B, dw + offRecurrent * B, g * B, u, g, steps - 1, 0, 1);
    slots.grads.settle(grads);
    if (!inputGrad) return;
    // dX = gradX·Wᵀ.
    wasm.transpose(w + offKernel * B, inC, g, at(kernelT));
    const dx = slots.inputGrad.place(inputGrad, false);
    arena.zero(dx, steps * inC);
    wasm.gemm(at(gradX), g * B, B, at(kernelT), inC * B, dx, inC * B, steps, inC, g, 0, 1);
    slots.inputGrad.settle(inputGrad);
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

  if (!shared) arena.seal();
  return { layer, inputShape, outputShape, paramCount, init, forward, backward };
}
