import type { Padding } from '../../model/ir';

/** How a sliding window (conv or pool) walks a time axis: output length and the zero padding on each side. */
export interface SlidingGeometry {
  outLength: number;
  padBefore: number;
  padAfter: number;
}

/**
 * TensorFlow's rule, so shapes and padded positions match Keras/tfjs/TFLite exactly: `same` gives ceil(T/stride)
 * outputs with the total padding split floor(total/2) before and the rest after; `valid` gives
 * floor((T − k)/stride) + 1 outputs and no padding.
 */
export function slidingGeometry(length: number, kernel: number, stride: number, padding: Padding): SlidingGeometry {
  if (!(kernel >= 1 && stride >= 1 && Number.isInteger(kernel) && Number.isInteger(stride))) {
    throw new Error(`kernel ${kernel} and stride ${stride} must be positive integers`);
  }
  if (padding === 'same') {
    const outLength = Math.ceil(length / stride);
    const total = Math.max((outLength - 1) * stride + kernel - length, 0);
    const padBefore = Math.floor(total / 2);
    return { outLength, padBefore, padAfter: total - padBefore };
  }
  const outLength = Math.floor((length - kernel) / stride) + 1;
  if (outLength < 1) throw new Error(`a window of ${kernel} does not fit ${length} time steps (valid padding)`);
  return { outLength, padBefore: 0, padAfter: 0 };
}
