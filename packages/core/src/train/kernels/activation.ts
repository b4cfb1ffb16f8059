import type { Activation, ActivationLayer, Shape } from '../../model/ir';
import type { LayerKernel } from '../kernel';

/**
 * Applies `activation` elementwise: out[i] = act(pre[i]) for i < n. `pre` and `out` may be the same array.
 * Branch-free on purpose: the sign of a pre-activation is a coin flip, and mispredicted branches cost more than the
 * arithmetic. (v + |v|)/2 is exactly max(v, 0); the ReLU6 clamp selects 6 by multiplying with a 0/1 mask.
 */
export function activate(activation: Activation, pre: Float64Array, out: Float64Array, n: number): void {
  if (activation === 'relu') {
    for (let i = 0; i < n; i++) {
      const v = pre[i];
      out[i] = (v + Math.abs(v)) * 0.5;
    }
  } else if (activation === 'relu6') {
    for (let i = 0; i < n; i++) {
      const v = pre[i];
      const r = (v + Math.abs(v)) * 0.5;
      const clip = +(r > 6);
      out[i] = r * (1 - clip) + 6 * clip;
    }
  } else if (out !== pre) {
    out.set(pre.subarray(0, n));
  }
}

/**
 * grad[i] = outGrad[i] · act′(pre[i]), branch-free (a 0/1 mask). The derivative at the kinks follows tfjs (the test
 * oracle): ReLU passes for pre > 0, ReLU6 for 0 < pre ≤ 6 (TensorFlow's C++ kernel uses pre < 6; the two differ
 * only when pre is exactly 6).
 */
export function activationGradient(activation: Activation, pre: Float64Array, outGrad: Float64Array, grad: Float64Array, n: number): void {
  if (activation === 'relu') {
    for (let i = 0; i < n; i++) grad[i] = outGrad[i] * +(pre[i] > 0);
  } else if (activation === 'relu6') {
    for (let i = 0; i < n; i++) {
      const v = pre[i];
      grad[i] = outGrad[i] * (+(v > 0) & +(v <= 6));
    }
  } else if (grad !== outGrad) {
    grad.set(outGrad.subarray(0, n));
  }
}

/** A standalone ReLU / ReLU6 layer: no parameters, shape unchanged. */
export function createActivationKernel(layer: ActivationLayer, inputShape: Shape): LayerKernel {
  const size = inputShape[0] * inputShape[1];
  const activation: Activation = layer.kind;
  return {
    layer,
    inputShape,
    outputShape: inputShape,
    paramCount: 0,
    init: () => undefined,
    forward: (_params, input, output) => activate(activation, input, output, size),
    backward: (_params, input, outputGrad, _grads, inputGrad) => {
      if (inputGrad) activationGradient(activation, input, outputGrad, inputGrad, size);
    },
  };
}
