import type { ExperimentArtifacts, SearchArtifacts } from '../artifacts';
import { figure, htmlTable, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

interface Point {
  name: string;
  summary: string;
  role: string;
  sramBytes: number;
  flashBytes: number;
  macs: number | null;
  score: number | null;
}

const ROLES = ['candidate', 'Pareto front', 'winner', 'two-stage: unconstrained', 'two-stage: pruned', 'unweighted loss'];
const SHAPES = ['circle', 'circle', 'diamond', 'triangle-up', 'triangle-down', 'square'];

/** Every trained candidate at the highest rung it reached, the front, the winner and the MicroNAS baselines. */
export function searchPoints(search: SearchArtifacts): Point[] {
  const reached = new Map<string, { rung: number; score: number }>();
  for (const t of search.trials.trials) if ((reached.get(t.candidate)?.rung ?? -1) < t.rung) reached.set(t.candidate, { rung: t.rung, score: t.score });
  const front = new Set(search.pareto.front.map((p) => p.id));
  const points: Point[] = search.trials.candidates
    .filter((c) => reached.has(c.id))
    .map((c) => ({
      name: c.id,
      summary: c.summary,
      role: c.id === search.best.candidate ? 'winner' : front.has(c.id) ? 'Pareto front' : 'candidate',
      sramBytes: c.sramBytes,
      flashBytes: c.flashBytes,
      macs: c.macs,
      score: reached.get(c.id)!.score,
    }));
  const { twoStage, unweighted } = search.baselines;
  const baseline = (role: string, name: string, m: { summary: string; sramBytes: number; flashBytes: number; validationF1: number | null }) =>
    points.push({ name, summary: m.summary, role, sramBytes: m.sramBytes, flashBytes: m.flashBytes, macs: null, score: m.validationF1 });
  if (twoStage) {
    baseline('two-stage: unconstrained', twoStage.unconstrained.candidate, twoStage.unconstrained);
    if (twoStage.pruned) baseline('two-stage: pruned', 'pruned', twoStage.pruned);
  }
  if (unweighted) baseline('unweighted loss', 'unweighted', unweighted);
  // Winner last so it is drawn on top.
  return points.sort((a, b) => Number(a.role === 'winner') - Number(b.role === 'winner'));
}

async function paretoPlot(points: Point[], field: 'sramBytes' | 'flashBytes' | 'macs', title: string, metric: string, budget: number | null): Promise<string> {
  const values = points.filter((p) => p[field] !== null && p.score !== null);
  const layers: object[] = [
    {
      mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
      encoding: {
        x: { field, type: 'quantitative', scale: { type: 'log', nice: false, padding: 12 }, title },
        y: { field: 'score', type: 'quantitative', scale: { domain: [0, 1] }, title: `validation ${metric}` },
        color: {
          field: 'role',
          type: 'nominal',
          scale: { domain: ROLES, range: ['#9aa5b1', '#1f77b4', '#d62728', '#ff7f0e', '#9467bd', '#2ca02c'] },
          title: null,
          legend: { orient: 'bottom', columns: 2 },
        },
        shape: { field: 'role', type: 'nominal', scale: { domain: ROLES, range: SHAPES }, title: null, legend: { orient: 'bottom', columns: 2 } },
        tooltip: [{ field: 'name' }, { field: 'summary' }, { field: field }, { field: 'score' }],
      },
    },
  ];
  if (budget !== null) {
    layers.push({
      data: { values: [{ budget, label: `budget ${budget.toLocaleString('en-US')}` }] },
      layer: [
        { mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4] }, encoding: { x: { field: 'budget', type: 'quantitative' } } },
        {
          mark: { type: 'text', color: '#d62728', align: 'right', dx: -4, y: 8, fontSize: 10 },
          encoding: { x: { field: 'budget', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    });
  }
  return renderSvg({ data: { values }, width: 215, height: 190, layer: layers } as never);
}

/** The search's Pareto front (validation metric vs SRAM, flash, MACs; budgets; winner and baselines) and its trials. */
export async function searchSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const search = artifacts.search;
  if (!search) return notRun('search', 'Search', 'search', artifacts.experiment);
  const { trials, best } = search;
  const metric = trials.metric;
  const points = searchPoints(search);
  const [sram, flash, macs] = await Promise.all([
    paretoPlot(points, 'sramBytes', 'SRAM (arena + input + result + static + stack), bytes', metric, trials.budget.sramBytes),
    paretoPlot(points, 'flashBytes', 'flash, bytes', metric, trials.budget.flashBytes),
    paretoPlot(points, 'macs', 'MACs per inference', metric, null),
  ]);
  const byId = new Map(trials.candidates.map((c) => [c.id, c]));
  const f3 = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v.toFixed(3)));
  const table = htmlTable(
    ['candidate', 'architecture', 'rung', 'epochs run', `validation ${metric}`, 'test F1', 'SRAM B', 'flash B', 'MACs'],
    trials.trials.map((t) => {
      const c = byId.get(t.candidate);
      return [t.candidate, c?.summary ?? '', t.rung, t.epochsRun, f3(t.score), f3(t.testF1), c?.sramBytes, c?.flashBytes, c?.macs];
    }),
    { className: 'trials' },
  );
  const text =
    `${trials.strategy} over ${trials.candidates.length} candidates that fit ${trials.board} (${trials.rejected.count} rejected unseen by the memory model); ` +
    `fold ${trials.fold}, ranked by validation ${metric}. Winner ${best.candidate}: ${best.summary}.`;
  return shown(
    'search',
    'Search',
    [
      paragraph(text),
      `<div class="row">${figure('pareto-sram', sram, 'Validation metric vs SRAM; dashed: the budget.')}${figure('pareto-flash', flash, 'Validation metric vs flash; dashed: the budget.')}${figure('pareto-macs', macs, 'Validation metric vs MACs (baselines: not in the trial table).')}</div>`,
      `<details><summary>All ${trials.trials.length} trials</summary>${table}</details>`,
    ],
    {
      winner: { candidate: best.candidate, summary: best.summary, validation: best.validation, test: best.test },
      front: search.pareto.front,
      trials: trials.trials.length,
      candidates: trials.candidates.length,
      budget: trials.budget,
    },
  );
}
