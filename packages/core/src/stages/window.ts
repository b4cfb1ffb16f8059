import { replaceDirAtomic } from '../common/atomic';
import { UserError } from '../common/errors';
import { silentLog, type Log } from '../common/log';
import { getAdapter } from '../data/adapters';
import { ensureDataset, formatBytes, type DatasetSource } from '../data/fetch';
import { buildFolds } from '../data/folds';
import { datasetEntry, type DatasetEntry } from '../data/registry';
import { WINDOW_STORE_FORMAT, writeWindowManifest, type WindowManifest } from '../data/window-manifest';
import { classList, subjectsToRead } from '../data/window-plan';
import { PAYLOAD_FILE } from '../data/window-store';
import { WindowStoreBuilder, type WindowStoreContents } from '../data/window-store-builder';
import type { DatasetAdapter } from '../data/recording';
import type { NormalizedWindow } from '../spec/types';

export interface WindowStageInput {
  experiment: string;
  dataset: { name: string; source: DatasetSource; url: string | null };
  window: NormalizedWindow;
  /** Where the store goes; replaced atomically. */
  outDir: string;
  workspaceRoot?: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
}

/**
 * The `window` stage: dataset archive → resampled, labelled windows with subject-grouped folds. Streams one
 * recording at a time (only the payload file grows), and writes the store atomically and deterministically.
 */
export async function runWindowStage(input: WindowStageInput): Promise<WindowManifest> {
  const log = input.log ?? silentLog;
  const spec = input.window;
  const adapter = getAdapter(input.dataset.name);
  const entry = datasetEntry(input.dataset.name, input.workspaceRoot);
  const factor = adapter.nativeRateHz / spec.sampleRateHz;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new UserError(`window.sampleRateHz ${spec.sampleRateHz} must divide the native rate ${adapter.nativeRateHz} Hz of ${adapter.id}`);
  }
  const classes = classList(adapter.labels, spec);
  const subjectFilter = subjectsToRead(adapter.splits, spec);
  const dataset = await ensureDataset(input.dataset.name, {
    source: input.dataset.source,
    url: input.dataset.url,
    workspaceRoot: input.workspaceRoot,
    env: input.env,
    log,
  });
  log(`window: reading ${adapter.id} (${dataset.variant}) at ${spec.sampleRateHz} Hz, ${spec.mode} windows`);

  const started = Date.now();
  let lastReport = started;
  let manifest: WindowManifest | undefined;
  await replaceDirAtomic(input.outDir, async (dir) => {
    const builder = new WindowStoreBuilder(dir, { spec, dataset: adapter.id, classes, negativeLabel: adapter.labels[0], factor });
    try {
      for await (const recording of adapter.recordings(dataset.root, { channels: spec.channels, subjects: subjectFilter })) {
        builder.add(recording);
        if (Date.now() - lastReport > 2000) {
          lastReport = Date.now();
          log(
            `window: ${builder.recordingCount} recordings, ${builder.windowCount} windows, ${((lastReport - started) / 1000).toFixed(0)} s (${recording.name})`,
          );
        }
      }
      const split = spec.folds.split ? { name: spec.folds.split, ...adapter.splits[spec.folds.split] } : undefined;
      const store = builder.finish((subjects) => foldsOrExplain(() => buildFolds(spec.folds.scheme, subjects, split), dataset.variant, entry.sample?.note));
      manifest = windowManifest(input, adapter, entry, dataset, store);
      await writeWindowManifest(dir, manifest);
    } catch (error) {
      builder.abort();
      throw error;
    }
  });
  logWindowSummary(manifest!, ((Date.now() - started) / 1000).toFixed(1), log);
  return manifest!;
}

/** The store's manifest: what the builder found, with the dataset's provenance and the spec's window settings. */
function windowManifest(
  input: WindowStageInput,
  adapter: DatasetAdapter,
  entry: DatasetEntry,
  dataset: { variant: 'full' | 'sample'; sha256: string },
  store: WindowStoreContents,
): WindowManifest {
  const spec = input.window;
  return {
    format: WINDOW_STORE_FORMAT,
    experiment: input.experiment,
    dataset: {
      id: adapter.id,
      title: entry.title,
      variant: dataset.variant,
      archiveSha256: dataset.sha256,
      licence: entry.licence,
      citation: entry.citation,
    },
    window: {
      mode: spec.mode,
      sampleRateHz: spec.sampleRateHz,
      nativeRateHz: adapter.nativeRateHz,
      length: store.length,
      stride: store.stride,
      channels: [
        ...store.channels.map((name) => ({ name, unit: adapter.channels.find((c) => c.name === name)?.unit ?? '' })),
        ...store.derivedChannels.map((c) => ({ ...c, derived: 'rr' as const })),
      ],
      labels: spec.labels,
      folds: { scheme: spec.folds.scheme, k: spec.folds.k },
    },
    classes: store.classes,
    counts: store.counts,
    subjects: store.subjects,
    recordings: store.recordings,
    folds: store.folds,
    payload: { file: PAYLOAD_FILE, endianness: 'little', ...store.payload },
  };
}

function logWindowSummary(done: WindowManifest, seconds: string, log: Log): void {
  const perClassText = done.classes.map((c, i) => `${c} ${done.counts.perClass[i]}`).join(', ');
  log(
    `window: ${done.counts.windows} windows of ${done.window.length}×${done.window.channels.length} from ${done.recordings.length} recordings ` +
      `of ${done.subjects.length} subjects in ${seconds} s; ${perClassText}; imbalance ${done.counts.imbalanceRatio?.toFixed(1) ?? 'n/a'}; ` +
      `${done.folds.length} folds (${done.window.folds.scheme}); payload ${formatBytes(done.payload.bytes)}`,
  );
}

/** A fold that cannot be built on the committed sample usually means the sample lacks a split: say so. */
function foldsOrExplain<T>(build: () => T, variant: 'full' | 'sample', sampleNote: string | undefined): T {
  try {
    return build();
  } catch (error) {
    if (variant === 'sample' && error instanceof UserError) {
      throw new UserError(
        `${error.message}. This ran on the committed sample (${sampleNote ?? 'a small cut'}); set NX_TINYML_DATASET_MIRROR to use the full archive`,
      );
    }
    throw error;
  }
}
