import type { ExperimentArtifacts } from '../artifacts';
import type { EvaluateResults } from '../evaluate-reader';
import type { FoldSpread } from '../../evaluate/aggregate';
import { figure, htmlTable, paragraph, type Cell } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

/** Per-subject event F1 and pooled confusion matrices of every method (evaluate/evaluate.json, via evaluate-reader). */
export async function evaluateSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const evaluate = artifacts.evaluate;
  if (!evaluate) return notRun('evaluate', 'Evaluation across subjects', 'evaluate', artifacts.experiment);
  if (evaluate.unrecognised)
    return shown('evaluate', 'Evaluation across subjects', [paragraph(`Not shown: ${evaluate.unrecognised}.`)], { unrecognised: evaluate.unrecognised });
  const subjects = evaluate.methods.flatMap((m) =>
    m.perSubject.filter((s) => s.eventF1 !== null).map((s) => ({ method: m.label, subject: s.subject, f1: s.eventF1 })),
  );
  const bars = await renderSvg({
    data: { values: subjects },
    width: Math.min(760, Math.max(260, 14 * subjects.length)),
    height: 180,
    mark: 'bar',
    encoding: {
      x: { field: 'subject', type: 'nominal', title: 'test subject' },
      xOffset: { field: 'method', type: 'nominal' },
      y: { field: 'f1', type: 'quantitative', scale: { domain: [0, 1] }, title: 'window event F1' },
      color: { field: 'method', type: 'nominal', title: null },
    },
  });
  const classes = ['no event', ...evaluate.events];
  const cells = evaluate.methods.flatMap((m) =>
    m.confusion.flatMap((row, t) =>
      row.map((n, p) => ({
        method: m.label,
        truth: classes[t] ?? String(t),
        predicted: classes[p] ?? String(p),
        windows: n,
        share:
          n /
          Math.max(
            1,
            row.reduce((a, b) => a + b, 0),
          ),
      })),
    ),
  );
  const confusion = await renderSvg({
    data: { values: cells },
    facet: { column: { field: 'method', type: 'nominal', title: null } },
    spec: {
      width: 40 * classes.length,
      height: 40 * classes.length,
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: 'predicted', type: 'nominal', sort: classes },
            y: { field: 'truth', type: 'nominal', sort: classes },
            color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'row share' },
          },
        },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            x: { field: 'predicted', type: 'nominal', sort: classes },
            y: { field: 'truth', type: 'nominal', sort: classes },
            text: { field: 'windows' },
            color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  } as never);
  const sweep = evaluate.alarmSweep.filter((r) => r.sensitivity !== null && r.activityRecordingsWithAlarm !== null);
  const tradeOff =
    sweep.length > 0
      ? await renderSvg({
          data: { values: sweep.map((r) => ({ ...r, rule: `${r.k}/${r.n}${r.deployed ? ' (deployed)' : ''}` })) },
          width: 420,
          height: 220,
          layer: [
            {
              mark: { type: 'line', point: true },
              encoding: {
                x: { field: 'activityRecordingsWithAlarm', type: 'quantitative', title: 'activity recordings with a false alarm', axis: { format: '%' } },
                y: { field: 'sensitivity', type: 'quantitative', title: 'falls alarmed (per-event sensitivity)', axis: { format: '%' } },
                order: { field: 'n', type: 'quantitative' },
              },
            },
            {
              mark: { type: 'text', dx: 6, align: 'left', fontSize: 10 },
              encoding: {
                x: { field: 'activityRecordingsWithAlarm', type: 'quantitative' },
                y: { field: 'sensitivity', type: 'quantitative' },
                text: { field: 'rule' },
                color: { condition: { test: 'datum.deployed', value: '#d62728' }, value: 'black' },
              },
            },
          ],
        } as never)
      : null;
  return shown(
    'evaluate',
    'Evaluation across subjects',
    [
      paragraph(
        `${evaluate.folds.length} folds; ${evaluate.methods.length} method/precision combinations. ` +
          (evaluate.selectionFolds.length > 0 ? `Folds whose test subject helped choose the deployed model: ${evaluate.selectionFolds.join(', ')}. ` : '') +
          (evaluate.postProcessing ? `Alarms: ${evaluate.postProcessing}.` : ''),
      ),
      summaryTable(evaluate.aggregate.all, 'Every fold: spread over held-out subjects (mean ± sd, median, worst) and pooled counts.'),
      ...(evaluate.aggregate.withoutSelection
        ? [summaryTable(evaluate.aggregate.withoutSelection, 'Without the folds whose test subject helped choose the deployed model.')]
        : []),
      figure('evaluate-per-subject', bars, 'Window-level event F1 of each held-out subject, per method.'),
      figure('evaluate-confusion', confusion, 'Confusion matrices pooled over the folds (rows: truth; colour: share of the row).'),
      ...(tradeOff
        ? [
            figure(
              'evaluate-alarm-rules',
              tradeOff,
              'The deployed cascade under k-of-n alarm rules (evaluate.alarmSweep), pooled over the folds: falls alarmed against activity recordings with a false alarm; the rule the firmware runs in red.',
            ),
          ]
        : []),
      ...(evaluate.targetDropSweep.length > 0 ? [targetDropTable(evaluate.targetDropSweep)] : []),
      ...(evaluate.damagedInput.length > 0 ? [damagedInputTable(evaluate.damagedInput)] : []),
    ],
    {
      folds: evaluate.folds,
      selectionFolds: evaluate.selectionFolds,
      methods: evaluate.methods.map((m) => ({ label: m.label, confusion: m.confusion })),
      aggregate: evaluate.aggregate.all.map((m) => ({
        label: m.label,
        windowEventF1: m.perSubject.windowEventF1,
        sensitivity: m.perSubject.sensitivity,
        falseAlarmsPerHour: m.perSubject.falseAlarmsPerHour,
        pooledEventF1: m.pooled.window.eventF1,
      })),
      alarmSweep: evaluate.alarmSweep,
      targetDropSweep: evaluate.targetDropSweep.map((r) => ({
        targetDrop: r.targetDrop,
        deployed: r.deployed,
        eventF1: r.eventF1.mean,
        gapToDeepExit: r.gapToDeepExit.mean,
        macsShare: r.macsShare.mean,
      })),
      damagedInput: evaluate.damagedInput.map((l) => ({
        damage: l.damage,
        auroc: l.auroc.mean,
        gateRejected: l.gateRejected.mean,
        gateRejectedClean: l.gateRejectedClean.mean,
      })),
    },
  );
}

function targetDropTable(rows: EvaluateResults['targetDropSweep']): string {
  const mean = (s: FoldSpread, digits = 3): Cell => (s.mean === null ? null : s.mean.toFixed(digits));
  return htmlTable(
    ['train-cascade.targetDrop', 'window event F1', 'gap to the deep exit', 'worst fold', 'MACs / deep exit’s', 'highest'],
    rows.map((r) => [
      `${r.targetDrop}${r.deployed ? ' (deployed)' : ''}`,
      spread(r.eventF1),
      mean(r.gapToDeepExit),
      worst(r.gapToDeepExit),
      mean(r.macsShare, 2),
      worst(r.macsShare),
    ]),
    {
      caption:
        'The float cascade with its exit thresholds chosen on each fold’s validation windows under other targetDrop budgets, scored on the test windows (evaluate.targetDropSweep; no retraining, chosen on these folds).',
    },
  );
}

function damagedInputTable(levels: EvaluateResults['damagedInput']): string {
  const share = (s: FoldSpread): Cell => (s.mean === null ? null : `${(100 * s.mean).toFixed(1)} %`);
  return htmlTable(
    ['damage', 'AUROC of u vs clean (per fold)', 'worst fold', 'mean u damaged', 'mean u clean', 'gate rejects damaged', 'gate rejects clean'],
    levels.map((l) => [
      l.damage,
      spread(l.auroc),
      worst(l.auroc),
      spread(l.meanUncertainty),
      spread(l.meanUncertaintyClean),
      share(l.gateRejected),
      share(l.gateRejectedClean),
    ]),
    { caption: 'The int8 cascade’s uncertainty, as the firmware reports it (input gate included), on damaged test windows against the same windows clean.' },
  );
}

const spread = (s: FoldSpread): Cell => (s.mean === null ? null : s.sd === null ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}`);
const worst = (s: FoldSpread): Cell => (s.worst ? `${s.worst.value.toFixed(3)} (${s.worst.fold})` : null);

function summaryTable(methods: EvaluateResults['aggregate']['all'], caption: string): string {
  return htmlTable(
    [
      'method',
      'window event F1',
      'median',
      'worst subject',
      'pooled F1',
      'event sensitivity',
      'false alarms / h',
      'activity recordings with alarm',
      'ECE (per fold)',
    ],
    methods.map((m) => [
      m.label,
      spread(m.perSubject.windowEventF1),
      m.perSubject.windowEventF1.median,
      worst(m.perSubject.windowEventF1),
      m.pooled.window.eventF1,
      m.pooled.event.rates.sensitivity,
      m.pooled.event.rates.falseAlarmsPerHour,
      m.pooled.event.rates.activityRecordingsWithAlarm,
      spread(m.perFold.ece),
    ]),
    { caption },
  );
}
