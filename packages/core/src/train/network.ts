import { Random } from '../common/random';
import type { ModelIR, Shape } from '../model/ir';
import { paramCount } from '../model/params';
import { inferShapes } from '../model/shapes';
import { createKernel } from './create-kernel';
import type { LayerKernel } from './kernel';
import { Arena } from './wasm/arena';

/**
 * Trained parameters as plain JSON: one array per IR layer (empty for layers without parameters), each in the
 * layer's flat layout (model/params.ts). Numbers are float64 and survive JSON exactly.
 */
export type NetworkWeights = number[][];

/**
 * A model IR made trainable: the layer kernels chained, one parameter and one gradient array per layer, and the
 * activation buffers between them, all allocated once, in one wasm arena with the kernels' scratch (so the wasm
 * kernels work on them in place; `params` and `grads` are ordinary Float64Arrays over that memory). One sample at a
 * time: forward, then backward, which adds into `grads` until the caller zeroes them.
 */
export class Network {
  readonly kernels: readonly LayerKernel[];
  readonly params: readonly Float64Array[];
  readonly grads: readonly Float64Array[];
  readonly inputSize: number;
  readonly outputShape: Shape;
  /** outputs[i] is layer i's output and layer i + 1's input. */
  private readonly outputs: Float64Array[];
  /** outputGrads[i] is dLoss/d(outputs[i]). */
  private readonly outputGrads: Float64Array[];
  /** The sample of the last forward, copied into the arena (the caller may reuse its array before backward). */
  private readonly input: Float64Array;

  constructor(readonly ir: ModelIR) {
    const expected = inferShapes(ir);
    let shape: Shape = [ir.input.length, ir.input.channels];
    const kernels: LayerKernel[] = [];
    const arena = new Arena();
    ir.layers.forEach((layer, i) => {
      const kernel = createKernel(layer, shape, arena);
      // The kernels size their own buffers; they must agree with the model's shape and parameter rules.
      if (kernel.outputShape[0] !== expected[i][0] || kernel.outputShape[1] !== expected[i][1] || kernel.paramCount !== paramCount(layer, shape)) {
        throw new Error(`layer ${i} (${layer.kind}): the training kernel disagrees with model/shapes or model/params`);
      }
      kernels.push(kernel);
      shape = kernel.outputShape;
    });
    this.kernels = kernels;
    this.outputShape = shape;
    this.inputSize = ir.input.length * ir.input.channels;
    const size = (k: LayerKernel) => k.outputShape[0] * k.outputShape[1];
    const blocks = {
      params: kernels.map((k) => arena.reserve(k.paramCount)),
      grads: kernels.map((k) => arena.reserve(k.paramCount)),
      outputs: kernels.map((k) => arena.reserve(size(k))),
      outputGrads: kernels.map((k) => arena.reserve(size(k))),
      input: arena.reserve(this.inputSize),
    };
    arena.seal();
    this.params = blocks.params.map((b) => arena.view(b));
    this.grads = blocks.grads.map((b) => arena.view(b));
    this.outputs = blocks.outputs.map((b) => arena.view(b));
    this.outputGrads = blocks.outputGrads.map((b) => arena.view(b));
    this.input = arena.view(blocks.input);
  }

  get paramCount(): number {
    return this.params.reduce((n, p) => n + p.length, 0);
  }

  /** Fresh initial weights; layer i draws from its own stream of `seed`, so one layer's size never shifts another's. */
  init(seed: number): void {
    this.kernels.forEach((kernel, i) => {
      const random = Random.derive(seed, i);
      kernel.init(this.params[i], () => random.next());
    });
  }

  /** Runs one sample ([T·C], row-major) through the network; returns the logits (a view owned by the network). */
  forward(sample: Float64Array, training = false): Float64Array {
    if (sample !== this.input) this.input.set(sample.length === this.inputSize ? sample : sample.subarray(0, this.inputSize));
    let input: Float64Array = this.input;
    for (let i = 0; i < this.kernels.length; i++) {
      this.kernels[i].forward(this.params[i], input, this.outputs[i], training);
      input = this.outputs[i];
    }
    return input;
  }

  /** Back-propagates dLoss/dLogits for the sample of the last forward, adding into `grads`. */
  backward(logitGrad: Float64Array): void {
    const last = this.kernels.length - 1;
    for (let i = last; i >= 0; i--) {
      const outputGrad = i === last ? logitGrad : this.outputGrads[i];
      const input = i === 0 ? this.input : this.outputs[i - 1];
      const inputGrad = i === 0 ? null : this.outputGrads[i - 1];
      this.kernels[i].backward(this.params[i], input, outputGrad, this.grads[i], inputGrad);
    }
  }

  zeroGrads(): void {
    for (const g of this.grads) g.fill(0);
  }

  exportWeights(): NetworkWeights {
    return this.params.map((p) => Array.from(p));
  }

  importWeights(weights: NetworkWeights): void {
    if (weights.length !== this.params.length) {
      throw new Error(`weights for ${weights.length} layers, the model has ${this.params.length}`);
    }
    weights.forEach((values, i) => {
      if (values.length !== this.params[i].length) {
        throw new Error(`layer ${i} (${this.ir.layers[i].kind}): ${values.length} weights, expected ${this.params[i].length}`);
      }
      this.params[i].set(values);
    });
  }
}
