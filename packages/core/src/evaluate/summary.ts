import { foldSpread, formatSpread, type FoldSpread } from './aggregate';
import type { Aggregate, MethodAggregate } from './aggregate-folds';
import type { EvaluateResults } from './results';
import { isDeployedTargetDrop } from './target-drop-sweep';

const num = (value: number | null | undefined, digits = 3) => (value === null || value === undefined ? '–' : value.toFixed(digits));
const pct = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${(100 * value).toFixed(1)} %`);
const worst = (spread: FoldSpread, digits = 3) => (spread.worst ? `${num(spread.worst.value, digits)} (${spread.worst.fold})` : '–');

const HEADER =
  '| method | | window event F1, mean ± sd | median | worst subject | pooled | accuracy | ECE | per-event sensitivity | false alarms / h | worst | activity recordings with an alarm | event-level F1 |';

function methodRow(m: MethodAggregate): string {
  const s = m.perSubject;
  return (
    `| ${m.method} | ${m.precision} | ${formatSpread(s.windowEventF1)} | ${num(s.windowEventF1.median)} | ${worst(s.windowEventF1)} | ${num(m.pooled.window.eventF1)} ` +
    `| ${formatSpread(m.perFold.accuracy)} | ${formatSpread(m.perFold.ece)} ` +
    `| ${formatSpread(s.sensitivity)} (pooled ${pct(m.pooled.event.rates.sensitivity)}) | ${formatSpread(s.falseAlarmsPerHour, 2)} (pooled ${num(m.pooled.event.rates.falseAlarmsPerHour, 2)}) ` +
    `| ${worst(s.falseAlarmsPerHour, 2)} | ${pct(m.pooled.event.rates.activityRecordingsWithAlarm)} | ${formatSpread(s.eventF1)} |`
  );
}

function table(aggregate: Aggregate): string[] {
  return [HEADER, `|${' --- |'.repeat(13)}`, ...aggregate.methods.map(methodRow)];
}

/** summary.md: the aggregate tables (all folds, and without the selection folds), then one line per fold. */
export function evaluateMarkdown(results: EvaluateResults): string {
  const { all, withoutSelection } = results.aggregate;
  const excluded = results.folds.filter((f) => f.selection.excluded).map((f) => f.fold);
  const lines = [
    `# evaluate: ${results.experiment}`,
    '',
    `${results.dataset.id} (${results.dataset.variant}), ${results.folds.length} outer fold(s), ${results.foldScheme}; every fold retrains ${results.model.summary} ` +
      `(${results.training.epochs} epochs per stage, patience ${results.training.patience}, ≤ ${results.training.maxTrainWindows} training windows), ` +
      `thresholds calibrated on the fold's inner validation subjects. Events: ${results.model.events.join(', ')}.`,
    '',
    `Alarm rule: ${results.postProcessing.description}.`,
    '',
    ...warningsSection(results),
    '## All folds',
    '',
    ...table(all),
    '',
    `## Without the folds whose test subject took part in selection (${excluded.length > 0 ? excluded.join(', ') : 'none'})`,
    '',
    ...(withoutSelection ? table(withoutSelection) : ['(no fold left)']),
    '',
    ...alarmSweepSection(results),
    ...targetDropSection(results),
    ...robustnessSection(results),
    '## Per fold (cascade)',
    '',
    '| fold | selection | float window event F1 | int8 | per-event sensitivity | false alarms / h | activity recordings with an alarm | exit rates |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.folds.map((f) => {
      const float = f.results.find((r) => r.method === 'cascade' && r.precision === 'float')!.scores;
      const int8 = f.results.find((r) => r.method === 'cascade' && r.precision === 'int8')?.scores;
      const roles = [
        f.selection.rankedArchitectures && 'ranked architectures',
        f.selection.calibratedDeployedThresholds && 'calibrated thresholds',
        f.selection.trainedSearchCandidates && 'trained candidates',
      ]
        .filter(Boolean)
        .join(', ');
      return (
        `| ${f.fold} | ${roles || '–'} | ${num(float.window.eventF1)} | ${num(int8?.window.eventF1)} | ${pct(float.event.rates.sensitivity)} | ` +
        `${num(float.event.rates.falseAlarmsPerHour, 2)} | ${pct(float.event.rates.activityRecordingsWithAlarm)} | ${float.window.exits?.rates.map(pct).join(' / ') ?? '–'} |`
      );
    }),
    '',
  ];
  return lines.join('\n');
}

/** Each fold's warnings, so that a figure resting on a broken exit is not read as a finding. */
function warningsSection(results: EvaluateResults): string[] {
  const folds = results.folds.filter((f) => f.warnings && f.warnings.length > 0);
  if (folds.length === 0) return [];
  return ['## Warnings', '', ...folds.flatMap((f) => f.warnings!.map((w) => `- ${f.fold}: ${w}`)), ''];
}

/** The deployed cascade under each alternative alarm rule, pooled over all folds (evaluate.alarmSweep). */
function alarmSweepSection(results: EvaluateResults): string[] {
  const rows = results.aggregate.all.alarmSweep ?? [];
  const sweep = results.folds.find((f) => f.alarmSweep)?.alarmSweep;
  if (rows.length === 0 || !sweep) return [];
  const { rule } = results.postProcessing;
  return [
    `## Alarm rules (the cascade, ${sweep.precision}, pooled over all folds; ${rule.refractorySeconds} s refractory)`,
    '',
    'The same decisions under other k-of-n votes, to choose `evaluate.postProcessing` (what the firmware runs) from. Chosen on these folds, a rule is not tested on unseen subjects.',
    '',
    '| k of n | per-event sensitivity | false alarms / h | activity recordings with an alarm | alarm precision | event-level F1 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.k} of ${r.n}${r.k === rule.k && r.n === rule.n ? ' (postProcessing)' : ''} | ${pct(r.rates.sensitivity)} | ${num(r.rates.falseAlarmsPerHour, 2)} | ` +
        `${pct(r.rates.activityRecordingsWithAlarm)} | ${pct(r.rates.alarmPrecision)} | ${num(r.rates.eventF1)} |`,
    ),
    '',
  ];
}

const isSpecRow = (results: EvaluateResults, i: number) => isDeployedTargetDrop(results.folds, i);

/** The float cascade with thresholds chosen under each targetDrop, over the folds (evaluate.targetDropSweep). */
function targetDropSection(results: EvaluateResults): string[] {
  const rows = results.aggregate.all.targetDropSweep ?? [];
  if (rows.length === 0) return [];
  const deep = results.aggregate.all.methods.find((m) => m.method === 'deep-exit' && m.precision === 'float');
  return [
    '## Exit thresholds: targetDrop (the cascade, float, over the folds)',
    '',
    `Thresholds chosen on each fold's validation windows under each \`train-cascade.targetDrop\` (the largest loss of event F1 and accuracy against the deep exit allowed there), applied to its test windows; no retraining. The deep exit alone scores ${deep ? formatSpread(deep.perSubject.windowEventF1) : '–'}. Chosen on these folds, a value is not tested on unseen subjects.`,
    '',
    '| targetDrop | window event F1 | gap to the deep exit, mean | worst fold | accuracy | MACs / deep exit’s, mean | highest |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r, i) =>
        `| ${r.targetDrop}${isSpecRow(results, i) ? ' (train-cascade)' : ''} | ${formatSpread(r.eventF1)} | ${num(r.gapToDeepExit.mean)} | ${worst(r.gapToDeepExit)} | ` +
        `${formatSpread(r.accuracy)} | ${num(r.macsShare.mean)} | ${worst(r.macsShare)} |`,
    ),
    '',
  ];
}

/** The int8 cascade's uncertainty (after the input gate) on damaged test windows, per damage over the folds. */
function robustnessSection(results: EvaluateResults): string[] {
  const first = results.folds.find((f) => f.robustness && f.robustness.length > 0)?.robustness;
  if (!first) return [];
  const over = (i: number, value: (r: NonNullable<(typeof results.folds)[number]['robustness']>[number]) => number | null) =>
    foldSpread(results.folds.map((f) => ({ fold: f.fold, value: f.robustness?.[i] ? value(f.robustness[i]) : null })));
  return [
    '## Uncertainty on damaged input (the int8 cascade as the firmware reports it, input gate included)',
    '',
    `Up to ${first[0].windows} test windows per fold, damaged in z-score units (noise) or with raw readings of 0 over a run of samples (missing); AUROC of u on the damaged windows against the same windows clean (1: u always higher; 0.5: no better than chance).`,
    '',
    '| damage | AUROC, mean ± sd over folds | worst fold | mean u damaged | mean u clean | gate rejects damaged | gate rejects clean |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...first.map((level, i) => {
      const a = over(i, (r) => r.auroc);
      const share = (value: (r: NonNullable<(typeof results.folds)[number]['robustness']>[number]) => number | null) => pct(over(i, value).mean);
      return (
        `| ${level.damage} | ${formatSpread(a)} | ${worst(a)} | ${formatSpread(over(i, (r) => r.meanUncertainty))} | ${formatSpread(over(i, (r) => r.meanUncertaintyClean))} ` +
        `| ${share((r) => r.gateRejected ?? null)} | ${share((r) => r.gateRejectedClean ?? null)} |`
      );
    }),
    '',
  ];
}

/** The lines the evaluate target prints at the end: the cascade's headline figures, float and int8. */
export function evaluateConsoleSummary(results: EvaluateResults): string[] {
  const lines = [
    `evaluate ${results.experiment}: ${results.folds.length} fold(s) on ${results.dataset.id} (${results.dataset.variant}), ${results.foldScheme}; alarm rule ${results.postProcessing.rule.k} of ${results.postProcessing.rule.n}, ${results.postProcessing.rule.refractorySeconds} s refractory`,
  ];
  const describe = (label: string, aggregate: Aggregate) => {
    for (const m of aggregate.methods) {
      const s = m.perSubject;
      const rates = m.pooled.event.rates;
      lines.push(
        `  ${label}${m.method} ${m.precision}: window event F1 ${formatSpread(s.windowEventF1)} (median ${num(s.windowEventF1.median)}, worst ${worst(s.windowEventF1)}, pooled ${num(m.pooled.window.eventF1)}); ` +
          `accuracy ${formatSpread(m.perFold.accuracy)}, ECE ${formatSpread(m.perFold.ece)}; ` +
          `per-event sensitivity ${pct(rates.sensitivity)} (per subject ${formatSpread(s.sensitivity)}), false alarms ${num(rates.falseAlarmsPerHour, 2)}/h ` +
          `(per subject ${formatSpread(s.falseAlarmsPerHour, 2)}, worst ${worst(s.falseAlarmsPerHour, 2)}), ` +
          `activity recordings with an alarm ${pct(rates.activityRecordingsWithAlarm)}, event-level F1 ${num(rates.eventF1)}`,
      );
    }
  };
  describe('', results.aggregate.all);
  const sweep = results.aggregate.all.targetDropSweep ?? [];
  if (sweep.length > 0)
    lines.push(
      `  cascade float by targetDrop (event F1, gap to the deep exit, MACs share): ${sweep
        .map((r, i) => `${r.targetDrop}${isSpecRow(results, i) ? '*' : ''} ${num(r.eventF1.mean)} / ${num(r.gapToDeepExit.mean)} / ${num(r.macsShare.mean, 2)}`)
        .join('; ')} (* train-cascade.targetDrop)`,
    );
  if (results.aggregate.withoutSelection && results.aggregate.withoutSelection.folds.length < results.folds.length) {
    lines.push(`  without the ${results.folds.length - results.aggregate.withoutSelection.folds.length} selection fold(s):`);
    describe('  ', results.aggregate.withoutSelection);
  }
  return lines;
}
