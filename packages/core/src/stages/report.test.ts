import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import type { SamplePipeline } from '../../testing/sample-pipeline';
import { runReportStage } from './report';
import { buildExperimentReport } from '../report/build-report';
import { buildComparison } from '../report/compare';
import { runSampleReportPipeline } from '../../testing/report-fixture';
import { reportInputsText } from '../report/report-inputs';

/** The report of the real sample pipeline (every stage but evaluate), then opened in headless Chromium. */
const toolchains = inject('toolchainState');
const runner = toolchains.crossCompilers && toolchains.qemu ? 'qemu' : toolchains.hostCompiler ? 'host' : null;
let pipeline: SamplePipeline;
let reportDir: string;
beforeAll(async () => {
  // Without any compiler flash-test cannot run, so there is no pipeline to report on (the run's last line says so).
  if (runner === null) return;
  pipeline = await runSampleReportPipeline(runner);
  reportDir = path.join(pipeline.root, 'report');
  await runReportStage({ experiment: pipeline.spec.name, experimentDir: pipeline.root, outDir: reportDir });
}, 600_000);
afterAll(() => pipeline?.dispose());

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe.skipIf(runner === null)('the experiment report', () => {
  it('shows every stage that ran and says "not run" for the one that did not (evaluate)', () => {
    const report = json(path.join(reportDir, 'report.json'));
    const status = Object.fromEntries(report.sections.map((s: { id: string; status: string }) => [s.id, s.status]));
    expect(status).toEqual({ data: 'shown', search: 'shown', training: 'shown', cascade: 'shown', quantize: 'shown', firmware: 'shown', evaluate: 'not-run' });
    const html = readFileSync(path.join(reportDir, 'report.html'), 'utf8');
    expect(html).toContain('Not run: no output of <code>evaluate</code>');
  });

  it('takes its figures from the stage outputs', () => {
    const { headline } = json(path.join(reportDir, 'report.json'));
    const metrics = json(path.join(pipeline.cascadeDir, 'metrics.json'));
    const quantize = json(path.join(pipeline.root, 'quantize', 'report.json'));
    const flash = json(path.join(pipeline.root, 'flash-test', 'report.json'));
    expect(headline.cascadeEventF1).toBe(metrics.test.methods['ur2m-cascade'].eventF1);
    expect(headline.int8EventF1).toBe(quantize.int8.eventF1);
    expect(headline.bitExact).toBe(`${flash.vectors.passed}/${flash.vectors.total} (${flash.runner})`);
    expect(headline.linkedFlashBytes).toBe(flash.memory.flash.used);
    const best = json(path.join(pipeline.searchDir, 'best-model.json'));
    expect(best.history.length).toBeGreaterThan(0); // the winner's training curve
    expect(metrics.thresholdSweep).toHaveLength(21);
  });

  it('renders every plot as inline SVG: no script, no external reference', () => {
    const html = readFileSync(path.join(reportDir, 'report.html'), 'utf8');
    expect(html.match(/<figure data-plot=/g)!.length).toBeGreaterThanOrEqual(12);
    expect(html).not.toMatch(/<script|<img|<iframe|https?:\/\/(?!www\.w3\.org)/);
  });

  it('is byte-identical from the same outputs', async () => {
    const again = await buildExperimentReport(pipeline.root, pipeline.spec.name);
    expect(again.html).toBe(readFileSync(path.join(reportDir, 'report.html'), 'utf8'));
  });

  it('shows a skipped flash-test (runner: board, none attached) as skipped, with its reason', async () => {
    const skipped = path.join(pipeline.root, 'skipped-flash');
    for (const stage of ['window', 'search', 'train-cascade', 'quantize', 'emit-firmware']) {
      cpSync(path.join(pipeline.root, stage), path.join(skipped, stage), { recursive: true });
    }
    const flash = json(path.join(pipeline.root, 'flash-test', 'report.json'));
    mkdirSync(path.join(skipped, 'flash-test'));
    const reason = 'no board attached (st-flash found nothing on USB)';
    writeFileSync(
      path.join(skipped, 'flash-test', 'report.json'),
      JSON.stringify({ format: flash.format, experiment: flash.experiment, board: flash.board, runner: 'board', skipped: reason }),
    );
    const report = await buildExperimentReport(skipped, 'skipped-flash');
    expect(report.html).toContain(`flash-test skipped on ${flash.board}: ${reason}`);
    expect(report.json.headline.bitExact).toBeNull();
  });

  it('shows a stage whose outputs are missing as not run, and names a corrupt output file', async () => {
    const partial = path.join(pipeline.root, 'partial');
    for (const stage of ['window', 'search']) cpSync(path.join(pipeline.root, stage), path.join(partial, stage), { recursive: true });
    const report = await buildExperimentReport(partial, 'partial');
    expect(report.json.sections.filter((s) => s.status === 'not-run').map((s) => s.id)).toEqual(['cascade', 'quantize', 'firmware', 'evaluate']);
    mkdirSync(path.join(partial, 'quantize'));
    writeFileSync(path.join(partial, 'quantize', 'report.json'), '{"windows": 12,');
    await expect(buildExperimentReport(partial, 'partial')).rejects.toThrow(/partial\/quantize\/report\.json: not valid JSON .*rerun the stage that writes it/);
  });

  it("keys the report target's cache on the content of the outputs it reads, absent ones included", async () => {
    const before = await reportInputsText(pipeline.root);
    expect(before).toMatch(/^evaluate\/evaluate\.json absent$/m);
    expect(before).toMatch(/^train-cascade\/metrics\.json [0-9a-f]{64}$/m);
    const file = path.join(pipeline.root, 'flash-test', 'report.json');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('"bitExact": true', '"bitExact": false'));
    try {
      expect(await reportInputsText(pipeline.root)).not.toBe(before);
    } finally {
      writeFileSync(file, original);
    }
    expect(await reportInputsText(pipeline.root)).toBe(before);
  });

  it('compares two columns of one experiment, marking what got better or worse', async () => {
    const changed = path.join(pipeline.root, 'changed');
    for (const stage of ['window', 'search', 'train-cascade']) cpSync(path.join(pipeline.root, stage), path.join(changed, stage), { recursive: true });
    const metricsFile = path.join(changed, 'train-cascade', 'metrics.json');
    const metrics = json(metricsFile);
    metrics.test.methods['ur2m-cascade'].eventF1 += 0.05;
    metrics.test.methods['ur2m-cascade'].ece += 0.01;
    writeFileSync(metricsFile, JSON.stringify(metrics));
    const name = pipeline.spec.name;
    const comparison = await buildComparison([
      { label: `${name} @ base`, experiment: name, experimentDir: pipeline.root },
      { label: `${name} (working tree)`, experiment: name, experimentDir: changed },
    ]);
    expect(comparison.html).toMatch(/cascade: event F1<\/th><td class="num">[^<]+<\/td><td class="num better">/);
    expect(comparison.html).toMatch(/cascade: ECE<\/th><td class="num">[^<]+<\/td><td class="num worse">/);
    expect(comparison.html).toMatch(/int8: event F1<\/th><td class="num">[^<]+<\/td><td>–<\/td>/); // quantize not run in the copy
    expect(comparison.json.sides[1].headline.cascadeEventF1).toBeCloseTo(comparison.json.sides[0].headline.cascadeEventF1! + 0.05, 12);
  });
});

/** Debian's chromium, driven by playwright-core; tools/install-toolchains report installs it. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => existsSync(file));
if (!CHROMIUM) console.warn('report.test.ts: chromium not installed (bash tools/install-toolchains report): browser test skipped');

describe.skipIf(!CHROMIUM || runner === null)('the report in headless Chromium', () => {
  it('opens from disk with no console error and no request, every plot has marks; screenshot kept in tmp/test-artifacts', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('request', (request) => {
        if (!request.url().startsWith('file://') && !request.url().startsWith('data:')) requests.push(request.url());
      });
      const file = path.join(reportDir, 'report.html');
      await page.goto(`file://${file}`);
      // The same request filter sees the page itself, so it does catch requests.
      expect(page.url()).toBe(`file://${file}`);
      const plots = await page.$$eval('figure[data-plot]', (figures) =>
        figures.map((f) => ({
          id: f.getAttribute('data-plot'),
          // Vega's SVG puts every mark in a group with a role-mark class; count the drawn shapes in them.
          marks: f.querySelectorAll('g.role-mark path, g.role-mark rect, g.role-mark line, g.role-mark text').length,
          width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        })),
      );
      expect(plots.length).toBeGreaterThanOrEqual(12);
      for (const plot of plots) {
        expect(plot.marks, plot.id).toBeGreaterThan(0);
        expect(plot.width, plot.id).toBeGreaterThan(100);
      }
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      const artifacts = path.join(defaultWorkspaceRoot, 'tmp', 'test-artifacts');
      mkdirSync(artifacts, { recursive: true });
      rmSync(path.join(artifacts, 'report.png'), { force: true });
      await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
      expect(existsSync(path.join(artifacts, 'report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
