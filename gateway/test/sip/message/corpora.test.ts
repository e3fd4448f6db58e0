/**
 * The corpora are test data that must stay byte-exact (CRLF, NULs, unterminated headers are the
 * point): every file must match its folder's SHA256SUMS, and every data file must be listed, so a
 * checkout that converted line ends or lost a file fails here rather than skewing the suites.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA, PJSIP_SEEDS_DIR, PROTOS_DIR, RFC4475_DIR, STREAM_DIR } from './corpora.js';

/** Documentation beside the data: not checksummed. */
const DOCS = new Set(['README.md', 'INDEX.md', 'SHA256SUMS']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => !DOCS.has(f))
    .sort();
}

function sums(dir: string): Map<string, string> {
  const lines = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split('\n').filter((l) => l !== '');
  return new Map(lines.map((l) => {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
    if (m === null) throw new Error(`${dir}/SHA256SUMS: bad line ${JSON.stringify(l)}`);
    return [m[2] as string, m[1] as string];
  }));
}

describe('SIP corpora in lab/corpora', () => {
  it.each([RFC4475_DIR, PROTOS_DIR, STREAM_DIR, PJSIP_SEEDS_DIR].map((d) => [relative(CORPORA, d), d]))(
    '%s: every data file is listed in SHA256SUMS and matches it byte for byte',
    (_name, dir) => {
      const listed = sums(dir);
      const present = filesUnder(dir);
      expect(present.length).toBeGreaterThan(0);
      expect(present).toEqual([...listed.keys()].sort());
      for (const file of present) {
        const digest = createHash('sha256').update(readFileSync(join(dir, file))).digest('hex');
        expect(digest, file).toBe(listed.get(file));
      }
    },
  );

  it('keeps the RFC messages CRLF, as published', () => {
    const wsinv = readFileSync(join(RFC4475_DIR, 'wsinv.dat'), 'latin1');
    expect(wsinv.startsWith('INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n')).toBe(true);
    expect(wsinv.replaceAll('\r\n', '').includes('\n')).toBe(false);
  });
});
