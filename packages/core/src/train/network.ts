import type { ModelIR, Shape } from '../model/ir';
import { inferShapes } from '../model/shapes';
import { LayerChain } from './layer-chain';
import type { LayerKernel } from './kernel';
import { Arena, type Floats, type Precision } from './wasm/arena';

/**
 * Trained parameters as plain JSON: one array per IR layer (empty for layers without parameters), each in the
 * layer's flat layout (model/params.ts). Numbers are float64 (float32 values widen exactly) and survive JSON exactly.
 */
export type NetworkWeights = number[][];

/**
 * A model IR made trainable: its layers as one LayerChain (the kernels, one parameter and one gradient array per
 * layer, the activation buffers) in one wasm arena with the kernels' scratch, so the wasm kernels work on them in
 * place; `params` and `grads` are ordinary typed arrays over that memory, Float64Array or Float32Array by
 * `precision`. One sample at a time: forward, then backward, which adds into `grads` until the caller zeroes them.
 */
export class Network {
  readonly kernels: readonly LayerKernel[];
  readonly params: readonly Floats[];
  readonly grads: readonly Floats[];
  readonly inputSize: number;
  readonly outputShape: Shape;
  private readonly chain: LayerChain;
  /** The sample of the last forward, copied into the arena (the caller may reuse its array before backward). */
  private readonly input: Floats;

  constructor(
    readonly ir: ModelIR,
    readonly precision: Precision = 'float64',
  ) {
    const expected = inferShapes(ir);
    const arena = new Arena(precision);
    // Layer i draws its initial weights from stream i of the seed, so one layer's size never shifts another's.
    this.chain = new LayerChain(
      ir.layers,
      [ir.input.length, ir.input.channels],
      ir.layers.map((_, i) => i),
      arena,
    );
    this.chain.kernels.forEach((kernel, i) => {
      // The kernels size their own buffers; they must agree with the model's shape rules.
      if (kernel.outputShape[0] !== expected[i][0] || kernel.outputShape[1] !== expected[i][1]) {
        throw new Error(`layer ${i} (${ir.layers[i].kind}): the training kernel disagrees with model/shapes`);
      }
    });
    this.inputSize = ir.input.length * ir.input.channels;
    const input = arena.reserve(this.inputSize);
    arena.seal();
    this.chain.bind(arena);
    this.input = arena.view(input);
    this.kernels = this.chain.kernels;
    this.outputShape = this.chain.outputShape;
    this.params = this.chain.params;
    this.grads = this.chain.grads;
  }

  get paramCount(): number {
    return this.params.reduce((n, p) => n + p.length, 0);
  }

  init(seed: number): void {
    this.chain.init(seed);
  }

  /**
   * The arena's input buffer: a caller that writes a sample straight into it (FoldData.fill) and passes it to
   * `forward` saves a copy (and, in float32, the conversion).
   */
  get inputBuffer(): Floats {
    return this.input;
  }

  /** Runs one sample ([T·C], row-major) through the network; returns the logits (a view owned by the network). */
  forward(sample: Floats, training = false): Floats {
    if (sample !== this.input) this.input.set(sample.length === this.inputSize ? sample : sample.subarray(0, this.inputSize));
    return this.chain.forward(this.input, training);
  }

  /** Back-propagates dLoss/dLogits for the sample of the last forward, adding into `grads`. */
  backward(logitGrad: Floats): void {
    this.chain.backward(logitGrad, null);
  }

  zeroGrads(): void {
    this.chain.zeroGrads();
  }

  exportWeights(): NetworkWeights {
    return this.chain.exportWeights();
  }

  importWeights(weights: NetworkWeights): void {
    if (weights.length !== this.params.length) {
      throw new Error(`weights for ${weights.length} layers, the model has ${this.params.length}`);
    }
    this.chain.importWeights(weights, 'the model');
  }
}
