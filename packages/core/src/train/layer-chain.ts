import { Random } from '../common/random';
import type { Layer, Shape } from '../model/ir';
import { paramCount } from '../model/params';
import { createKernel } from './create-kernel';
import type { LayerKernel } from './kernel';
import type { Arena, Block, Floats } from './wasm/arena';

/**
 * A run of IR layers from a given input shape, with its parameters, gradients and activation buffers, all allocated
 * once: the building block of a cascade (backbone segments and exit heads), where `Network` is the whole plain model.
 * The chains of one cascade share one wasm arena (so one chain's output is the next one's input in place); build them
 * all, seal the arena, then `bind` each. One sample in flight: forward, then backward, which adds into `grads` until
 * the caller zeroes them.
 */
export class LayerChain {
  readonly kernels: readonly LayerKernel[];
  readonly outputShape: Shape;
  readonly outputSize: number;
  params: readonly Floats[] = [];
  grads: readonly Floats[] = [];
  private outputs: Floats[] = [];
  private outputGrads: Floats[] = [];
  private readonly blocks: { params: Block[]; grads: Block[]; outputs: Block[]; outputGrads: Block[] };
  private lastInput: Floats = new Float64Array(0);

  /** `streams[i]` is the seed stream layer i draws its initial weights from (see init). */
  constructor(
    readonly layers: readonly Layer[],
    readonly inputShape: Shape,
    private readonly streams: readonly number[],
    arena: Arena,
  ) {
    let shape = inputShape;
    const kernels: LayerKernel[] = [];
    layers.forEach((layer, i) => {
      const kernel = createKernel(layer, shape, arena);
      if (kernel.paramCount !== paramCount(layer, shape)) throw new Error(`layer ${i} (${layer.kind}): the training kernel disagrees with model/params`);
      kernels.push(kernel);
      shape = kernel.outputShape;
    });
    // A layer after a ReLU or ReLU6 (fused or a layer of its own) may skip the zero inputs.
    layers.forEach((layer, i) => {
      const activation = 'activation' in layer ? layer.activation : layer.kind;
      if ((activation === 'relu' || activation === 'relu6') && i + 1 < kernels.length) kernels[i + 1].inputAfterRelu?.();
    });
    this.kernels = kernels;
    this.outputShape = shape;
    this.outputSize = shape[0] * shape[1];
    const size = (k: LayerKernel) => k.outputShape[0] * k.outputShape[1];
    this.blocks = {
      params: kernels.map((k) => arena.reserve(k.paramCount)),
      grads: kernels.map((k) => arena.reserve(k.paramCount)),
      outputs: kernels.map((k) => arena.reserve(size(k))),
      outputGrads: kernels.map((k) => arena.reserve(size(k))),
    };
  }

  /** Takes the chain's arrays from the (now sealed) arena. */
  bind(arena: Arena): void {
    this.params = this.blocks.params.map((b) => arena.view(b));
    this.grads = this.blocks.grads.map((b) => arena.view(b));
    this.outputs = this.blocks.outputs.map((b) => arena.view(b));
    this.outputGrads = this.blocks.outputGrads.map((b) => arena.view(b));
  }

  /**
   * Fresh initial weights: layer i from stream `streams[i]` of `seed`, as Network.init does for a plain model. Drawn
   * in float64 and then stored (rounded once in a float32 arena), so both precisions start from the same weights.
   */
  init(seed: number): void {
    this.kernels.forEach((kernel, i) => {
      const random = Random.derive(seed, this.streams[i]);
      const values = new Float64Array(this.params[i].length);
      kernel.init(values, () => random.next());
      this.params[i].set(values);
    });
  }

  /** The chain's output for `input` (a view owned by the chain, valid until the next forward). */
  forward(input: Floats, training: boolean): Floats {
    this.lastInput = input;
    let x = input;
    for (let i = 0; i < this.kernels.length; i++) {
      this.kernels[i].forward(this.params[i], x, this.outputs[i], training);
      x = this.outputs[i];
    }
    return x;
  }

  /** Back-propagates dLoss/dOutput of the last forward into `grads`; writes dLoss/dInput into `inputGrad` unless null. */
  backward(outputGrad: Floats, inputGrad: Floats | null): void {
    const last = this.kernels.length - 1;
    for (let i = last; i >= 0; i--) {
      const gradOut = i === last ? outputGrad : this.outputGrads[i];
      const input = i === 0 ? this.lastInput : this.outputs[i - 1];
      const gradIn = i === 0 ? inputGrad : this.outputGrads[i - 1];
      this.kernels[i].backward(this.params[i], input, gradOut, this.grads[i], gradIn);
    }
  }

  zeroGrads(): void {
    for (const g of this.grads) g.fill(0);
  }

  exportWeights(): number[][] {
    return this.params.map((p) => Array.from(p));
  }

  importWeights(weights: readonly (readonly number[])[], what: string): void {
    if (weights.length !== this.params.length) throw new Error(`${what}: weights for ${weights.length} layers, expected ${this.params.length}`);
    weights.forEach((values, i) => {
      if (values.length !== this.params[i].length)
        throw new Error(`${what}, layer ${i} (${this.layers[i].kind}): ${values.length} weights, expected ${this.params[i].length}`);
      this.params[i].set(values);
    });
  }
}
