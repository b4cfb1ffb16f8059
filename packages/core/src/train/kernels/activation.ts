import type { ActivationLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';
import { Arena, Slot } from '../wasm/arena';
import { activateWasm, activationGradientWasm } from './activation-wasm';

/** A standalone ReLU / ReLU6 layer: no parameters, shape unchanged; the same wasm loops as the fused activations. */
export function createActivationKernel(layer: ActivationLayer, inputShape: Shape, arena: Arena): LayerKernel {
  const size = inputShape[0] * inputShape[1];
  const slots = { input: new Slot(arena, size), output: new Slot(arena, size), outputGrad: new Slot(arena, size), inputGrad: new Slot(arena, size) };
  return {
    layer,
    inputShape,
    outputShape: inputShape,
    paramCount: 0,
    init: () => undefined,
    forward(_params, input, output) {
      activateWasm(arena.wasm, layer.kind, slots.input.place(input, true), slots.output.place(output, false), size);
      slots.output.settle(output);
    },
    backward(_params, input, outputGrad, _grads, inputGrad) {
      if (!inputGrad) return;
      activationGradientWasm(
        arena.wasm,
        layer.kind,
        slots.input.place(input, true),
        slots.outputGrad.place(outputGrad, true),
        slots.inputGrad.place(inputGrad, false),
        size,
      );
      slots.inputGrad.settle(inputGrad);
    },
  };
}
