import type { Layer, Shape } from './ir';

/**
 * THE parameter layout of every layer: the order in which the training engine keeps a layer's parameters in its flat
 * Float64Array, the quantiser reads them and the C emitter writes them. All arrays are row-major, last index fastest.
 *
 * | layer        | tensors (in this order)                                                                  |
 * |--------------|------------------------------------------------------------------------------------------|
 * | conv1d       | weights [kernel][inC][filters], bias [filters]                                           |
 * | depthwise1d  | weights [kernel][C], bias [C]                                                             |
 * | pointwise1d  | weights [inC][filters], bias [filters]                                                    |
 * | dense        | weights [T·C][units] (input flattened row-major: row t·C + c), bias [units]               |
 * | batchnorm    | gamma [C] (scale), beta [C] (bias)                                                        |
 * | gru          | kernel [inC][3·units], recurrent [units][3·units], bias [2][3·units]                      |
 * | others       | none (pools, global average pool, relu, relu6)                                            |
 *
 * GRU follows Keras (`reset_after = true`): the 3·units columns are the gates z, r, h in that order, bias row 0 is the
 * input bias and row 1 the recurrent bias: z = σ(x·Wz + bz + h·Uz + b'z), r likewise,
 * ĥ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h)), h ← z ⊙ h + (1 − z) ⊙ ĥ.
 */
export interface ParamTensor {
  name: 'weights' | 'bias' | 'gamma' | 'beta' | 'kernel' | 'recurrent';
  shape: number[];
  /** Index of the first element in the layer's flat parameter array. */
  offset: number;
  /** weight: int8 in firmware; bias: int32 in firmware; scale: batch-norm gamma (folded into weights at export). */
  kind: 'weight' | 'bias' | 'scale';
}

export function paramLayout(layer: Layer, inputShape: Shape): ParamTensor[] {
  const [length, channels] = inputShape;
  const tensors: Omit<ParamTensor, 'offset'>[] = (() => {
    switch (layer.kind) {
      case 'conv1d':
        return [
          { name: 'weights', shape: [layer.kernel, channels, layer.filters], kind: 'weight' },
          { name: 'bias', shape: [layer.filters], kind: 'bias' },
        ];
      case 'depthwise1d':
        return [
          { name: 'weights', shape: [layer.kernel, channels], kind: 'weight' },
          { name: 'bias', shape: [channels], kind: 'bias' },
        ];
      case 'pointwise1d':
        return [
          { name: 'weights', shape: [channels, layer.filters], kind: 'weight' },
          { name: 'bias', shape: [layer.filters], kind: 'bias' },
        ];
      case 'dense':
        return [
          { name: 'weights', shape: [length * channels, layer.units], kind: 'weight' },
          { name: 'bias', shape: [layer.units], kind: 'bias' },
        ];
      case 'batchnorm':
        return [
          { name: 'gamma', shape: [channels], kind: 'scale' },
          { name: 'beta', shape: [channels], kind: 'bias' },
        ];
      case 'gru':
        return [
          { name: 'kernel', shape: [channels, 3 * layer.units], kind: 'weight' },
          { name: 'recurrent', shape: [layer.units, 3 * layer.units], kind: 'weight' },
          { name: 'bias', shape: [2, 3 * layer.units], kind: 'bias' },
        ];
      default:
        return [];
    }
  })();
  let offset = 0;
  return tensors.map((tensor) => {
    const placed = { ...tensor, offset };
    offset += elementCount(tensor.shape);
    return placed;
  });
}

/** Number of trainable parameters of a layer (the length of its flat parameter array). */
export function paramCount(layer: Layer, inputShape: Shape): number {
  return paramLayout(layer, inputShape).reduce((sum, tensor) => sum + elementCount(tensor.shape), 0);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, n) => product * n, 1);
}
