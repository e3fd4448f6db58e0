import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamFramer, serializeMessage, type ParseResult } from '../../../src/sip/message/index.js';
import { STREAM_DIR } from './corpora.js';

function options(n: number, body = ''): string {
  return (
    `OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2;branch=z9hG4bK${n}\r\nFrom: <sip:a@127.0.0.2>;tag=${n}\r\n` +
    `To: <sip:gw@127.0.0.1>\r\nCall-ID: stream-${n}\r\nCSeq: ${n} OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** A comparable summary of a result: the message re-serialised, or the error code. */
function summary(r: ParseResult): string {
  return r.ok ? serializeMessage(r.value).toString('latin1') : `error ${r.error.code} fatal=${r.error.fatal === true}`;
}

function pushInChunks(framer: StreamFramer, data: Buffer, sizes: (i: number) => number): ParseResult[] {
  const out: ParseResult[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes(i));
    out.push(...framer.push(data.subarray(at, at + n)));
    at += n;
  }
  return out;
}

/** Deterministic pseudo-random chunk sizes (xorshift32), so a failure names its seed. */
function randomSizes(seed: number, max: number): (i: number) => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return 1 + ((x >>> 0) % max);
  };
}

describe('RFC 3261 §18.3 stream framing', () => {
  it('delivers several messages from one read, in order', () => {
    const rs = new StreamFramer().push(Buffer.from(options(1) + options(2, 'hello') + options(3)));
    expect(rs.map((r) => r.ok && r.value.headers.get('call-id'))).toEqual(['stream-1', 'stream-2', 'stream-3']);
    expect(rs[1]?.ok && rs[1].value.body.toString()).toBe('hello');
  });

  it('reassembles a message fed one byte at a time, and emits it only when the body is complete', () => {
    const framer = new StreamFramer();
    const data = Buffer.from(options(7, 'abc'));
    for (let i = 0; i < data.length - 1; i++) expect(framer.push(data.subarray(i, i + 1))).toEqual([]);
    const last = framer.push(data.subarray(data.length - 1));
    expect(last).toHaveLength(1);
    expect(last[0]?.ok && last[0].value.body.toString()).toBe('abc');
  });

  it('splits at every byte offset into the same messages', () => {
    const data = Buffer.from(options(1, 'x') + '\r\n\r\n' + options(2));
    const whole = new StreamFramer().push(data).map(summary);
    for (let cut = 1; cut < data.length; cut++) {
      const f = new StreamFramer();
      const parts = [...f.push(data.subarray(0, cut)), ...f.push(data.subarray(cut))].map(summary);
      expect(parts, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('skips CRLF keep-alives between messages and reports each CRLFCRLF ping (RFC 5626 §4.4.1)', () => {
    let pings = 0;
    const framer = new StreamFramer({ onPing: () => pings++ });
    expect(framer.push(Buffer.from('\r\n\r\n'))).toEqual([]);
    expect(pings).toBe(1);
    expect(framer.push(Buffer.from('\r\n'))).toEqual([]); // a pong: not a ping
    expect(pings).toBe(1);
    const rs = framer.push(Buffer.from(`\r\n${options(1)}\r\n\r\n${options(2)}`));
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(rs).toHaveLength(2);
    expect(pings).toBe(3);
  });

  it('refuses a message without Content-Length (400) but keeps framing, reading it as body-less', () => {
    const noLength = options(1).replace('Content-Length: 0\r\n', '');
    const rs = new StreamFramer().push(Buffer.from(noLength + options(2)));
    expect(rs).toHaveLength(2);
    const [first, second] = rs;
    expect(!first?.ok && [first?.error.code, first?.error.status, first?.error.reason, first?.error.fatal]).toEqual([
      'SIP_ERR_MISSING_CONTENT_LENGTH',
      400,
      'Bad Request (missing Content-Length)',
      undefined,
    ]);
    expect(second?.ok).toBe(true);
  });

  it('is fatal on a malformed or repeated Content-Length, and ignores everything after (RFC 4475 ncl, mcl01)', () => {
    for (const bad of ['Content-Length: -999', 'Content-Length: five', 'Content-Length: 0\r\nl: 0']) {
      const framer = new StreamFramer();
      const rs = framer.push(Buffer.from(options(1).replace('Content-Length: 0', bad) + options(2)));
      expect(rs).toHaveLength(1);
      expect(!rs[0]?.ok && rs[0]?.error.fatal).toBe(true);
      expect(!rs[0]?.ok && rs[0]?.error.headers?.get('call-id')).toBe('stream-1'); // enough to send the 400 first
      expect(framer.push(Buffer.from(options(3)))).toEqual([]);
    }
  });

  it('waits for a body longer than what has arrived (RFC 4475 clerr over TCP)', () => {
    const framer = new StreamFramer();
    const msg = options(1, 'x'.repeat(100));
    expect(framer.push(Buffer.from(msg.slice(0, msg.length - 10)))).toEqual([]);
    expect(framer.push(Buffer.from(msg.slice(msg.length - 10)))).toHaveLength(1);
  });

  it('is fatal with 413 once a header section outgrows maxSize, without waiting for its end', () => {
    const framer = new StreamFramer({ maxSize: 1024 });
    const rs = framer.push(Buffer.from(`OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nX-Big: ${'a'.repeat(2000)}`));
    expect(rs).toHaveLength(1);
    expect(!rs[0]?.ok && [rs[0]?.error.status, rs[0]?.error.code, rs[0]?.error.fatal]).toEqual([413, 'SIP_ERR_TOO_LARGE', true]);
  });

  it('is fatal with 413 for a complete header section over maxSize arriving in one read', () => {
    const msg = options(1).replace('Content-Length: 0\r\n', `X-Big: ${'a'.repeat(2000)}\r\n`);
    const rs = new StreamFramer({ maxSize: 1024 }).push(Buffer.from(msg));
    expect(!rs[0]?.ok && [rs[0]?.error.status, rs[0]?.error.fatal]).toEqual([413, true]);
    expect(!rs[0]?.ok && rs[0]?.error.headers?.get('call-id')).toBe('stream-1');
  });

  it('is fatal with 413 as soon as Content-Length announces a message over maxSize', () => {
    const msg = options(1, 'b'.repeat(2000));
    const framer = new StreamFramer({ maxSize: 1024 });
    const head = msg.slice(0, msg.indexOf('\r\n\r\n') + 4);
    const rs = framer.push(Buffer.from(head)); // the body has not arrived yet
    expect(!rs[0]?.ok && [rs[0]?.error.status, rs[0]?.error.fatal, rs[0]?.error.reason]).toEqual([
      413,
      true,
      'Request Entity Too Large (message over 1024 bytes)',
    ]);
  });

  it('accepts a message of exactly maxSize', () => {
    const msg = options(1, 'z'.repeat(900));
    const size = Buffer.byteLength(msg);
    const rs = new StreamFramer({ maxSize: size }).push(Buffer.from(msg));
    expect(rs[0]?.ok).toBe(true);
    expect(new StreamFramer({ maxSize: size - 1 }).push(Buffer.from(msg))[0]?.ok).toBe(false);
  });

  it('reports a non-fatal 400 for a malformed header when the framing is intact', () => {
    const bad = options(1).replace('CSeq: 1 OPTIONS', 'CSeq: x OPTIONS');
    const rs = new StreamFramer().push(Buffer.from(bad + options(2)));
    expect(rs.map((r) => (r.ok ? 'ok' : `${r.error.code} ${r.error.fatal === true}`))).toEqual(['SIP_ERR_BAD_CSEQ false', 'ok']);
  });

  it('copies the body out of its reassembly buffer', () => {
    const framer = new StreamFramer();
    const [r] = framer.push(Buffer.from(options(1, 'first')));
    framer.push(Buffer.from(options(2, 'SECOND')));
    expect(r?.ok && r.value.body.toString()).toBe('first');
  });
});

describe('stream corpora: message count independent of chunking', () => {
  const files: Array<[string, number, number]> = [
    // file, messages, of which refused for a missing Content-Length
    ['lioneagle-sipparser.txt', 26, 0],
    ['php-sip-generic.txt', 227, 24],
  ];
  for (const [file, count, missingLength] of files) {
    const data = readFileSync(resolve(STREAM_DIR, file));
    const whole = new StreamFramer().push(data).map(summary);

    it(`${file}: ${count} messages in one read`, () => {
      expect(whole).toHaveLength(count);
      expect(whole.filter((s) => s.startsWith('error SIP_ERR_MISSING_CONTENT_LENGTH fatal=false'))).toHaveLength(missingLength);
      expect(whole.filter((s) => s.startsWith('error') && !s.includes('MISSING_CONTENT_LENGTH'))).toEqual([]);
    });

    it(`${file}: the same results at every power-of-two chunk size 1 … 2^17`, () => {
      for (let p = 0; p <= 17; p++) {
        const size = 2 ** p;
        expect(pushInChunks(new StreamFramer(), data, () => size).map(summary), `chunk ${size}`).toEqual(whole);
      }
    });

    it(`${file}: the same results with random chunk sizes`, () => {
      for (const seed of [1, 7, 42, 1337, 65_537]) {
        for (const max of [3, 100, 1500, 70_000]) {
          expect(pushInChunks(new StreamFramer(), data, randomSizes(seed, max)).map(summary), `seed ${seed} max ${max}`).toEqual(whole);
        }
      }
    });
  }
});
