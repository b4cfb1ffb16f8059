import type { Activation, BatchNormLayer, Layer, LayerKind, ModelIR, Shape } from './ir';
import { InvalidModelError, exitShapes, inferShapes, isLinearLayer } from './shapes';

/**
 * One operation of the deployed (int8) network. The IR is what the engine trains; the firmware runs fewer ops,
 * because export folds every batch-norm into the linear layer before it and fuses a ReLU/ReLU6 layer that follows a
 * linear layer without activation into that layer's output clamp. The memory model, the quantiser and the C emitter
 * all read this list, so they agree on which tensors exist.
 *
 * Tensors: activation 0 is the network input; op j writes activation j + 1 and reads activation `input`. For a plain
 * model `input` is always j; a cascade runs each exit's ops right after the backbone op it taps, so the backbone op
 * after an exit reads the tapped tensor, not the exit's output.
 */
export interface DeployedOp {
  /** Step number: ops run in this order; op j writes activation tensor j + 1. */
  index: number;
  /** The activation tensor the op reads (0 = the network input, j ≥ 1 = the output of op j − 1). */
  input: number;
  /** Kind of the IR layer the op computes (never 'batchnorm'). */
  kind: Exclude<LayerKind, 'batchnorm'>;
  /** null for a backbone op, else the index of the exit (ModelIR.exits) whose layers the op computes. */
  branch: number | null;
  /** The layer the op computes (index into ir.layers, or into ir.exits[branch].layers); its parameters are the op's weights. */
  layer: number;
  /** That layer itself. */
  definition: Exclude<Layer, BatchNormLayer>;
  /** Every layer the op covers (same list as `layer`), ascending: `layer`, the batch-norms folded into it, the fused activation. */
  layers: number[];
  foldedBatchNorms: number[];
  /**
   * The clamp on the op's output: the linear layer's own activation or the fused activation layer's; for a
   * standalone relu/relu6 op its kind; 'none' for pools, global average pooling and GRU.
   */
  activation: Activation;
  inputShape: Shape;
  outputShape: Shape;
  /**
   * Set on the op that completes a prediction: the exit number in run order (0 = the shallowest; the backbone's last
   * op has the highest, exits.length). The runtime decides after this op whether the window stops here.
   */
  exit: number | null;
}

/** The deployed op list of a (validated) IR; throws InvalidModelError for an illegal IR. */
export function lowerToOps(ir: ModelIR): DeployedOp[] {
  const backboneShapes = inferShapes(ir);
  const branchShapes = exitShapes(ir);
  const exits = ir.exits ?? [];
  const backbone = lowerChain(ir.layers, [ir.input.length, ir.input.channels], backboneShapes, null);
  const ops: DeployedOp[] = [];
  const push = (draft: OpDraft, input: number, exit: number | null): number => {
    ops.push({ ...draft, index: ops.length, input, exit });
    return ops.length; // the tensor it wrote
  };
  let current = 0;
  let nextExit = 0;
  for (const draft of backbone) {
    current = push(draft, current, draft === backbone[backbone.length - 1] ? exits.length : null);
    while (nextExit < exits.length && draft.layers.includes(exits[nextExit].after)) {
      const exit = exits[nextExit];
      const last = draft.layers[draft.layers.length - 1];
      if (exit.after !== last) {
        throw new InvalidModelError(
          -1,
          `exit ${nextExit} taps layer ${exit.after}, which export merges into the op of layer ${draft.layer} (ending at layer ${last}); tap layer ${last} instead`,
        );
      }
      const drafts = lowerChain(exit.layers, backboneShapes[exit.after], branchShapes[nextExit], nextExit);
      let branchInput = current;
      drafts.forEach((d, i) => (branchInput = push(d, branchInput, i === drafts.length - 1 ? nextExit : null)));
      nextExit++;
    }
  }
  return ops;
}

/** The ops of each prediction, in run order: exit k's list is every op that runs before the decision at exit k. */
export function opsBeforeExit(ops: readonly DeployedOp[]): DeployedOp[][] {
  const result: DeployedOp[][] = [];
  ops.forEach((op, i) => {
    if (op.exit !== null) result[op.exit] = ops.slice(0, i + 1);
  });
  return result;
}

type OpDraft = Omit<DeployedOp, 'index' | 'input' | 'exit'>;

function lowerChain(layers: readonly Layer[], inputShape: Shape, shapes: readonly Shape[], branch: number | null): OpDraft[] {
  const drafts: OpDraft[] = [];
  let input = inputShape;
  let i = 0;
  while (i < layers.length) {
    const layer = layers[i];
    if (layer.kind === 'batchnorm') throw new Error(`layer ${i}: batchnorm without a host passed validation`);
    const op: OpDraft = {
      kind: layer.kind,
      branch,
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
      while (i < layers.length && layers[i].kind === 'batchnorm') {
        op.foldedBatchNorms.push(i);
        op.layers.push(i);
        i++;
      }
      const next = layers[i];
      if (op.activation === 'none' && next !== undefined && (next.kind === 'relu' || next.kind === 'relu6')) {
        op.activation = next.kind;
        op.layers.push(i);
        i++;
      }
    }
    op.outputShape = shapes[i - 1];
    drafts.push(op);
    input = op.outputShape;
  }
  return drafts;
}
