import type { TopLevelSpec } from 'vega-lite';

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');

/**
 * vega and vega-lite are ES modules, and vega's node build has a top-level await (it probes for `canvas`), which
 * `require()` cannot load. This workspace's TypeScript is compiled to CommonJS (tsconfig, swc-node, Nx's executor
 * loader), where `import()` is rewritten into `require()`; a Function body is left alone, so the import stays real.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: an import() the CommonJS compilation leaves alone (above)
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function importBoth(): Promise<[unknown, unknown]> {
  try {
    return await Promise.all([importModule('vega'), importModule('vega-lite')]);
  } catch (error) {
    // Inside a VM context without a module loader for Function bodies (vitest), the import() below is the real
    // one: that loader compiles to ES modules, where it is left as is.
    if (!(error instanceof TypeError)) throw error;
    return Promise.all([import('vega'), import('vega-lite')]);
  }
}

let loaded: Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> | undefined;
function loadVega() {
  loaded ??= importBoth().then(([vega, vegaLite]) => ({ vega: vega as VegaModule, vegaLite: vegaLite as VegaLiteModule }));
  return loaded;
}

/** Report-wide look: one font stack, no actions, white background. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 13, anchor: 'start' as const },
  view: { stroke: '#ddd' },
};

/**
 * A vega-lite spec rendered to an SVG string on the server (no browser, no canvas): the page embeds it as is, so
 * the report needs no script and makes no request. Same spec and data → same bytes.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
