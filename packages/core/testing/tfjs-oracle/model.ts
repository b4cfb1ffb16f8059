import type * as tfjs from '@tensorflow/tfjs';
import type { Activation, Layer, ModelIR, Shape } from '../../src/model/ir';
import { paramLayout } from '../../src/model/params';
import { inferShapes, inputShapes } from '../../src/model/shapes';
import type { NetworkWeights } from '../../src/train/network';
import type { Tf } from './load';

/**
 * The IR as tfjs ops over tf.Variables in the IR's own parameter layout, so weights move between engines unchanged.
 * Ops rather than a tf.LayersModel because tfjs-layers cannot hold two IR layers: its GRU only implements
 * reset_after = false (it throws on `resetAfter: true`), and it has no per-channel affine without batch statistics;
 * a depthwise conv1d is the depthwise conv2d tfjs has, over [T, 1, C]. Each op is the one Keras layers call.
 */
export interface TfjsModel {
  /** Variables per IR layer, in the order of that layer's flat parameter layout. */
  readonly variables: readonly (readonly tfjs.Variable[])[];
  /** x [batch, T, C] → logits [batch, units]. */
  apply(x: tfjs.Tensor3D): tfjs.Tensor2D;
  exportWeights(): NetworkWeights;
  importWeights(weights: NetworkWeights): void;
  dispose(): void;
}

/** The tfjs tensor shapes a layer's flat parameters split into (model/params.ts order; depthwise as tfjs wants it). */
function tfjsParameterShapes(layer: Layer, input: Shape): number[][] {
  return paramLayout(layer, input).map((tensor) => {
    if (tensor.name !== 'weights') return tensor.shape;
    if (layer.kind === 'depthwise1d') return [tensor.shape[0], 1, tensor.shape[1], 1];
    if (layer.kind === 'pointwise1d') return [1, ...tensor.shape];
    return tensor.shape;
  });
}

export function buildTfjsModel(tf: Tf, ir: ModelIR, weights: NetworkWeights): TfjsModel {
  const shapes = inputShapes(ir);
  const outputUnits = inferShapes(ir)[ir.layers.length - 1][1];
  const variables = ir.layers.map((layer, i) => {
    const parts = tfjsParameterShapes(layer, shapes[i]);
    let offset = 0;
    return parts.map((partShape) => {
      const size = partShape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from(weights[i].slice(offset, offset + size));
      offset += size;
      return tf.variable(tf.tensor(values, partShape), true);
    });
  });

  const activate = (x: tfjs.Tensor3D, activation: Activation): tfjs.Tensor3D => (activation === 'relu' ? tf.relu(x) : activation === 'relu6' ? tf.relu6(x) : x);

  const applyLayer = (layer: Layer, vars: readonly tfjs.Variable[], x: tfjs.Tensor3D, input: Shape): tfjs.Tensor3D => {
    const batch = x.shape[0];
    const [length, channels] = input;
    switch (layer.kind) {
      case 'conv1d':
        return activate(tf.add(tf.conv1d(x, vars[0] as tfjs.Tensor3D, layer.stride, layer.padding), vars[1]), layer.activation);
      case 'pointwise1d':
        return activate(tf.add(tf.conv1d(x, vars[0] as tfjs.Tensor3D, 1, 'valid'), vars[1]), layer.activation);
      case 'depthwise1d': {
        const x4 = tf.reshape<tfjs.Rank.R4>(x, [batch, length, 1, channels]);
        const y = tf.depthwiseConv2d(x4, vars[0] as tfjs.Tensor4D, [layer.stride, 1], layer.padding);
        return activate(tf.add<tfjs.Tensor3D>(tf.reshape(y, [batch, y.shape[1], channels]), vars[1]), layer.activation);
      }
      case 'maxpool1d':
      case 'avgpool1d': {
        const x4 = tf.reshape<tfjs.Rank.R4>(x, [batch, length, 1, channels]);
        const pool = layer.kind === 'maxpool1d' ? tf.maxPool : tf.avgPool;
        const y = pool(x4, [layer.pool, 1], [layer.stride, 1], 'valid');
        return tf.reshape(y, [batch, y.shape[1], channels]);
      }
      case 'globalavgpool':
        return tf.mean(x, 1, true);
      case 'dense': {
        const flat = tf.reshape<tfjs.Rank.R2>(x, [batch, length * channels]);
        const y = tf.add(tf.matMul(flat, vars[0] as tfjs.Tensor2D), vars[1]);
        return activate(tf.reshape(y, [batch, 1, layer.units]), layer.activation);
      }
      case 'batchnorm':
        return tf.add(tf.mul(x, vars[0]), vars[1]);
      case 'relu':
        return tf.relu(x);
      case 'relu6':
        return tf.relu6(x);
      case 'gru':
        return gruResetAfter(tf, x, vars, layer.units, layer.returnSequences);
    }
  };

  return {
    variables,
    apply(x) {
      let y = x;
      ir.layers.forEach((layer, i) => {
        y = applyLayer(layer, variables[i], y, shapes[i]);
      });
      return tf.reshape(y, [x.shape[0], outputUnits]);
    },
    exportWeights() {
      return variables.map((vars) => vars.flatMap((v) => Array.from(v.dataSync())));
    },
    importWeights(next) {
      variables.forEach((vars, i) => {
        let offset = 0;
        for (const v of vars) {
          v.assign(tf.tensor(Float32Array.from(next[i].slice(offset, offset + v.size)), v.shape));
          offset += v.size;
        }
      });
    },
    dispose() {
      for (const vars of variables) for (const v of vars) v.dispose();
    },
  };
}

/** Keras GRU with reset_after = true, gates z | r | h, over x [batch, T, C]; kernel, recurrent, bias [2][3u]. */
function gruResetAfter(tf: Tf, x: tfjs.Tensor3D, vars: readonly tfjs.Variable[], units: number, returnSequences: boolean): tfjs.Tensor3D {
  const [batch, steps, channels] = x.shape;
  const [kernel, recurrent, bias] = vars as readonly tfjs.Tensor2D[];
  const [biasIn, biasRec] = tf.split(bias, 2, 0);
  let h: tfjs.Tensor2D = tf.zeros([batch, units]);
  const outputs: tfjs.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const xt = tf.reshape<tfjs.Rank.R2>(tf.slice(x, [0, t, 0], [batch, 1, channels]), [batch, channels]);
    const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, kernel), biasIn), 3, 1);
    const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, recurrent), biasRec), 3, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const candidate = tf.tanh(tf.add(xh, tf.mul(r, hh)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
    outputs.push(h);
  }
  return returnSequences ? (tf.stack(outputs, 1) as tfjs.Tensor3D) : tf.reshape(h, [batch, 1, units]);
}
