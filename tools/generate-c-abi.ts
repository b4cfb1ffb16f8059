/**
 * Rewrites the generated blocks of the C runtime's interface (the prototypes in firmware/runtime/tinyml_runtime.h,
 * the table-driven cases of firmware/runtime/test/kernel_driver.c) from packages/core/src/quantize/c-kernel-abi.ts.
 *   npm run gen:c-abi
 * c-kernel-abi.test.ts fails when a committed block is not what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GENERATED_C_BLOCKS, withGeneratedBlock } from '../packages/core/src/quantize/c-kernel-abi';

const root = path.resolve(__dirname, '..');
for (const { file, what, block } of GENERATED_C_BLOCKS) {
  const target = path.join(root, file);
  const before = readFileSync(target, 'utf8');
  const after = withGeneratedBlock(before, what, block());
  if (after !== before) writeFileSync(target, after);
  console.log(`${file}: ${after === before ? 'up to date' : `${what} rewritten`}`);
}
