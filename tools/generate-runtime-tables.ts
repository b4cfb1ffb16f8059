/**
 * Writes firmware/runtime/activation_tables.c, the runtime's sigmoid/tanh tables, from the TypeScript definition
 * (packages/core/src/quantize/fixed-point-activations.ts) so the C runtime and the reference interpreter share one
 * source. Run: node -r @swc-node/register tools/generate-runtime-tables.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runtimeTablesC } from '../packages/core/src/quantize/fixed-point-activations';

const target = path.resolve(__dirname, '../firmware/runtime/activation_tables.c');
fs.writeFileSync(target, runtimeTablesC());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
