/**
 * Byte-level framing shared by datagram parsing and the stream framer: where the header section
 * ends (RFC 3261 §7: CRLF CRLF; a bare LF is tolerated for robustness), how header lines unfold
 * (§7.3.1: a line starting with SP/HTAB continues the previous one), and the Content-Length value.
 */
import { isToken, parseDecimal, trimWsp } from './chars.js';
import { headerKey } from './header-names.js';

const LF = 0x0a;
const CR = 0x0d;

/** Skips CR/LF octets before a start-line (RFC 3261 §7.5; RFC 5626 keep-alives on streams). */
export function skipLeadingNewlines(buf: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && (buf[i] === CR || buf[i] === LF)) i++;
  return i;
}

/**
 * Finds the empty line ending the header section in buf[from, to). Returns the offset where the
 * header section text ends (before its last line break) and where the body starts, or undefined
 * when no empty line is present yet. `scanFrom` lets a stream resume scanning where it stopped.
 */
export function findHeaderEnd(
  buf: Buffer,
  from: number,
  to: number,
  scanFrom = from,
): { headerEnd: number; bodyStart: number } | undefined {
  let i = buf.indexOf(LF, Math.max(from, scanFrom));
  while (i >= 0 && i < to) {
    // buf[i] is an LF ending a line; the header section ends if the next line is empty.
    const next = buf[i + 1];
    const headerEnd = i > from && buf[i - 1] === CR ? i - 1 : i;
    if (i + 1 < to && next === LF) return { headerEnd, bodyStart: i + 2 };
    if (i + 2 < to && next === CR && buf[i + 2] === LF) return { headerEnd, bodyStart: i + 3 };
    i = buf.indexOf(LF, i + 1);
  }
  return undefined;
}

/** Where a stream may resume findHeaderEnd after seeing buf up to `to` (the tail may be a partial CRLFCRLF). */
export function rescanPoint(from: number, to: number): number {
  return Math.max(from, to - 3);
}

export type HeaderLine = { name: string; value: string } | { malformed: string };

/**
 * Splits a header section (text after the start-line) into unfolded header lines. A line without
 * a colon, or with a name that is not a token, becomes `{ malformed }` so the caller can both
 * report it and still recover the well-formed fields around it.
 */
export function splitHeaderLines(text: string): { startLine: string; lines: HeaderLine[] } {
  const raw = text.split(/\r?\n/);
  // A datagram whose header section lacks the closing empty line still ends in a line break.
  while (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const startLine = raw[0] ?? '';
  const lines: HeaderLine[] = [];
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    lines.push(headerLine(current));
    current = undefined;
  };
  for (let i = 1; i < raw.length; i++) {
    const line = raw[i] ?? '';
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && current !== undefined) {
      current += ` ${trimWsp(line)}`; // LWS: the fold and its whitespace become one SP
      continue;
    }
    flush();
    if (c === 0x20 || c === 0x09) lines.push({ malformed: 'continuation line without a header' });
    else current = line;
  }
  flush();
  return { startLine, lines };
}

function headerLine(line: string): HeaderLine {
  const colon = line.indexOf(':');
  if (colon < 0) return { malformed: 'header line without colon' };
  const name = trimWsp(line.slice(0, colon));
  if (!isToken(name)) return { malformed: 'malformed header name' };
  return { name, value: trimWsp(line.slice(colon + 1)) };
}

export type ContentLength =
  | { kind: 'absent' }
  | { kind: 'value'; length: number }
  | { kind: 'multiple' }
  | { kind: 'malformed' };

/**
 * Reads Content-Length (or "l") from header lines. A run of digits too long to represent is
 * reported as an infinite length: syntactically fine, but larger than any message can be.
 */
export function contentLengthOf(lines: readonly HeaderLine[]): ContentLength {
  let found: string | undefined;
  let count = 0;
  for (const l of lines) {
    if ('malformed' in l || headerKey(l.name) !== 'content-length') continue;
    count++;
    found = l.value;
  }
  if (count === 0 || found === undefined) return { kind: 'absent' };
  if (count > 1) return { kind: 'multiple' };
  if (!/^[0-9]+$/.test(found)) return { kind: 'malformed' };
  return { kind: 'value', length: parseDecimal(found, Number.MAX_SAFE_INTEGER) ?? Number.POSITIVE_INFINITY };
}
