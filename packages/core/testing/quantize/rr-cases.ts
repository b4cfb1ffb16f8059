/**
 * The RR-feature unit (firmware/runtime/rr_features.c) against the TypeScript definition the window stage uses
 * (data/rr-features.ts): random R-peak streams — several recordings one after another (the C state is reset at
 * each start), normal rhythm, premature beats, pauses, two beats on one sample, gaps beyond 65535 samples and a
 * sample counter that wraps past 2^32 — with, after every push, the features the TypeScript side gives the beat
 * before it. `rrCase` writes a stream as one input line of the host driver (kernel_driver.c, c-runtime.test.ts).
 */
import type { Random } from '../../src/common/random';
import { rrFeatures, rrIntervalsAt } from '../../src/data/rr-features';
import type { RuntimeCase } from './runtime-cases';

/** Recordings of R-peak sample indices (ascending, unwrapped), and the counter value the first one starts at. */
export interface RrStream {
  recordings: number[][];
}

export function rrStreams(random: Random, count: number): RrStream[] {
  return Array.from({ length: count }, () => ({
    recordings: Array.from({ length: 1 + random.int(3) }, () => {
      // Near 2^32 now and then, so the device's counter wraps inside the recording.
      let at = random.int(4) === 0 ? 2 ** 32 - random.int(2000) : random.int(100000);
      const beats = random.int(4) === 0 ? random.int(4) : 1 + random.int(40);
      const base = 80 + random.int(200);
      return Array.from({ length: beats }, (_, i) => {
        if (i > 0) at += interval(random, base);
        return at;
      });
    }),
  }));
}

function interval(random: Random, base: number): number {
  switch (random.int(12)) {
    case 0:
      return 0;
    case 1:
      return 65536 + random.int(100000);
    case 2:
      return 1 + random.int(60);
    case 3:
      return base * 3 + random.int(base);
    default:
      return base - 10 + random.int(21);
  }
}

/** The driver line ("rr peaks (reset sample)…") and, per push, "pre,post,local" of the beat before it or "-". */
export function rrCase(stream: RrStream, label: string): RuntimeCase {
  const words: string[] = [];
  const expected: string[] = [];
  for (const peaks of stream.recordings) {
    peaks.forEach((at, j) => {
      words.push(j === 0 ? '1' : '0', `${at % 2 ** 32}`);
      const intervals = j >= 2 ? rrIntervalsAt(peaks, j - 1) : null;
      expected.push(intervals ? rrFeatures(intervals).join(',') : '-');
    });
  }
  return { label, line: `rr ${words.length / 2} ${words.join(' ')}`.trimEnd(), expected: expected.join(' ') };
}
