import { describe, expect, it } from 'vitest';
import { createKernel } from '../create-kernel';
import { Random } from '../../common/random';

describe('depthwise1d initialisation', () => {
  it("draws Glorot-uniform weights from the filter's own fans (kernel in, kernel out), whatever the channel count", () => {
    for (const channels of [4, 64]) {
      const kernel = createKernel({ kind: 'depthwise1d', kernel: 3, stride: 1, padding: 'same', activation: 'relu' }, [16, channels]);
      const params = new Float64Array(kernel.paramCount);
      const random = Random.derive(7, 0);
      kernel.init(params, () => random.next());
      const weights = params.subarray(0, 3 * channels);
      const limit = Math.sqrt(6 / (3 + 3));
      expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(limit);
      // Uniform on [−1, 1]: the mean square is 1/3 of the limit's square, for 4 channels as for 64.
      const meanSquare = weights.reduce((s, w) => s + w * w, 0) / weights.length;
      expect(meanSquare).toBeGreaterThan((limit * limit) / 3 / 2);
      expect(Array.from(params.subarray(3 * channels))).toEqual(new Array(channels).fill(0));
    }
  });
});
