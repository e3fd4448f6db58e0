/**
 * Property tests: no input makes the message layer throw, and what it formats it parses back.
 * Runs are bounded (numRuns) so the suite stays fast on a shared 2-core machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SipHeaders,
  StreamFramer,
  checkRequest,
  createResponse,
  formatNameAddr,
  formatUri,
  formatVia,
  isParseError,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  responseForParseError,
  serializeMessage,
  type NameAddr,
  type ParseResult,
  type SipRequest,
  type SipUri,
  type Via,
} from '../../../src/sip/message/index.js';
import { GATEWAY_POLICY, PJSIP_SEEDS_DIR, RFC4475_DIR } from './corpora.js';

const RUNS = { numRuns: 400 };

/** Everything a receive path does with one datagram. */
function receive(bytes: Uint8Array): ParseResult {
  const r = parseMessage(Buffer.from(bytes));
  if (r.ok) {
    serializeMessage(r.value);
    if (r.value.type === 'request') {
      checkRequest(r.value, GATEWAY_POLICY);
      createResponse(r.value, 400, { toTag: 't' });
    }
  } else {
    expect(r.error.code).toMatch(/^SIP_ERR_/);
    responseForParseError(r.error, 't');
  }
  return r;
}

/** Characters that drive the SIP grammar's decisions, to reach deep paths more often than random bytes. */
const SIP_CHARS = [...' \t\r\n:;,<>"\\@[]%=/?&*.+-_~0123456789abcdefSIPsip', '\u0000', '\u00ff', 'é'];
const sipish = fc.string({ unit: fc.constantFrom(...SIP_CHARS), maxLength: 200 });

function seeds(): Buffer[] {
  const out: Buffer[] = [];
  for (const f of readdirSync(RFC4475_DIR).filter((n) => n.endsWith('.dat'))) out.push(readFileSync(resolve(RFC4475_DIR, f)));
  for (const dir of ['fuzz-sip', 'fuzz-sip-dialog']) {
    const d = resolve(PJSIP_SEEDS_DIR, dir);
    for (const f of readdirSync(d)) out.push(readFileSync(resolve(d, f)));
  }
  return out;
}

describe('fuzzing: arbitrary input never throws', () => {
  it('parseMessage + checkRequest + replies on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => void receive(bytes)), RUNS);
  });

  it('parseMessage on SIP-looking text built from grammar characters', () => {
    const message = fc.tuple(fc.constantFrom('INVITE sip:a@b SIP/2.0\r\n', 'SIP/2.0 200 OK\r\n', ''), sipish, sipish);
    fc.assert(fc.property(message, ([start, a, b]) => void receive(Buffer.from(`${start}${a}\r\n\r\n${b}`))), RUNS);
  });

  it('parseUri, parseNameAddr, parseVia, parseCSeq on arbitrary and grammar-character strings', () => {
    const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), sipish, sipish.map((s) => `sip:${s}`), sipish.map((s) => `SIP/2.0/UDP ${s}`));
    fc.assert(
      fc.property(input, (s) => {
        for (const r of [parseUri(s), parseNameAddr(s), parseVia(s), parseCSeq(s)]) {
          expect(typeof r).toBe('object');
          if (isParseError(r)) expect(r.status).toBeGreaterThanOrEqual(400);
        }
      }),
      RUNS,
    );
  });

  it('StreamFramer on arbitrary bytes in arbitrary chunks', () => {
    const input = fc.tuple(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 20 }));
    fc.assert(
      fc.property(input, ([bytes, sizes]) => {
        const framer = new StreamFramer({ maxSize: 2048 });
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = sizes[i % sizes.length] ?? 1;
          for (const r of framer.push(Buffer.from(bytes.subarray(at, at + n)))) if (!r.ok) expect(r.error.code).toMatch(/^SIP_ERR_/);
          at += n;
        }
      }),
      RUNS,
    );
  });

  it('mutated valid messages (RFC 4475, pjsip seeds): flips, inserts, deletions, duplications, truncation', () => {
    const corpus = seeds();
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: sipish }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, mutations) => {
        let buf = corpus[seed] ?? Buffer.alloc(0);
        for (const m of mutations) {
          const at = buf.length === 0 ? 0 : m.at % buf.length;
          if (m.kind === 'flip') {
            buf = Buffer.from(buf);
            buf[at] = m.byte;
          } else if (m.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.text), buf.subarray(at)]);
          else if (m.kind === 'delete') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]);
          else if (m.kind === 'dup') buf = Buffer.concat([buf.subarray(0, at + m.len), buf.subarray(at)]);
          else buf = buf.subarray(0, at);
        }
        receive(buf);
        const framer = new StreamFramer();
        framer.push(buf);
        framer.push(buf);
      }),
      { numRuns: 1500 },
    );
  });
});

// ---- generators of valid grammar ------------------------------------------------------------

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const lowerAlnum = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const tokenChars = [...ALNUM, ...".-!%*_+`'~"];
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 12 });
const lowerToken = fc.string({ unit: fc.constantFrom(...lowerAlnum, '-', '.', '_'), minLength: 1, maxLength: 10 });
const escape = fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`);
const escaped = (chars: string[]): fc.Arbitrary<string> =>
  fc.array(fc.oneof(fc.constantFrom(...chars), escape), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const userChars = [...ALNUM, ...'-_.!~*\'()&=+$,;?/'];
const passwordChars = [...ALNUM, ...'-_.!~*\'()&=+$,'];
const paramChars = [...lowerAlnum, ...'-_.!~*\'()[]/:&+$'];
const hnvChars = [...ALNUM, ...'-_.!~*\'()[]/?:+$'];

const label = fc.string({ unit: fc.constantFrom(...lowerAlnum), minLength: 1, maxLength: 8 });
const hostname = fc
  .tuple(fc.array(label, { maxLength: 3 }), fc.constantFrom('com', 'example', 'net', 'a1'))
  .map(([labels, top]) => [...labels, top].join('.'));
const host = fc.oneof(hostname, fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`));

const uriParams = fc
  .uniqueArray(fc.tuple(fc.string({ unit: fc.constantFrom(...paramChars), minLength: 1, maxLength: 8 }), fc.option(escaped(paramChars), { nil: null })), {
    selector: ([k]) => k,
    maxLength: 4,
  })
  .map((entries) => new Map<string, string | null>(entries));

const sipUri: fc.Arbitrary<SipUri> = fc
  .record({
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: fc.option(escaped(userChars), { nil: undefined }),
    password: fc.option(fc.oneof(fc.constant(''), escaped(passwordChars)), { nil: undefined }),
    host,
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    params: uriParams,
    headers: fc
      .uniqueArray(fc.tuple(escaped(hnvChars), fc.oneof(fc.constant(''), escaped(hnvChars))), { selector: ([k]) => k, maxLength: 3 })
      .map((e) => new Map(e)),
  })
  .map((u) => {
    const out: SipUri = { scheme: u.scheme, host: u.host, params: u.params, headers: u.headers };
    if (u.user !== undefined) {
      out.user = u.user;
      if (u.password !== undefined) out.password = u.password;
    }
    if (u.port !== undefined) out.port = u.port;
    return out;
  });

const telUri: fc.Arbitrary<SipUri> = fc
  .tuple(fc.string({ unit: fc.constantFrom(...'0123456789-.()*#'), minLength: 1, maxLength: 15 }), uriParams)
  .map(([n, params]) => ({ scheme: 'tel' as const, user: `+${n}`, host: '', params, headers: new Map() }));

/** Header parameter values: tokens, or anything printable (formatted as a quoted-string). */
const headerParams = fc
  .uniqueArray(
    fc.tuple(
      lowerToken,
      fc.option(fc.oneof(token, fc.string({ unit: fc.constantFrom(...ALNUM, ' ', '"', '\\', ';', ',', '<', '>', '=', 'é'), maxLength: 10 })), {
        nil: null,
      }),
    ),
    { selector: ([k]) => k, maxLength: 4 },
  )
  .map((e) => new Map<string, string | null>(e));

const displayName = fc.option(
  fc.string({ unit: fc.constantFrom(...ALNUM, ' ', '"', '\\', ',', '<', '@', '\t', 'é', '\u00a0'), minLength: 1, maxLength: 16 }),
  { nil: undefined },
);

const nameAddr: fc.Arbitrary<NameAddr> = fc.record({ displayName, uri: fc.oneof(sipUri, telUri), params: headerParams }).map((n) => {
  const out: NameAddr = { uri: n.uri, params: n.params };
  if (n.displayName !== undefined) out.displayName = n.displayName;
  return out;
});

const via: fc.Arbitrary<Via> = fc
  .record({
    transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    branch: token.map((t) => `z9hG4bK${t}`),
    rport: fc.option(fc.option(fc.integer({ min: 1, max: 65535 }).map(String), { nil: null }), { nil: undefined }),
    received: fc.option(fc.ipV4(), { nil: undefined }),
  })
  .map((v) => {
    const params = new Map<string, string | null>([['branch', v.branch]]);
    if (v.rport !== undefined) params.set('rport', v.rport);
    if (v.received !== undefined) params.set('received', v.received);
    const out: Via = { protocol: 'SIP/2.0', transport: v.transport, host: v.host, params };
    if (v.port !== undefined) out.port = v.port;
    return out;
  });

const extensionValue = fc
  .string({ unit: fc.constantFrom(...ALNUM, ' ', ',', ';', ':', '"', '<', '>', '\t', 'é', '中'), maxLength: 30 })
  .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));

const request: fc.Arbitrary<SipRequest> = fc
  .record({
    method: fc.constantFrom('INVITE', 'OPTIONS', 'BYE', 'CANCEL', 'ACK', 'INFO', 'X-CUSTOM.1'),
    uri: fc.oneof(sipUri, telUri),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    from: nameAddr,
    to: nameAddr,
    callId: fc.tuple(token, fc.option(hostname, { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}@${b}`)),
    seq: fc.integer({ min: 0, max: 0xffff_ffff }),
    extensions: fc.array(fc.tuple(token.map((t) => `X-${t}`), extensionValue), { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 300 }),
  })
  .map((g) => {
    const headers = new SipHeaders();
    for (const v of g.vias) headers.append('Via', formatVia(v));
    headers.append('From', formatNameAddr(g.from));
    headers.append('To', formatNameAddr(g.to));
    headers.append('Call-ID', g.callId);
    headers.append('CSeq', `${g.seq} ${g.method}`);
    for (const [n, v] of g.extensions) headers.append(n, v);
    if (g.body.length > 0) headers.append('Content-Type', 'application/octet-stream');
    return { type: 'request' as const, method: g.method, uri: formatUri(g.uri), version: 'SIP/2.0', headers, body: Buffer.from(g.body) };
  });

describe('round trips: format(parse(x)) for generated valid grammar', () => {
  it('RFC 3261 §19.1 parseUri(formatUri(u)) equals u (sip, sips, tel, IPv6)', () => {
    fc.assert(
      fc.property(fc.oneof(sipUri, telUri), (u) => {
        const text = formatUri(u);
        const back = parseUri(text);
        if (isParseError(back)) throw new Error(`${text}: ${back.reason}`);
        expect(back).toEqual(u);
        expect(formatUri(back)).toBe(text);
      }),
      RUNS,
    );
  });

  it('RFC 3261 §20.10 parseNameAddr(formatNameAddr(n)) equals n (display-name quoting, params)', () => {
    fc.assert(
      fc.property(nameAddr, (n) => {
        const text = formatNameAddr(n);
        const back = parseNameAddr(text);
        if (isParseError(back)) throw new Error(`${text}: ${back.reason}`);
        expect(back).toEqual(n);
        expect(formatNameAddr(back)).toBe(text);
      }),
      RUNS,
    );
  });

  it('RFC 3261 §20.42 parseVia(formatVia(v)) equals [v], also comma-joined', () => {
    fc.assert(
      fc.property(fc.array(via, { minLength: 1, maxLength: 4 }), (vs) => {
        const text = vs.map(formatVia).join(', ');
        const back = parseVia(text);
        if (isParseError(back)) throw new Error(`${text}: ${back.reason}`);
        expect(back).toEqual(vs);
      }),
      RUNS,
    );
  });

  it('RFC 3261 §7 parseMessage(serializeMessage(m)) is m, and serialising again gives the same bytes', () => {
    fc.assert(
      fc.property(request, fc.boolean(), (m, viaStream) => {
        const bytes = serializeMessage(m);
        const r = viaStream ? new StreamFramer().push(bytes)[0] : parseMessage(bytes);
        if (r === undefined || !r.ok) throw new Error(`${bytes.toString()}\n${r === undefined ? 'no message' : r.error.reason}`);
        const back = r.value;
        expect(back.type).toBe('request');
        if (back.type !== 'request') return;
        expect([back.method, back.uri, back.version]).toEqual([m.method, m.uri, m.version]);
        const expected = [...m.headers.entries()];
        expect([...back.headers.entries()].filter(([n]) => n !== 'Content-Length')).toEqual(expected);
        expect(back.headers.get('content-length')).toBe(String(m.body.length));
        expect(back.body).toEqual(m.body);
        expect(serializeMessage(back)).toEqual(bytes);
      }),
      RUNS,
    );
  });
});
