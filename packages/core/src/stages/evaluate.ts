import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { describeFolds } from '../data/folds';
import { silentLog, type Log } from '../common/log';
import { aggregateFolds } from '../evaluate/aggregate-folds';
import { describeRule } from '../evaluate/alarms';
import { loadEvaluationContext, type EvaluationSources } from '../evaluate/context';
import type { FoldResult, FoldSettings } from '../evaluate/fold-evaluation';
import { EVALUATE_FORMAT, writeEvaluateResults, type EvaluateResults } from '../evaluate/results';
import { runFolds } from '../evaluate/run-folds';
import { readEvaluateShardOutput } from '../evaluate/shard-output';
import { evaluateConsoleSummary, evaluateMarkdown } from '../evaluate/summary';

export interface EvaluateStageInput {
  experiment: string;
  sources: EvaluationSources;
  settings: FoldSettings;
  /** Output folders of the evaluate-s<j> targets; their folds are taken when their key matches. */
  shardDirs: string[];
  outDir: string;
  journalDir: string;
  /** Threads for the folds no shard target gave (each fold trains on one); 1 evaluates them in this process. */
  workers?: number;
  log?: Log;
}

/**
 * The `evaluate` stage: every selected outer fold's result — from the shard targets, else from the journal, else
 * evaluated here — aggregated per method (mean ± sd, median, worst subject, pooled), with and without the folds whose
 * test subject took part in selection; writes evaluate.json and summary.md and prints the headline figures.
 */
export async function runEvaluateStage(input: EvaluateStageInput): Promise<EvaluateResults> {
  const log = input.log ?? silentLog;
  const context = await loadEvaluationContext(input.sources, input.settings);
  const fromShards = new Map<string, FoldResult>();
  for (const dir of input.shardDirs) {
    const output = await readEvaluateShardOutput(dir);
    for (const { key, result } of output?.folds ?? []) fromShards.set(key, result);
  }
  const missing = context.folds.filter((f) => !fromShards.has(context.foldKey(f)));
  if (input.shardDirs.length > 0)
    log(
      `evaluate: ${context.folds.length - missing.length} of ${context.folds.length} fold(s) from the shard targets${missing.length > 0 ? `; evaluating ${missing.join(', ')} here` : ''}`,
    );
  const workers = input.workers ?? 1;
  const { results: evaluated } = await runFolds(
    context,
    missing,
    input.settings,
    input.journalDir,
    log,
    workers > 1 ? { workers, sources: input.sources } : null,
  );
  const byFold = new Map(evaluated.map((r) => [r.fold, r]));
  const folds = context.folds.map((f) => fromShards.get(context.foldKey(f)) ?? byFold.get(f)!);
  const events = context.deployed.events.names;
  const kept = folds.filter((f) => !f.selection.excluded);
  const rule = input.settings.evaluate.postProcessing;
  const manifest = context.store.manifest;
  const results: EvaluateResults = {
    format: EVALUATE_FORMAT,
    experiment: input.experiment,
    dataset: { id: manifest.dataset.id, variant: manifest.dataset.variant },
    foldScheme: describeFolds(
      manifest.window.folds,
      manifest.folds.map((f) => f.name),
    ),
    model: { summary: context.summary, events },
    postProcessing: { rule, description: describeRule(rule) },
    training: input.settings.evaluate.training,
    folds,
    aggregate: { all: aggregateFolds(folds, events), withoutSelection: kept.length > 0 ? aggregateFolds(kept, events) : null },
  };
  await replaceDirAtomic(input.outDir, async (dir) => {
    await writeEvaluateResults(dir, results);
    await writeFile(path.join(dir, 'summary.md'), evaluateMarkdown(results));
  });
  for (const line of evaluateConsoleSummary(results)) log(line);
  return results;
}
