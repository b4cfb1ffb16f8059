import type { ExperimentArtifacts } from '../artifacts';
import { figure, htmlTable, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

/** Subjects, windows per class and per subject, the window settings and the folds (window stage). */
export async function dataSummarySection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const manifest = artifacts.window;
  if (!manifest) return notRun('data', 'Data', 'window', artifacts.experiment);
  const { window, classes } = manifest;
  const perSubject = manifest.subjects.flatMap((s) => classes.map((c, k) => ({ subject: s.id, class: c, windows: s.perClass[k] })));
  const bars = await renderSvg({
    title: 'Windows per subject and class',
    data: { values: perSubject },
    mark: 'bar',
    width: Math.min(720, Math.max(240, 28 * manifest.subjects.length)),
    height: 180,
    encoding: {
      x: { field: 'subject', type: 'nominal', sort: null, title: 'subject' },
      y: { field: 'windows', type: 'quantitative', title: 'windows' },
      color: { field: 'class', type: 'nominal', sort: classes, title: 'class' },
    },
  });
  const description =
    `${manifest.dataset.title} (${manifest.dataset.variant === 'sample' ? 'committed sample' : 'full archive'}): ${manifest.counts.windows.toLocaleString('en-US')} windows of ` +
    `${window.length} samples × ${window.channels.length} channels at ${window.sampleRateHz} Hz (native ${window.nativeRateHz} Hz, ${window.mode}` +
    `${window.stride ? `, stride ${window.stride}` : ''}) from ${manifest.recordings.length} recordings of ${manifest.subjects.length} subjects; ` +
    `imbalance ${manifest.counts.imbalanceRatio?.toFixed(1) ?? '–'}; ${manifest.folds.length} folds.`;
  const classTable = htmlTable(
    ['class', 'windows', 'share'],
    classes.map((c, k) => [c, manifest.counts.perClass[k], `${((100 * manifest.counts.perClass[k]) / Math.max(1, manifest.counts.windows)).toFixed(1)} %`]),
  );
  return shown('data', 'Data', [paragraph(description), classTable, figure('data-per-subject', bars, 'Windows per subject, stacked by class.')], {
    dataset: manifest.dataset.id,
    variant: manifest.dataset.variant,
    windows: manifest.counts.windows,
    classes: Object.fromEntries(classes.map((c, k) => [c, manifest.counts.perClass[k]])),
    subjects: manifest.subjects.length,
    folds: manifest.folds.length,
  });
}
