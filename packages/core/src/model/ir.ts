/**
 * The model IR: the one description of a network that the trainer, the memory model, the quantiser and the C
 * emitter all read. A model is a sequential list of layers over a [time, channels] tensor (batch excluded);
 * every shape is inferred from the input, never stored, so an IR cannot disagree with itself.
 */
export type Activation = 'none' | 'relu' | 'relu6';
export type Padding = 'same' | 'valid';

export interface Conv1dLayer {
  kind: 'conv1d';
  filters: number;
  kernel: number;
  stride: number;
  padding: Padding;
  activation: Activation;
}

/** Depthwise 1-D convolution, channel multiplier 1 (UR2M's 3×… depthwise). */
export interface DepthwiseConv1dLayer {
  kind: 'depthwise1d';
  kernel: number;
  stride: number;
  padding: Padding;
  activation: Activation;
}

/** 1×1 convolution: a dense layer applied at every time step. */
export interface PointwiseConv1dLayer {
  kind: 'pointwise1d';
  filters: number;
  activation: Activation;
}

export interface Pool1dLayer {
  kind: 'maxpool1d' | 'avgpool1d';
  pool: number;
  stride: number;
}

/** Mean over time: [T, C] → [1, C]. */
export interface GlobalAvgPoolLayer {
  kind: 'globalavgpool';
}

/**
 * GRU over time (Keras/tfjs convention, reset gate after the recurrent matmul: `reset_after = true`, gates ordered
 * z, r, h). `returnSequences: false` keeps only the last step: [T, C] → [1, units].
 */
export interface GruLayer {
  kind: 'gru';
  units: number;
  returnSequences: boolean;
}

/** Fully connected on the flattened [T, C] input → [1, units]. */
export interface DenseLayer {
  kind: 'dense';
  units: number;
  activation: Activation;
}

/**
 * Per-channel affine (γ·x + β). The engine trains one sample at a time, so there are no batch statistics: inputs are
 * already z-scored per fold, and this layer is the learnable scale/shift of batch-norm, folded into the preceding
 * conv at export.
 */
export interface BatchNormLayer {
  kind: 'batchnorm';
}

export interface ActivationLayer {
  kind: 'relu' | 'relu6';
}

export type Layer =
  Conv1dLayer | DepthwiseConv1dLayer | PointwiseConv1dLayer | Pool1dLayer | GlobalAvgPoolLayer | GruLayer | DenseLayer | BatchNormLayer | ActivationLayer;

export type LayerKind = Layer['kind'];

/**
 * An early exit of a cascade (UR2M): its own layers read the output of backbone layer `after` and end in the same
 * kind of prediction as the backbone's last layer. At run time exits are evaluated in order of `after`; a window
 * whose uncertainty is low enough stops there, the others continue down the backbone.
 */
export interface ExitBranch {
  /** Index into `ModelIR.layers` of the backbone layer whose output the exit reads. */
  after: number;
  layers: Layer[];
}

export type HeadKind = 'sigmoid' | 'softmax' | 'evidential';

/** How an evidential model's evidence layers turn their output into evidence (model/evidence.ts). */
export type EvidenceFunction = 'relu' | 'exp';

/**
 * Which uncertainty an evidential cascade's exit thresholds are compared with: the Beta's vacuity u = 2/(α+β) (UR2M:
 * how little evidence there is) or the decision uncertainty 2/(|α−β|+2) (how little evidence the decision has over
 * its opposite). Fixed-point forms in quantize/evidential.ts.
 */
export type ExitUncertainty = 'vacuity' | 'decision';

export interface ModelIR {
  /** Window shape: samples × channels. */
  input: { length: number; channels: number };
  /** The backbone, ending in the deepest (final) prediction. */
  layers: Layer[];
  /**
   * What the last layer (and each exit's last layer) gives:
   * - `sigmoid`: 1 logit (binary, the positive class being index 1 of the window store's classes);
   * - `softmax`: one logit per class;
   * - `evidential`: 2·events non-negative evidence values, (e⁺, e⁻) per event, from a layer with ReLU activation
   *   (`evidence` relu) or from a linear layer's z as exp(z) (`evidence` exp);
   *   α = e⁺ + 1, β = e⁻ + 1, p = α / (α + β), u = 2 / (α + β).
   */
  head: HeadKind;
  /** Evidential heads: the number of one-vs-all events. */
  events?: number;
  /** Evidential heads: how every evidence layer's output becomes evidence (absent: relu). */
  evidence?: EvidenceFunction;
  /** Evidential heads with exits: what the exit thresholds are compared with (absent: vacuity). */
  exitUncertainty?: ExitUncertainty;
  /** Early exits, ascending by `after` (absent or empty: a plain single-exit model). */
  exits?: ExitBranch[];
}

/** A tensor shape without the batch: [time steps, channels]. */
export type Shape = readonly [number, number];
