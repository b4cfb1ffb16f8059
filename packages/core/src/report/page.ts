import { escapeHtml } from './html';
import type { ReportSection } from './section';

/**
 * Styles inline: the page is one file that opens from disk with no request. No script either: the plots are SVG
 * rendered on the server, and the trial table folds with <details>.
 */
const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2733; margin: 0; background: #f6f7f9; }
header { background: #1d2733; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c5ced8; }
nav { padding: 8px 28px; background: #fff; border-bottom: 1px solid #dde2e8; position: sticky; top: 0; }
nav a { margin-right: 14px; color: #1f5fa8; text-decoration: none; }
nav a.not-run { color: #98a2ad; }
main { padding: 8px 28px 40px; }
section { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; padding: 6px 18px 14px; margin: 14px 0; }
section h2 { font-size: 16px; margin: 10px 0; }
.row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 6px 0; }
figcaption { color: #56616d; font-size: 12px; max-width: 520px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 12.5px; }
th, td { border-bottom: 1px solid #e4e8ed; padding: 3px 9px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.not-run { color: #8a6d00; background: #fff8e1; padding: 6px 10px; border-radius: 4px; }
.better { background: #e7f5e9; }
.worse { background: #fdecea; }
code { font-size: 12.5px; }
`;

export function reportPage(title: string, subtitle: string, sections: readonly ReportSection[]): string {
  const nav = sections.map((s) => `<a href="#${s.id}"${s.status === 'not-run' ? ' class="not-run"' : ''}>${escapeHtml(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${s.id}" data-status="${s.status}"><h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No request of any kind: not even for a favicon.
    '<link rel="icon" href="data:,">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body><header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    `<nav>${nav}</nav><main>\n${body}\n</main></body></html>`,
    '',
  ].join('\n');
}
