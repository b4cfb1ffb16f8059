import type { Layer, ModelIR, Shape } from '../model/ir';
import { paramCount } from '../model/params';
import { exitShapes, inferShapes } from '../model/shapes';
import type { NetworkWeights } from '../train/network';

/**
 * Trained float parameters of a cascade, as plain JSON: `backbone[i]` is the flat parameter array of `ir.layers[i]`
 * and `exits[k][i]` that of `ir.exits[k].layers[i]`, each in its layer's params.ts layout (empty for layers without
 * parameters). The same shape as the cascade trainer's CascadeWeights (train/cascade), so its output is this input.
 */
export interface CascadeWeights {
  backbone: number[][];
  exits: number[][][];
}

/** What PTQ accepts: a plain model's NetworkWeights (one array per IR layer) or a cascade's weights. */
export type ModelWeights = NetworkWeights | CascadeWeights;

/** The weights as CascadeWeights (a plain model has no exits), checked against the IR's parameter counts. */
export function cascadeWeights(ir: ModelIR, weights: ModelWeights): CascadeWeights {
  const cascade = Array.isArray(weights) ? { backbone: weights, exits: [] } : weights;
  const exits = ir.exits ?? [];
  const backboneShapes = inferShapes(ir);
  const branchShapes = exitShapes(ir);
  checkChain('backbone', ir.layers, [ir.input.length, ir.input.channels], backboneShapes, cascade.backbone);
  if (cascade.exits.length !== exits.length) throw new RangeError(`weights for ${cascade.exits.length} exits, the model has ${exits.length}`);
  exits.forEach((exit, k) => checkChain(`exit ${k}`, exit.layers, backboneShapes[exit.after], branchShapes[k], cascade.exits[k]));
  return cascade;
}

function checkChain(what: string, layers: readonly Layer[], input: Shape, shapes: readonly Shape[], weights: readonly number[][]): void {
  if (weights.length !== layers.length) throw new RangeError(`${what}: weights for ${weights.length} layers, it has ${layers.length}`);
  layers.forEach((layer, i) => {
    const expected = paramCount(layer, i === 0 ? input : shapes[i - 1]);
    if (weights[i].length !== expected) throw new RangeError(`${what}, layer ${i} (${layer.kind}): ${weights[i].length} parameters, expected ${expected}`);
  });
}

/** The parameters of the layer an op computes (backbone or exit chain). */
export function layerWeights(weights: CascadeWeights, branch: number | null, layer: number): number[] {
  return branch === null ? weights.backbone[layer] : weights.exits[branch][layer];
}
