import { describe, expect, it } from 'vitest';
import {
  BRANCH_MAGIC_COOKIE,
  SipHeaders,
  checkRequest,
  createResponse,
  newBranch,
  newCallId,
  newTag,
  parseMessage,
  reasonPhrase,
  responseForParseError,
  serializeMessage,
  type SipRequest,
} from '../../../src/sip/message/index.js';
import { GATEWAY_POLICY } from './corpora.js';

const INVITE_LINES = [
  'INVITE sip:gw@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKa1;rport',
  'Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 127.0.0.3;branch=z9hG4bKc1',
  'Max-Forwards: 70',
  'From: "Caller" <sip:+15551230001@127.0.0.2>;tag=ft1',
  'To: <sip:gw@127.0.0.1>',
  'Call-ID: call-1@127.0.0.2',
  'CSeq: 1 INVITE',
  'Timestamp: 54',
  'Contact: <sip:caller@127.0.0.2:5060>',
];

function invite(extra: string[] = [], body = '', lines = INVITE_LINES): Buffer {
  const head = [...lines, ...extra];
  if (body.length > 0) head.push('Content-Type: application/sdp');
  head.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function request(buf: Buffer): SipRequest {
  const r = parseMessage(buf);
  if (!r.ok) throw new Error(r.error.reason);
  if (r.value.type !== 'request') throw new Error('not a request');
  return r.value;
}

describe('RFC 3261 §7 parseMessage on datagrams', () => {
  it('parses a request: start line, ordered headers, body by Content-Length', () => {
    const m = request(invite([], 'v=0\r\n'));
    expect([m.method, m.uri, m.version]).toEqual(['INVITE', 'sip:gw@127.0.0.1:5060', 'SIP/2.0']);
    expect(m.headers.getAll('via')).toHaveLength(3);
    expect(m.body.toString()).toBe('v=0\r\n');
  });

  it('§7.5 ignores CRLFs before the start-line and tolerates bare-LF line ends', () => {
    const lf = Buffer.from(`\r\n\r\n${invite().toString().replace(/\r\n/g, '\n')}`);
    const m = request(lf);
    expect(m.headers.get('call-id')).toBe('call-1@127.0.0.2');
  });

  it('§7.3.1 unfolds continuation lines (SP or HTAB) into one SP', () => {
    const m = request(invite(['Subject: first', '\tsecond', '   third']));
    expect(m.headers.get('subject')).toBe('first second third');
  });

  it('a header line starting with whitespace right after the start-line is malformed', () => {
    const buf = Buffer.from(invite().toString().replace('SIP/2.0\r\n', 'SIP/2.0\r\n  stray\r\n'));
    const r = parseMessage(buf);
    expect(!r.ok && r.error.reason).toBe('Bad Request (continuation line without a header)');
  });

  it('survives NUL and non-UTF-8 bytes in header values', () => {
    const buf = Buffer.concat([
      Buffer.from(INVITE_LINES.join('\r\n') + '\r\nX-Bin: a'),
      Buffer.from([0x00, 0xff, 0xfe, 0xc3]), // NUL + invalid UTF-8
      Buffer.from('b\r\nContent-Length: 0\r\n\r\n'),
    ]);
    const m = request(buf);
    expect(m.headers.get('x-bin')).toBe('a\u0000\uFFFD\uFFFD\uFFFDb');
  });

  it('a NUL byte inside a header it must understand is a 400, not a crash', () => {
    const buf = Buffer.from(invite().toString().replace('CSeq: 1 INVITE', 'CSeq: 1\u0000 INVITE'));
    const r = parseMessage(buf);
    expect(!r.ok && r.error.code).toBe('SIP_ERR_BAD_CSEQ');
  });

  it('keeps the body as bytes, NULs and all, copied out of the input buffer', () => {
    const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0]);
    const buf = Buffer.concat([Buffer.from(`${INVITE_LINES.join('\r\n')}\r\nContent-Type: application/octet-stream\r\nContent-Length: 9\r\n\r\n`), bin]);
    const m = request(buf);
    buf.fill(0x41);
    expect(m.body).toEqual(bin);
  });

  it('§18.3 UDP: Content-Length larger than the datagram is a 400; smaller truncates the body', () => {
    const r = parseMessage(invite(['X: y'], '').subarray(0, -2)); // header section cut short, no body
    expect(r.ok).toBe(true); // the datagram ends the header section
    const big = Buffer.from(invite([], 'abc').toString().replace('Content-Length: 3', 'Content-Length: 4'));
    const e = parseMessage(big);
    expect(!e.ok && [e.error.status, e.error.reason]).toEqual([400, 'Bad Request (Content-Length larger than message)']);
    const small = request(Buffer.from(invite([], 'abcdef').toString().replace('Content-Length: 6', 'Content-Length: 2')));
    expect(small.body.toString()).toBe('ab');
  });

  it('a Content-Length too long to represent is larger than any datagram', () => {
    const r = parseMessage(Buffer.from(invite().toString().replace('Content-Length: 0', `Content-Length: ${'9'.repeat(40)}`)));
    expect(!r.ok && r.error.code).toBe('SIP_ERR_TRUNCATED_BODY');
  });

  it('answers a datagram over maxSize with 413, still recovering its headers', () => {
    const r = parseMessage(invite([], 'x'.repeat(600)), { maxSize: 512 });
    expect(!r.ok && [r.error.status, r.error.code, r.error.reason]).toEqual([
      413,
      'SIP_ERR_TOO_LARGE',
      'Request Entity Too Large (message over 512 bytes)',
    ]);
    expect(!r.ok && r.error.headers?.get('call-id')).toBe('call-1@127.0.0.2');
    expect(!r.ok && responseForParseError(r.error)?.status).toBe(413);
  });

  it('an empty or CRLF-only datagram is an error that owes no reply', () => {
    for (const d of [Buffer.alloc(0), Buffer.from('\r\n\r\n')]) {
      const r = parseMessage(d);
      expect(!r.ok && [r.error.code, r.error.isRequest]).toEqual(['SIP_ERR_EMPTY', false]);
      expect(!r.ok && responseForParseError(r.error)).toBeUndefined();
    }
  });

  it('parses responses: status, reason with spaces, empty reason', () => {
    const r = parseMessage(Buffer.from('SIP/2.0 486 Busy Here Now\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n'));
    expect(r.ok && r.value.type === 'response' && [r.value.status, r.value.reason]).toEqual([486, 'Busy Here Now']);
    const e = parseMessage(Buffer.from('SIP/2.0 180\r\nContent-Length: 0\r\n\r\n'));
    expect(e.ok && e.value.type === 'response' && e.value.reason).toBe('');
  });

  it.each([
    ['SIP/2.0 99 Low\r\n\r\n', 'SIP_ERR_BAD_STATUS_CODE'],
    ['SIP/2.0 700 High\r\n\r\n', 'SIP_ERR_BAD_STATUS_CODE'],
    ['SIP/2.0 2000 OK\r\n\r\n', 'SIP_ERR_BAD_STATUS_CODE'],
    ['SIP/2 200 OK\r\n\r\n', 'SIP_ERR_BAD_VERSION'],
    ['INVITE sip:a@b HTTP/1.1\r\n\r\n', 'SIP_ERR_BAD_VERSION'],
    ['INV(ITE sip:a@b SIP/2.0\r\n\r\n', 'SIP_ERR_BAD_METHOD'],
    ['INVITE\r\n\r\n', 'SIP_ERR_BAD_START_LINE'],
    ['INVITE sip:a@b SIP/2.0\r\nNo colon here\r\n\r\n', 'SIP_ERR_BAD_HEADER_LINE'],
    ['INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n', 'SIP_ERR_BAD_HEADER_LINE'],
    ['INVITE sip:a@b SIP/2.0\r\nCall-ID: a b\r\n\r\n', 'SIP_ERR_BAD_CALL_ID'],
    ['INVITE sip:a@b SIP/2.0\r\nVia:\r\n\r\n', 'SIP_ERR_BAD_VIA'],
    ['INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1, \r\n\r\n', 'SIP_ERR_BAD_VIA'],
    ['INVITE sip:a@b SIP/2.0\r\nContact: *, <sip:a@b>\r\n\r\n', 'SIP_ERR_BAD_CONTACT'],
    ['INVITE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=\r\n\r\n', 'SIP_ERR_BAD_FROM'],
  ])('%j → %s', (text, code) => {
    const r = parseMessage(Buffer.from(text));
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('Contact: * alone is well formed (RFC 3261 §10.2.2)', () => {
    expect(parseMessage(invite(['Contact: *'], '', INVITE_LINES.filter((l) => !l.startsWith('Contact')))).ok).toBe(true);
  });
});

describe('RFC 3261 §7 serializeMessage', () => {
  it('round-trips a parsed message and recomputes Content-Length in place', () => {
    const m = request(invite(['Subject: hi'], 'v=0\r\n'));
    const out = serializeMessage(m).toString();
    expect(out).toBe(invite(['Subject: hi'], 'v=0\r\n').toString());
    m.body = Buffer.from('longer body');
    expect(serializeMessage(m).toString()).toContain('Content-Length: 11\r\n\r\nlonger body');
  });

  it('adds Content-Length when absent and writes "SIP/2.0 100 " for an empty reason', () => {
    const bytes = serializeMessage({ type: 'response', status: 100, reason: '', version: 'SIP/2.0', headers: new SipHeaders(), body: Buffer.alloc(0) });
    expect(bytes.toString()).toBe('SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n');
  });

  it('parsed bodies and serialized messages own their memory: a kept one never pins a pool chunk', () => {
    const m = request(invite([], 'v=0\r\n'));
    expect(m.body.toString()).toBe('v=0\r\n');
    expect([m.body.byteOffset, m.body.buffer.byteLength]).toEqual([0, m.body.length]);
    const bytes = serializeMessage(m);
    expect([bytes.byteOffset, bytes.buffer.byteLength]).toEqual([0, bytes.length]);
  });

  it('writes binary bodies byte for byte', () => {
    const body = Buffer.from([0, 0xff, 0x80]);
    const bytes = serializeMessage({ type: 'response', status: 200, reason: 'OK', version: 'SIP/2.0', headers: new SipHeaders(), body });
    expect(bytes.subarray(-3)).toEqual(body);
  });
});

describe('RFC 3261 §8.2.6 createResponse', () => {
  it('copies every Via in order, From, To (+ tag), Call-ID, CSeq; default reason phrase', () => {
    const req = request(invite());
    const res = createResponse(req, 180, { toTag: 'gw1' });
    expect([res.status, res.reason, res.version]).toEqual([180, 'Ringing', 'SIP/2.0']);
    expect([...res.headers.entries()]).toEqual([
      ['Via', 'SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKa1;rport'],
      ['Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 127.0.0.3;branch=z9hG4bKc1'],
      ['From', '"Caller" <sip:+15551230001@127.0.0.2>;tag=ft1'],
      ['To', '<sip:gw@127.0.0.1>;tag=gw1'],
      ['Call-ID', 'call-1@127.0.0.2'],
      ['CSeq', '1 INVITE'],
    ]);
  });

  it('never adds a second To tag, and echoes Timestamp in 100 Trying only (§8.2.6.1)', () => {
    const req = request(invite());
    req.headers.set('To', '<sip:gw@127.0.0.1>;tag=existing');
    expect(createResponse(req, 200, { toTag: 'new' }).headers.get('to')).toBe('<sip:gw@127.0.0.1>;tag=existing');
    const trying = createResponse(request(invite()), 100, { toTag: 'ignored' });
    expect(trying.headers.get('to')).toBe('<sip:gw@127.0.0.1>');
    expect(trying.headers.get('timestamp')).toBe('54');
    expect(createResponse(request(invite()), 200).headers.has('timestamp')).toBe(false);
  });

  it('adds extra headers, a body and its Content-Type', () => {
    const res = createResponse(request(invite()), 200, {
      reason: 'Fine',
      headers: [['Contact', '<sip:gw@127.0.0.1>'], ['Allow', 'INVITE, ACK']],
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    expect(res.reason).toBe('Fine');
    const text = serializeMessage(res).toString();
    expect(text).toContain('Contact: <sip:gw@127.0.0.1>\r\nAllow: INVITE, ACK\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
  });

  it('has standard reason phrases and class-generic ones for unknown codes', () => {
    expect([reasonPhrase(481), reasonPhrase(488), reasonPhrase(420), reasonPhrase(299), reasonPhrase(699)]).toEqual([
      'Call/Transaction Does Not Exist',
      'Not Acceptable Here',
      'Bad Extension',
      'Success',
      'Global Failure',
    ]);
  });

  it('builds no reply for a malformed ACK (RFC 3261 §17.1.1.3: ACK is never answered)', () => {
    const ack = Buffer.from(invite().toString().replace(/INVITE/g, 'ACK').replace('CSeq: 1 ACK', 'CSeq: x ACK'));
    const r = parseMessage(ack);
    expect(!r.ok && [r.error.method, responseForParseError(r.error)]).toEqual(['ACK', undefined]);
  });
});

describe('RFC 3261 §8.2 checkRequest', () => {
  it('passes a well-formed INVITE with an SDP offer', () => {
    expect(checkRequest(request(invite([], 'v=0\r\n')), GATEWAY_POLICY)).toBeUndefined();
  });

  it.each(['Via', 'From', 'To', 'Call-ID', 'CSeq'])('400 "Missing %s"', (name) => {
    const req = request(invite());
    req.headers.delete(name);
    expect(checkRequest(req, GATEWAY_POLICY)).toEqual({ status: 400, reason: `Missing ${name}`, headers: [] });
  });

  it('a missing Max-Forwards is fine at a UAS; an out-of-range one is not', () => {
    const req = request(invite());
    req.headers.delete('Max-Forwards');
    expect(checkRequest(req, GATEWAY_POLICY)).toBeUndefined();
    req.headers.set('Max-Forwards', '256');
    expect(checkRequest(req, GATEWAY_POLICY)?.reason).toBe('Bad Request (Max-Forwards out of range)');
    req.headers.set('Max-Forwards', '0');
    expect(checkRequest(req, GATEWAY_POLICY)).toBeUndefined(); // RFC 4475 §3.3.11: no 483 at a UAS
  });

  it('505 comes before every other check and echoes only a short, printable version', () => {
    const req = request(invite());
    req.version = `SIP/3.0${'\u0001'.repeat(40)}`;
    req.headers.delete('From');
    const r = checkRequest(req, GATEWAY_POLICY);
    expect(r?.status).toBe(505);
    expect(r?.reason).toBe(`Version Not Supported (SIP/3.0${'?'.repeat(25)}...)`);
  });

  it('416 for tel-less unknown schemes; sip, sips and tel are accepted', () => {
    for (const [u, status] of [['sips:gw@127.0.0.1', undefined], ['tel:+15550001111', undefined], ['mailto:x@y', 416]] as const) {
      const req = request(invite());
      req.uri = u;
      expect(checkRequest(req, GATEWAY_POLICY)?.status, u).toBe(status);
    }
  });

  it('ACK gets only the 505/400 checks (it is never answered)', () => {
    const ack = request(Buffer.from(invite().toString().replace(/INVITE/g, 'ACK')));
    expect(checkRequest(ack, GATEWAY_POLICY)).toBeUndefined();
    const withBody = request(Buffer.from(invite([], 'x').toString().replace(/INVITE/g, 'ACK').replace('application/sdp', 'text/plain')));
    expect(checkRequest(withBody, GATEWAY_POLICY)).toBeUndefined(); // no 415 for an ACK
  });

  it('420 ignores Require on CANCEL (§8.2.2.3) and matches option tags case-insensitively', () => {
    const req = request(invite(['Require: TIMER']));
    expect(checkRequest(req, GATEWAY_POLICY)).toBeUndefined();
    const cancel = request(Buffer.from(invite(['Require: 100rel']).toString().replace(/INVITE/g, 'CANCEL')));
    expect(checkRequest(cancel, GATEWAY_POLICY)).toBeUndefined();
    const prack = request(invite(['Require: 100rel, timer']));
    expect(checkRequest(prack, GATEWAY_POLICY)).toEqual({ status: 420, reason: 'Bad Extension', headers: [['Unsupported', '100rel']] });
  });

  it('415 for a body type outside the policy (parameters ignored) and for a Content-Encoding', () => {
    const ok = request(invite([], 'v=0'));
    ok.headers.set('Content-Type', 'Application/SDP ; charset=utf-8');
    expect(checkRequest(ok, GATEWAY_POLICY)).toBeUndefined();
    const gz = request(invite(['Content-Encoding: gzip'], 'v=0'));
    expect(checkRequest(gz, GATEWAY_POLICY)).toEqual({
      status: 415,
      reason: 'Unsupported Media Type (Content-Encoding)',
      headers: [['Accept-Encoding', 'identity']],
    });
  });

  it('400 for a body without Content-Type', () => {
    const req = request(invite([], 'v=0'));
    req.headers.delete('Content-Type');
    expect(checkRequest(req, GATEWAY_POLICY)?.reason).toBe('Bad Request (body without Content-Type)');
  });

  it('406 when an INVITE Accept admits no application/sdp (q=0, empty, other types); */* and application/* admit it', () => {
    const cases: Array<[string, number | undefined]> = [
      ['Accept: text/plain', 406],
      ['Accept: application/sdp;q=0', 406],
      ['Accept: ', 406],
      ['Accept: */*', undefined],
      ['Accept: application/*;q=0.5', undefined],
      ['Accept: text/html, application/sdp', undefined],
    ];
    for (const [header, status] of cases) {
      expect(checkRequest(request(invite([header])), GATEWAY_POLICY)?.status, header).toBe(status);
    }
    const options = request(Buffer.from(invite(['Accept: text/plain']).toString().replace(/INVITE/g, 'OPTIONS')));
    expect(checkRequest(options, GATEWAY_POLICY)).toBeUndefined(); // only INVITE must be answered with SDP
  });

  it('501 for an unknown method and 405 for a known one, both with Allow', () => {
    const unknown = request(Buffer.from(invite().toString().replace(/INVITE/g, 'FOO')));
    expect(checkRequest(unknown, GATEWAY_POLICY)).toEqual({ status: 501, reason: 'Not Implemented', headers: [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']] });
    const sub = request(Buffer.from(invite().toString().replace(/INVITE/g, 'SUBSCRIBE')));
    expect(checkRequest(sub, GATEWAY_POLICY)?.status).toBe(405);
  });

  it('400 for a dialog-creating INVITE without exactly one SIP/SIPS Contact (§8.1.1.8); not for RFC 2543 UACs or in a dialog', () => {
    const without = (lines: string[]): string[] => lines.filter((l) => !l.startsWith('Contact:'));
    const reasonOf = (lines: string[]): string | undefined => checkRequest(request(invite([], '', lines)), GATEWAY_POLICY)?.reason;
    expect(reasonOf(without(INVITE_LINES))).toBe('Missing Contact');
    expect(reasonOf([...INVITE_LINES, 'Contact: <sip:other@127.0.0.2>'])).toBe('Bad Request (more than one Contact)');
    expect(reasonOf([...without(INVITE_LINES), 'm: <sips:a@127.0.0.2>, <sip:b@127.0.0.2>'])).toBe('Bad Request (more than one Contact)');
    expect(reasonOf([...without(INVITE_LINES), 'Contact: <tel:+15551230001>'])).toBe('Bad Request (Contact is not a SIP or SIPS URI)');
    expect(reasonOf([...without(INVITE_LINES), 'Contact: "Caller" <sips:caller@127.0.0.2>;expires=60'])).toBeUndefined();
    // RFC 2543 (branch without z9hG4bK, RFC 4475 §3.4.1): Contact was optional then.
    expect(reasonOf(without(INVITE_LINES).map((l) => l.replace('branch=z9hG4bKa1', 'branch=a1')))).toBeUndefined();
    // A re-INVITE (To tag) and other methods are not held to it.
    expect(reasonOf(without(INVITE_LINES).map((l) => (l.startsWith('To:') ? `${l};tag=gw1` : l)))).toBeUndefined();
    const options = request(Buffer.from(invite([], '', without(INVITE_LINES)).toString().replace(/INVITE/g, 'OPTIONS')));
    expect(checkRequest(options, GATEWAY_POLICY)).toBeUndefined();
  });
});

describe('RFC 3261 §8.1.1 identifiers', () => {
  it('tags, branches and Call-IDs are random, unique and well formed', () => {
    const tags = new Set(Array.from({ length: 100 }, () => newTag()));
    expect(tags.size).toBe(100);
    for (const t of tags) expect(t).toMatch(/^[0-9a-f]{16}$/);
    const b = newBranch();
    expect(b.startsWith(BRANCH_MAGIC_COOKIE)).toBe(true);
    expect(b).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(newCallId('gw.example.com')).toMatch(/^[0-9a-f]{32}@gw\.example\.com$/);
    expect(newCallId('[2001:db8::1]')).toMatch(/^[0-9a-f]{32}@\[2001:db8::1\]$/);
    expect(newCallId('bad host')).toMatch(/^[0-9a-f]{32}$/);
    expect(newCallId('')).toMatch(/^[0-9a-f]{32}$/);
  });
});
