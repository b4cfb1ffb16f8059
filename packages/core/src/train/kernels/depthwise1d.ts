import type { Activation, DepthwiseConv1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, ONE, Slot, type Block, type Floats } from '../wasm/arena';
import { activateWasm, activationGradientWasm } from './activation-wasm';
import { slidingGeometry } from './geometry';
import { glorotUniform } from './glorot';

/**
 * Depthwise Conv1D (channel multiplier 1): out[t][c] = act(b[c] + Σ_k x[t·stride + k − pad][c] · W[k][c]).
 * Parameters W [kernel][C] then b [C]. Keras fans for its (kernel, C, 1) depthwise kernel: kernel·C and kernel.
 * The loops are wasm (channels one vector at a time: two per f64x2, four per f32x4); the bias gradient is the GEMM's column sum.
 */
export class Depthwise1dKernel implements LayerKernel {
  readonly outputShape: Shape;
  readonly paramCount: number;
  private readonly inputValues: number;
  private readonly outValues: number;
  private readonly channels: number;
  private readonly kernel: number;
  private readonly outLength: number;
  private readonly step: number;
  private readonly padBeforeValues: number;
  private readonly activation: Activation;
  private readonly padded: Block | null;
  private readonly paddedGrad: Block | null;
  private readonly pre: Block | null;
  private readonly preGrad: Block | null;
  private readonly slots: { params: Slot; input: Slot; output: Slot; outputGrad: Slot; grads: Slot; inputGrad: Slot };
  /** Byte address of the input the last forward read. */
  private source = 0;
  /** Byte address of the output the last forward wrote (the fused ReLU's derivative reads it). */
  private lastOutput = 0;

  constructor(
    readonly layer: DepthwiseConv1dLayer,
    readonly inputShape: Shape,
    private readonly arena: Arena,
  ) {
    const [length, channels] = inputShape;
    const geometry = slidingGeometry(length, layer.kernel, layer.stride, layer.padding);
    this.inputValues = length * channels;
    this.channels = channels;
    this.kernel = layer.kernel;
    this.outLength = geometry.outLength;
    this.step = layer.stride * channels;
    this.padBeforeValues = geometry.padBefore * channels;
    this.activation = layer.activation;
    this.outputShape = [geometry.outLength, channels];
    this.paramCount = layer.kernel * channels + channels;
    this.outValues = geometry.outLength * channels;
    const paddedValues = (geometry.padBefore + length + geometry.padAfter) * channels;
    const needsPadding = geometry.padBefore + geometry.padAfter > 0;
    this.padded = needsPadding ? arena.reserve(paddedValues) : null;
    this.paddedGrad = needsPadding ? arena.reserve(paddedValues) : null;
    // ReLU is fused into the forward kernel's store (its derivative read off the output); ReLU6 keeps pre.
    this.pre = layer.activation === 'relu6' ? arena.reserve(this.outValues) : null;
    this.preGrad = layer.activation === 'none' ? null : arena.reserve(this.outValues);
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
   * Glorot with the fans a depthwise filter really has: each output reads `kernel` inputs of its own channel and each
   * input feeds `kernel` outputs. Keras counts the fan-in as kernel × channels, which shrinks the weights by
   * √channels: behind three depthwise layers of 64 channels the logits barely depended on the input, and most of
   * har-hapt-h747's dsconv candidates stayed at macro-F1 ≤ 0.02 after their first epoch (full HAPT search, fold
   * user01; its winner 0.668 → 0.747 validation macro-F1 after 10 epochs with these fans).
   */
  init(params: Float64Array, random: () => number): void {
    const weights = this.kernel * this.channels;
    glorotUniform(params, 0, weights, this.kernel, this.kernel, random);
    params.fill(0, weights);
  }

  forward(params: Floats, input: Floats, output: Floats): void {
    const { arena, slots, channels: C, kernel: K } = this;
    const B = arena.bytes;
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
    arena.wasm.depthwiseForward(this.source, w, w + K * C * B, pre, this.outLength, C * B, K, this.step * B, this.activation === 'relu' ? 1 : 0);
    if (this.pre) activateWasm(arena.wasm, this.activation, pre, out, this.outValues);
    slots.output.settle(output);
  }

  backward(params: Floats, _input: Floats, outputGrad: Floats, grads: Floats, inputGrad: Floats | null): void {
    const { arena, slots, channels: C, kernel: K } = this;
    const B = arena.bytes;
    const wasm = arena.wasm;
    const w = slots.params.place(params, true);
    let g = slots.outputGrad.place(outputGrad, true);
    if (this.preGrad) {
      const pre = this.pre ? this.pre.offset * B : this.lastOutput;
      activationGradientWasm(wasm, this.activation, pre, g, this.preGrad.offset * B, this.outValues);
      g = this.preGrad.offset * B;
    }
    const dw = slots.grads.place(grads, true);
    wasm.gemm(ONE, 0, 0, g, C * B, dw + K * C * B, 0, 1, C, this.outLength, 0, 1);
    let dx = 0;
    if (inputGrad) {
      dx = this.paddedGrad ? this.paddedGrad.offset * B : slots.inputGrad.place(inputGrad, false);
      arena.zero(dx, this.paddedGrad?.length ?? this.inputValues);
    }
    wasm.depthwiseBackward(this.source, w, g, dw, dx, inputGrad ? 1 : 0, this.outLength, C * B, K, this.step * B);
    slots.grads.settle(grads);
    if (!inputGrad) return;
    if (this.paddedGrad) {
      arena.copyOut(this.paddedGrad.offset + this.padBeforeValues, inputGrad, this.inputValues);
    } else {
      slots.inputGrad.settle(inputGrad);
    }
  }
}

export function createDepthwise1dKernel(layer: DepthwiseConv1dLayer, inputShape: Shape, arena: Arena): LayerKernel {
  return new Depthwise1dKernel(layer, inputShape, arena);
}
