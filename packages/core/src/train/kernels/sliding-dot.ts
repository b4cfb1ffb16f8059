import type { Activation, Layer, Padding, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { activate, activationGradient } from './activation';
import { slidingGeometry } from './geometry';
import { glorotUniform } from './glorot';

export interface SlidingDotSpec {
  kernel: number;
  stride: number;
  padding: Padding;
  filters: number;
  activation: Activation;
}

/**
 * The one kernel behind conv1d, pointwise1d (kernel 1) and dense (kernel = the whole input, one output step):
 * out[t][f] = act(b[f] + Σ_j x[t·stride·C + j] · W[j][f]), j over the kernel·C contiguous values of the (zero-padded)
 * input window. Parameters: W [kernel][inC][filters] then b [filters] (the layout model/params.ts uses).
 *
 * Speed (this is the engine's hot loop): the input window of output t is a contiguous run, so no im2col copy is
 * made; the forward reads W in place (a conv's W fits in L1, and without SIMD a strided load costs what a contiguous
 * one does); inner loops carry four to eight independent accumulators (a 4-step × 2-filter tile forward, eight
 * kernel taps backward), because a single accumulator would serialise on the floating-point add latency and a tile
 * reuses every load. Measured here: the forward runs at ~0.42 ns/MAC (≈1.1 cycles); what bounds it is V8 redoing
 * the map, length and bounds checks of every typed-array load in every iteration (~6 instructions per load), not
 * the FP units, so every tile shape from 2×4 to 4×3 measured the same. The next step up would be WebAssembly SIMD.
 * Backward first compacts the non-zero output gradients (ReLU zeros skipped) into per-filter and per-time-step
 * lists, so work on zeros costs nothing.
 */
export class SlidingDotKernel implements LayerKernel {
  readonly outputShape: Shape;
  readonly paramCount: number;
  private readonly length: number;
  private readonly channels: number;
  private readonly filters: number;
  private readonly outLength: number;
  /** kernel · C: values in one input window, and the row count of W. */
  private readonly window: number;
  /** stride · C: distance between consecutive windows. */
  private readonly step: number;
  private readonly padBeforeValues: number;
  private readonly activation: Activation;
  /** Zero-padded input copy (`same` padding only), so every window is a plain contiguous run. */
  private readonly padded: Float64Array | null;
  private readonly paddedGrad: Float64Array | null;
  /** Pre-activation outputs, kept for the activation's derivative (null without a fused activation). */
  /** W transposed to [filters][kernel·C], rebuilt in each backward that needs dX. */
  private readonly weightsT: Float64Array;
  private readonly pre: Float64Array | null;
  private readonly grad: Float64Array;
  private readonly colCount: Int32Array;
  private readonly colOffset: Int32Array;
  private readonly colGrad: Float64Array;
  private readonly rowCount: Int32Array;
  private readonly rowOffset: Int32Array;
  private readonly rowGrad: Float64Array;
  /** The input the last forward read (the padded copy or the caller's array). */
  private source: Float64Array;

  constructor(
    readonly layer: Layer,
    readonly inputShape: Shape,
    spec: SlidingDotSpec,
    private readonly fans: { in: number; out: number },
  ) {
    const [length, channels] = inputShape;
    const geometry = slidingGeometry(length, spec.kernel, spec.stride, spec.padding);
    this.length = length;
    this.channels = channels;
    this.filters = spec.filters;
    this.outLength = geometry.outLength;
    this.window = spec.kernel * channels;
    this.step = spec.stride * channels;
    this.padBeforeValues = geometry.padBefore * channels;
    this.activation = spec.activation;
    this.outputShape = [geometry.outLength, spec.filters];
    this.paramCount = this.window * spec.filters + spec.filters;
    const paddedValues = (geometry.padBefore + length + geometry.padAfter) * channels;
    const needsPadding = geometry.padBefore + geometry.padAfter > 0;
    this.padded = needsPadding ? new Float64Array(paddedValues) : null;
    this.paddedGrad = needsPadding ? new Float64Array(paddedValues) : null;
    this.weightsT = new Float64Array(this.window * spec.filters);
    const outValues = geometry.outLength * spec.filters;
    this.pre = spec.activation === 'none' ? null : new Float64Array(outValues);
    this.grad = new Float64Array(outValues);
    this.colCount = new Int32Array(spec.filters);
    this.colOffset = new Int32Array(outValues);
    this.colGrad = new Float64Array(outValues);
    this.rowCount = new Int32Array(geometry.outLength);
    this.rowOffset = new Int32Array(outValues);
    this.rowGrad = new Float64Array(outValues);
    this.source = this.padded ?? new Float64Array(0);
  }

  init(params: Float64Array, random: () => number): void {
    glorotUniform(params, 0, this.window * this.filters, this.fans.in, this.fans.out, random);
    params.fill(0, this.window * this.filters);
  }

  forward(params: Float64Array, input: Float64Array, output: Float64Array): void {
    const x = this.padded ?? input;
    if (this.padded) this.padded.set(input.subarray(0, this.length * this.channels), this.padBeforeValues);
    this.source = x;
    const { window, filters: F, outLength, step } = this;
    const w = params;
    const biasAt = window * F;
    const out = this.pre ?? output;
    let t = 0;
    // 4 time steps × 2 filters per pass: eight accumulators share two weight loads and four input loads.
    for (; t + 4 <= outLength; t += 4) {
      const x0 = t * step;
      const x1 = x0 + step;
      const x2 = x1 + step;
      const x3 = x2 + step;
      const o = t * F;
      let f = 0;
      for (; f + 2 <= F; f += 2) {
        const bias0 = params[biasAt + f];
        const bias1 = params[biasAt + f + 1];
        let a0 = bias0;
        let a1 = bias0;
        let a2 = bias0;
        let a3 = bias0;
        let b0 = bias1;
        let b1 = bias1;
        let b2 = bias1;
        let b3 = bias1;
        for (let j = 0, k = f; j < window; j++, k += F) {
          const u = w[k];
          const v = w[k + 1];
          const p0 = x[x0 + j];
          const p1 = x[x1 + j];
          const p2 = x[x2 + j];
          const p3 = x[x3 + j];
          a0 += p0 * u;
          a1 += p1 * u;
          a2 += p2 * u;
          a3 += p3 * u;
          b0 += p0 * v;
          b1 += p1 * v;
          b2 += p2 * v;
          b3 += p3 * v;
        }
        out[o + f] = a0;
        out[o + F + f] = a1;
        out[o + 2 * F + f] = a2;
        out[o + 3 * F + f] = a3;
        out[o + f + 1] = b0;
        out[o + F + f + 1] = b1;
        out[o + 2 * F + f + 1] = b2;
        out[o + 3 * F + f + 1] = b3;
      }
      for (; f < F; f++) {
        const bias = params[biasAt + f];
        let a0 = bias;
        let a1 = bias;
        let a2 = bias;
        let a3 = bias;
        for (let j = 0, k = f; j < window; j++, k += F) {
          const u = w[k];
          a0 += x[x0 + j] * u;
          a1 += x[x1 + j] * u;
          a2 += x[x2 + j] * u;
          a3 += x[x3 + j] * u;
        }
        out[o + f] = a0;
        out[o + F + f] = a1;
        out[o + 2 * F + f] = a2;
        out[o + 3 * F + f] = a3;
      }
    }
    // Remaining time steps (the only one for dense): eight filters share each input load and read a whole cache line
    // of a W row (a dense layer's W may not fit in cache), then four, then one filter with four partial sums.
    for (; t < outLength; t++) {
      const x0 = t * step;
      const o = t * F;
      let f = 0;
      for (; f + 8 <= F; f += 8) {
        let a0 = params[biasAt + f];
        let a1 = params[biasAt + f + 1];
        let a2 = params[biasAt + f + 2];
        let a3 = params[biasAt + f + 3];
        let a4 = params[biasAt + f + 4];
        let a5 = params[biasAt + f + 5];
        let a6 = params[biasAt + f + 6];
        let a7 = params[biasAt + f + 7];
        for (let j = 0, k = f; j < window; j++, k += F) {
          const v = x[x0 + j];
          a0 += v * w[k];
          a1 += v * w[k + 1];
          a2 += v * w[k + 2];
          a3 += v * w[k + 3];
          a4 += v * w[k + 4];
          a5 += v * w[k + 5];
          a6 += v * w[k + 6];
          a7 += v * w[k + 7];
        }
        out[o + f] = a0;
        out[o + f + 1] = a1;
        out[o + f + 2] = a2;
        out[o + f + 3] = a3;
        out[o + f + 4] = a4;
        out[o + f + 5] = a5;
        out[o + f + 6] = a6;
        out[o + f + 7] = a7;
      }
      for (; f + 4 <= F; f += 4) {
        let a0 = params[biasAt + f];
        let a1 = params[biasAt + f + 1];
        let a2 = params[biasAt + f + 2];
        let a3 = params[biasAt + f + 3];
        for (let j = 0, k = f; j < window; j++, k += F) {
          const v = x[x0 + j];
          a0 += v * w[k];
          a1 += v * w[k + 1];
          a2 += v * w[k + 2];
          a3 += v * w[k + 3];
        }
        out[o + f] = a0;
        out[o + f + 1] = a1;
        out[o + f + 2] = a2;
        out[o + f + 3] = a3;
      }
      for (; f < F; f++) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let j = 0;
        for (let k = f; j + 4 <= window; j += 4, k += 4 * F) {
          a0 += x[x0 + j] * w[k];
          a1 += x[x0 + j + 1] * w[k + F];
          a2 += x[x0 + j + 2] * w[k + 2 * F];
          a3 += x[x0 + j + 3] * w[k + 3 * F];
        }
        for (; j < window; j++) a0 += x[x0 + j] * w[j * F + f];
        out[o + f] = params[biasAt + f] + (a0 + a1 + (a2 + a3));
      }
    }
    if (this.pre) activate(this.activation, this.pre, output, outLength * F);
  }

  backward(params: Float64Array, _input: Float64Array, outputGrad: Float64Array, grads: Float64Array, inputGrad: Float64Array | null): void {
    const { window, filters: F, outLength, step } = this;
    const x = this.source;
    let g = outputGrad;
    if (this.pre) {
      activationGradient(this.activation, this.pre, outputGrad, this.grad, outLength * F);
      g = this.grad;
    }
    // Compact the non-zero gradients: per filter (time offsets, for dW) and per time step (filter offsets, for dX).
    const { colCount, colOffset, colGrad, rowCount, rowOffset, rowGrad } = this;
    // Branch-free: every value is written, the list length grows by 0 or 1 (a zero is a coin flip, so a branch on it
    // would mispredict half the time). The row lists are only needed for dX.
    colCount.fill(0);
    const biasAt = window * F;
    for (let f = 0; f < F; f++) {
      let n = f * outLength;
      const start = n;
      let bias = 0;
      for (let t = 0, i = f; t < outLength; t++, i += F) {
        const v = g[i];
        bias += v;
        colOffset[n] = t * step;
        colGrad[n] = v;
        n += +(v !== 0);
      }
      colCount[f] = n - start;
      grads[biasAt + f] += bias;
    }
    if (inputGrad) {
      for (let t = 0; t < outLength; t++) {
        const row = t * F;
        let n = row;
        for (let f = 0; f < F; f++) {
          const v = g[row + f];
          rowOffset[n] = f * window;
          rowGrad[n] = v;
          n += +(v !== 0);
        }
        rowCount[t] = n - row;
      }
    }
    // dW[j][f] = Σ_t g[t][f] · x[t·step + j], eight taps j per pass over the filter's non-zero list.
    for (let f = 0; f < F; f++) {
      const n = colCount[f];
      if (n === 0) continue;
      const base = f * outLength;
      const end = base + n;
      let j = 0;
      for (; j + 8 <= window; j += 8) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let a4 = 0;
        let a5 = 0;
        let a6 = 0;
        let a7 = 0;
        for (let i = base; i < end; i++) {
          const v = colGrad[i];
          const o = colOffset[i] + j;
          a0 += v * x[o];
          a1 += v * x[o + 1];
          a2 += v * x[o + 2];
          a3 += v * x[o + 3];
          a4 += v * x[o + 4];
          a5 += v * x[o + 5];
          a6 += v * x[o + 6];
          a7 += v * x[o + 7];
        }
        const w = j * F + f;
        grads[w] += a0;
        grads[w + F] += a1;
        grads[w + 2 * F] += a2;
        grads[w + 3 * F] += a3;
        grads[w + 4 * F] += a4;
        grads[w + 5 * F] += a5;
        grads[w + 6 * F] += a6;
        grads[w + 7 * F] += a7;
      }
      // The leftover taps (window % 8), four, two and one at a time: one accumulator alone would be latency-bound.
      if (j + 4 <= window) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let i = base; i < end; i++) {
          const v = colGrad[i];
          const o = colOffset[i] + j;
          a0 += v * x[o];
          a1 += v * x[o + 1];
          a2 += v * x[o + 2];
          a3 += v * x[o + 3];
        }
        const w = j * F + f;
        grads[w] += a0;
        grads[w + F] += a1;
        grads[w + 2 * F] += a2;
        grads[w + 3 * F] += a3;
        j += 4;
      }
      if (j + 2 <= window) {
        let a0 = 0;
        let a1 = 0;
        for (let i = base; i < end; i++) {
          const v = colGrad[i];
          const o = colOffset[i] + j;
          a0 += v * x[o];
          a1 += v * x[o + 1];
        }
        grads[j * F + f] += a0;
        grads[(j + 1) * F + f] += a1;
        j += 2;
      }
      if (j < window) {
        let a = 0;
        for (let i = base; i < end; i++) a += colGrad[i] * x[colOffset[i] + j];
        grads[j * F + f] += a;
      }
    }
    if (!inputGrad) return;
    // dX[t·step + j] += Σ_f g[t][f] · W[j][f]: eight taps j per pass over the time step's non-zero filters, read
    // from a transposed copy of W ([filters][kernel·C]) so the eight taps are adjacent (constant offsets; strided
    // offsets would need eight more registers).
    const target = this.paddedGrad ?? inputGrad;
    target.fill(0);
    const w = this.weightsT;
    for (let j = 0; j < window; j++) {
      const row = j * F;
      for (let f = 0; f < F; f++) w[f * window + j] = params[row + f];
    }
    for (let t = 0; t < outLength; t++) {
      const n = rowCount[t];
      if (n === 0) continue;
      const base = t * F;
      const end = base + n;
      const xo = t * step;
      let j = 0;
      for (; j + 8 <= window; j += 8) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let a4 = 0;
        let a5 = 0;
        let a6 = 0;
        let a7 = 0;
        for (let i = base; i < end; i++) {
          const v = rowGrad[i];
          const o = rowOffset[i] + j;
          a0 += v * w[o];
          a1 += v * w[o + 1];
          a2 += v * w[o + 2];
          a3 += v * w[o + 3];
          a4 += v * w[o + 4];
          a5 += v * w[o + 5];
          a6 += v * w[o + 6];
          a7 += v * w[o + 7];
        }
        const d = xo + j;
        target[d] += a0;
        target[d + 1] += a1;
        target[d + 2] += a2;
        target[d + 3] += a3;
        target[d + 4] += a4;
        target[d + 5] += a5;
        target[d + 6] += a6;
        target[d + 7] += a7;
      }
      if (j + 4 <= window) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let i = base; i < end; i++) {
          const v = rowGrad[i];
          const o = rowOffset[i] + j;
          a0 += v * w[o];
          a1 += v * w[o + 1];
          a2 += v * w[o + 2];
          a3 += v * w[o + 3];
        }
        const d = xo + j;
        target[d] += a0;
        target[d + 1] += a1;
        target[d + 2] += a2;
        target[d + 3] += a3;
        j += 4;
      }
      if (j + 2 <= window) {
        let a0 = 0;
        let a1 = 0;
        for (let i = base; i < end; i++) {
          const v = rowGrad[i];
          const o = rowOffset[i] + j;
          a0 += v * w[o];
          a1 += v * w[o + 1];
        }
        target[xo + j] += a0;
        target[xo + j + 1] += a1;
        j += 2;
      }
      if (j < window) {
        let a = 0;
        for (let i = base; i < end; i++) a += rowGrad[i] * w[rowOffset[i] + j];
        target[xo + j] += a;
      }
    }
    if (this.paddedGrad) inputGrad.set(this.paddedGrad.subarray(this.padBeforeValues, this.padBeforeValues + this.length * this.channels));
  }
}
