/**
 * Raw sensor input on the device: the integer function that turns one int16 sample per channel — the sensor's own
 * counts where the dataset defines the ADC conversion (SisFall), else the physical unit in a power-of-two fixed
 * point — into the model's int8 input. The per-channel z-scoring of training (mean/std of the training subjects)
 * and the input quantisation (scale, zero point) are folded into ONE per-channel affine map in integers:
 *
 *   x_q = clamp(zero_point + MBQM(count · 2^8 − offset_c, multiplier_c, shift_c), −128, 127)
 *
 * with offset_c = round(mean_c / perCount_c · 2^8) (the mean in 1/256 counts) and multiplier_c · 2^(shift_c − 31)
 * = perCount_c / (std_c · inputScale · 2^8); MBQM is the project's one requantisation (requantize.ts), so the C
 * runtime (firmware/runtime/input.c) computes the same bytes. |count · 2^8| < 2^23 and |offset_c| < 2^23, so the
 * int32 difference never overflows.
 */
import { UserError } from '../common/errors';
import type { Random } from '../common/random';
import type { QuantizedModel } from './quantized-model';
import { quantizeMultiplier, requantizeToInt8 } from './requantize';

/** Fraction bits of the channel mean in counts: the offset is the mean in 1/256 counts. */
export const RAW_OFFSET_FRACTION_BITS = 8;
const RAW_MIN = -32768;
const RAW_MAX = 32767;

export interface RawInputChannel {
  name: string;
  unit: string;
  /** The physical value of one raw count, in `unit`. */
  perCount: number;
  /**
   * `sensor`: the dataset's ADC conversion; `fixed-point`: a power of two chosen from the training statistics;
   * `rr`: a beat's RR-interval feature, the integer tinyml_rr_features computes (data/rr-features.ts).
   */
  countSource: 'sensor' | 'fixed-point' | 'rr';
  /** The z-scoring of training, in `unit`. */
  mean: number;
  std: number;
  /** The integer map (see the file comment). */
  offset: number;
  multiplier: number;
  shift: number;
}

/** What the device is fed and how it turns it into the model's input; written by quantize as raw-input.json. */
export interface RawInputSpec {
  format: 'nx-tinyml/raw-input@1';
  sampleRateHz: number;
  /** Samples per window and between window starts (null for event-centred windows). */
  windowLength: number;
  hop: number | null;
  /** In the order the device interleaves them: raw[t * channels + c]. */
  channels: RawInputChannel[];
  inputScale: number;
  inputZeroPoint: number;
}

export interface RawInputSource {
  sampleRateHz: number;
  windowLength: number;
  hop: number | null;
  channels: { name: string; unit: string; perCount?: number; derived?: 'rr' }[];
  normalization: { mean: readonly number[]; std: readonly number[] };
}

/** The raw input map of a quantised model, from the window's channels (with any sensor conversion) and normalisation. */
export function rawInputSpec(model: QuantizedModel, source: RawInputSource): RawInputSpec {
  const input = model.tensors[0];
  if (source.channels.length !== input.shape[1]) {
    throw new UserError(`raw input: the window has ${source.channels.length} channels, the model reads ${input.shape[1]}`);
  }
  const channels = source.channels.map((channel, c): RawInputChannel => {
    const mean = source.normalization.mean[c];
    // A constant channel was left unscaled in training (WindowSampler divides by 1).
    const std = source.normalization.std[c] > 0 ? source.normalization.std[c] : 1;
    const perCount = channel.perCount ?? fixedPointResolution(mean, std);
    const offset = Math.round((mean / perCount) * 2 ** RAW_OFFSET_FRACTION_BITS);
    if (Math.abs(offset) >= 2 ** 23) throw new UserError(`raw input: channel ${channel.name}: mean ${mean} ${channel.unit} lies outside the int16 count range`);
    const { multiplier, shift } = quantizeMultiplier(perCount / (std * input.scale * 2 ** RAW_OFFSET_FRACTION_BITS));
    return {
      name: channel.name,
      unit: channel.unit,
      perCount,
      countSource: channel.derived === 'rr' ? 'rr' : channel.perCount === undefined ? 'fixed-point' : 'sensor',
      mean,
      std,
      offset,
      multiplier,
      shift,
    };
  });
  return {
    format: 'nx-tinyml/raw-input@1',
    sampleRateHz: source.sampleRateHz,
    windowLength: source.windowLength,
    hop: source.hop,
    channels,
    inputScale: input.scale,
    inputZeroPoint: input.zeroPoint,
  };
}

/**
 * Without a sensor conversion: the smallest power of two of the unit whose int16 range holds mean ± 16 std, so
 * readings far outside the training distribution still saturate in the input quantiser, not in the counts.
 */
export function fixedPointResolution(mean: number, std: number): number {
  const bound = Math.abs(mean) + 16 * std;
  return 2 ** Math.ceil(Math.log2(bound / RAW_MAX));
}

/** Physical values ([t][c], in each channel's unit) as the int16 counts a sensor would report: rounded, saturated. */
export function physicalToRaw(spec: RawInputSpec, values: ArrayLike<number>): Int16Array {
  const C = spec.channels.length;
  return Int16Array.from({ length: values.length }, (_, i) => {
    const count = Math.round(values[i] / spec.channels[i % C].perCount);
    return count < RAW_MIN ? RAW_MIN : count > RAW_MAX ? RAW_MAX : count;
  });
}

/** THE raw-to-input map ([t][c] int16 counts → the model's int8 input); firmware/runtime/input.c is its C twin. */
export function rawToInput(spec: RawInputSpec, raw: ArrayLike<number>): Int8Array {
  const C = spec.channels.length;
  const out = new Int8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const channel = spec.channels[i % C];
    const x = raw[i] * 2 ** RAW_OFFSET_FRACTION_BITS - channel.offset;
    out[i] = requantizeToInt8(x, channel.multiplier, channel.shift, spec.inputZeroPoint, -128, 127);
  }
  return out;
}

/** Per channel, the int8 input a raw reading of 0 gives (what a sensor that lost its signal feeds the model). */
export function rawZeroInput(spec: RawInputSpec): number[] {
  return Array.from(rawToInput(spec, new Int16Array(spec.channels.length)));
}

/** How a raw window is damaged, in the sensor's own counts (issue 11's robustness cases as the device would see them). */
export type RawDamage = { kind: 'noise'; sigma: number } | { kind: 'missing'; fraction: number };

/**
 * `raw` ([t][c] counts) damaged: Gaussian noise of σ z-units (σ·std_c in counts) on every value, saturated to int16;
 * or raw readings of 0 on every channel over ⌈fraction·T⌉ consecutive samples at an offset drawn from `random`.
 */
export function damageRaw(spec: RawInputSpec, raw: ArrayLike<number>, damage: RawDamage, random: Random): Int16Array {
  const C = spec.channels.length;
  const out = Int16Array.from(raw);
  if (damage.kind === 'noise') {
    for (let i = 0; i < out.length; i++) {
      const channel = spec.channels[i % C];
      const count = Math.round(out[i] + (damage.sigma * channel.std * random.gaussian()) / channel.perCount);
      out[i] = count < RAW_MIN ? RAW_MIN : count > RAW_MAX ? RAW_MAX : count;
    }
    return out;
  }
  const T = out.length / C;
  const run = Math.min(T, Math.ceil(damage.fraction * T));
  const start = random.int(T - run + 1);
  out.fill(0, start * C, (start + run) * C);
  return out;
}
