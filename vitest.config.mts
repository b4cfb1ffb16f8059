import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'tmp/**'],
    // Generous: on a shared 2-core machine (load 20+) training and nx tests took 60-70 s that idle take ~20.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core but one, so a 2-core machine ran every file in turn; much of a file's
    // time is spent waiting on nx, gcc and QEMU child processes, which two files at once overlap.
    maxWorkers: 2,
    // Detects the firmware toolchain state once, for skips and the one-line summary of what was skipped.
    globalSetup: ['tools/test/toolchain-state.global-setup.ts'],
  },
});
