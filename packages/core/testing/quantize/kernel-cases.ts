/**
 * Shared by the kernel tests: random int8 data, float references from the training engine's own kernels (the
 * arithmetic the model was trained with), and the error of an int8 result in output steps.
 */
import { Random } from '../../src/common/random';
import type { Layer, Shape } from '../../src/model/ir';
import { elementCount, paramLayout } from '../../src/model/params';
import type { LinearLayer } from '../../src/model/shapes';
import { createKernel } from '../../src/train/create-kernel';
import { QuantizedLinear, linearTaps, quantizeLinear } from '../../src/quantize/linear-quant';
import { TensorQuant, chooseActivationQuant, dequantizeValue } from '../../src/quantize/tensor-quant';

export function randomInt8(random: Random, n: number, low = -128, high = 127): Int8Array {
  return Int8Array.from({ length: n }, () => low + random.int(high - low + 1));
}

export function randomFloats(random: Random, n: number, magnitude: number): number[] {
  return Array.from({ length: n }, () => (2 * random.next() - 1) * magnitude);
}

/** A random activation quantisation: scale in [2^−8, 2^−2], zero point anywhere in int8. */
export function randomQuant(random: Random): TensorQuant {
  return { scale: 2 ** (-8 + 6 * random.next()), zeroPoint: random.int(256) - 128 };
}

export function dequantize(values: ArrayLike<number>, quant: TensorQuant): Float64Array {
  return Float64Array.from({ length: values.length }, (_, i) => dequantizeValue(values[i], quant));
}

/** The training engine's float forward of one layer. */
export function floatForward(layer: Layer, inputShape: Shape, params: ArrayLike<number>, input: Float64Array): Float64Array {
  const kernel = createKernel(layer, inputShape);
  const output = new Float64Array(kernel.outputShape[0] * kernel.outputShape[1]);
  kernel.forward(Float64Array.from(params), input, output, false);
  return output;
}

export function valueRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  return { min, max };
}

/**
 * max |s·(q − z) − clamp(y)| / s over the outputs, the float reference clamped to what [actMin, actMax] can hold: the
 * error of an int8 result in steps of its own scale.
 */
export function errorInSteps(output: ArrayLike<number>, quant: TensorQuant, reference: ArrayLike<number>, actMin = -128, actMax = 127): number {
  const low = dequantizeValue(actMin, quant);
  const high = dequantizeValue(actMax, quant);
  let worst = 0;
  for (let i = 0; i < output.length; i++) {
    const expected = Math.min(high, Math.max(low, reference[i]));
    worst = Math.max(worst, Math.abs(dequantizeValue(output[i], quant) - expected) / quant.scale);
  }
  return worst;
}

/**
 * One random linear-layer case: float weights and biases, a random int8 input and quantisation, the output
 * quantised from the float output's range (narrowed at random so saturation happens too). Runs `run` on the
 * quantised op and returns its error in output steps against the float layer computed with the dequantised weights
 * and biases (so only the kernel's own rounding counts).
 */
export function linearCaseError(
  random: Random,
  layer: LinearLayer,
  inputShape: Shape,
  run: (input: Int8Array, op: QuantizedLinear, output: Int8Array) => void,
): number {
  const layout = paramLayout(layer, inputShape);
  const weightCount = elementCount(layout[0].shape);
  const channels = elementCount(layout[1].shape);
  const weights = randomFloats(random, weightCount, 0.5);
  const bias = randomFloats(random, channels, 0.5);
  const inputQuant = randomQuant(random);
  const input = randomInt8(random, inputShape[0] * inputShape[1]);
  const x = dequantize(input, inputQuant);
  const range = valueRange(floatForward(layer, inputShape, [...weights, ...bias], x));
  const narrow = random.int(4) === 0 ? 0.5 : 1;
  const outputQuant = chooseActivationQuant(range.min * narrow, range.max * narrow);
  const op = quantizeLinear(weights, bias, inputQuant, outputQuant, layer.activation, linearTaps(layer, inputShape));
  const dequantizedWeights = op.weights.map((w, i) => w * op.weightScales[i % channels]);
  const dequantizedBias = op.bias.map((b, c) => b * inputQuant.scale * op.weightScales[c]);
  const reference = floatForward(layer, inputShape, [...dequantizedWeights, ...dequantizedBias], x);
  const output = new Int8Array(reference.length);
  run(input, op, output);
  return errorInSteps(output, outputQuant, reference, op.requant.actMin, op.requant.actMax);
}
