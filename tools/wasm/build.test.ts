import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleAll, GENERATED, generatedSource } from './build';

describe('wasm kernels', () => {
  it('the committed kernels.generated.ts is what tools/wasm/build.ts assembles from kernels-wat.ts', async () => {
    const modules = await assembleAll();
    expect(WebAssembly.validate(modules.float64)).toBe(true);
    expect(WebAssembly.validate(modules.float32)).toBe(true);
    expect(WebAssembly.validate(modules.int8)).toBe(true);
    // If this fails after editing kernels-wat.ts: npm run build:wasm
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedSource(modules));
  });
});
