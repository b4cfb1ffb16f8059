import { foldSpread, type FoldSpread } from '../evaluate/aggregate';
import type { MethodAggregate } from '../evaluate/aggregate-folds';
import { EVALUATE_FORMAT, type EvaluateResults as EvaluateFile } from '../evaluate/results';
import { isDeployedTargetDrop } from '../evaluate/target-drop-sweep';
import { readOptionalJson } from './read-optional-json';

/**
 * The report's view of `evaluate/evaluate.json`, typed by the evaluate stage's own format (nx-tinyml/evaluate@1,
 * evaluate/results.ts): a change there fails to compile here instead of drifting.
 */
export interface EvaluateResults {
  events: string[];
  folds: string[];
  /** Folds whose test subject helped choose what is deployed (the aggregate is also given without them). */
  selectionFolds: string[];
  /** One per method and precision, e.g. "cascade int8". */
  methods: { label: string; perSubject: { subject: string; eventF1: number | null }[]; confusion: number[][] }[];
  /** The stage's own aggregate over all folds, and without the selection folds (null when none is left). */
  aggregate: { all: (MethodAggregate & { label: string })[]; withoutSelection: (MethodAggregate & { label: string })[] | null };
  /** The alarm rule the event-level figures use, in words. */
  postProcessing: string;
  /** The deployed cascade under each alternative k-of-n rule, pooled over the folds (evaluate.alarmSweep). */
  alarmSweep: {
    k: number;
    n: number;
    deployed: boolean;
    sensitivity: number | null;
    falseAlarmsPerHour: number | null;
    activityRecordingsWithAlarm: number | null;
  }[];
  /** The float cascade with thresholds chosen under each targetDrop (evaluate.targetDropSweep), over the folds. */
  targetDropSweep: { targetDrop: number; deployed: boolean; eventF1: FoldSpread; gapToDeepExit: FoldSpread; macsShare: FoldSpread }[];
  /** The int8 cascade's u on damaged test windows (input gate included): per damage, over the folds. */
  damagedInput: {
    damage: string;
    auroc: FoldSpread;
    meanUncertainty: FoldSpread;
    meanUncertaintyClean: FoldSpread;
    gateRejected: FoldSpread;
    gateRejectedClean: FoldSpread;
  }[];
  /** Set when the file is there but not in the layout above. */
  unrecognised: string | null;
}

const label = (m: { method: string; precision: string }) => `${m.method} ${m.precision}`;

export async function readEvaluate(file: string): Promise<EvaluateResults | null> {
  const raw = await readOptionalJson<Partial<EvaluateFile>>(file);
  if (raw === null) return null;
  const events = Array.isArray(raw.model?.events) ? raw.model.events.map(String) : [];
  if (raw.format !== EVALUATE_FORMAT || !Array.isArray(raw.folds) || !raw.aggregate) {
    return {
      events,
      folds: [],
      selectionFolds: [],
      methods: [],
      aggregate: { all: [], withoutSelection: null },
      postProcessing: '',
      alarmSweep: [],
      targetDropSweep: [],
      damagedInput: [],
      unrecognised: `${file}: format ${JSON.stringify(raw.format)}, expected "${EVALUATE_FORMAT}"`,
    };
  }
  const methods = new Map<string, EvaluateResults['methods'][number]>();
  for (const fold of raw.folds) {
    for (const result of fold.results) {
      const key = label(result);
      const entry = methods.get(key) ?? { label: key, perSubject: [], confusion: [] };
      methods.set(key, entry);
      for (const subject of result.scores.perSubject) entry.perSubject.push({ subject: subject.subject, eventF1: subject.windowEventF1 });
      result.scores.window.confusion.forEach((row, t) => {
        entry.confusion[t] ??= new Array<number>(row.length).fill(0);
        row.forEach((n, p) => (entry.confusion[t][p] += n));
      });
    }
  }
  const labelled = (list: MethodAggregate[]) => list.map((m) => ({ ...m, label: label(m) }));
  return {
    events,
    folds: raw.folds.map((f) => f.fold),
    selectionFolds: raw.folds.filter((f) => f.selection.excluded).map((f) => f.fold),
    methods: [...methods.values()],
    aggregate: {
      all: labelled(raw.aggregate.all.methods),
      withoutSelection: raw.aggregate.withoutSelection ? labelled(raw.aggregate.withoutSelection.methods) : null,
    },
    postProcessing: raw.postProcessing?.description ?? '',
    alarmSweep: (raw.aggregate.all.alarmSweep ?? []).map((r) => ({
      k: r.k,
      n: r.n,
      deployed: r.k === raw.postProcessing?.rule.k && r.n === raw.postProcessing?.rule.n,
      sensitivity: r.rates.sensitivity,
      falseAlarmsPerHour: r.rates.falseAlarmsPerHour,
      activityRecordingsWithAlarm: r.rates.activityRecordingsWithAlarm,
    })),
    targetDropSweep: (raw.aggregate.all.targetDropSweep ?? []).map((r, i) => ({
      targetDrop: r.targetDrop,
      deployed: isDeployedTargetDrop(raw.folds ?? [], i),
      eventF1: r.eventF1,
      gapToDeepExit: r.gapToDeepExit,
      macsShare: r.macsShare,
    })),
    damagedInput: damagedInput(raw.folds),
    unrecognised: null,
  };
}

function damagedInput(folds: EvaluateFile['folds']): EvaluateResults['damagedInput'] {
  const levels = folds.find((f) => f.robustness && f.robustness.length > 0)?.robustness ?? [];
  return levels.map((level, i) => {
    const over = (value: (r: NonNullable<EvaluateFile['folds'][number]['robustness']>[number]) => number | null | undefined) =>
      foldSpread(folds.map((f) => ({ fold: f.fold, value: f.robustness?.[i] ? (value(f.robustness[i]) ?? null) : null })));
    return {
      damage: level.damage,
      auroc: over((r) => r.auroc),
      meanUncertainty: over((r) => r.meanUncertainty),
      meanUncertaintyClean: over((r) => r.meanUncertaintyClean),
      gateRejected: over((r) => r.gateRejected),
      gateRejectedClean: over((r) => r.gateRejectedClean),
    };
  });
}
