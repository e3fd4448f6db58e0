/**
 * Ordered header fields of one message. Names are case-insensitive and compact forms are
 * normalised ("v" ≡ "Via"); each stored field is one header line (unfolded and trimmed), so
 * serialising reproduces the received order and grouping. List headers (Via, Contact, Route …)
 * are split at top-level commas by getAll().
 */
import { splitTopLevel, trimWsp } from './chars.js';
import { canonicalName, headerKey, isListHeader } from './header-names.js';

interface Field {
  key: string;
  name: string;
  value: string;
}

export class SipHeaders {
  #fields: Field[] = [];

  constructor(init?: Iterable<readonly [name: string, value: string]>) {
    if (init !== undefined) for (const [n, v] of init) this.append(n, v);
  }

  /**
   * The first value: for a list header the first comma-separated element (so `parseVia(get('via'))`
   * is the top Via even when several are comma-joined on one line), otherwise the first line.
   * Equivalent to getAll(name)[0].
   */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.#fields) {
      if (f.key !== key) continue;
      if (!isListHeader(key)) return f.value;
      const first = splitList(f.value)[0];
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** Every value in order; list headers split at commas outside quotes and <> (empty elements dropped). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const f of this.#fields) {
      if (f.key !== key) continue;
      if (list) out.push(...splitList(f.value));
      else out.push(f.value);
    }
    return out;
  }

  /** The raw value of every header line with this name, comma lists not split (empty lines included). */
  getLines(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.#fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /** Number of header lines with this name (duplicate detection for single-valued headers). */
  countLines(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#fields.some((f) => f.key === key);
  }

  /** Replaces every field of this name by one, at the position of the first (or at the end). */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const field: Field = { key, name: canonicalName(name, key), value: cleanValue(value) };
    const at = this.#fields.findIndex((f) => f.key === key);
    if (at < 0) {
      this.#fields.push(field);
      return;
    }
    this.#fields = this.#fields.filter((f, i) => i === at || f.key !== key);
    this.#fields[at] = field;
  }

  append(name: string, value: string): void {
    const key = headerKey(name);
    this.#fields.push({ key, name: canonicalName(name, key), value: cleanValue(value) });
  }

  /** Inserts before every other field of this name (or first of all when there is none). */
  prepend(name: string, value: string): void {
    const key = headerKey(name);
    const field: Field = { key, name: canonicalName(name, key), value: cleanValue(value) };
    const at = this.#fields.findIndex((f) => f.key === key);
    this.#fields.splice(at < 0 ? 0 : at, 0, field);
  }

  delete(name: string): void {
    const key = headerKey(name);
    this.#fields = this.#fields.filter((f) => f.key !== key);
  }

  /** [name, value] per header line, in order; known names in canonical spelling. */
  *entries(): IterableIterator<[name: string, value: string]> {
    for (const f of this.#fields) yield [f.name, f.value];
  }

  [Symbol.iterator](): IterableIterator<[name: string, value: string]> {
    return this.entries();
  }

  get size(): number {
    return this.#fields.length;
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    for (const f of this.#fields) copy.#fields.push({ ...f });
    return copy;
  }
}

function splitList(value: string): string[] {
  // An unterminated quote cannot be split safely: hand the whole value to the caller's parser,
  // which then reports the real problem.
  const parts = splitTopLevel(value, ',') ?? [value];
  const out: string[] = [];
  for (const p of parts) {
    const t = trimWsp(p);
    if (t.length > 0) out.push(t);
  }
  return out;
}

/**
 * Values set by code may contain CR/LF from untrusted input (a display name, a UUI string);
 * folding them into spaces keeps a header from ever injecting another header line.
 */
function cleanValue(value: string): string {
  return trimWsp(/[\r\n]/.test(value) ? value.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ') : value);
}
