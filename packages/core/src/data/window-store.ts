import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../common/errors';
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
  return {
    manifest,
    signals: view(s.signals, Float32Array),
    windowStart: view(s.windowStart, Uint32Array),
    windowLabel: view(s.windowLabel, Uint8Array),
    windowSubject: view(s.windowSubject, Uint16Array),
    windowRecording: view(s.windowRecording, Uint32Array),
  };
}

export function sectionBytes(info: SectionInfo): number {
  return info.shape.reduce((a, b) => a * b, 1) * BYTES[info.dtype];
}
