import type { Activation, Layer, Padding, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, ONE, Slot, type Block, type Floats } from '../wasm/arena';
import { activateWasm, activationGradientWasm } from './activation-wasm';
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
 * All three products are one wasm GEMM (wasm/arena.ts) with different strides, because the input window of output
 * t is a contiguous run starting at t·stride·C — the input, read with row stride stride·C, IS the im2col matrix
 * X [outLength][kernel·C], so nothing is copied:
 *   forward         out = b + X·W
 *   weight grad     dW += Xᵀ·G      (X read column-wise: row stride 1 value, k stride stride·C)
 *   bias grad       db += 1ᵀ·G      (a row of ones with zero strides)
 *   input grad      dX += G·Wᵀ      (scatter-added: output row t lands at t·stride·C, rows overlap when stride < kernel)
 * Wᵀ is rebuilt in each backward that needs dX (the GEMM wants B's rows contiguous).
 */
export class SlidingDotKernel implements LayerKernel {
  readonly outputShape: Shape;
  readonly paramCount: number;
  private readonly inputValues: number;
  private readonly outValues: number;
  private readonly filters: number;
  private readonly outLength: number;
  /** kernel · C: values in one input window, and the row count of W. */
  private readonly window: number;
  /** stride · C: distance between consecutive windows. */
  private readonly step: number;
  private readonly padBeforeValues: number;
  private readonly activation: Activation;
  /** Zero-padded input copy (`same` padding only), so every window is a plain contiguous run. */
  private readonly padded: Block | null;
  private readonly paddedGrad: Block | null;
  /** Pre-activation outputs, kept for the activation's derivative (null without a fused activation). */
  private readonly pre: Block | null;
  /** dLoss/d(pre-activation). */
  private readonly preGrad: Block | null;
  /**
   * `window` zeros (never written), the bias of an input-gradient GEMM that writes instead of adding: when the
   * windows tile the input without overlap or gaps, every input value is one output row's, so nothing is zeroed first.
   */
  private readonly zeros: Block | null;
  /** W transposed to [filters][kernel·C]. */
  private readonly weightsT: Block;
  /** The zero-skipping backward's lists (wide layers after an activation only): see `weightGradSparse`. */
  /** Scratch of the masked sparse backward (wasm `sparseBackward`): dWᵀ [filters][window], then db's, or null. */
  private readonly masked: Block | null;
  private readonly lists: { colVals: Block; colOffs: Block; colCounts: Block; rowVals: Block; rowOffs: Block; rowCounts: Block; weightGradT: Block } | null;
  private readonly slots: { params: Slot; input: Slot; output: Slot; outputGrad: Slot; grads: Slot; inputGrad: Slot };
  /** Byte address of the input the last forward read (the padded copy or the input itself). */
  private source = 0;
  /** Byte address of the output the last forward wrote (the fused ReLU's derivative reads it). */
  private lastOutput = 0;
  /** Forward over the non-zero inputs only (wasm `sparseForward`): set by `inputAfterRelu` where the shapes allow. */
  private sparseInput = false;

  constructor(
    readonly layer: Layer,
    readonly inputShape: Shape,
    spec: SlidingDotSpec,
    private readonly fans: { in: number; out: number },
    private readonly arena: Arena,
  ) {
    const [length, channels] = inputShape;
    const geometry = slidingGeometry(length, spec.kernel, spec.stride, spec.padding);
    this.inputValues = length * channels;
    this.filters = spec.filters;
    this.outLength = geometry.outLength;
    this.window = spec.kernel * channels;
    this.step = spec.stride * channels;
    this.padBeforeValues = geometry.padBefore * channels;
    this.activation = spec.activation;
    this.outputShape = [geometry.outLength, spec.filters];
    this.paramCount = this.window * spec.filters + spec.filters;
    this.outValues = geometry.outLength * spec.filters;
    const paddedValues = (geometry.padBefore + length + geometry.padAfter) * channels;
    const needsPadding = geometry.padBefore + geometry.padAfter > 0;
    this.padded = needsPadding ? arena.reserve(paddedValues) : null;
    this.paddedGrad = needsPadding ? arena.reserve(paddedValues) : null;
    // ReLU is fused into the forward GEMM (its derivative is read off the output: out > 0 exactly when pre > 0), so
    // only ReLU6 keeps the pre-activations.
    this.pre = spec.activation === 'relu6' ? arena.reserve(this.outValues) : null;
    this.preGrad = spec.activation === 'none' ? null : arena.reserve(this.outValues);
    this.weightsT = arena.reserve(this.window * spec.filters);
    const tiles = !needsPadding && (this.step === this.window || geometry.outLength === 1) && geometry.outLength * this.window === this.inputValues;
    this.zeros = tiles ? arena.reserve(this.window) : null;
    // Skipping zeros (after a ReLU about half of G): the masked pass (wasm `sparseBackward`: per row a bit mask of
    // the non-zero filters, walked lowest bit first, both gradients at once) needs ≤ 32 filters and whole vectors
    // of filters and of window values. Measured against the dense GEMMs, same run, 2 cores under load:
    // reference CNN 1.4–1.5× the float32 and 1.1× the float64 samples per CPU-second, DS-CNN 1.05–1.1×. Other
    // layers after an activation with a long window and many filters compact the non-zeros into lists first
    // (`compact`, `sparseGemm`; compacting costs ~1 ns an entry). In float32 too: on fall-esp32's search candidates
    // with 64-filter convs, one thread, same run, 1.30× (conv64k5-avgpool-conv64k5 …) and 1.14× (c012) the dense
    // GEMMs' samples per CPU-second, 1.0× on the others.
    // A linear layer's gradient has no zeros. Every path is deterministic; the masked and listed weight gradients
    // are the dense GEMM's sums with the zero terms left out (tools/wasm/sparse-wat.ts).
    const lanes = 16 / arena.bytes;
    const relu = spec.activation !== 'none';
    this.masked =
      relu && this.window % lanes === 0 && spec.filters % lanes === 0 && spec.filters <= 32 ? arena.reserve(this.window * spec.filters + spec.filters) : null;
    const ints = (n: number) => arena.reserveInts(n);
    this.lists =
      this.masked || !relu || this.window < 32 || spec.filters < 32
        ? null
        : {
            colVals: arena.reserve(this.outValues),
            colOffs: ints(this.outValues),
            colCounts: ints(spec.filters),
            rowVals: arena.reserve(this.outValues),
            rowOffs: ints(this.outValues),
            rowCounts: ints(geometry.outLength),
            weightGradT: arena.reserve(this.window * spec.filters),
          };
    this.slots = {
      params: new Slot(arena, this.paramCount),
      input: new Slot(arena, this.inputValues),
      output: new Slot(arena, this.outValues),
      outputGrad: new Slot(arena, this.outValues),
      grads: new Slot(arena, this.paramCount),
      inputGrad: new Slot(arena, this.inputValues),
    };
  }

  /**
   * Told by the chain that its input comes out of a ReLU (about half zeros): the forward then skips the zero inputs
   * where the window is ≤ 32 values and both it and the filters are whole vectors.
   */
  inputAfterRelu(): void {
    const lanes = 16 / this.arena.bytes;
    this.sparseInput = this.window <= 32 && this.window % lanes === 0 && this.filters % lanes === 0;
  }

  init(params: Float64Array, random: () => number): void {
    glorotUniform(params, 0, this.window * this.filters, this.fans.in, this.fans.out, random);
    params.fill(0, this.window * this.filters);
  }

  forward(params: Floats, input: Floats, output: Floats): void {
    const { arena, slots, window, filters: F, outLength, step } = this;
    const B = arena.bytes;
    const wasm = arena.wasm;
    const w = slots.params.place(params, true);
    if (this.padded) {
      arena.copyIn(input, this.padded.offset + this.padBeforeValues, this.inputValues);
      this.source = this.padded.offset * B;
    } else {
      this.source = slots.input.place(input, true);
    }
    const out = slots.output.place(output, false);
    this.lastOutput = out;
    const pre = this.pre ? this.pre.offset * B : out;
    const relu = this.activation === 'relu';
    if (this.sparseInput) wasm.sparseForward(this.source, step * B, window, outLength, w, F, w + window * F * B, pre, relu ? 1 : 0);
    else wasm.gemm(this.source, step * B, B, w, F * B, pre, F * B, outLength, F, window, w + window * F * B, relu ? 2 : 0);
    if (this.pre) activateWasm(wasm, this.activation, pre, out, this.outValues);
    slots.output.settle(output);
  }

  backward(params: Floats, _input: Floats, outputGrad: Floats, grads: Floats, inputGrad: Floats | null): void {
    const { arena, slots, window, filters: F, outLength, step } = this;
    const B = arena.bytes;
    const wasm = arena.wasm;
    const w = slots.params.place(params, true);
    let g = slots.outputGrad.place(outputGrad, true);
    if (this.masked && this.activation === 'relu') {
      // The ReLU's derivative is applied inside the masked pass (entries where the output is 0 are skipped).
      this.backwardMasked(w, g, this.lastOutput, grads, inputGrad);
      return;
    }
    if (this.preGrad) {
      // The derivative's argument: the pre-activations, or for the fused ReLU the output of the last forward.
      const pre = this.pre ? this.pre.offset * B : this.lastOutput;
      activationGradientWasm(wasm, this.activation, pre, g, this.preGrad.offset * B, this.outValues);
      g = this.preGrad.offset * B;
    }
    if (this.masked) {
      this.backwardMasked(w, g, 0, grads, inputGrad);
      return;
    }
    const dw = slots.grads.place(grads, true);
    wasm.gemm(ONE, 0, 0, g, F * B, dw + window * F * B, 0, 1, F, outLength, 0, 1);
    if (this.lists) this.weightGradSparse(g, dw);
    else wasm.gemm(this.source, B, step * B, g, F * B, dw, F * B, window, F, outLength, 0, 1);
    slots.grads.settle(grads);
    if (!inputGrad) return;
    const wT = this.weightsT.offset * B;
    wasm.transpose(w, window, F, wT);
    const target = this.paddedGrad ? this.paddedGrad.offset * B : slots.inputGrad.place(inputGrad, false);
    if (this.zeros && !this.lists) {
      // The output rows tile the input exactly (pointwise, dense): write dX = 0 + G·Wᵀ, no zeroing pass.
      wasm.gemm(g, F * B, B, wT, window * B, target, step * B, outLength, window, F, this.zeros.offset * B, 0);
    } else {
      arena.zero(target, this.paddedGrad?.length ?? this.inputValues);
      if (this.lists) this.inputGradSparse(g, wT, target);
      else wasm.gemm(g, F * B, B, wT, window * B, target, step * B, outLength, window, F, 0, 1);
    }
    if (this.paddedGrad) arena.copyOut(this.paddedGrad.offset + this.padBeforeValues, inputGrad, this.inputValues);
    else slots.inputGrad.settle(inputGrad);
  }

  /**
   * All gradients in one pass over G's non-zero entries (wasm `sparseBackward`), dW added from its transpose; with
   * `out` (the fused ReLU's output) G is the gradient before the ReLU, masked on the fly.
   */
  private backwardMasked(w: number, g: number, out: number, grads: Floats, inputGrad: Floats | null): void {
    const { arena, slots, window, filters: F, outLength, step } = this;
    const wasm = arena.wasm;
    const B = arena.bytes;
    const dwT = this.masked!;
    const dw = slots.grads.place(grads, true);
    arena.zero(dwT.offset * B, dwT.length);
    let target = 0;
    let mode = 0;
    if (inputGrad) {
      wasm.transpose(w, window, F, this.weightsT.offset * B);
      target = this.paddedGrad ? this.paddedGrad.offset * B : slots.inputGrad.place(inputGrad, false);
      mode = this.zeros ? 2 : 1;
      if (mode === 1) arena.zero(target, this.paddedGrad?.length ?? this.inputValues);
    }
    const dbs = (dwT.offset + window * F) * B;
    wasm.sparseBackward(
      g,
      out,
      F,
      outLength,
      this.source,
      step * B,
      window,
      this.weightsT.offset * B,
      dwT.offset * B,
      dw + window * F * B,
      dbs,
      target,
      step * B,
      mode,
    );
    wasm.transposeAdd(dwT.offset * B, F, window, dw);
    slots.grads.settle(grads);
    if (!inputGrad) return;
    if (this.paddedGrad) arena.copyOut(this.paddedGrad.offset + this.padBeforeValues, inputGrad, this.inputValues);
    else slots.inputGrad.settle(inputGrad);
  }

  /**
   * dW += Xᵀ·G over G's non-zero entries only (after a ReLU about half are zero): per filter the list of its
   * non-zero steps, then dWᵀ[f] = Σ g[t][f]·x[t·step ..] (a contiguous input window per entry), added transposed.
   */
  private weightGradSparse(g: number, dw: number): void {
    const { arena, window, filters: F, outLength, step } = this;
    const { colVals, colOffs, colCounts, weightGradT } = this.lists!;
    const wasm = arena.wasm;
    const B = arena.bytes;
    wasm.compact(g, F, outLength, B, F * B, step * B, colVals.offset * B, colOffs.offset * B, colCounts.offset * B);
    wasm.sparseGemm(colVals.offset * B, colOffs.offset * B, colCounts.offset * B, F, outLength, this.source, window, weightGradT.offset * B, window * B, 0);
    wasm.transposeAdd(weightGradT.offset * B, F, window, dw);
  }

  /** dX += G·Wᵀ over G's non-zero entries: per output step the list of its non-zero filters, each adding a row of Wᵀ. */
  private inputGradSparse(g: number, wT: number, target: number): void {
    const { arena, window, filters: F, outLength, step } = this;
    const { rowVals, rowOffs, rowCounts } = this.lists!;
    const wasm = arena.wasm;
    const B = arena.bytes;
    wasm.compact(g, outLength, F, F * B, B, window * B, rowVals.offset * B, rowOffs.offset * B, rowCounts.offset * B);
    wasm.sparseGemm(rowVals.offset * B, rowOffs.offset * B, rowCounts.offset * B, outLength, F, wT, window, target, step * B, 1);
  }
}
