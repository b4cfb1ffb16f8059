import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeJsonArtifact } from '../common/json-artifact';
import type { FlashBreakdown } from '../model/memory';
import type { PredictionScores } from '../train/cascade/scoring';
import type { TensorError } from './error-report';

/** The quantize stage's float-vs-int8 report (`report.json`, and summary.md in words), which the report page reads. */
export const QUANTIZE_REPORT_FILE = 'report.json';
export const QUANTIZE_REPORT_FORMAT = 'nx-tinyml/quantize@1';

export type ScoreSummary = ReturnType<typeof summarizeScores>;

export interface QuantizeReport {
  format: typeof QUANTIZE_REPORT_FORMAT;
  experiment: string;
  events: string[];
  testSubjects: string[];
  windows: number;
  calibration: { method: string; percentile: number | null; windows: number };
  thresholds: { float: number[]; q15: number[] };
  float: ScoreSummary;
  int8: ScoreSummary;
  drop: { eventF1: number; accuracy: number; ece: number; perEvent: { event: string; f1: number }[] };
  agreement: Int8Agreement;
  tensors: TensorError[];
  flash: { blobBytes: number; memoryModel: FlashBreakdown; sections: number };
}

/** How often the integer model agrees with the float one on the test windows, and its input with the quantised float input. */
export interface Int8Agreement {
  decision: number;
  exit: number;
  /** The share of int8 input bytes from the device's raw-sample map equal to quantising the float z-scored window. */
  rawInputBytes: number;
}

/** The figures of one model's scores the report keeps. */
export function summarizeScores(scores: PredictionScores) {
  return {
    eventF1: scores.eventF1,
    accuracy: scores.accuracy,
    ece: scores.ece,
    brier: scores.brier,
    events: scores.events.map(({ event, precision, recall, f1, support }) => ({ event, precision, recall, f1, support })),
    exitRates: scores.exits?.rates ?? null,
    expectedMacs: scores.exits?.expectedMacs ?? null,
  };
}

/** What quantising cost: int8 minus float (ECE: int8 minus float, so a positive figure is a loss too). */
export function int8Drop(float: PredictionScores, int8: PredictionScores): QuantizeReport['drop'] {
  return {
    eventF1: float.eventF1 - int8.eventF1,
    accuracy: float.accuracy - int8.accuracy,
    ece: int8.ece - float.ece,
    perEvent: float.events.map((e, j) => ({ event: e.event, f1: e.f1 - int8.events[j].f1 })),
  };
}

/** report.json and summary.md in `dir`. */
export async function writeQuantizeReport(dir: string, report: QuantizeReport): Promise<void> {
  await writeJsonArtifact(path.join(dir, QUANTIZE_REPORT_FILE), report);
  await writeFile(path.join(dir, 'summary.md'), quantizeMarkdown(report));
}

function quantizeMarkdown(report: QuantizeReport): string {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(3));
  const rates = (r: number[] | null) => (r ? r.map((x) => `${(100 * x).toFixed(1)} %`).join(' / ') : '–');
  return [
    `# quantize: ${report.experiment}`,
    '',
    `int8 post-training quantisation; ${report.windows} test windows of ${report.testSubjects.length} subject(s); flash blob ${report.flash.blobBytes} B.`,
    '',
    '| model | event F1 | accuracy | ECE | Brier | exit rates | MACs / window |',
    '|---|---|---|---|---|---|---|',
    `| float | ${f(report.float.eventF1)} | ${f(report.float.accuracy)} | ${f(report.float.ece)} | ${f(report.float.brier)} | ${rates(report.float.exitRates)} | ${Math.round(report.float.expectedMacs ?? 0)} |`,
    `| int8 | ${f(report.int8.eventF1)} | ${f(report.int8.accuracy)} | ${f(report.int8.ece)} | ${f(report.int8.brier)} | ${rates(report.int8.exitRates)} | ${Math.round(report.int8.expectedMacs ?? 0)} |`,
    '',
    `Drop: event F1 ${(100 * report.drop.eventF1).toFixed(2)} points, accuracy ${(100 * report.drop.accuracy).toFixed(2)} points (UR2M's target: ≤ 1). ` +
      `Decisions agree on ${(100 * report.agreement.decision).toFixed(2)} % of windows, exits on ${(100 * report.agreement.exit).toFixed(2)} %.`,
    '',
    '| tensor | written by | max error (steps) | mean error (steps) | max error (absolute) |',
    '|---|---|---|---|---|',
    ...report.tensors.map((t) => `| ${t.tensor} | ${t.kind} | ${t.maxSteps.toFixed(2)} | ${t.meanSteps.toFixed(2)} | ${t.maxAbsolute.toPrecision(3)} |`),
    '',
  ].join('\n');
}
