/**
 * Vitest global setup: detects once which firmware toolchain state this machine is in (toolchain-state.ts),
 * hands it to every test file (`inject('toolchainState')`) so tests skip what cannot run and assert the counting
 * method the machine allows, and prints the one line saying what was skipped and why when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { describeToolchainState, detectToolchainState, type ToolchainState } from '../../packages/core/testing/toolchain-state';

declare module 'vitest' {
  export interface ProvidedContext {
    toolchainState: ToolchainState;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const state = await detectToolchainState();
  const expected = process.env.NX_TINYML_EXPECT_TOOLCHAIN_STATE;
  if (expected !== undefined && expected !== '' && expected !== state.name) {
    throw new Error(`NX_TINYML_EXPECT_TOOLCHAIN_STATE is ${expected}, but this machine is in state ${state.name}: ${describeToolchainState(state)}`);
  }
  project.provide('toolchainState', state);
  const line = describeToolchainState(state);
  return () => {
    process.stdout.write(`\n${line}\n`);
  };
}
