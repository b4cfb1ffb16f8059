import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../common/errors';
import { RR_INTERVALS, rrPhysical } from './rr-features';
import { MANIFEST_FILE, readWindowManifest, type SectionDtype, type SectionInfo, type WindowManifest } from './window-manifest';

/**
 * The window store: one binary payload of little-endian typed sections plus a JSON manifest describing them.
 * Signals are stored once, as continuous resampled recordings; a window is (start, label, subject, recording), so
 * 90 % overlap costs 9 bytes per window instead of ten copies of the samples.
 */
export const PAYLOAD_FILE = 'windows.bin';

export type { SectionDtype, SectionInfo, WindowSections } from './window-manifest';

const BYTES: Record<SectionDtype, number> = { float32: 4, uint32: 4, uint16: 2, uint8: 1 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('nx-tinyml window stores are little-endian; this platform is big-endian');
}

/** Appends sections to the payload file while hashing it, so the sha256 costs no second read. */
export class PayloadWriter {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  get offset(): number {
    return this.bytes;
  }

  write(view: ArrayBufferView): void {
    const chunk = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd, chunk, written);
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  align(to = 8): void {
    const pad = (to - (this.bytes % to)) % to;
    if (pad > 0) this.write(new Uint8Array(pad));
  }

  section(dtype: SectionDtype, view: ArrayBufferView, shape: number[]): SectionInfo {
    this.align();
    const offset = this.bytes;
    this.write(view);
    return { dtype, offset, shape };
  }

  close(): { bytes: number; sha256: string } {
    closeSync(this.fd);
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

export interface LoadedWindowStore<M = WindowManifest> {
  manifest: M;
  signals: Float32Array;
  windowStart: Uint32Array;
  windowLabel: Uint8Array;
  windowSubject: Uint16Array;
  windowRecording: Uint32Array;
  /** `window.rrFeatures`: per window, its RR intervals ([windows, 9]); null otherwise. */
  windowRr: Uint16Array | null;
  /** Channels per sample of `signals`; the manifest's channels after them are derived per window. */
  signalChannels: number;
  /** [windows, derived channels]: each window's derived channel values in their units (RR features), constant over t. */
  derived: Float64Array;
}

/**
 * Window w's values ([t][c], every channel of the manifest), z-scored: (value − mean[c]) · invStd[c]. The
 * signal channels come from `signals`, the derived ones (RR features) repeat the window's value at every t. Every
 * reader of windows goes through here, so training, evaluation and the golden vectors see the same channels.
 */
export function fillWindow(store: LoadedWindowStore, w: number, mean: ArrayLike<number>, invStd: ArrayLike<number>, out: Float32Array | Float64Array): void {
  const S = store.signalChannels;
  const D = store.manifest.window.channels.length - S;
  zScoreWindow(store.signals, store.windowStart[w], S, store.derived, w * D, D, store.manifest.window.length, mean, invStd, out);
}

/**
 * The model's input layout, [T, signals + derived]: `T` samples of the `S` signal channels from `start` (a sample
 * index into `signals`), each followed by the window's `D` derived values (from `derived[at]`, constant over the
 * window), all z-scored. The window store and recordings read from a folder (evaluate-data) both fill through it.
 */
export function zScoreWindow(
  signals: ArrayLike<number>,
  start: number,
  S: number,
  derived: ArrayLike<number>,
  at: number,
  D: number,
  T: number,
  mean: ArrayLike<number>,
  invStd: ArrayLike<number>,
  out: Float32Array | Float64Array,
): void {
  let from = start * S;
  for (let t = 0, o = 0; t < T; t++, from += S) {
    for (let c = 0; c < S; c++, o++) out[o] = (signals[from + c] - mean[c]) * invStd[c];
    // Derived values are z-scored once, in the first sample, and copied from there.
    if (t === 0) for (let d = 0; d < D; d++, o++) out[o] = (derived[at + d] - mean[S + d]) * invStd[S + d];
    else for (let d = 0; d < D; d++, o++) out[o] = out[S + d];
  }
}

/**
 * Reads a store written by the window stage, checking the payload against the manifest's size and sha256. `M` lets a
 * test read a store whose manifest carries more than the window stage writes.
 */
export async function readWindowStore<M extends WindowManifest = WindowManifest>(dir: string): Promise<LoadedWindowStore<M>> {
  const manifest = (await readWindowManifest(dir)) as M;
  const payloadFile = path.join(dir, PAYLOAD_FILE);
  const payload = await fs.readFile(payloadFile);
  const sha256 = createHash('sha256').update(payload).digest('hex');
  if (payload.length !== manifest.payload.bytes || sha256 !== manifest.payload.sha256) {
    throw new UserError(`${payloadFile}: does not match ${MANIFEST_FILE} (size or sha256 differ); rerun the window stage`);
  }
  // Copy into an 8-aligned buffer: Buffer slices of a pooled allocation may start at any byte.
  const bytes = new Uint8Array(payload.length);
  bytes.set(payload);
  const view = <T>(info: SectionInfo, Make: new (b: ArrayBuffer, o: number, n: number) => T): T =>
    new Make(
      bytes.buffer,
      info.offset,
      info.shape.reduce((a, b) => a * b, 1),
    );
  const s = manifest.payload.sections;
  const windowRr = s.windowRr ? view(s.windowRr, Uint16Array) : null;
  const windows = s.windowStart.shape[0];
  // The manifest's channels past the signals' are derived per window (fillWindow reads them the same way).
  const derivedCount = manifest.window.channels.length - s.signals.shape[1];
  const derived = new Float64Array(windows * derivedCount);
  if (windowRr && derivedCount > 0) {
    for (let w = 0; w < windows; w++)
      derived.set(rrPhysical(windowRr.subarray(w * RR_INTERVALS, (w + 1) * RR_INTERVALS), manifest.window.sampleRateHz), w * derivedCount);
  }
  return {
    manifest,
    signals: view(s.signals, Float32Array),
    windowStart: view(s.windowStart, Uint32Array),
    windowLabel: view(s.windowLabel, Uint8Array),
    windowSubject: view(s.windowSubject, Uint16Array),
    windowRecording: view(s.windowRecording, Uint32Array),
    windowRr,
    signalChannels: s.signals.shape[1],
    derived,
  };
}

export function sectionBytes(info: SectionInfo): number {
  return info.shape.reduce((a, b) => a * b, 1) * BYTES[info.dtype];
}
