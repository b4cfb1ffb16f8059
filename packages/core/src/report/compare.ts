import { readExperimentArtifacts, type ExperimentArtifacts } from './artifacts';
import { HEADLINE_COLUMNS, headlineOf, type Headline } from './headline';
import { escapeHtml, figure, formatNumber, paragraph } from './html';
import { reportPage } from './page';
import { renderSvg } from './render-svg';
import { shown, type ReportSection } from './section';
import { searchPoints } from './sections/search';

/** One column of the comparison: an experiment's outputs folder, labelled (e.g. "fall-esp32 @ main"). */
export interface ComparisonSide {
  label: string;
  experiment: string;
  experimentDir: string;
}

export interface Comparison {
  html: string;
  json: { format: 'nx-tinyml/comparison@1'; sides: { label: string; experiment: string; headline: Headline }[] };
}

/**
 * The headline figures side by side. Against the first column of the same experiment (a base), a cell is marked
 * better or worse where the figure has a direction.
 */
function headlineTable(sides: readonly ComparisonSide[], headlines: readonly Headline[]): string {
  const cell = (value: Headline[keyof Headline], reference: Headline[keyof Headline], better: 'higher' | 'lower' | undefined, compare: boolean) => {
    if (value === null) return '<td>–</td>';
    if (typeof value !== 'number') return `<td>${escapeHtml(String(value))}</td>`;
    let mark = '';
    if (compare && better && typeof reference === 'number' && reference !== value) {
      mark = value > reference === (better === 'higher') ? ' better' : ' worse';
    }
    return `<td class="num${mark}">${escapeHtml(formatNumber(value))}</td>`;
  };
  const rows = HEADLINE_COLUMNS.map(({ key, title, better }) => {
    const cells = headlines.map((h, i) => cell(h[key], headlines[0][key], better, i > 0 && sides[i].experiment === sides[0].experiment));
    return `<tr><th>${escapeHtml(title)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="comparison"><thead><tr><th></th>${sides.map((s) => `<th>${escapeHtml(s.label)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

async function paretoOverlay(sides: readonly ComparisonSide[], artifacts: readonly ExperimentArtifacts[]): Promise<string | null> {
  const values = artifacts.flatMap((a, i) =>
    a.search
      ? searchPoints(a.search)
          .filter((p) => p.score !== null)
          .map((p) => ({ side: sides[i].label, sramBytes: p.sramBytes, score: p.score, winner: p.role === 'winner' ? 'winner' : 'other' }))
      : [],
  );
  if (values.length === 0) return null;
  return renderSvg({
    data: { values },
    width: 420,
    height: 240,
    mark: { type: 'point', filled: true, opacity: 0.8 },
    encoding: {
      x: { field: 'sramBytes', type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, title: 'SRAM, bytes' },
      y: { field: 'score', type: 'quantitative', scale: { domain: [0, 1] }, title: 'validation metric' },
      color: { field: 'side', type: 'nominal', title: null, sort: sides.map((s) => s.label) },
      shape: { field: 'winner', type: 'nominal', scale: { domain: ['other', 'winner'], range: ['circle', 'diamond'] }, title: null },
      size: { condition: { test: "datum.winner === 'winner'", value: 160 }, value: 40 },
    },
  });
}

async function metricBars(sides: readonly ComparisonSide[], headlines: readonly Headline[]): Promise<string | null> {
  const metrics: [keyof Headline, string][] = [
    ['validationScore', 'search: validation'],
    ['cascadeEventF1', 'cascade: event F1'],
    ['int8EventF1', 'int8: event F1'],
    ['cascadeEce', 'cascade: ECE'],
  ];
  const values = headlines.flatMap((h, i) =>
    metrics.flatMap(([key, metric]) => (typeof h[key] === 'number' ? [{ side: sides[i].label, metric, value: h[key] }] : [])),
  );
  if (values.length === 0) return null;
  return renderSvg({
    data: { values },
    width: 420,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'metric', type: 'nominal', sort: metrics.map(([, m]) => m), title: null },
      xOffset: { field: 'side', type: 'nominal', sort: sides.map((s) => s.label) },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'side', type: 'nominal', title: null, sort: sides.map((s) => s.label) },
    },
  });
}

/** A self-contained page comparing experiments (or one experiment at two commits) side by side. */
export async function buildComparison(sides: readonly ComparisonSide[], title = 'nx-tinyml comparison'): Promise<Comparison> {
  const artifacts = await Promise.all(sides.map((s) => readExperimentArtifacts(s.experimentDir, s.experiment)));
  const headlines = artifacts.map(headlineOf);
  const [pareto, bars] = [await paretoOverlay(sides, artifacts), await metricBars(sides, headlines)];
  const sections: ReportSection[] = [
    shown(
      'headline',
      'Side by side',
      [headlineTable(sides, headlines), paragraph('Green / red: better / worse than the first column of the same experiment. "–": that stage has not run.')],
      {},
    ),
    shown(
      'plots',
      'Plots',
      [
        pareto
          ? figure('compare-pareto', pareto, 'Every trained candidate: validation metric vs SRAM; diamonds: the winners.')
          : paragraph('No search results to plot.'),
        bars ? figure('compare-metrics', bars, 'Headline metrics per column.') : '',
      ],
      {},
    ),
  ];
  return {
    html: reportPage(title, sides.map((s) => s.label).join(' · '), sections),
    json: { format: 'nx-tinyml/comparison@1', sides: sides.map((s, i) => ({ label: s.label, experiment: s.experiment, headline: headlines[i] })) },
  };
}
