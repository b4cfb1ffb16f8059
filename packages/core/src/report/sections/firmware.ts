import type { ExperimentArtifacts } from '../artifacts';
import { figure, htmlTable, paragraph } from '../html';
import { renderSvg } from '../render-svg';
import { notRun, shown, type ReportSection } from '../section';

/** The arena as the planner laid it out: each tensor a box from its first to its last op and over its bytes. */
async function arenaMap(arena: NonNullable<ExperimentArtifacts['firmware']>['manifest']['arena']): Promise<string> {
  return renderSvg({
    data: { values: arena.map((t) => ({ ...t, end: t.offset + t.bytes, after: t.lastStep + 1 })) },
    width: 420,
    height: 220,
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1, opacity: 0.85 },
        encoding: {
          x: { field: 'firstStep', type: 'quantitative', title: 'op (lifetime)', axis: { tickMinStep: 1 } },
          x2: { field: 'after' },
          y: { field: 'offset', type: 'quantitative', title: 'arena offset, bytes' },
          y2: { field: 'end' },
          color: { field: 'id', type: 'nominal', legend: null },
          tooltip: [{ field: 'id' }, { field: 'offset' }, { field: 'bytes' }, { field: 'firstStep' }, { field: 'lastStep' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 9, align: 'left', dx: 2, baseline: 'middle' },
        encoding: { x: { field: 'firstStep', type: 'quantitative' }, y: { field: 'offset', type: 'quantitative' }, text: { field: 'id' } },
      },
    ],
  } as never);
}

/** Flash as linked (flash-test) or the blob's own sections (quantize) when there is no link yet. */
async function sectionBars(sections: { name: string; bytes: number }[], title: string): Promise<string> {
  return renderSvg({
    data: { values: sections },
    width: 360,
    height: Math.max(60, 18 * sections.length),
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', sort: '-x', title: null },
      x: { field: 'bytes', type: 'quantitative', title },
      tooltip: [{ field: 'name' }, { field: 'bytes' }],
    },
  });
}

/**
 * What runs on the board: the arena map and flash sections (emit-firmware, quantize, flash-test), the measured
 * memory against the memory model, and the instruction counts per inference, per exit and per MAC of each kernel.
 */
export async function firmwareSection(artifacts: ExperimentArtifacts): Promise<ReportSection> {
  const { firmware, flashTest, quantize } = artifacts;
  if (!firmware && !flashTest) return notRun('firmware', 'Firmware', 'emit-firmware', artifacts.experiment);
  const parts: string[] = [];
  const data: Record<string, unknown> = {};
  if (firmware) {
    const { predicted, arena } = firmware.manifest;
    parts.push(
      paragraph(
        `Arena ${predicted.arenaBytes.toLocaleString('en-US')} B (lower bound ${predicted.arenaLowerBound.toLocaleString('en-US')} B), input ${predicted.inputBytes} B, stack ${predicted.stackBytes} B, flash blob ${predicted.blobBytes.toLocaleString('en-US')} B.`,
      ),
      figure('arena-map', await arenaMap(arena), 'Arena tensors by lifetime (ops) and offset, as the planner placed them and model.c uses them.'),
    );
    data.predicted = predicted;
  } else {
    parts.push(paragraph('emit-firmware: not run.'));
  }
  const flashReport = flashTest?.report ?? null;
  if (flashReport && 'skipped' in flashReport) {
    parts.push(paragraph(`flash-test skipped on ${flashReport.board}: ${flashReport.skipped}`));
    data.flashTest = { skipped: flashReport.skipped, runner: flashReport.runner, board: flashReport.board };
  } else if (flashReport) {
    const report = flashReport;
    const { memory } = report;
    // A host build links dozens of small sections: the ten largest, and the rest summed.
    const sorted = Object.entries(memory.flash.sections)
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
    const rest = sorted.slice(10).reduce((n, s) => n + s.bytes, 0);
    const flashSections = [...sorted.slice(0, 10), ...(rest > 0 ? [{ name: `${sorted.length - 10} others`, bytes: rest }] : [])];
    parts.push(
      paragraph(
        `flash-test on ${report.builtFor} (${report.runner}): ${report.vectors.passed}/${report.vectors.total} golden vectors bit-exact. ` +
          `Flash ${memory.flash.used.toLocaleString('en-US')} of ${memory.flash.capacity.toLocaleString('en-US')} B (model predicted ${memory.flash.predictedTotal.toLocaleString('en-US')} B); ` +
          `SRAM ${memory.sram.used.toLocaleString('en-US')} of ${memory.sram.capacity.toLocaleString('en-US')} B (predicted ${memory.sram.predicted.toLocaleString('en-US')} B); runtime code ${memory.runtime.measured.toLocaleString('en-US')} B (board.yaml estimate ${memory.runtime.estimateInBoardYaml.toLocaleString('en-US')} B).`,
      ),
      figure('flash-sections', await sectionBars(flashSections, 'bytes (linked image)'), 'Flash sections of the linked golden-vector program.'),
    );
    data.flashTest = { vectors: report.vectors, flash: memory.flash.used, sram: memory.sram.used, runner: report.runner, board: report.builtFor };
    const instructions = report.instructions;
    if (instructions) {
      const exits = instructions.perExit.map((e) => ({ name: `to exit ${e.exit}`, instructions: e.mean }));
      const bars = [...exits, { name: 'deployed inference', instructions: instructions.perInference.mean }];
      const perExit = await renderSvg({
        data: { values: bars },
        width: 300,
        height: 18 * bars.length + 20,
        mark: 'bar',
        encoding: {
          y: { field: 'name', type: 'nominal', sort: null, title: null },
          x: { field: 'instructions', type: 'quantitative', title: 'instructions (mean over vectors)' },
        },
      });
      const kernels = Object.entries(instructions.perMac)
        .filter((entry): entry is [string, number] => entry[1] !== null && entry[0] !== 'allLinear')
        .map(([kernel, perMac]) => ({ kernel, perMac }));
      const perKernel = await renderSvg({
        data: { values: kernels },
        width: 300,
        height: 18 * Math.max(1, kernels.length) + 20,
        mark: 'bar',
        encoding: { y: { field: 'kernel', type: 'nominal', title: null }, x: { field: 'perMac', type: 'quantitative', title: 'instructions per MAC' } },
      });
      parts.push(
        `<div class="row">${figure('instructions-per-exit', perExit, `Instructions (${instructions.method}) to reach each exit with all exits run, and per deployed inference.`)}${figure('instructions-per-kernel', perKernel, 'Instructions per MAC of each layer kind’s kernel over the whole run (CMSIS-NN: not measured here).')}</div>`,
        htmlTable(
          ['kernel', 'instructions', 'MACs'],
          Object.entries(instructions.kernels).map(([k, n]) => [k, n, instructions.macsByKernel[k] ?? null]),
        ),
      );
      data.instructions = { perInference: instructions.perInference, perExit: instructions.perExit, perMac: instructions.perMac };
    } else {
      parts.push(paragraph(`No instruction counts: the ${report.runner} runner does not count instructions (QEMU runs do).`));
    }
  } else if (quantize?.sections) {
    const blob = quantize.sections.map((s) => ({ name: s.name, bytes: s.bytes }));
    parts.push(
      figure('flash-sections', await sectionBars(blob, 'bytes (flash blob)'), 'Arrays of the flash blob (flash-test has not run, so nothing is linked yet).'),
    );
  }
  if (!flashTest) parts.push(`<p class="not-run">flash-test: not run (<code>npx nx run ${artifacts.experiment}:flash-test</code>).</p>`);
  return shown('firmware', 'Firmware', parts, data);
}
