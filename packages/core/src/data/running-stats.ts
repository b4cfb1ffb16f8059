/**
 * Per-channel count, mean and sum of squared deviations (M2), mergeable without a second pass over the data
 * (Chan et al.'s parallel update): subjects are summarised once, folds merge the summaries of their training subjects.
 */
export interface ChannelMoments {
  count: number;
  mean: number[];
  m2: number[];
}

export function emptyMoments(channels: number): ChannelMoments {
  return { count: 0, mean: new Array<number>(channels).fill(0), m2: new Array<number>(channels).fill(0) };
}

/** Moments of one interleaved block, two passes in float64 for accuracy. */
export function momentsOf(data: Float32Array, channels: number): ChannelMoments {
  const count = data.length / channels;
  const moments = emptyMoments(channels);
  moments.count = count;
  if (count === 0) return moments;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c; i < data.length; i += channels) sum += data[i];
    const mean = sum / count;
    let m2 = 0;
    for (let i = c; i < data.length; i += channels) {
      const d = data[i] - mean;
      m2 += d * d;
    }
    moments.mean[c] = mean;
    moments.m2[c] = m2;
  }
  return moments;
}

export function mergeMoments(a: ChannelMoments, b: ChannelMoments): ChannelMoments {
  if (a.count === 0) return { count: b.count, mean: [...b.mean], m2: [...b.m2] };
  if (b.count === 0) return { count: a.count, mean: [...a.mean], m2: [...a.m2] };
  const count = a.count + b.count;
  const mean = a.mean.map((ma, c) => ma + (b.mean[c] - ma) * (b.count / count));
  const m2 = a.m2.map((m2a, c) => {
    const delta = b.mean[c] - a.mean[c];
    return m2a + b.m2[c] + delta * delta * ((a.count * b.count) / count);
  });
  return { count, mean, m2 };
}

/** Population standard deviation; a flat channel gets 1 so normalising never divides by zero. */
export function standardDeviation(moments: ChannelMoments): number[] {
  return moments.m2.map((m2) => {
    const std = moments.count > 0 ? Math.sqrt(m2 / moments.count) : 0;
    return std > 0 ? std : 1;
  });
}
