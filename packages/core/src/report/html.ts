/** Text for HTML element content or attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export type Cell = string | number | null | undefined;

/** A plain table; numbers are right-aligned, null/undefined show as "–". */
export function htmlTable(header: readonly string[], rows: readonly (readonly Cell[])[], options: { caption?: string; className?: string } = {}): string {
  const cell = (value: Cell, tag: 'td' | 'th') =>
    value === null || value === undefined
      ? `<${tag}>–</${tag}>`
      : typeof value === 'number'
        ? `<${tag} class="num">${escapeHtml(formatNumber(value))}</${tag}>`
        : `<${tag}>${escapeHtml(value)}</${tag}>`;
  return [
    `<table${options.className ? ` class="${options.className}"` : ''}>`,
    options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '',
    `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((row) => `<tr>${row.map((v) => cell(v, 'td')).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

/** Integers with thousands separators, fractions with 3 significant decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(3);
}

/** One plot in the page: its SVG with a caption; `data-plot` lets the browser test find every plot. */
export function figure(id: string, svg: string, caption: string): string {
  return `<figure data-plot="${escapeHtml(id)}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

export function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}
