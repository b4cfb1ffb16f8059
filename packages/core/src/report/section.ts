import { escapeHtml } from './html';

/** One part of the report: its HTML (inline SVG plots, tables) and the figures behind it for report.json. */
export interface ReportSection {
  id: string;
  title: string;
  /** `not-run`: the stage's outputs are not there (never an error: the report shows what exists). */
  status: 'shown' | 'not-run';
  html: string;
  data: Record<string, unknown>;
}

/** The placeholder of a section whose stage has not run, saying which target writes it. */
export function notRun(id: string, title: string, stage: string, experiment: string): ReportSection {
  return {
    id,
    title,
    status: 'not-run',
    html: `<p class="not-run">Not run: no output of <code>${escapeHtml(stage)}</code> yet (<code>npx nx run ${escapeHtml(experiment)}:${escapeHtml(stage)}</code>).</p>`,
    data: { notRun: stage },
  };
}

export function shown(id: string, title: string, parts: string[], data: Record<string, unknown>): ReportSection {
  return { id, title, status: 'shown', html: parts.join('\n'), data };
}
