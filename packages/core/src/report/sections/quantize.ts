import type { ExperimentArtifacts } from '../artifacts';
import { figure, htmlTable, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

const METRICS = [
  ['eventF1', 'event F1'],
  ['accuracy', 'accuracy'],
  ['ece', 'ECE'],
  ['brier', 'Brier'],
] as const;

/** The cascade in float and in int8 on the test subjects (quantize/report.json). */
export async function quantizeSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const quantize = artifacts.quantize;
  if (!quantize) return notRun('quantize', 'Float vs int8', 'quantize', artifacts.experiment);
  const { report } = quantize;
  const rows = METRICS.flatMap(([key, label]) =>
    (['float', 'int8'] as const).flatMap((precision) => {
      const value = report[precision][key];
      return typeof value === 'number' ? [{ metric: label, precision, value }] : [];
    }),
  );
  const svg = await renderSvg({
    data: { values: rows },
    width: 300,
    height: 180,
    mark: 'bar',
    encoding: {
      x: { field: 'metric', type: 'nominal', sort: METRICS.map(([, l]) => l), title: null },
      xOffset: { field: 'precision', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'precision', type: 'nominal', scale: { range: ['#4c78a8', '#f58518'] }, title: null },
    },
  });
  const table = htmlTable(
    ['', 'float', 'int8', 'change'],
    METRICS.map(([key, label]) => {
      const f = report.float[key];
      const q = report.int8[key];
      return [label, f ?? null, q ?? null, typeof f === 'number' && typeof q === 'number' ? q - f : null];
    }),
  );
  return shown(
    'quantize',
    'Float vs int8',
    [
      paragraph(
        `${report.windows.toLocaleString('en-US')} test windows; decisions agree on ${(100 * report.agreement.decision).toFixed(2)} %, exits on ${(100 * report.agreement.exit).toFixed(2)} %; flash blob ${report.flash.blobBytes.toLocaleString('en-US')} B.`,
      ),
      `<div class="row">${figure('float-vs-int8', svg, 'The float cascade and the integer reference interpreter on the same windows.')}${table}</div>`,
    ],
    { float: report.float, int8: report.int8, drop: report.drop, agreement: report.agreement },
  );
}
