import { readExperimentArtifacts, type ExperimentArtifacts } from './artifacts';
import { headlineOf, type Headline } from './headline';
import { reportPage } from './page';
import type { ReportSection } from './section';
import { cascadeSection } from './sections/cascade';
import { dataSummarySection } from './sections/data-summary';
import { evaluateSection } from './sections/evaluate';
import { firmwareSection } from './sections/firmware';
import { quantizeSection } from './sections/quantize';
import { searchSection } from './sections/search';
import { trainingCurvesSection } from './sections/training-curves';

export const REPORT_FORMAT = 'nx-tinyml/report@1';

export interface ExperimentReport {
  html: string;
  json: {
    format: typeof REPORT_FORMAT;
    experiment: string;
    headline: Headline;
    sections: { id: string; title: string; status: string; data: Record<string, unknown> }[];
  };
}

/** Sections in pipeline order; each renders its stage's outputs or says the stage has not run. */
export async function experimentSections(artifacts: ExperimentArtifacts): Promise<ReportSection[]> {
  // One at a time: vega views are cheap, and the order of the SVG ids stays fixed.
  const sections: ReportSection[] = [];
  for (const section of [dataSummarySection, searchSection, trainingCurvesSection, cascadeSection, quantizeSection, firmwareSection, evaluateSection]) {
    sections.push(await section(artifacts));
  }
  return sections;
}

/** report.html (one self-contained page) and report.json (the figures behind it) of one experiment. */
export async function buildExperimentReport(experimentDir: string, experiment: string): Promise<ExperimentReport> {
  const artifacts = await readExperimentArtifacts(experimentDir, experiment);
  const sections = await experimentSections(artifacts);
  const headline = headlineOf(artifacts);
  const ran = sections.filter((s) => s.status === 'shown').length;
  const subtitle = `${headline.dataset ?? 'dataset ?'} on ${headline.board ?? 'board ?'} · ${ran} of ${sections.length} sections have results`;
  return {
    html: reportPage(`nx-tinyml report: ${experiment}`, subtitle, sections),
    json: { format: REPORT_FORMAT, experiment, headline, sections: sections.map(({ id, title, status, data }) => ({ id, title, status, data })) },
  };
}
