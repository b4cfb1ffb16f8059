import * as path from 'node:path';

/** The repository root when the library runs from its own checkout (packages/core/src/common -> root). */
export const defaultWorkspaceRoot = path.resolve(__dirname, '../../../..');
