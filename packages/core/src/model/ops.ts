import type { Activation, BatchNormLayer, Layer, LayerKind, ModelIR, Shape } from './ir';
import { inferShapes, isLinearLayer } from './shapes';

/**
 * One operation of the deployed (int8) network. The IR is what the engine trains; the firmware runs fewer ops,
 * because export folds every batch-norm into the linear layer before it and fuses a ReLU/ReLU6 layer that follows a
 * linear layer without activation into that layer's output clamp. The memory model, the quantiser and the C emitter
 * all read this list, so they agree on which tensors exist.
 */
export interface DeployedOp {
  /** Step number: ops run in this order; op j reads activation tensor j and writes activation tensor j + 1. */
  index: number;
  /** Kind of the IR layer the op computes (never 'batchnorm'). */
  kind: Exclude<LayerKind, 'batchnorm'>;
  /** The IR layer the op computes; its parameters (after folding) are the op's weights. */
  layer: number;
  /** That layer itself. */
  definition: Exclude<Layer, BatchNormLayer>;
  /** Every IR layer the op covers, ascending: `layer`, the batch-norms folded into it, the activation fused into it. */
  layers: number[];
  foldedBatchNorms: number[];
  /**
   * The clamp on the op's output: the linear layer's own activation or the fused activation layer's; for a
   * standalone relu/relu6 op its kind; 'none' for pools, global average pooling and GRU.
   */
  activation: Activation;
  inputShape: Shape;
  outputShape: Shape;
}

/** The deployed op list of a (validated) IR; throws InvalidModelError for an illegal IR. */
export function lowerToOps(ir: ModelIR): DeployedOp[] {
  const shapes = inferShapes(ir);
  const ops: DeployedOp[] = [];
  let input: Shape = [ir.input.length, ir.input.channels];
  let i = 0;
  while (i < ir.layers.length) {
    const layer = ir.layers[i];
    if (layer.kind === 'batchnorm') throw new Error(`layer ${i}: batchnorm without a host passed validation`);
    const op: DeployedOp = {
      index: ops.length,
      kind: layer.kind,
      layer: i,
      definition: layer,
      layers: [i],
      foldedBatchNorms: [],
      activation: isLinearLayer(layer) ? layer.activation : layer.kind === 'relu' || layer.kind === 'relu6' ? layer.kind : 'none',
      inputShape: input,
      outputShape: shapes[i],
    };
    i++;
    if (isLinearLayer(layer)) {
      while (i < ir.layers.length && ir.layers[i].kind === 'batchnorm') {
        op.foldedBatchNorms.push(i);
        op.layers.push(i);
        i++;
      }
      const next = ir.layers[i];
      if (op.activation === 'none' && next !== undefined && (next.kind === 'relu' || next.kind === 'relu6')) {
        op.activation = next.kind;
        op.layers.push(i);
        i++;
      }
    }
    op.outputShape = shapes[i - 1];
    ops.push(op);
    input = op.outputShape;
  }
  return ops;
}
