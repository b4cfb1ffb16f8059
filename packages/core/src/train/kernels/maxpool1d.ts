import type { Pool1dLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, unparameterisedSlots } from '../wasm/arena';
import { slidingGeometry } from './geometry';

/**
 * Max pooling (valid). The gradient goes to the argmax of each window, the first one on ties. The max starts from
 * the window's first value, not from 0, so windows whose inputs are all negative get their gradient too (tfjs-wasm
 * gets those wrong). The loops are wasm (tools/wasm/pool-wat.ts), branch-free (the comparison is a coin flip on
 * real data); forward keeps each window's argmax offset for backward.
 */
export function createMaxPool1dKernel(layer: Pool1dLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const [length, channels] = inputShape;
  const { outLength } = slidingGeometry(length, layer.pool, layer.stride, 'valid');
  const inValues = length * channels;
  const outValues = outLength * channels;
  // The argmax tap per output, as integer lanes of the element width (the wasm compares them with each tap index).
  const argmax = arena.reserve(outValues);
  const B = arena.bytes;
  const slots = unparameterisedSlots(arena, inValues, outValues);
  const row = channels * B;
  const step = layer.stride * row;
  return {
    layer,
    inputShape,
    outputShape: [outLength, channels],
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      const out = slots.output.place(output, false);
      arena.wasm.maxPoolForward(slots.input.place(input, true), out, argmax.offset * B, outLength, row, layer.pool, step);
      slots.output.settle(output);
    },
    backward(_params, _input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      const dx = slots.inputGrad.place(inputGrad, false);
      arena.zero(dx, inValues);
      arena.wasm.maxPoolBackward(slots.outputGrad.place(outputGrad, true), argmax.offset * B, dx, outLength, row, layer.pool, step);
      slots.inputGrad.settle(inputGrad);
    },
  };
}
