/**
 * Cutting text to a UTF-8 byte budget, the unit Connect limits attributes in. Cuts fall on code-point
 * boundaries (never half a surrogate pair or a broken multi-byte sequence) and, when a space is near
 * the end, on a word boundary, with an ellipsis saying that something was left out.
 */
import { utf8Length } from './attribute-limits.js';

export const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;
/** A word boundary this close to the cut (fraction of the budget) is preferred over a mid-word cut. */
const WORD_BOUNDARY_WINDOW = 0.2;

function codePointBytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** `text` if it fits `maxBytes`, else its longest prefix that fits together with a trailing "…". */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  if (maxBytes < ELLIPSIS_BYTES) return '';
  const budget = maxBytes - ELLIPSIS_BYTES;
  let bytes = 0;
  let end = 0; // UTF-16 index just past the last code point that fits
  let lastSpace = -1;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const n = codePointBytes(cp);
    if (bytes + n > budget) break;
    bytes += n;
    if (/\s/.test(ch)) lastSpace = end;
    end += ch.length;
  }
  const cut = lastSpace > 0 && end - lastSpace <= Math.ceil(end * WORD_BOUNDARY_WINDOW) ? lastSpace : end;
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/**
 * The longest suffix of `lines` (kept whole, in order) that fits `maxBytes` joined with "\n"; when
 * lines were dropped a first line "…" says so. A single last line longer than the budget is cut.
 */
export function lastLinesWithin(lines: readonly string[], maxBytes: number): string {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    const add = utf8Length(line) + (kept.length > 0 ? 1 : 0);
    // Reserve room for the "…\n" marker whenever something older would be dropped.
    const marker = i > 0 ? ELLIPSIS_BYTES + 1 : 0;
    if (bytes + add + marker > maxBytes) {
      if (kept.length === 0) return truncateUtf8(line, maxBytes);
      kept.unshift(ELLIPSIS);
      return kept.join('\n');
    }
    kept.unshift(line);
    bytes += add;
  }
  return kept.join('\n');
}
