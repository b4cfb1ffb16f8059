import type { ExperimentArtifacts } from '../artifacts';
import { figure, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

/** The search winner's loss and validation F1 per epoch (search/best-model.json `history`). */
export async function trainingCurvesSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const search = artifacts.search;
  if (!search) return notRun('training', 'Training curves of the winner', 'search', artifacts.experiment);
  const history = search.best.history;
  if (!history || history.length === 0) {
    return shown(
      'training',
      'Training curves of the winner',
      [paragraph('The search outputs carry no per-epoch history (written before it was recorded): rerun the search.')],
      { history: null },
    );
  }
  const long = history.flatMap((e) => [
    { epoch: e.epoch, series: 'training loss', value: e.loss, panel: 'loss' },
    ...(e.validationLoss !== null ? [{ epoch: e.epoch, series: 'validation loss', value: e.validationLoss, panel: 'loss' }] : []),
    ...(e.validationF1 !== null ? [{ epoch: e.epoch, series: 'validation F1', value: e.validationF1, panel: 'F1' }] : []),
  ]);
  const panel = (name: string, title: string) =>
    renderSvg({
      data: { values: long.filter((d) => d.panel === name) },
      width: 300,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 }, title: 'epoch' },
        y: { field: 'value', type: 'quantitative', title },
        color: { field: 'series', type: 'nominal', title: null },
      },
    });
  const [loss, f1] = await Promise.all([panel('loss', 'loss (class-weighted)'), panel('F1', 'validation F1')]);
  return shown(
    'training',
    'Training curves of the winner',
    [
      `<div class="row">${figure('training-loss', loss, `Loss per epoch of ${search.best.candidate} at its last rung.`)}${figure('training-f1', f1, 'Validation F1 of the monitored class per epoch.')}</div>`,
    ],
    { history },
  );
}
