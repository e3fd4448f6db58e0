/**
 * The wire harness's pure pieces: the UAC requests it owes after an INVITE, where a UDP reply goes,
 * which corpus messages share a transaction, chunking, loopback guards. No sockets here.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage, serializeMessage, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import { RFC4475_EXPECTATIONS } from '../../src/conformance/rfc4475-expectations.js';
import {
  OWN_BRANCH_PREFIX,
  WireError,
  ackForFailure,
  ackForSuccess,
  byeForSuccess,
  callLedger,
  cancelFor,
  isReplyToUs,
  loopbackAddress,
  replyRouteOf,
  requireBuiltGateway,
  requireLoopback,
  seededChunkSizes,
  serverTransactionKeyOf,
  statusOf,
  transactionRounds,
  type Datagram,
} from '../../src/conformance/wire/index.js';
import type { GatewayLogLine } from '../../src/runner/gateway-process.js';
import { RFC4475_DIR } from '../../src/conformance/corpora.js';

const LOCAL = { host: '127.44.9.9', port: 40_000 };

const crlf = (lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');

function request(lines: string[]): SipRequest {
  const r = parseMessage(crlf(lines));
  if (!r.ok || r.value.type !== 'request') throw new Error('fixture does not parse as a request');
  return r.value;
}

function response(lines: string[]): SipResponse {
  const r = parseMessage(crlf(lines));
  if (!r.ok || r.value.type !== 'response') throw new Error('fixture does not parse as a response');
  return r.value;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function datagram(text: string): Datagram {
  const bytes = Buffer.from(text, 'latin1');
  return { at: 0, from: LOCAL, bytes, parsed: parseMessage(bytes) };
}

const INVITE = request([
  'INVITE sip:agent@127.0.0.1:5070 SIP/2.0', // Request-URI the CANCEL and failure-ACK must repeat
  'Via: SIP/2.0/UDP 127.44.9.9:40000;branch=z9hG4bKcaller1', // the INVITE transaction's branch
  'Max-Forwards: 70',
  'From: <sip:caller@127.44.9.9>;tag=from1', // our tag
  'To: <sip:agent@127.0.0.1>', // no tag yet
  'Call-ID: call-1@127.44.9.9',
  'CSeq: 7 INVITE', // the number every follow-up derives from
  'Route: <sip:edge@127.0.0.9;lr>',
  'Content-Length: 0',
  '',
]);

describe('RFC 3261 §17.1.1.3: ACK for a non-2xx final response', () => {
  it('repeats the INVITE\'s Request-URI, top Via, From, Call-ID, CSeq number and Route; To comes from the response', () => {
    const busy = response([
      'SIP/2.0 486 Busy Here',
      'Via: SIP/2.0/UDP 127.44.9.9:40000;branch=z9hG4bKcaller1;received=127.44.9.9',
      'From: <sip:caller@127.44.9.9>;tag=from1',
      'To: <sip:agent@127.0.0.1>;tag=gw9', // the gateway's tag, which the ACK must carry
      'Call-ID: call-1@127.44.9.9',
      'CSeq: 7 INVITE',
      'Content-Length: 0',
      '',
    ]);
    const built = ackForFailure(INVITE, busy);
    if (!built.ok) throw new Error(built.reason);
    expect(serializeMessage(built.request).toString('latin1')).toBe(
      crlf([
        'ACK sip:agent@127.0.0.1:5070 SIP/2.0',
        'Via: SIP/2.0/UDP 127.44.9.9:40000;branch=z9hG4bKcaller1', // as in the INVITE: no received stamp
        'Max-Forwards: 70',
        'From: <sip:caller@127.44.9.9>;tag=from1',
        'To: <sip:agent@127.0.0.1>;tag=gw9',
        'Call-ID: call-1@127.44.9.9',
        'CSeq: 7 ACK',
        'Route: <sip:edge@127.0.0.9;lr>',
        'Content-Length: 0',
        '',
      ]).toString('latin1'),
    );
  });

  it('returns the reason, not an exception, when the INVITE lacks a CSeq', () => {
    const bad = request(['INVITE sip:a@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKx', 'From: <sip:b@127.0.0.2>;tag=1', 'To: <sip:a@127.0.0.1>', 'Call-ID: x', 'Content-Length: 0', '']);
    const built = ackForFailure(bad, response(['SIP/2.0 400 Bad Request', 'To: <sip:a@127.0.0.1>;tag=2', 'Content-Length: 0', '']));
    expect(built).toEqual({ ok: false, reason: 'INVITE lacks Call-ID, CSeq, From or To' });
  });
});

describe('RFC 3261 §13.2.2.4 / §15.1.1: ACK and BYE for a 2xx', () => {
  const ok = response([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.44.9.9:40000;branch=z9hG4bKcaller1;received=127.44.9.9',
    'Record-Route: <sip:p1@127.0.0.7;lr>, <sip:p2@127.0.0.8;lr>', // reversed into our route set
    'From: <sip:caller@127.44.9.9>;tag=from1',
    'To: <sip:agent@127.0.0.1>;tag=gw9',
    'Call-ID: call-1@127.44.9.9',
    'CSeq: 7 INVITE',
    'Contact: <sip:127.0.0.1:5070>', // the remote target
    'Content-Length: 0',
    '',
  ]);

  it('targets the Contact, routes by the reversed Record-Route, uses CSeq 7 ACK and 8 BYE, each with our own branch', () => {
    const ack = ackForSuccess(INVITE, ok, LOCAL);
    const bye = byeForSuccess(INVITE, ok, LOCAL);
    if (!ack.ok || !bye.ok) throw new Error('build failed');
    for (const [req, cseq] of [
      [ack.request, '7 ACK'],
      [bye.request, '8 BYE'],
    ] as const) {
      expect(req.uri).toBe('sip:127.0.0.1:5070');
      expect(req.headers.get('CSeq')).toBe(cseq);
      expect(req.headers.get('To')).toBe('<sip:agent@127.0.0.1>;tag=gw9');
      expect(req.headers.getAll('Route')).toEqual(['<sip:p2@127.0.0.8;lr>', '<sip:p1@127.0.0.7;lr>']);
      expect(req.headers.get('Via')).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.44\\.9\\.9:40000;branch=${OWN_BRANCH_PREFIX}[0-9a-f]{24};rport$`));
    }
    expect(ack.request.headers.get('Via')).not.toBe(bye.request.headers.get('Via'));
  });

  it('refuses a 2xx without Contact', () => {
    const noContact = response(['SIP/2.0 200 OK', 'To: <sip:a@127.0.0.1>;tag=2', 'Call-ID: call-1@127.44.9.9', 'CSeq: 7 INVITE', 'Content-Length: 0', '']);
    expect(byeForSuccess(INVITE, noContact, LOCAL)).toEqual({ ok: false, reason: '2xx lacks Contact or To' });
  });
});

describe('RFC 3261 §9.1: CANCEL', () => {
  it('shares the INVITE\'s branch, Request-URI, To (untagged) and CSeq number', () => {
    const built = cancelFor(INVITE);
    if (!built.ok) throw new Error(built.reason);
    const c = built.request;
    expect([c.method, c.uri]).toEqual(['CANCEL', 'sip:agent@127.0.0.1:5070']);
    expect(c.headers.get('Via')).toBe('SIP/2.0/UDP 127.44.9.9:40000;branch=z9hG4bKcaller1');
    expect(c.headers.get('To')).toBe('<sip:agent@127.0.0.1>');
    expect(c.headers.get('CSeq')).toBe('7 CANCEL');
  });
});

describe('RFC 3261 §18.2.2 with RFC 3581: where a UDP reply goes', () => {
  const file = (name: string): Buffer => readFileSync(join(RFC4475_DIR, name));
  it('the Via sent-by port (quotbal.dat: 192.0.2.59:5050)', () => {
    expect(replyRouteOf(file('quotbal.dat'))).toEqual({ bindPort: 5050, viaPort: 5050 });
  });
  it('the source port when the Via asks for rport (mpart01.dat: 127.0.0.1:5070;rport)', () => {
    expect(replyRouteOf(file('mpart01.dat'))).toEqual({ bindPort: 0, viaPort: 5070 });
  });
  it('5060 when the Via names no port, or there is no Via at all (test.dat)', () => {
    expect(replyRouteOf(file('esc01.dat'))).toEqual({ bindPort: 5060, viaPort: 5060 });
    expect(replyRouteOf(file('test.dat'))).toEqual({ bindPort: 5060, viaPort: 5060 });
  });
});

describe('RFC 3261 §17.2.3: corpus messages sharing a server transaction', () => {
  const rounds = transactionRounds(RFC4475_EXPECTATIONS.map((e) => readFileSync(join(RFC4475_DIR, e.file))));
  const roundOf = new Map(RFC4475_EXPECTATIONS.map((e, i) => [e.file, rounds[i]]));

  it('puts the second and third users of a key in later rounds', () => {
    expect(roundOf.get('unkscm.dat')).toBe(0);
    expect(roundOf.get('novelsc.dat')).toBe(1); // host9.example.com;branch=z9hG4bKkdjuw39234
    expect(roundOf.get('cparam02.dat')).toBe(1);
    expect(roundOf.get('regescrt.dat')).toBe(1);
    expect(roundOf.get('rfc5118-wire/port-ambiguous.wire')).toBe(1);
    expect(roundOf.get('rfc5118-wire/port-unambiguous.wire')).toBe(2);
    expect(rounds.filter((r) => r > 0)).toHaveLength(6);
  });

  it('keys by branch, sent-by and method (ACK as INVITE); RFC 2543 requests by their identifiers', () => {
    const a = crlf(['OPTIONS sip:a@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1', 'Call-ID: 1', 'CSeq: 1 OPTIONS', 'From: <sip:b@h>;tag=1', 'To: <sip:a@127.0.0.1>', 'Content-Length: 0', '']);
    expect(serverTransactionKeyOf(a)).toBe('z9hG4bK1|h.example.com:|OPTIONS');
    expect(serverTransactionKeyOf(readFileSync(join(RFC4475_DIR, 'inv2543.dat')))).toMatch(/^2543\|/);
    expect(serverTransactionKeyOf(readFileSync(join(RFC4475_DIR, 'unreason.dat')))).toBeUndefined(); // a response
  });
});

describe('reading replies', () => {
  it('statusOf takes the status line even when the echoed headers do not parse', () => {
    const d = datagram('SIP/2.0 400 Bad Request (malformed Via)\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\nContent-Length: 0\r\n\r\n');
    expect(d.parsed.ok).toBe(false);
    expect(statusOf(d)).toBe(400);
    expect(statusOf(datagram('INVITE sip:a@b SIP/2.0\r\n\r\n'))).toBeUndefined();
  });

  it('isReplyToUs recognises our branch prefix in the first Via only', () => {
    expect(isReplyToUs(datagram(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.2:1;branch=${OWN_BRANCH_PREFIX}abc;rport=1\r\n\r\n`))).toBe(true);
    expect(isReplyToUs(datagram('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.2:1;branch=z9hG4bKabc\r\n\r\n'))).toBe(false);
  });
});

describe('seeded chunking', () => {
  it('covers the stream exactly with chunks in [1, max], the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 4096 }), fc.integer(), (total, max, seed) => {
        const sizes = seededChunkSizes(total, max, seed);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
        expect(sizes.every((n) => n >= 1 && n <= max)).toBe(true);
        expect(seededChunkSizes(total, max, seed)).toEqual(sizes);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a chunk bound below 1', () => {
    expect(() => seededChunkSizes(10, 0, 1)).toThrow(RangeError);
  });
});

describe('loopback only', () => {
  it('numbers source addresses inside 127.<block>.0.0/16', () => {
    expect(loopbackAddress(44, 0)).toBe('127.44.0.1');
    expect(loopbackAddress(44, 253)).toBe('127.44.0.254');
    expect(loopbackAddress(44, 254)).toBe('127.44.1.1');
  });

  it('refuses any address outside 127.0.0.0/8 with a coded error', () => {
    for (const host of ['192.0.2.1', '::1', 'localhost']) {
      const err = thrown(() => requireLoopback(host, 'target'));
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).code).toBe('WIRE_ERR_NOT_LOOPBACK');
    }
    expect(requireLoopback('127.8.9.10', 'target')).toBe('127.8.9.10');
  });
});

describe('preconditions and bookkeeping', () => {
  it('fails with a build instruction when the compiled gateway is missing', () => {
    const err = thrown(() => requireBuiltGateway('/nonexistent-root'));
    expect((err as WireError).code).toBe('WIRE_ERR_GATEWAY_NOT_BUILT');
    expect((err as Error).message).toMatch(/dist\/gateway\/src\/main\.js is missing: build the gateway first/);
  });

  it('counts calls offered and ended from the gateway log lines', () => {
    const line = (msg: string): GatewayLogLine => ({ level: 30, time: 0, msg });
    expect(callLedger([line('call offered'), line('call offered'), line('call ended'), line('other')])).toEqual({ offered: 2, ended: 1, open: 1 });
  });
});
