import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic, writeFileAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import { silentLog, type Log } from '../common/log';
import { checksumTree } from '../data/fetch';
import type { NormalizedSpec } from '../spec/types';
import { PredictionSet } from '../train/cascade/predictions';
import type { PostProcessingRule } from './alarms';
import { describeRule } from './alarms';
import { scoreMethod, type MethodScores } from './method-scores';
import { loadTrainedModels, predictRecording, readLocalRecordings, type LocalRecording, type TrainedModels } from './new-data';
import type { RecordingTimeline } from './recordings';

export interface TrainedModelDirs {
  cascadeDir: string;
  /** null: float only. */
  quantizeDir: string | null;
}

/** One window's answer, float and int8: decision (the event's name or "none"), p per event, uncertainty, exit. */
export interface WindowPrediction {
  window: number;
  startSeconds: number;
  endSeconds: number;
  label: string | null;
  float: Answer;
  int8: Answer | null;
}

interface Answer {
  decision: string;
  p: number[];
  uncertainty: number;
  exit: number;
}

function answer(set: PredictionSet, i: number, events: readonly string[]): Answer {
  return {
    decision: set.cls[i] === 0 ? 'none' : events[set.cls[i] - 1],
    p: events.map((_, j) => set.p[i * events.length + j]),
    uncertainty: set.uncertainty[i],
    exit: set.exit ? set.exit[i] : 0,
  };
}

/** Every window of one recording with the deployed models' answers. */
export function recordingPredictions(models: TrainedModels, recording: LocalRecording): WindowPrediction[] {
  const { float, int8 } = predictRecording(models, recording);
  const seconds = models.ir.input.length / recording.rateHz;
  return recording.windows.map((w, i) => ({
    window: i,
    startSeconds: w.start / recording.rateHz,
    endSeconds: w.start / recording.rateHz + seconds,
    label: w.label,
    float: answer(float, i, models.events),
    int8: int8 ? answer(int8, i, models.events) : null,
  }));
}

/** CSV (a header, one row per window, p per event as `float_p_<event>`) or JSON Lines (one object per window). */
export function formatPredictions(rows: readonly WindowPrediction[], events: readonly string[], format: 'csv' | 'jsonl'): string {
  if (format === 'jsonl') return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
  const precisions = rows[0]?.int8 ? (['float', 'int8'] as const) : (['float'] as const);
  const header = [
    'window',
    'start_s',
    'end_s',
    'label',
    ...precisions.flatMap((p) => [`${p}_decision`, ...events.map((e) => `${p}_p_${e}`), `${p}_uncertainty`, `${p}_exit`]),
  ];
  const cells = (a: Answer) => [a.decision, ...a.p.map((p) => p.toFixed(6)), a.uncertainty.toFixed(6), String(a.exit)];
  const lines = rows.map((row) =>
    [String(row.window), row.startSeconds.toFixed(3), row.endSeconds.toFixed(3), row.label ?? '', ...precisions.flatMap((p) => cells(row[p] as Answer))].join(
      ',',
    ),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** `tinyml predict`: one recording of a local folder → per-window answers as CSV or JSONL (written atomically). */
export async function runPredict(input: {
  spec: NormalizedSpec;
  models: TrainedModelDirs;
  folder: string;
  recording: string;
  format: 'csv' | 'jsonl';
  outFile: string;
}): Promise<WindowPrediction[]> {
  const models = await loadTrainedModels(input.models.cascadeDir, input.models.quantizeDir);
  const [recording] = await readLocalRecordings(input.folder, input.spec.dataset.name, input.spec.window, models.ir.input.length, input.recording);
  const rows = recordingPredictions(models, recording);
  await writeFileAtomic(input.outFile, formatPredictions(rows, models.events, input.format));
  return rows;
}

/** What `tinyml evaluate-data` writes: the deployed models' figures on the recordings of a local folder. */
export interface NewDataReport {
  format: 'nx-tinyml/evaluate-data@1';
  experiment: string;
  folder: string;
  postProcessing: { rule: PostProcessingRule; description: string };
  recordings: { name: string; subject: string; windows: number; durationSeconds: number }[];
  /** Windows whose label is not one of the model's classes are left out of the scores. */
  unscoredWindows: number;
  float: MethodScores;
  int8: MethodScores | null;
}

/**
 * The deployed float and int8 cascades on every recording of a local folder in the dataset's own format (no
 * checksum pin): window- and event-level scores under the spec's alarm rule, plus manifest.json listing every
 * file read with its size and sha256. The output folder is replaced atomically.
 */
export async function runNewDataEvaluation(input: {
  spec: NormalizedSpec;
  models: TrainedModelDirs;
  folder: string;
  outDir: string;
  log?: Log;
}): Promise<NewDataReport> {
  const log = input.log ?? silentLog;
  const models = await loadTrainedModels(input.models.cascadeDir, input.models.quantizeDir);
  const recordings = await readLocalRecordings(input.folder, input.spec.dataset.name, input.spec.window, models.ir.input.length);
  const files = await checksumTree(input.folder);
  log(
    `evaluate-data: ${recordings.length} recording(s), ${recordings.reduce((n, r) => n + r.windows.length, 0)} windows from ${files.length} file(s) in ${input.folder}`,
  );
  const E = models.events.length;
  const eventOf = (label: string | null) => {
    const c = label === null ? -1 : models.classes.indexOf(label);
    return c < 0 ? -1 : models.eventClasses.indexOf(c) + 1;
  };
  const subjectNames = [...new Set(recordings.map((r) => r.subject))].sort();
  const truth: number[] = [];
  const subjects: number[] = [];
  const floatSets: { set: PredictionSet; keep: number[] }[] = [];
  const int8Sets: PredictionSet[] = [];
  const timelines: RecordingTimeline[] = [];
  let unscored = 0;
  for (const recording of recordings) {
    const { float, int8 } = predictRecording(models, recording);
    const keep = recording.windows.map((w, i) => (eventOf(w.label) >= 0 ? i : -1)).filter((i) => i >= 0);
    unscored += recording.windows.length - keep.length;
    const offset = truth.length;
    const seconds = models.ir.input.length / recording.rateHz;
    timelines.push({
      recording: recording.name,
      subject: recording.subject,
      durationSeconds: recording.length / recording.rateHz,
      positions: keep.map((_, k) => offset + k),
      startSeconds: keep.map((i) => recording.windows[i].start / recording.rateHz),
      endSeconds: keep.map((i) => recording.windows[i].start / recording.rateHz + seconds),
      sampleRateHz: recording.rateHz,
    });
    for (const i of keep) {
      truth.push(eventOf(recording.windows[i].label));
      subjects.push(subjectNames.indexOf(recording.subject));
    }
    floatSets.push({ set: float, keep });
    if (int8) int8Sets.push(int8);
  }
  const concat = (sets: PredictionSet[]) => {
    const all = new PredictionSet(truth.length, E, true);
    let k = 0;
    sets.forEach((set, r) => {
      for (const i of floatSets[r].keep) {
        for (let j = 0; j < E; j++) all.p[k * E + j] = set.p[i * E + j];
        all.uncertainty[k] = set.uncertainty[i];
        all.cls[k] = set.cls[i];
        (all.exit as Uint8Array)[k] = set.exit ? set.exit[i] : 0;
        k++;
      }
    });
    return all;
  };
  const rule = input.spec.evaluate.postProcessing;
  const score = (set: PredictionSet) => scoreMethod(set, Uint8Array.from(truth), Uint16Array.from(subjects), subjectNames, models.events, timelines, rule);
  const report: NewDataReport = {
    format: 'nx-tinyml/evaluate-data@1',
    experiment: input.spec.name,
    folder: path.resolve(input.folder),
    postProcessing: { rule, description: describeRule(rule) },
    recordings: recordings.map((r) => ({ name: r.name, subject: r.subject, windows: r.windows.length, durationSeconds: r.length / r.rateHz })),
    unscoredWindows: unscored,
    float: score(concat(floatSets.map((f) => f.set))),
    int8: models.int8 ? score(concat(int8Sets)) : null,
  };
  await replaceDirAtomic(input.outDir, async (dir) => {
    await writeFile(path.join(dir, 'report.json'), `${canonicalJson(report, 1)}\n`);
    await writeFile(path.join(dir, 'manifest.json'), `${canonicalJson({ folder: report.folder, files, recordings: report.recordings }, 1)}\n`);
  });
  for (const precision of ['float', 'int8'] as const) {
    const scores = report[precision];
    if (!scores) continue;
    const r = scores.event.rates;
    log(
      `evaluate-data ${precision}: window event F1 ${scores.window.eventF1.toFixed(3)}; per-event sensitivity ${r.sensitivity === null ? '–' : r.sensitivity.toFixed(3)}, ` +
        `false alarms ${r.falseAlarmsPerHour === null ? '–' : r.falseAlarmsPerHour.toFixed(2)}/h, activity recordings with an alarm ${r.activityRecordingsWithAlarm === null ? '–' : (100 * r.activityRecordingsWithAlarm).toFixed(1)} %`,
    );
  }
  return report;
}
