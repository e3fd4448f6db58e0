import { escapeXml } from './waveform.js';

/** Shared HTML bits of the lab's report pages: one stylesheet, escaping, number formatting. */
export const esc = escapeXml;

export const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 14px; margin: 14px 0 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
#scenarios td:first-child, #scenarios td:nth-child(2) { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; color: #fff; }
.pass .badge, .badge.pass { background: #1a7f37; } .fail .badge, .badge.fail { background: #cf222e; }
tr.fail td { background: #ffebe9; } tr.pass td:first-child { color: #1a7f37; } tr.fail td:first-child { color: #cf222e; font-weight: 600; }
img { display: block; border: 1px solid #ddd; margin: 2px 0 8px; max-width: 100%; }
.note { color: #666; font-size: 12px; } .error { color: #cf222e; font-weight: 600; }
`;

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

export function fmt(v: unknown, digits = 1): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
