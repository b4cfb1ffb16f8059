import { copyFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { missingFields, readJsonArtifact, writeJsonArtifact } from '../common/json-artifact';
import type { FirmwareBuild } from './build';
import type { InstructionReport } from './instruction-report';
import type { MemoryCheck } from './memory-check';
import type { FirmwareRun } from './run-result';
import type { ExecutedCore } from './runner-choice';

/**
 * flash-test's result (`report.json`, which the report page reads): the golden vectors bit-exact on the runner, the
 * linked image against the memory model and the instruction counts; or, when no board is attached, why it skipped.
 */
export const FLASH_REPORT_FILE = 'report.json';
export const FLASH_REPORT_FORMAT = 'nx-tinyml/flash-test@1';

export interface FlashTestRun {
  format: typeof FLASH_REPORT_FORMAT;
  experiment: string;
  board: string;
  runner: 'qemu' | 'host';
  builtFor: string;
  executed: ExecutedCore;
  vectors: { passed: number; total: number; bitExact: true };
  /** The native ASan/UBSan run of a board emulated on a stand-in core. */
  secondRunner: { runner: 'host'; builtFor: string; passed: number; total: number; bitExact: true } | null;
  memory: MemoryCheck;
  instructions: InstructionReport | null;
}

export interface FlashTestSkipped {
  format: typeof FLASH_REPORT_FORMAT;
  experiment: string;
  board: string;
  runner: 'board';
  skipped: string;
}

export type FlashTestReport = FlashTestRun | FlashTestSkipped;

/** Reads `<dir>/report.json`; missing, malformed or foreign is a UserError naming it. */
export async function readFlashTestReport(dir: string): Promise<FlashTestReport> {
  return readJsonArtifact<FlashTestReport>(
    path.join(dir, FLASH_REPORT_FILE),
    { what: 'the flash-test report', producer: 'flash-test', format: FLASH_REPORT_FORMAT },
    (report) => missingFields(report, { experiment: 'string', board: 'string', runner: 'string' }),
  );
}

/** report.json alone: a skipped run leaves nothing else. */
export async function writeFlashTestReport(dir: string, report: FlashTestReport): Promise<void> {
  await writeJsonArtifact(path.join(dir, FLASH_REPORT_FILE), report);
}

/** A run's outputs in `dir`: report.json, summary.md, the harness's output, and the image with its map and size. */
export async function writeFlashTestRun(dir: string, report: FlashTestRun, run: FirmwareRun, build: FirmwareBuild): Promise<void> {
  await writeFlashTestReport(dir, report);
  await writeFileAtomic(path.join(dir, 'summary.md'), flashTestMarkdown(report));
  await writeFile(path.join(dir, 'output.txt'), run.stdout);
  await copyFile(build.elf, path.join(dir, 'firmware.elf'));
  await copyFile(build.mapFile, path.join(dir, 'firmware.map'));
  await writeFile(path.join(dir, 'size.txt'), build.sizeText);
}

function flashTestMarkdown(report: FlashTestRun): string {
  const m = report.memory;
  const i = report.instructions;
  const f = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  return [
    `# flash-test: ${report.experiment}`,
    '',
    `${report.vectors.passed}/${report.vectors.total} golden vectors bit-exact on ${report.builtFor} (${report.runner}${report.builtFor !== report.board ? `, memory judged for ${report.board}` : ''}).`,
    '',
    ...(report.executed.emulator !== null
      ? [
          `Executed core: ${report.executed.core} on \`${report.executed.emulator}\`` +
            (report.executed.standIn
              ? ` — not the board's ${report.executed.boardCore}: the same base ISA, but the ${report.executed.boardCore}'s options (e.g. its hardware divider) are unused, so instruction counts are the ${report.executed.core}'s.`
              : '.'),
          '',
        ]
      : []),
    ...(report.secondRunner
      ? [`Second runner: ${report.secondRunner.passed}/${report.secondRunner.total} bit-exact natively (x86-64, ASan + UBSan).`, '']
      : []),
    '| | predicted (memory model) | linked |',
    '|---|---|---|',
    `| flash blob (weights, biases, quantisation) | ${m.blob.predicted} | ${m.blob.linked} |`,
    `| arena | ${m.arena.predicted} | ${m.arena.linked} |`,
    `| input buffer | ${m.input.predicted} | ${m.input.linked} |`,
    ...(m.builtWith === 'host'
      ? [
          `| runtime + model code | ${m.runtime.estimateInBoardYaml} (board.yaml estimate) | not comparable: x86-64 with sanitizers |`,
          '',
          `Native build: only the blob, arena and input sizes carry over to ${report.board}; code size and SRAM need its own toolchain.`,
        ]
      : [
          `| runtime + model code | ${m.runtime.estimateInBoardYaml} (board.yaml estimate) | ${m.runtime.measured} |`,
          `| flash total | ${m.flash.predictedTotal} | ${m.flash.used} (whole image, harness and vectors included) |`,
          `| result struct | ${m.result.predicted} | ${m.result.linked} |`,
          `| alarm rule state (tinyml_postprocess) | ${m.alarmState.predicted} | ${m.alarmState.linked} |`,
          `| other static RAM (runtime, platform, libc, harness, alignment) | ${m.staticRam.estimateInBoardYaml} (board.yaml runtimeRamBytes, an upper bound) | ${m.staticRam.measured} |`,
          `| SRAM (data + bss + stack) | ${m.sram.predicted} | ${m.sram.used} |`,
          '',
          `Theoretical minimum: SRAM ${m.sram.theoreticalMinimum} B (peak live activations + input + stack), flash ${m.flash.theoreticalMinimum} B (int8 weights + runtime).`,
        ]),
    '',
    ...(i
      ? [
          `Instructions (${i.method}): ${f(i.perInference.mean, 0)} per inference (min ${i.perInference.min}, max ${i.perInference.max}); ` +
            `to reach each exit (all-exits pass): ${i.perExit.map((e) => f(e.mean, 0)).join(' / ')}.`,
          '',
          '| kernel | instructions per MAC |',
          '|---|---|',
          ...Object.entries(i.perMac)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => `| ${k} | ${f(v as number)} |`),
          '',
        ]
      : ['Instructions were not counted (native run).', '']),
  ].join('\n');
}

/** The one line the stage logs about a run. */
export function flashTestLogLine(report: FlashTestRun): string {
  const { executed, secondRunner, memory, instructions } = report;
  return (
    `flash-test: ${report.vectors.passed}/${report.vectors.total} golden vectors bit-exact on ${report.builtFor} (${report.runner}: ${executed.core}${executed.standIn ? `, standing in for the board's ${executed.boardCore}` : ''}); ` +
    (secondRunner ? `${secondRunner.passed}/${secondRunner.total} bit-exact natively under ASan/UBSan; ` : '') +
    `blob ${memory.blob.linked} B = predicted, arena ${memory.arena.linked} B = predicted` +
    (memory.builtWith === 'host' ? '' : `; flash ${memory.flash.used} B, SRAM ${memory.sram.used} B, runtime code ${memory.runtime.measured} B`) +
    (instructions
      ? `; ${Math.round(instructions.perInference.mean)} instructions per inference, ${instructions.perMac.conv1d?.toFixed(2) ?? '–'} per conv1d MAC`
      : '')
  );
}
