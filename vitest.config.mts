import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'tmp/**'],
    // Generous: on a shared 2-core machine (load 20+) training and nx tests took 60-70 s that idle take ~20.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Detects the firmware toolchain state once, for skips and the one-line summary of what was skipped.
    globalSetup: ['tools/test/toolchain-state.global-setup.ts'],
  },
});
