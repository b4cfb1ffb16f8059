import type { Pool1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { slidingGeometry } from './geometry';

/**
 * Max pooling (valid). The gradient goes to the argmax of each window, the first one on ties. The max starts from
 * the window's first value, not from 0, so windows whose inputs are all negative get their gradient too (tfjs-wasm
 * gets those wrong).
 */
export function createMaxPool1dKernel(layer: Pool1dLayer, inputShape: Shape): LayerKernel {
  const [length, channels] = inputShape;
  const { outLength } = slidingGeometry(length, layer.pool, layer.stride, 'valid');
  const argmax = new Int32Array(outLength * channels);
  const step = layer.stride * channels;
  const pool = layer.pool;
  return {
    layer,
    inputShape,
    outputShape: [outLength, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      for (let t = 0; t < outLength; t++) {
        const x0 = t * step;
        const o = t * channels;
        for (let c = 0; c < channels; c++) {
          // Branch-free argmax (the comparison is a coin flip on real data): move `at` by a 0/1 mask; strict >
          // keeps the first of equal values.
          let at = x0 + c;
          for (let k = 1, i = at + channels; k < pool; k++, i += channels) at += (i - at) * +(input[i] > input[at]);
          const best = input[at];
          output[o + c] = best;
          argmax[o + c] = at;
        }
      }
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      inputGrad.fill(0);
      const n = outLength * channels;
      for (let i = 0; i < n; i++) inputGrad[argmax[i]] += outputGrad[i];
    },
  };
}
