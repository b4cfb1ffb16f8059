/**
 * The alarm rule's C unit (firmware/runtime/alarm.c) against the TypeScript rule evaluate scores with
 * (evaluate/alarms.ts `alarmWindows`, on the window end times in seconds as the recording timelines compute them):
 * random decision streams — several recordings one after another (the C state is reset at each start), windows a
 * hop apart or at irregular gaps (event-centred windows), k / n / refractory settings with their edges (k = n,
 * n = 1, n longer than the recording, refractory 0, refractory times exactly on the hop grid) — with the alarms
 * the TypeScript rule raises. `alarmCase` writes a stream for the host driver (firmware/runtime/test/kernel_driver.c,
 * c-runtime.test.ts, ASan/UBSan); `emitAlarmProgram` a self-checking firmware program for the emulated boards
 * (c-runtime-qemu.test.ts).
 */
import { Random } from '../../src/common/random';
import { alarmWindows, refractorySamples, type PostProcessingRule } from '../../src/evaluate/alarms';
import { C_PUT_INT, cArray } from '../../src/codegen/c-syntax';

export interface AlarmRecording {
  /** Per window, in time order: 0 = no event, 1 + j = event j (sometimes out of range: counts as none). */
  decisions: number[];
  /** Per window, the sample (from the recording's start) at which it ends. */
  endSamples: number[];
}

export interface AlarmStream {
  label: string;
  rule: PostProcessingRule;
  sampleRateHz: number;
  windowLength: number;
  events: number;
  recordings: AlarmRecording[];
}

/** The alarms (global window index, event) the TypeScript rule raises, in window order then event order. */
export function expectedAlarms(stream: AlarmStream): [number, number][] {
  const alarms: [number, number][] = [];
  let offset = 0;
  for (const recording of stream.recordings) {
    // As evaluate/recordings.ts computes them: start / rate + length / rate, in floating point.
    const ends = recording.endSamples.map((end) => (end - stream.windowLength) / stream.sampleRateHz + stream.windowLength / stream.sampleRateHz);
    const perWindow: number[][] = recording.decisions.map(() => []);
    for (let j = 0; j < stream.events; j++) {
      for (const w of alarmWindows(
        recording.decisions.map((d) => d === j + 1),
        ends,
        stream.rule,
        stream.sampleRateHz,
      ))
        perWindow[w].push(j);
    }
    perWindow.forEach((events, w) => events.forEach((j) => alarms.push([offset + w, j])));
    offset += recording.decisions.length;
  }
  return alarms;
}

/** The stream as the device is fed it: per window, reset (1 at each recording's start), decision, samples since the previous window's end. */
export function alarmFeed(stream: AlarmStream, random?: Random): { reset: number[]; decision: number[]; elapsed: number[] } {
  const feed = { reset: [] as number[], decision: [] as number[], elapsed: [] as number[] };
  for (const recording of stream.recordings) {
    recording.decisions.forEach((d, i) => {
      feed.reset.push(i === 0 ? 1 : 0);
      feed.decision.push(d);
      // The first window's gap means nothing (a fresh state has no refractory time to count down): anything.
      feed.elapsed.push(i === 0 ? (random ? random.int(2001) - 1000 : 0) : recording.endSamples[i] - recording.endSamples[i - 1]);
    });
  }
  return feed;
}

/** Random streams (see the file comment). */
export function alarmStreams(random: Random, count: number): AlarmStream[] {
  return Array.from({ length: count }, (_, c) => {
    const sampleRateHz = random.pick([50, 100, 180, 200, 360, 51.5]);
    const irregular = random.int(4) === 0;
    const hop = random.pick([1, 5, 12, 18, 36, 64, 1 + random.int(120)]);
    const windowLength = hop + random.int(200);
    const n = random.int(12) === 0 ? 1000 : random.pick([1, 1, 2, 3, 3, 5, 8, 1 + random.int(12)]);
    const k = random.pick([1, n, n, 1 + random.int(n), Math.min(n, 2)]);
    const pick = random.int(5);
    const refractorySeconds =
      pick === 0
        ? 0
        : pick === 1 || pick === 2 // exactly m hops, as the decimal a user writes (e.g. 0.36 s at 100 Hz, hop 12)
          ? Number(((random.int(12) * hop) / sampleRateHz).toPrecision(12))
          : pick === 3
            ? Math.round(random.next() * 10000) / 1000
            : random.next() * 3;
    const events = random.int(6) === 0 ? 2 + random.int(11) : 1 + random.int(3);
    const recordings = Array.from({ length: 1 + random.int(4) }, (): AlarmRecording => {
      const windows = 1 + random.int(random.int(3) === 0 ? 400 : 60);
      // Bursts: the decision keeps its value with probability `stay`, else a new one (mostly 0, sometimes out of range).
      const stay = random.next();
      let current = 0;
      const decisions: number[] = [];
      const endSamples: number[] = [];
      let end = windowLength + random.int(1000);
      for (let i = 0; i < windows; i++) {
        if (random.next() >= stay) current = random.int(20) === 0 ? random.pick([-1, events + 1, 255, 1000]) : random.int(2) === 0 ? 0 : 1 + random.int(events);
        decisions.push(current);
        if (i > 0) end += irregular ? 1 + random.int(2 * Math.ceil(sampleRateHz)) : hop;
        endSamples.push(end);
      }
      return { decisions, endSamples };
    });
    const rule = { k, n, refractorySeconds };
    return {
      label: `alarm #${c} ${k} of ${n}, ${refractorySeconds} s at ${sampleRateHz} Hz, ${irregular ? 'irregular gaps' : `hop ${hop}`}, ${events} events`,
      rule,
      sampleRateHz,
      windowLength,
      events,
      recordings,
    };
  });
}

/** The stream as one line of the host driver, and the line the TypeScript rule says it prints. */
export function alarmCase(stream: AlarmStream, random: Random): { label: string; line: string; expected: string } {
  const feed = alarmFeed(stream, random);
  const triples = feed.decision.map((d, i) => `${feed.reset[i]} ${d} ${feed.elapsed[i]}`);
  const { k, n } = stream.rule;
  return {
    label: stream.label,
    line: `alarm ${k} ${n} ${refractorySamples(stream.rule.refractorySeconds, stream.sampleRateHz)} ${stream.events} ${feed.decision.length} ${triples.join(' ')}`,
    expected: expectedAlarms(stream).flat().join(' '),
  };
}

export const ALARM_PROGRAM_RESULT_LINE = /^alarms: (\d+)\/(\d+) streams equal$/m;

/**
 * A firmware program (C11, platform.h) that runs each stream through tinyml_alarm_update and compares every alarm
 * with the TypeScript rule's; prints `ok <i>` or `MISMATCH <i> <window event ...>` per stream and a summary line,
 * and exits 0 only when every stream matches.
 */
export function emitAlarmProgram(streams: readonly AlarmStream[], random: Random): string {
  const maxN = Math.max(1, ...streams.map((s) => s.rule.n));
  const maxEvents = Math.max(1, ...streams.map((s) => s.events));
  const maxAlarms = Math.max(1, ...streams.map((s) => expectedAlarms(s).length));
  const data: string[] = [];
  const runs: string[] = [];
  streams.forEach((stream, i) => {
    const feed = alarmFeed(stream, random);
    const expected = expectedAlarms(stream).flat();
    const W = feed.decision.length;
    data.push(
      `/* ${i}: ${stream.label} */`,
      `static const uint8_t s${i}_reset[${W}] = ${cArray(feed.reset, 32, String)};`,
      `static const int16_t s${i}_decision[${W}] = ${cArray(feed.decision, 24, String)};`,
      `static const int32_t s${i}_elapsed[${W}] = ${cArray(feed.elapsed, 16, String)};`,
      `static const int32_t s${i}_expected[${Math.max(1, expected.length)}] = ${cArray(expected.length ? expected : [0], 24, String)};`,
    );
    runs.push(
      `  passed += run(${i}, ${stream.rule.k}, ${stream.rule.n}, ${refractorySamples(stream.rule.refractorySeconds, stream.sampleRateHz)}, ${stream.events}, ${W}, ` +
        `s${i}_reset, s${i}_decision, s${i}_elapsed, s${i}_expected, ${expected.length / 2});`,
    );
  });
  return [
    '/* Generated by nx-tinyml (packages/core/testing/quantize/alarm-program.ts); do not edit. */',
    '#include <stdint.h>',
    '',
    '#include "platform.h"',
    '#include "tinyml_runtime.h"',
    '',
    `static uint8_t history[${maxN}];`,
    `static int32_t votes[${maxEvents}];`,
    `static int32_t hold[${maxEvents}];`,
    `static uint8_t flags[${maxEvents}];`,
    `static int32_t got[${2 * maxAlarms + 2}];`,
    '',
    ...C_PUT_INT,
    '',
    '/* Runs one stream; prints "ok <i>" or "MISMATCH <i>" with the alarms raised; returns 1 when they equal the expected ones. */',
    'static int32_t run(int32_t index, int32_t k, int32_t n, int32_t refractory, int32_t events, int32_t windows,',
    '                   const uint8_t *reset, const int16_t *decision, const int32_t *elapsed, const int32_t *expected, int32_t expected_alarms)',
    '{',
    '  tinyml_alarm_t alarm;',
    '  tinyml_alarm_init(&alarm, k, n, refractory, events, history, votes, hold);',
    '  int32_t count = 0;',
    '  int32_t same = 1;',
    '  for (int32_t w = 0; w < windows; w++) {',
    '    if (reset[w]) tinyml_alarm_reset(&alarm);',
    '    const int32_t raised = tinyml_alarm_update(&alarm, decision[w], elapsed[w], flags);',
    '    int32_t flagged = 0;',
    '    for (int32_t j = 0; j < events; j++) {',
    '      if (flags[j] > 1u) same = 0;',
    '      if (!flags[j]) continue;',
    '      flagged++;',
    '      if (count < expected_alarms) {',
    '        got[2 * count] = w;',
    '        got[2 * count + 1] = j;',
    '      }',
    '      count++;',
    '    }',
    '    if (flagged != raised) same = 0;',
    '  }',
    '  if (count != expected_alarms) same = 0;',
    '  for (int32_t i = 0; same && i < 2 * count; i++) same = got[i] == expected[i];',
    '  platform_puts(same ? "ok " : "MISMATCH ");',
    '  put_int(index);',
    '  if (!same) {',
    '    platform_puts(" alarms ");',
    '    put_int(count);',
    '    for (int32_t i = 0; i < 2 * (count < expected_alarms ? count : expected_alarms); i++) {',
    '      platform_puts(" ");',
    '      put_int(got[i]);',
    '    }',
    '  }',
    '  platform_puts("\\n");',
    '  return same;',
    '}',
    '',
    ...data,
    '',
    'int main(void)',
    '{',
    '  platform_init();',
    '  int32_t passed = 0;',
    ...runs,
    '  platform_puts("alarms: ");',
    '  put_int(passed);',
    '  platform_puts("/");',
    `  put_int(${streams.length});`,
    '  platform_puts(" streams equal\\n");',
    `  return passed == ${streams.length} ? 0 : 1;`,
    '}',
    '',
  ].join('\n');
}
