import { evidenceFunctionOf, expEvidence, expEvidenceSlope } from '../../model/evidence';
import type { ModelIR, Shape } from '../../model/ir';
import { inferShapes } from '../../model/shapes';
import { Arena, type Floats, type Precision } from '../wasm/arena';
import { LayerChain } from '../layer-chain';

/** Trained parameters of a cascade as plain JSON: the backbone's per-layer arrays, then each exit head's. */
export interface CascadeWeights {
  backbone: number[][];
  exits: number[][][];
}

/** Initial bias of the layers that output ReLU evidence (see CascadeNetwork.init); exp evidence starts at 0 (e = 1). */
export const EVIDENCE_BIAS_INIT = 1;

/** Seed stream of exit k's layer i; backbone layer i uses stream i, as a plain Network does. */
const exitStream = (exit: number, layer: number) => 0x10000 * (exit + 1) + layer;

/**
 * A cascade made trainable. The backbone is cut at the exits' taps into segments: segment k ends at exit k's tap
 * (k < n), segment n runs from the deepest tap to the end and gives the final prediction. Prediction k < n is head k
 * on segment k's output; prediction n is segment n's output. A plain model (no exits) is one segment.
 */
export class CascadeNetwork {
  readonly segments: readonly LayerChain[];
  readonly heads: readonly LayerChain[];
  /** Number of predictions (exits + 1). */
  readonly predictions: number;
  readonly inputSize: number;
  private readonly segmentOutputs: Floats[];
  private readonly headOutputs: Floats[];
  /**
   * dLoss/d(segment k's output), assembled in backward: segment k + 1's backward writes its input gradient here,
   * then exit k's head adds its own.
   */
  private readonly segmentGrads: Floats[];
  private readonly headInputGrads: Floats[];
  /** Byte addresses in the arena of segmentGrads[k] and headInputGrads[k] (wasm adds the exit's gradient in). */
  private readonly gradAddresses: { segment: number[]; head: number[] };
  private readonly arena: Arena;
  /** The sample of the last forward, copied into the arena. */
  private readonly input: Floats;
  /** Exp evidence: each prediction's e = exp(z) of the last forward, and scratch for dLoss/dz. */
  private readonly expEvidence: Float64Array[] | null;
  private readonly logitGrads: Float64Array[] | null;

  constructor(
    readonly ir: ModelIR,
    readonly precision: Precision = 'float64',
  ) {
    const shapes = inferShapes(ir);
    const exits = ir.exits ?? [];
    const arena = new Arena(precision);
    const cuts = [...exits.map((e) => e.after + 1), ir.layers.length];
    let start = 0;
    let input: Shape = [ir.input.length, ir.input.channels];
    const segments: LayerChain[] = [];
    for (const end of cuts) {
      const streams = Array.from({ length: end - start }, (_, i) => start + i);
      segments.push(new LayerChain(ir.layers.slice(start, end), input, streams, arena));
      input = shapes[end - 1];
      start = end;
    }
    this.segments = segments;
    this.heads = exits.map(
      (exit, k) =>
        new LayerChain(
          exit.layers,
          shapes[exit.after],
          exit.layers.map((_, i) => exitStream(k, i)),
          arena,
        ),
    );
    this.predictions = exits.length + 1;
    this.inputSize = ir.input.length * ir.input.channels;
    const blocks = {
      segmentGrads: segments.map((s) => arena.reserve(s.outputSize)),
      headInputGrads: this.heads.map((h) => arena.reserve(h.inputShape[0] * h.inputShape[1])),
      input: arena.reserve(this.inputSize),
    };
    arena.seal();
    for (const chain of [...segments, ...this.heads]) chain.bind(arena);
    this.segmentOutputs = segments.map(() => new Float64Array(0));
    this.headOutputs = this.heads.map(() => new Float64Array(0));
    this.segmentGrads = blocks.segmentGrads.map((b) => arena.view(b));
    this.headInputGrads = blocks.headInputGrads.map((b) => arena.view(b));
    this.gradAddresses = { segment: blocks.segmentGrads.map((b) => b.offset * arena.bytes), head: blocks.headInputGrads.map((b) => b.offset * arena.bytes) };
    this.arena = arena;
    this.input = arena.view(blocks.input);
    const widths = [...this.heads.map((h) => h.outputSize), segments[segments.length - 1].outputSize];
    const exp = ir.head === 'evidential' && evidenceFunctionOf(ir) === 'exp';
    this.expEvidence = exp ? widths.map((n) => new Float64Array(n)) : null;
    this.logitGrads = exp ? widths.map((n) => new Float64Array(n)) : null;
  }

  /**
   * Fresh weights; an evidential model's ReLU evidence layers then start with bias EVIDENCE_BIAS_INIT. ReLU evidence
   * from pooled non-negative features has nearly the same sign for every window, so with the usual zero bias about
   * one evidence unit in four starts below zero on all of them and never receives a gradient (the model then says
   * α = β = 1 forever); a positive start keeps every unit alive until the data decide. Exp evidence has no dead
   * region and keeps the zero bias.
   */
  init(seed: number): void {
    for (const chain of [...this.segments, ...this.heads]) chain.init(seed);
    if (this.ir.head !== 'evidential' || this.expEvidence) return;
    for (const chain of [this.segments[this.segments.length - 1], ...this.heads]) {
      const last = chain.layers.length - 1;
      const bias = chain.params[last].subarray(chain.params[last].length - chain.outputShape[1]);
      bias.fill(EVIDENCE_BIAS_INIT);
    }
  }

  /**
   * Runs the backbone as far as prediction `upTo` needs and the heads of exits ≤ upTo (all of them, or with
   * `onlyDeepest` just exit upTo's own). Read the results with prediction(k).
   */
  forward(sample: Floats, upTo: number, training: boolean, onlyDeepest = false): void {
    if (sample !== this.input) this.input.set(sample.length === this.inputSize ? sample : sample.subarray(0, this.inputSize));
    let x: Floats = this.input;
    for (let k = 0; k <= upTo; k++) {
      x = this.segments[k].forward(x, training);
      this.segmentOutputs[k] = x;
      if (k < this.heads.length && (!onlyDeepest || k === upTo)) {
        this.headOutputs[k] = this.heads[k].forward(x, training);
        this.toEvidence(k);
      }
    }
    if (upTo === this.heads.length) this.toEvidence(upTo);
  }

  /** Prediction k of the last forward (a view owned by the network): for exp evidence, the evidence. */
  prediction(k: number): Floats {
    return this.expEvidence ? this.expEvidence[k] : this.layerOutput(k);
  }

  private layerOutput(k: number): Floats {
    return k < this.heads.length ? this.headOutputs[k] : this.segmentOutputs[k];
  }

  private toEvidence(k: number): void {
    if (!this.expEvidence) return;
    const z = this.layerOutput(k);
    const e = this.expEvidence[k];
    for (let i = 0; i < e.length; i++) e[i] = expEvidence(z[i]);
  }

  /** dLoss/dz of prediction k from dLoss/de: the chain rule through exp evidence (identity for ReLU evidence). */
  private layerGrad(k: number, grad: Floats): Floats {
    if (!this.logitGrads) return grad;
    const z = this.layerOutput(k);
    const out = this.logitGrads[k];
    for (let i = 0; i < out.length; i++) out[i] = grad[i] * expEvidenceSlope(z[i]);
    return out;
  }

  /**
   * Back-propagates dLoss/dPrediction for the predictions given (null: no loss on it) through the heads and the
   * segments from the deepest down to `firstTrainable`; earlier segments are frozen and get no gradient.
   */
  backward(predictionGrads: readonly (Floats | null)[], firstTrainable: number): void {
    const deepest = predictionGrads.reduce((d, g, k) => (g ? k : d), -1);
    for (let k = deepest; k >= firstTrainable; k--) {
      // Below the deepest loss, segment k + 1's backward has already written into segmentGrads[k] (no zeroing and no
      // second buffer: these per-sample passes over the first segment's output, in JavaScript, were 11 % of an
      // evaluate fold; the exit's gradient is added in wasm).
      const segmentGrad = this.segmentGrads[k];
      const lossGrad = predictionGrads[k];
      if (k === deepest && k === this.heads.length) segmentGrad.set(this.layerGrad(k, lossGrad as Floats));
      else if (k === deepest) this.heads[k].backward(this.layerGrad(k, lossGrad as Floats), segmentGrad);
      else if (k < this.heads.length && lossGrad) {
        const headGrad = this.headInputGrads[k];
        this.heads[k].backward(this.layerGrad(k, lossGrad), headGrad);
        this.arena.wasm.accumulate(this.gradAddresses.segment[k], this.gradAddresses.head[k], headGrad.length);
      }
      this.segments[k].backward(segmentGrad, k > firstTrainable ? this.segmentGrads[k - 1] : null);
    }
  }

  zeroGrads(): void {
    for (const chain of [...this.segments, ...this.heads]) chain.zeroGrads();
  }

  /** Parameter and gradient arrays of prediction k's own part (segment k and head k): what stage k trains. */
  stageParams(k: number): { params: Floats[]; grads: Floats[] } {
    const chains = k < this.heads.length ? [this.segments[k], this.heads[k]] : [this.segments[k]];
    return { params: chains.flatMap((c) => [...c.params]), grads: chains.flatMap((c) => [...c.grads]) };
  }

  /** Every parameter and gradient array (joint training). */
  allParams(): { params: Floats[]; grads: Floats[] } {
    const chains = [...this.segments, ...this.heads];
    return { params: chains.flatMap((c) => [...c.params]), grads: chains.flatMap((c) => [...c.grads]) };
  }

  exportWeights(): CascadeWeights {
    return { backbone: this.segments.flatMap((s) => s.exportWeights()), exits: this.heads.map((h) => h.exportWeights()) };
  }

  importWeights(weights: CascadeWeights): void {
    let layer = 0;
    this.segments.forEach((segment, k) => {
      segment.importWeights(weights.backbone.slice(layer, layer + segment.layers.length), `backbone segment ${k}`);
      layer += segment.layers.length;
    });
    if (layer !== weights.backbone.length) throw new Error(`backbone: weights for ${weights.backbone.length} layers, expected ${layer}`);
    if (weights.exits.length !== this.heads.length) throw new Error(`weights for ${weights.exits.length} exits, the cascade has ${this.heads.length}`);
    this.heads.forEach((head, k) => head.importWeights(weights.exits[k], `exit ${k}`));
  }
}
