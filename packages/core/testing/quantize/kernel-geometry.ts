import type { Padding } from '../../src/model/ir';
import { convolvedLength, samePadding } from '../../src/model/shapes';
import type { WindowGeometry } from '../../src/quantize/kernels/conv1d';

/** The numbers a window kernel (conv1d, depthwise1d) runs on, from the IR's padding rule (model/shapes.ts). */
export function windowGeometry(inLength: number, channels: number, kernel: number, stride: number, padding: Padding): WindowGeometry {
  return {
    inLength,
    channels,
    kernel,
    stride,
    padBefore: padding === 'same' ? samePadding(inLength, kernel, stride).left : 0,
    outLength: convolvedLength(inLength, kernel, stride, padding),
  };
}
