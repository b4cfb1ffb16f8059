import type { PredictionScores } from '../../train/cascade/scoring';
import { exitName, METHOD_TITLES } from '../../train/cascade/report';
import type { ExperimentArtifacts } from '../artifacts';
import { figure, htmlTable, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

const title = (method: string) => METHOD_TITLES[method as keyof typeof METHOD_TITLES] ?? method;

/**
 * The cascade against its baselines on the test subjects (train-cascade/metrics.json): reliability diagrams per
 * method, accuracy vs coverage, the threshold sweep (event F1 and expected MACs vs a shared exit threshold, on
 * validation) and the exit rates.
 */
export async function cascadeSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const cascade = artifacts.cascade;
  if (!cascade) return notRun('cascade', 'Cascade and uncertainty', 'train-cascade', artifacts.experiment);
  const methods = Object.entries(cascade.test.methods).filter((entry): entry is [string, PredictionScores] => entry[1] !== undefined);

  const bins = methods.flatMap(([method, s]) =>
    s.events.flatMap((e) =>
      e.reliability.filter((b) => b.count > 0).map((b) => ({ method: title(method), event: e.event, p: b.meanP, frequency: b.frequency, windows: b.count })),
    ),
  );
  const reliability = await renderSvg({
    data: { values: bins },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: methods.map(([m]) => title(m)) } },
    spec: {
      width: 150,
      height: 150,
      layer: [
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, encoding: { x: { datum: 0 }, y: { datum: 0 }, x2: { datum: 1 }, y2: { datum: 1 } } },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'p', type: 'quantitative', scale: { domain: [0, 1] }, title: 'mean predicted p' },
            y: { field: 'frequency', type: 'quantitative', scale: { domain: [0, 1] }, title: 'observed frequency' },
            color: { field: 'event', type: 'nominal', title: 'event' },
            size: { value: 2 },
          },
        },
      ],
    },
  } as never);

  const coveragePoints = methods.flatMap(([method, s]) => s.coverage.map((c) => ({ method: title(method), coverage: c.coverage, accuracy: c.accuracy })));
  const coverage = await renderSvg({
    data: { values: coveragePoints },
    width: 300,
    height: 200,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'coverage', type: 'quantitative', scale: { domain: [0, 1] }, title: 'coverage (most certain share of windows)' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'accuracy' },
      color: { field: 'method', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2 } },
    },
  });

  const parts: string[] = [];
  const sweep = cascade.thresholdSweep ?? [];
  let sweepFigure = '';
  if (sweep.length > 0) {
    const rows = sweep.flatMap((p) => [
      { threshold: p.thresholds[0] ?? 0, panel: 'event F1 (validation)', value: p.eventF1 },
      { threshold: p.thresholds[0] ?? 0, panel: 'expected MACs per window', value: p.expectedMacs },
    ]);
    const svg = await renderSvg({
      data: { values: rows },
      facet: { column: { field: 'panel', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220,
        height: 170,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'threshold', type: 'quantitative', title: 'uncertainty threshold τ on every early exit' },
          y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        },
      },
    } as never);
    sweepFigure = figure(
      'threshold-sweep',
      svg,
      'Threshold sweep on the validation windows: a window stops at the first early exit whose uncertainty is ≤ τ (0: all to the deep exit).',
    );
  }
  const front = cascade.calibration.front.map((p) => ({ macs: p.expectedMacs, f1: p.eventF1 }));
  const chosen = cascade.calibration.chosen;
  const tradeoff = await renderSvg({
    width: 260,
    height: 170,
    layer: [
      {
        data: { values: front },
        mark: { type: 'line', point: true, color: '#1f77b4' },
        encoding: {
          x: { field: 'macs', type: 'quantitative', title: 'expected MACs per window' },
          y: { field: 'f1', type: 'quantitative', scale: { zero: false }, title: 'event F1 (validation)' },
        },
      },
      {
        data: { values: [{ macs: chosen.expectedMacs, f1: chosen.eventF1, label: `chosen ${chosen.thresholds.map((t) => t.toFixed(2)).join(' / ')}` }] },
        layer: [
          {
            mark: { type: 'point', shape: 'diamond', size: 140, filled: true, color: '#d62728' },
            encoding: { x: { field: 'macs', type: 'quantitative' }, y: { field: 'f1', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', dy: -12, align: 'left', dx: 4, color: '#d62728', fontSize: 10 },
            encoding: { x: { field: 'macs', type: 'quantitative' }, y: { field: 'f1', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  } as never);

  const ur2m = cascade.test.methods['ur2m-cascade'];
  const exits = ur2m?.exits;
  let exitFigure = '';
  if (exits) {
    const rows = exits.rates.map((rate, k) => ({ exit: exitName(k, exits.rates.length), rate, macs: exits.macs[k] }));
    const svg = await renderSvg({
      data: { values: rows },
      width: 220,
      height: 170,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: 'exit', type: 'nominal', sort: null, title: 'exit' },
            y: { field: 'rate', type: 'quantitative', axis: { format: '%' }, title: 'share of test windows' },
          },
        },
        {
          mark: { type: 'text', dy: -6 },
          encoding: {
            x: { field: 'exit', type: 'nominal', sort: null },
            y: { field: 'rate', type: 'quantitative' },
            text: { field: 'rate', type: 'quantitative', format: '.1%' },
          },
        },
      ],
    } as never);
    exitFigure = figure(
      'exit-rates',
      svg,
      `Where the cascade stops on the test windows; expected ${Math.round(exits.expectedMacs).toLocaleString('en-US')} of ${exits.macs[exits.macs.length - 1].toLocaleString('en-US')} MACs.`,
    );
  }

  const table = htmlTable(
    ['method', 'event F1', 'accuracy', 'ECE', 'Brier', 'mean uncertainty', 'MACs / window'],
    methods.map(([method, s]) => [title(method), s.eventF1, s.accuracy, s.ece, s.brier, s.meanUncertainty, cascade.resources[method]?.macs ?? null]),
  );
  parts.push(
    paragraph(`Events ${cascade.events.join(', ')}; fold ${cascade.fold}; tested on ${cascade.subjects.test.join(', ')} (${ur2m?.windows ?? '?'} windows).`),
    table,
    figure('reliability', reliability, 'Reliability diagrams per method (15 bins of each event’s p; dashed: perfect calibration).'),
    `<div class="row">${figure('coverage', coverage, 'Accuracy of the most certain windows vs the share kept.')}${figure('tradeoff', tradeoff, 'Calibration front: event F1 vs expected MACs of the feasible thresholds; red: chosen.')}</div>`,
    `<div class="row">${sweepFigure || paragraph('No threshold sweep in metrics.json (written before it was recorded): rerun train-cascade.')}${exitFigure}</div>`,
  );
  return shown('cascade', 'Cascade and uncertainty', parts, {
    methods: Object.fromEntries(methods.map(([m, s]) => [m, { eventF1: s.eventF1, accuracy: s.accuracy, ece: s.ece, brier: s.brier }])),
    thresholds: chosen.thresholds,
    exitRates: exits?.rates ?? null,
    expectedMacs: exits?.expectedMacs ?? null,
    thresholdSweep: sweep.map((p) => ({ threshold: p.thresholds[0] ?? 0, eventF1: p.eventF1, expectedMacs: p.expectedMacs })),
  });
}
