/**
 * Integer-factor downsampling of interleaved multichannel signals (e.g. SisFall 200 Hz -> 100 Hz).
 *
 * The anti-alias filter is a windowed-sinc FIR, designed so that what would alias is gone and the band that
 * carries human motion is untouched:
 * - Hamming window, 16·factor + 1 taps (33 at factor 2, +-80 ms at 200 Hz). Hamming's side lobes sit at about
 *   -53 dB, enough for 40 dB of alias rejection, with a narrower transition than Blackman at the same length;
 *   at 8·factor + 1 taps the transition band would eat the passband (only ~20 % of the new Nyquist within 1 %).
 * - Cutoff (-6 dB point) at 0.75 × the new Nyquist, so that the whole transition band ends before it: measured
 *   response is <= -52 dB at and above the new Nyquist (nothing aliases by more than 0.25 %), and within 1 % up to
 *   0.56 × the new Nyquist (28 Hz at a 100 Hz output; body motion and fall impacts are mostly below 20 Hz).
 *   The classic `cutoff = new Nyquist` (scipy's decimate) leaves -6 dB of aliasing at the band edge.
 * - Taps are normalised to sum to 1, so DC passes unchanged.
 * The kernel is centred (zero phase): output sample j is the filtered input at j·factor, so an event at input
 * sample i lands at output `mapIndex(i, factor)`. Edges reflect the signal about the first/last sample, which keeps
 * a constant or slowly varying signal free of edge transients. Sums run in float64.
 */

/** Taps per unit of decimation factor (the kernel spans 16 output samples). */
const TAPS_PER_FACTOR = 16;
/** Cutoff as a fraction of the output Nyquist frequency; see the header for the numbers behind 0.75. */
const CUTOFF_OF_OUTPUT_NYQUIST = 0.75;

/**
 * Downsamples `data` (interleaved, `data[t * channels + c]`) by the integer `factor`. Returns
 * `ceil(n / factor)` samples per channel, output sample j aligned with input sample j·factor.
 * `factor` 1 returns a copy.
 */
export function decimate(data: Float32Array, channels: number, factor: number): Float32Array {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`decimate: factor must be a positive integer, got ${factor}`);
  }
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`decimate: channels must be a positive integer, got ${channels}`);
  }
  if (data.length % channels !== 0) {
    throw new RangeError(`decimate: data length ${data.length} is not a multiple of ${channels} channels`);
  }
  if (factor === 1) return data.slice();

  const length = data.length / channels;
  const outLength = Math.ceil(length / factor);
  const out = new Float32Array(outLength * channels);
  if (length === 0) return out;

  const kernel = lowPassKernel(factor);
  const half = (kernel.length - 1) / 2;
  // One channel at a time in float64 with the reflected edges written out, so the inner loop has no bounds logic.
  const padded = new Float64Array(length + 2 * half);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < padded.length; i++) {
      padded[i] = data[reflectIndex(i - half, length) * channels + c];
    }
    for (let j = 0; j < outLength; j++) {
      // The kernel is symmetric: pair taps k and 2·half − k to halve the multiplications.
      const start = j * factor;
      let sum = kernel[half] * padded[start + half];
      for (let k = 0; k < half; k++) {
        sum += kernel[k] * (padded[start + k] + padded[start + 2 * half - k]);
      }
      out[j * channels + c] = sum;
    }
  }
  return out;
}

/** Output sample nearest to input sample `at` after `decimate(.., factor)`, clipped to the output when
 * `inputLength` is given (and to 0 below). */
export function mapIndex(at: number, factor: number, inputLength?: number): number {
  if (!Number.isInteger(factor) || factor < 1) {
    throw new RangeError(`mapIndex: factor must be a positive integer, got ${factor}`);
  }
  const mapped = Math.max(0, Math.round(at / factor));
  if (inputLength === undefined) return mapped;
  return Math.min(mapped, Math.max(0, Math.ceil(inputLength / factor) - 1));
}

const kernels = new Map<number, Float64Array>();

/** The anti-alias kernel for `factor` (cached; deterministic, built in float64). */
export function lowPassKernel(factor: number): Float64Array {
  const cached = kernels.get(factor);
  if (cached !== undefined) return cached;
  const taps = TAPS_PER_FACTOR * factor + 1;
  const half = (taps - 1) / 2;
  const cutoff = (CUTOFF_OF_OUTPUT_NYQUIST * 0.5) / factor; // cycles per input sample
  const kernel = new Float64Array(taps);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const k = n - half;
    const sinc = k === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * k) / (Math.PI * k);
    const hamming = 0.54 + 0.46 * Math.cos((Math.PI * k) / half); // written in k so it is exactly symmetric
    kernel[n] = sinc * hamming;
    sum += kernel[n];
  }
  for (let n = 0; n < taps; n++) kernel[n] /= sum;
  kernels.set(factor, kernel);
  return kernel;
}

/** Maps any index onto [0, length) by mirroring about the end samples (…2 1 | 0 1 2 … n−1 | n−2 …), repeating
 * the mirror for signals shorter than the kernel. */
function reflectIndex(i: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let r = i % period;
  if (r < 0) r += period;
  return r < length ? r : period - r;
}
