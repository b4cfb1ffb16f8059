import { readOptionalJson } from './read-optional-json';

/**
 * The one place that knows the layout of `evaluate/evaluate.json` (format nx-tinyml/evaluate@1: folds[] with
 * results[] of {method, precision, scores: {window: {confusion}, perSubject: [{subject, windowEventF1}]}}, and
 * model.events). The report sees only this neutral view, so a change to the evaluate stage's file is adapted here.
 */
export interface EvaluateResults {
  events: string[];
  folds: string[];
  /** One per method and precision, e.g. "ur2m-cascade int8". */
  methods: { label: string; perSubject: { subject: string; eventF1: number | null }[]; confusion: number[][] }[];
  /** Set when the file is there but not in the layout above. */
  unrecognised: string | null;
}

interface RawEvaluate {
  format?: unknown;
  model?: { events?: unknown };
  folds?: { fold?: unknown; results?: { method?: unknown; precision?: unknown; scores?: { window?: { confusion?: unknown }; perSubject?: { subject?: unknown; windowEventF1?: unknown }[] } }[] }[];
}

export async function readEvaluate(file: string): Promise<EvaluateResults | null> {
  const raw = await readOptionalJson<RawEvaluate>(file);
  if (raw === null) return null;
  const events = Array.isArray(raw.model?.events) ? raw.model!.events.map(String) : [];
  if (raw.format !== 'nx-tinyml/evaluate@1' || !Array.isArray(raw.folds)) {
    return { events, folds: [], methods: [], unrecognised: `${file}: format ${JSON.stringify(raw.format)}, expected "nx-tinyml/evaluate@1"` };
  }
  const methods = new Map<string, EvaluateResults['methods'][number]>();
  for (const fold of raw.folds) {
    for (const result of fold.results ?? []) {
      const label = `${String(result.method)} ${String(result.precision)}`;
      const entry = methods.get(label) ?? { label, perSubject: [], confusion: [] };
      methods.set(label, entry);
      for (const subject of result.scores?.perSubject ?? []) {
        entry.perSubject.push({ subject: String(subject.subject), eventF1: typeof subject.windowEventF1 === 'number' ? subject.windowEventF1 : null });
      }
      const confusion = result.scores?.window?.confusion;
      if (Array.isArray(confusion)) {
        confusion.forEach((row: unknown, t: number) => {
          if (!Array.isArray(row)) return;
          entry.confusion[t] ??= new Array<number>(row.length).fill(0);
          row.forEach((n: unknown, p: number) => (entry.confusion[t][p] += typeof n === 'number' ? n : 0));
        });
      }
    }
  }
  return { events, folds: raw.folds.map((f) => String(f.fold)), methods: [...methods.values()], unrecognised: null };
}
