import type { Activation, DepthwiseConv1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { activate, activationGradient } from './activation';
import { slidingGeometry } from './geometry';
import { glorotUniform } from './glorot';

/**
 * Depthwise Conv1D (channel multiplier 1): out[t][c] = act(b[c] + Σ_k x[t·stride + k − pad][c] · W[k][c]).
 * Parameters W [kernel][C] then b [C]. Keras fans for its (kernel, C, 1) depthwise kernel: kernel·C and kernel.
 */
export class Depthwise1dKernel implements LayerKernel {
  readonly outputShape: Shape;
  readonly paramCount: number;
  private readonly length: number;
  private readonly channels: number;
  private readonly kernel: number;
  private readonly outLength: number;
  private readonly step: number;
  private readonly padBeforeValues: number;
  private readonly activation: Activation;
  private readonly padded: Float64Array | null;
  private readonly paddedGrad: Float64Array | null;
  private readonly pre: Float64Array | null;
  private readonly grad: Float64Array;
  private source: Float64Array;

  constructor(
    readonly layer: DepthwiseConv1dLayer,
    readonly inputShape: Shape,
  ) {
    const [length, channels] = inputShape;
    const geometry = slidingGeometry(length, layer.kernel, layer.stride, layer.padding);
    this.length = length;
    this.channels = channels;
    this.kernel = layer.kernel;
    this.outLength = geometry.outLength;
    this.step = layer.stride * channels;
    this.padBeforeValues = geometry.padBefore * channels;
    this.activation = layer.activation;
    this.outputShape = [geometry.outLength, channels];
    this.paramCount = layer.kernel * channels + channels;
    const paddedValues = (geometry.padBefore + length + geometry.padAfter) * channels;
    const needsPadding = geometry.padBefore + geometry.padAfter > 0;
    this.padded = needsPadding ? new Float64Array(paddedValues) : null;
    this.paddedGrad = needsPadding ? new Float64Array(paddedValues) : null;
    const outValues = geometry.outLength * channels;
    this.pre = layer.activation === 'none' ? null : new Float64Array(outValues);
    this.grad = new Float64Array(outValues);
    this.source = this.padded ?? new Float64Array(0);
  }

  init(params: Float64Array, random: () => number): void {
    const weights = this.kernel * this.channels;
    glorotUniform(params, 0, weights, weights, this.kernel, random);
    params.fill(0, weights);
  }

  forward(params: Float64Array, input: Float64Array, output: Float64Array): void {
    const x = this.padded ?? input;
    if (this.padded) this.padded.set(input.subarray(0, this.length * this.channels), this.padBeforeValues);
    this.source = x;
    const { channels: C, kernel: K, outLength, step } = this;
    const biasAt = K * C;
    const out = this.pre ?? output;
    for (let t = 0; t < outLength; t++) {
      const x0 = t * step;
      const o = t * C;
      for (let c = 0; c < C; c++) {
        let a = params[biasAt + c];
        for (let k = 0, xk = x0 + c, wk = c; k < K; k++, xk += C, wk += C) a += x[xk] * params[wk];
        out[o + c] = a;
      }
    }
    if (this.pre) activate(this.activation, this.pre, output, outLength * C);
  }

  backward(params: Float64Array, _input: Float64Array, outputGrad: Float64Array, grads: Float64Array, inputGrad: Float64Array | null): void {
    const { channels: C, kernel: K, outLength, step } = this;
    const x = this.source;
    let g = outputGrad;
    if (this.pre) {
      activationGradient(this.activation, this.pre, outputGrad, this.grad, outLength * C);
      g = this.grad;
    }
    const target = inputGrad ? (this.paddedGrad ?? inputGrad) : null;
    target?.fill(0);
    const biasAt = K * C;
    for (let t = 0; t < outLength; t++) {
      const x0 = t * step;
      const o = t * C;
      for (let c = 0; c < C; c++) {
        const v = g[o + c];
        if (v === 0) continue;
        grads[biasAt + c] += v;
        for (let k = 0, xk = x0 + c, wk = c; k < K; k++, xk += C, wk += C) {
          grads[wk] += v * x[xk];
          if (target) target[xk] += v * params[wk];
        }
      }
    }
    if (inputGrad && this.paddedGrad) {
      inputGrad.set(this.paddedGrad.subarray(this.padBeforeValues, this.padBeforeValues + this.length * this.channels));
    }
  }
}

export function createDepthwise1dKernel(layer: DepthwiseConv1dLayer, inputShape: Shape): LayerKernel {
  return new Depthwise1dKernel(layer, inputShape);
}
