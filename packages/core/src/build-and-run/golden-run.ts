import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EXIT_HOOK_DEFINE } from '../codegen/emit-build-files';
import { emitGoldenHeader, emitGoldenVectors, harnessInput } from '../codegen/emit-harness';
import type { FirmwareManifest } from '../codegen/firmware-manifest';
import type { GoldenVector } from '../quantize/quantized-files';
import type { QuantizedModel } from '../quantize/quantized-model';
import type { BoardDefinition } from '../spec/types';
import { buildFirmware, type FirmwareBuild } from './build';
import { runOnHost } from './host-run';
import { COUNTED_KERNELS } from './instruction-report';
import { checkStaticRam, staticRamUnderestimated } from './memory-check';
import { findSymbol } from './memory-usage';
import { runOnQemu } from './qemu-run';
import type { FirmwareRun } from './run-result';
import { bitExactOutcome } from './runner-choice';

/** An emitted firmware package (emit-firmware's folder) and the model it was emitted from. */
export interface GoldenPackage {
  dir: string;
  manifest: FirmwareManifest;
  model: QuantizedModel;
}

/**
 * The golden-vector test program's sources: the package's own, or — when only the first `vectors` of the
 * package's run — the package's harness over a subset emitted into `buildDir`.
 */
export async function goldenTestSources(pkg: GoldenPackage, vectors: GoldenVector[], packaged: number, buildDir: string): Promise<string[]> {
  const inPackage = (file: string) => path.join(pkg.dir, file);
  const testSources = pkg.manifest.layout.testSources.map(inPackage);
  if (vectors.length >= packaged) return testSources;
  // Both C files sit beside the subset's header, since #include "…" looks in the including file's folder first.
  const subsetDir = path.join(buildDir, 'golden-subset');
  await mkdir(subsetDir);
  await writeFile(path.join(subsetDir, 'golden_vectors.c'), emitGoldenVectors(harnessInput(pkg.model, vectors, pkg.manifest.postProcessing)));
  await writeFile(path.join(subsetDir, 'golden_vectors.h'), emitGoldenHeader(harnessInput(pkg.model, vectors, pkg.manifest.postProcessing)));
  await copyFile(inPackage('test/harness.c'), path.join(subsetDir, 'harness.c'));
  return testSources.map((file) => path.join(subsetDir, path.basename(file)));
}

export interface GoldenRunOptions {
  board: BoardDefinition;
  kind: 'qemu' | 'host';
  testSources: string[];
  outDir: string;
  workspaceRoot: string;
  timeoutMs: number;
  /** Called between the build and the run (a progress step). */
  onBuilt?: () => void;
}

/**
 * Builds the golden-vector program for `board` (a RAM overflow caused by board.yaml's static-RAM estimate is
 * reported as that), checks its static RAM, runs it on QEMU (counting kernel instructions) or natively, and
 * requires every vector bit-exact.
 */
export async function runGoldenVectors(
  pkg: GoldenPackage,
  options: GoldenRunOptions,
): Promise<{ build: FirmwareBuild; run: FirmwareRun; outcome: RegExpExecArray }> {
  const { board, kind, workspaceRoot, timeoutMs } = options;
  const { layout } = pkg.manifest;
  const inPackage = (file: string) => path.join(pkg.dir, file);
  const build = await buildFirmware({
    board,
    sources: [...[...layout.modelSources, ...layout.runtimeSources].map(inPackage), ...options.testSources],
    includeDirs: [...layout.includeDirs.model, 'test'].map(inPackage),
    outDir: options.outDir,
    defines: { [EXIT_HOOK_DEFINE.name]: EXIT_HOOK_DEFINE.value },
    workspaceRoot,
  }).catch((error: unknown) => {
    throw staticRamUnderestimated(error, board, workspaceRoot) ?? error;
  });
  checkStaticRam(build, board, pkg.model, pkg.manifest, workspaceRoot);
  options.onBuilt?.();
  const run: FirmwareRun =
    kind === 'qemu'
      ? await runOnQemu({
          board,
          elf: build.elf,
          timeoutMs,
          count: 'auto',
          countFunctions: COUNTED_KERNELS.filter((k) => findSymbol(build.memory, k)),
          workspaceRoot,
        })
      : await runOnHost({ elf: build.elf, timeoutMs });
  return { build, run, outcome: bitExactOutcome(run, board, kind) };
}
