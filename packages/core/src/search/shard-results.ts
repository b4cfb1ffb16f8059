import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceDirAtomic } from '../common/atomic';
import { canonicalJson } from '../common/canonical-json';
import type { Log } from '../common/log';
import type { TrialTiming } from './run-schedule';
import type { TrialOutcome } from './trial';

/**
 * What a shard target leaves behind (its Nx output, `<resultsDir>/r<round>-s<shard>/`): the journal entries of the
 * trials it trained, keyed by content key, in `trials.json`, without timings so that retraining gives the same
 * bytes (downstream cache keys hash it); timings go to `run-log.jsonl`.
 */
export const SHARD_FORMAT = 'nx-tinyml/search-shard@1';
const TRIALS_FILE = 'trials.json';
const RUN_LOG_FILE = 'run-log.jsonl';

export interface ShardResults {
  format: typeof SHARD_FORMAT;
  /** SearchPlan.configuration of the search that produced them. */
  configuration: string;
  round: number;
  shard: number;
  shards: number;
  trials: { contentKey: string; outcome: Omit<TrialOutcome, 'timing'> }[];
}

export function shardName(round: number, shard: number): string {
  return `r${round}-s${shard}`;
}

export async function writeShardResults(
  dir: string,
  results: Omit<ShardResults, 'format' | 'trials'>,
  trials: { contentKey: string; outcome: TrialOutcome }[],
  timings: TrialTiming[],
): Promise<void> {
  const sorted = [...trials].sort((a, b) => (a.contentKey < b.contentKey ? -1 : 1));
  const content: ShardResults = {
    format: SHARD_FORMAT,
    ...results,
    trials: sorted.map(({ contentKey, outcome: { timing: _timing, ...outcome } }) => ({ contentKey, outcome })),
  };
  await replaceDirAtomic(dir, async (temp) => {
    await writeFile(path.join(temp, TRIALS_FILE), `${canonicalJson(content)}\n`);
    await writeFile(path.join(temp, RUN_LOG_FILE), timings.map((t) => JSON.stringify(t)).join('\n') + (timings.length ? '\n' : ''));
  });
}

/**
 * The outcomes the shards of `rounds` (each with `shards` shards) left in `resultsDir` for this configuration.
 * A missing shard is skipped (its trials are simply still pending); one from another configuration is ignored.
 */
export async function readShardResults(
  resultsDir: string,
  configuration: string,
  rounds: readonly number[],
  shards: number,
  log: Log,
): Promise<Map<string, TrialOutcome>> {
  const outcomes = new Map<string, TrialOutcome>();
  for (const round of rounds) {
    for (let shard = 0; shard < shards; shard++) {
      const dir = path.join(resultsDir, shardName(round, shard));
      if (!existsSync(path.join(dir, TRIALS_FILE))) continue;
      const results = JSON.parse(await readFile(path.join(dir, TRIALS_FILE), 'utf8')) as ShardResults;
      if (results.format !== SHARD_FORMAT || results.configuration !== configuration) {
        log(`search: ignoring ${dir}: written by a search with other settings`);
        continue;
      }
      const timings = await readTimings(path.join(dir, RUN_LOG_FILE));
      for (const { contentKey, outcome } of results.trials) {
        const timing = timings.get(outcome.key) ?? { seconds: 0, samplesPerSecond: 0 };
        outcomes.set(contentKey, { ...outcome, timing });
      }
    }
  }
  return outcomes;
}

async function readTimings(file: string): Promise<Map<string, TrialOutcome['timing']>> {
  const timings = new Map<string, TrialOutcome['timing']>();
  if (!existsSync(file)) return timings;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const { key, seconds, samplesPerSecond } = JSON.parse(line) as TrialTiming;
    timings.set(key, { seconds, samplesPerSecond });
  }
  return timings;
}
