import type { ExitUncertainty } from '../../model/ir';
import type { ExitCost } from '../../model/cost';
import type { MethodEvaluation, MethodName, RobustnessLevel } from './evaluate';
import type { PredictionScores } from './scoring';
import type { ThresholdCalibration } from './thresholds';

export interface MethodResources {
  flashBytes: number;
  sramBytes: number;
  arenaBytes: number;
  fits: boolean;
  /** Per window (the cascade: expected on the test windows). */
  macs: number;
  params: number;
}

export interface ComparisonRow {
  method: MethodName;
  eventF1: number;
  accuracy: number;
  brier: number;
  nll: number;
  ece: number;
  meanUncertainty: number;
  macs: number;
  flashBytes: number;
  sramBytes: number;
  /** Accuracy on the 50 % most certain windows. */
  accuracyAtHalfCoverage: number;
}

export const METHOD_TITLES: Record<MethodName, string> = {
  'ur2m-cascade': 'UR2M evidential cascade',
  evidential: 'evidential, no cascade',
  softmax: 'softmax (same architecture)',
  'deep-ensemble': 'deep ensemble',
  tta: 'test-time augmentation',
};

/** How the reports name exit k of a cascade with `count` predictions: UR2M's shallow / medium / deep, else by index. */
export function exitName(k: number, count: number): string {
  return count === 3 ? ['shallow', 'medium', 'deep'][k] : `exit ${k}`;
}

const ORDER: MethodName[] = ['ur2m-cascade', 'evidential', 'softmax', 'deep-ensemble', 'tta'];

/** One row per method evaluated, in a fixed order. */
export function comparisonRows(methods: MethodEvaluation['methods'], resources: Record<MethodName, MethodResources>): ComparisonRow[] {
  return ORDER.filter((m) => methods[m]).map((method) => {
    const s = methods[method] as PredictionScores;
    return {
      method,
      eventF1: s.eventF1,
      accuracy: s.accuracy,
      brier: s.brier,
      nll: s.nll,
      ece: s.ece,
      meanUncertainty: s.meanUncertainty,
      macs: resources[method].macs,
      flashBytes: resources[method].flashBytes,
      sramBytes: resources[method].sramBytes,
      accuracyAtHalfCoverage: s.coverage.find((c) => c.coverage === 0.5)?.accuracy ?? s.accuracy,
    };
  });
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(3));
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export function trainCascadeMarkdown(report: {
  experiment: string;
  summary: string;
  events: string[];
  fold: string;
  subjects: { train: string[]; validation: string[]; test: string[] };
  rows: ComparisonRow[];
  calibration: ThresholdCalibration;
  test: MethodEvaluation;
  robustness: RobustnessLevel[];
  costs: ExitCost[];
  exitUncertainty: ExitUncertainty;
  warnings: readonly string[];
}): string {
  const ur2m = report.test.methods['ur2m-cascade'] as PredictionScores;
  const lines = [
    `# train-cascade: ${report.experiment}`,
    '',
    `Cascade \`${report.summary}\`, events ${report.events.join(', ')}; fold ${report.fold}: trained on ${report.subjects.train.length} subjects, ` +
      `thresholds calibrated on ${report.subjects.validation.join(', ')}, tested on ${report.subjects.test.length <= 6 ? report.subjects.test.join(', ') : `${report.subjects.test.length} subjects`}.`,
    '',
    '## Methods on the test subjects',
    '',
    '| method | event F1 | accuracy | Brier | NLL | ECE | mean u | acc @ 50 % coverage | MACs / window | flash B | SRAM B |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...report.rows.map(
      (r) =>
        `| ${METHOD_TITLES[r.method]} | ${f3(r.eventF1)} | ${f3(r.accuracy)} | ${f3(r.brier)} | ${f3(r.nll)} | ${f3(r.ece)} | ${f3(r.meanUncertainty)} | ${f3(r.accuracyAtHalfCoverage)} | ${Math.round(r.macs)} | ${r.flashBytes} | ${r.sramBytes} |`,
    ),
    '',
    `Uncertainty: the cascade max_j ${report.exitUncertainty === 'decision' ? '2/(|α_j − β_j| + 2) (exitUncertainty: decision)' : '2/(α_j + β_j)'}, the evidential model without exits max_j 2/(α_j + β_j); softmax-based methods 1 − max probability. ECE: 15 equal-width bins of each event’s p, averaged over events.`,
    '',
    '## Exits',
    '',
    `Thresholds (validation): ${report.calibration.chosen.thresholds.map(f3).join(', ') || 'none (single exit)'}; target: event F1 and accuracy at most ${report.calibration.targetDrop} below deep-only ` +
      `(validation: ${f3(report.calibration.chosen.eventF1)} vs ${f3(report.calibration.deepOnly.eventF1)} F1, ${f3(report.calibration.chosen.accuracy)} vs ${f3(report.calibration.deepOnly.accuracy)} accuracy).`,
    '',
    ...report.warnings.flatMap((w) => [`**${w}**`, '']),
    '| exit | MACs to reach | exit rate (test) | event F1 alone | accuracy alone | ECE alone |',
    '|---|---|---|---|---|---|',
    ...report.costs.map(
      (c, k) =>
        `| ${exitName(k, report.costs.length)} | ${c.macs} | ${pct(ur2m.exits?.rates[k] ?? 0)} | ${f3(report.test.perExit[k].eventF1)} | ${f3(report.test.perExit[k].accuracy)} | ${f3(report.test.perExit[k].ece)} |`,
    ),
    '',
    `Expected MACs per window: ${Math.round(ur2m.exits?.expectedMacs ?? 0)} of ${report.costs[report.costs.length - 1].macs} for the deep exit.`,
    '',
    '## Per event (cascade)',
    '',
    '| event | precision | recall | F1 | support | Brier | NLL | ECE |',
    '|---|---|---|---|---|---|---|---|',
    ...ur2m.events.map(
      (e) => `| ${e.event} | ${f3(e.precision)} | ${f3(e.recall)} | ${f3(e.f1)} | ${e.support} | ${f3(e.brier)} | ${f3(e.nll)} | ${f3(e.ece)} |`,
    ),
    '',
    `Per-subject spread (cascade): accuracy ${f3(ur2m.spread.accuracy.min)} / ${f3(ur2m.spread.accuracy.median)} / ${f3(ur2m.spread.accuracy.max)} (min / median / max)` +
      (ur2m.spread.eventF1 ? `, event F1 ${f3(ur2m.spread.eventF1.min)} / ${f3(ur2m.spread.eventF1.median)} / ${f3(ur2m.spread.eventF1.max)}` : '') +
      ` over ${ur2m.perSubject.length} subject(s).`,
    '',
    '## Robustness (mean uncertainty, event F1, AUROC of u against the same windows clean)',
    '',
    `| damage | windows | ${report.rows.map((r) => METHOD_TITLES[r.method]).join(' | ')} |`,
    `|---|---|${report.rows.map(() => '---').join('|')}|`,
    ...report.robustness.map(
      (level) =>
        `| ${level.label} | ${level.windows} | ${report.rows
          .map((r) => {
            const m = level.methods[r.method];
            return m ? `u ${f3(m.meanUncertainty)}, F1 ${f3(m.eventF1)}${m.uncertaintyAuroc != null ? `, AUROC ${f3(m.uncertaintyAuroc)}` : ''}` : '–';
          })
          .join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
