import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RFC4475_EXPECTATIONS,
  type Rfc4475Expectation,
} from '../../../../lab/src/conformance/rfc4475-expectations.js';
import {
  checkRequest,
  createResponse,
  isParseError,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  responseForParseError,
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type Via,
} from '../../../src/sip/message/index.js';
import { GATEWAY_POLICY, RFC4475_DIR } from './corpora.js';

function load(file: string): Buffer {
  return readFileSync(resolve(RFC4475_DIR, file));
}

function parsed(file: string): SipMessage {
  const r = parseMessage(load(file));
  if (!r.ok) throw new Error(`${file}: ${r.error.reason}`);
  return r.value;
}

function request(file: string): SipRequest {
  const m = parsed(file);
  if (m.type !== 'request') throw new Error(`${file} is not a request`);
  return m;
}

function vias(m: SipMessage): Via[] {
  return m.headers.getAll('via').flatMap((v) => {
    const r = parseVia(v);
    if (isParseError(r)) throw new Error(r.reason);
    return r;
  });
}

describe('RFC 4475 corpus and expectation table', () => {
  it('covers every message listed in INDEX.md, and every file exists', () => {
    const index = readFileSync(resolve(RFC4475_DIR, 'INDEX.md'), 'utf8');
    const listedDat = new Set([...index.matchAll(/^\| ([a-z0-9]+\.dat) \|/gm)].map((m) => m[1]));
    const listed5118 = new Set([...index.matchAll(/^\| ((?:ipv|port|via|mult)[a-z0-9-]+) \|/gm)].map((m) => `rfc5118-wire/${m[1]}.wire`));
    const table = new Set(RFC4475_EXPECTATIONS.map((e) => e.file));
    expect(listedDat.size).toBe(50);
    expect(listed5118.size).toBe(12);
    expect([...table].sort()).toEqual([...listedDat, ...listed5118].sort());
    expect(RFC4475_EXPECTATIONS.length).toBe(62);
    const onDisk = new Set(readdirSync(RFC4475_DIR).filter((f) => f.endsWith('.dat')));
    for (const f of listedDat) expect(onDisk.has(f as string)).toBe(true);
  });

  it('expects a drop exactly where no reply may be sent (responses, or no Via to route a reply)', () => {
    for (const e of RFC4475_EXPECTATIONS) {
      const r = parseMessage(load(e.file));
      const isResponse = r.ok ? r.value.type === 'response' : !r.error.isRequest;
      const unroutable = !r.ok && r.error.headers?.has('via') !== true;
      expect(e.expect === 'drop', e.file).toBe(isResponse || unroutable);
    }
  });
});

describe('RFC 4475 §3 message-layer outcome per message', () => {
  const cases = RFC4475_EXPECTATIONS.map((e) => [`${e.section} ${e.file}`, e] as const);
  it.each(cases)('%s', (_name, e: Rfc4475Expectation) => {
    const r = parseMessage(load(e.file));
    const ml = e.messageLayer;
    if (typeof ml === 'object' && 'parseError' in ml) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.status).toBe(ml.parseError);
        expect(r.error.code).toMatch(/^SIP_ERR_/);
        expect(r.error.fatal).toBeUndefined(); // a datagram never breaks stream framing
      }
      return;
    }
    expect(r.ok, r.ok ? '' : r.error.reason).toBe(true);
    if (!r.ok) return;
    if (ml === 'response') {
      expect(r.value.type).toBe('response');
      return;
    }
    expect(r.value.type).toBe('request');
    if (r.value.type !== 'request') return;
    const reaction = checkRequest(r.value, GATEWAY_POLICY);
    if (ml.check === 'pass') expect(reaction).toBeUndefined();
    else expect(reaction?.status).toBe(ml.check);
    // The wire expectation agrees with the stateless part whenever the latter decides.
    if (ml.check !== 'pass' && e.expect !== 'drop') expect(e.expect.status).toContain(ml.check);
  });
});

describe('RFC 4475 §3.1.1 valid messages: parsed fields', () => {
  it('§3.1.1.1 wsinv: folding, compact forms, LWS around separators, leading zeros', () => {
    const m = request('wsinv.dat');
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect(parseCSeq(m.headers.get('CSeq') ?? '')).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.headers.get('max-forwards')).toBe('0068');
    expect(m.headers.get('subject')).toBe(''); // "s :" with empty value
    expect(m.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.headers.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;'); // not a list header: not split
    const via = vias(m);
    expect(via.map((v) => [v.protocol, v.transport, v.host, v.params.get('branch')])).toEqual([
      ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    const to = parseNameAddr(m.headers.get('to') ?? '');
    expect(isParseError(to)).toBe(false);
    if (!isParseError(to)) {
      expect(to.uri.host).toBe('chair-dnrc.example.com');
      expect(to.params.get('tag')).toBe('1918181833n');
    }
    const from = parseNameAddr(m.headers.get('from') ?? '');
    if (isParseError(from)) throw new Error(from.reason);
    expect(from.displayName).toBe('J Rosenberg \\"'); // "J Rosenberg \\\"" unescaped
    expect(from.params.get('tag')).toBe('98asjd8');
    const contact = parseNameAddr(m.headers.get('m') ?? '');
    if (isParseError(contact)) throw new Error(contact.reason);
    expect(contact.displayName).toBe('Quoted string ""');
    expect([...contact.params]).toEqual([['newparam', 'newvalue'], ['secondparam', null], ['q', '0.33']]);
    const route = parseNameAddr(m.headers.get('route') ?? '');
    if (isParseError(route)) throw new Error(route.reason);
    expect([...route.uri.params]).toEqual([['lr', null], ['unknownwith', 'value'], ['unknown-no-value', null]]);
    expect(m.body.length).toBe(150);
  });

  it('§3.1.1.2 intmeth: every token character in method, user, password, Call-ID; quoted NUL', () => {
    const m = request('intmeth.dat');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const uri = parseUri(m.uri);
    if (isParseError(uri)) throw new Error(uri.reason);
    expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(uri.host).toBe('example.com');
    const to = parseNameAddr(m.headers.get('to') ?? '');
    if (isParseError(to)) throw new Error(to.reason);
    expect(to.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    const from = parseNameAddr(m.headers.get('from') ?? '');
    if (isParseError(from)) throw new Error(from.reason);
    expect(from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(from.params.get("fromparam''~+*_!.-%")).toBe('работающий'); // UTF-8 in a quoted param value
    expect(m.headers.get('call-id')).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(m.headers.get("extensionHeader-!.%*+_`'~")).toBe('\uFEFF\u5927\u505C\u96FB');
    const r = checkRequest(m, GATEWAY_POLICY);
    expect(r?.status).toBe(501);
    expect(r?.headers).toEqual([['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']]);
  });

  it('§3.1.1.3 esc01 and §3.1.1.4 escnull: %-escapes kept as written in URIs', () => {
    const m = request('esc01.dat');
    const ruri = parseUri(m.uri);
    if (isParseError(ruri)) throw new Error(ruri.reason);
    expect(ruri.user).toBe('sips%3Auser%40example.com');
    const contact = parseNameAddr(m.headers.get('contact') ?? '');
    if (isParseError(contact)) throw new Error(contact.reason);
    expect([...contact.uri.params]).toEqual([['%6c%72', null], ['n%61me', 'v%61lue%25%34%31']]);
    const n = request('escnull.dat');
    expect(n.headers.getAll('contact')).toEqual(['<sip:%00@host5.example.com>', '<sip:%00%00@host5.example.com>']);
  });

  it('§3.1.1.5 esc02: an escaped method is not unescaped, and C%6Fntact is not Contact', () => {
    const m = request('esc02.dat');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.headers.getAll('contact')).toHaveLength(2);
    expect(m.headers.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
  });

  it('§3.1.1.6 lwsdisp: display name directly followed by <', () => {
    const from = parseNameAddr(request('lwsdisp.dat').headers.get('from') ?? '');
    if (isParseError(from)) throw new Error(from.reason);
    expect(from.displayName).toBe('caller');
    expect(from.uri.user).toBe('caller');
  });

  it('§3.1.1.7 longreq: 34 Via values under every spelling of Via and v', () => {
    const m = request('longreq.dat');
    const v = vias(m);
    expect(v).toHaveLength(34);
    expect(v[0]?.host).toBe('sip33.example.com');
    expect(v[33]?.params.get('received')).toBe('192.0.2.5');
    expect(m.body.length).toBe(150);
  });

  it('§3.1.1.8 dblreq: trailing octets after Content-Length are ignored', () => {
    const m = request('dblreq.dat');
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
    expect(m.headers.get('call-id')).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412');
  });

  it('§3.1.1.9 semiuri: user part containing ;par=', () => {
    const uri = parseUri(request('semiuri.dat').uri);
    if (isParseError(uri)) throw new Error(uri.reason);
    expect(uri.user).toBe('user;par=u%40example.net');
    expect(uri.host).toBe('example.com');
    expect(uri.params.size).toBe(0);
  });

  it('§3.1.1.10 transports: unknown transports are kept, upper-cased', () => {
    expect(vias(request('transports.dat')).map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('§3.1.1.11 mpart01: a binary body with NUL octets is framed by Content-Length', () => {
    const m = request('mpart01.dat');
    expect(m.body.length).toBe(553);
    expect(m.body.includes(0)).toBe(true);
    expect(m.headers.get('content-type')).toBe('multipart/mixed;boundary=7a9cbec02ceef655');
  });

  it('§3.1.1.12 unreason and §3.1.1.13 noreason: UTF-8 and empty reason phrases', () => {
    const u = parsed('unreason.dat');
    expect(u.type === 'response' && u.status).toBe(200);
    expect(u.type === 'response' && u.reason.startsWith('= 2**3 * 5**2 \u043d\u043e')).toBe(true);
    const n = parsed('noreason.dat');
    expect(n.type === 'response' && [n.status, n.reason]).toEqual([100, '']);
  });
});

describe('RFC 4475 §3.1.2 invalid messages: the reason names the problem', () => {
  const reasons: Array<[string, string, string]> = [
    ['badinv01.dat', 'SIP_ERR_BAD_VIA', 'Bad Request (malformed Via)'],
    ['clerr.dat', 'SIP_ERR_TRUNCATED_BODY', 'Bad Request (Content-Length larger than message)'],
    ['ncl.dat', 'SIP_ERR_BAD_CONTENT_LENGTH', 'Bad Request (malformed Content-Length)'],
    ['scalar02.dat', 'SIP_ERR_BAD_CSEQ', 'Bad Request (malformed CSeq)'],
    ['quotbal.dat', 'SIP_ERR_BAD_TO', 'Bad Request (malformed To: unterminated quoted string)'],
    ['ltgtruri.dat', 'SIP_ERR_BAD_REQUEST_URI', 'Bad Request (malformed Request-URI)'],
    ['lwsruri.dat', 'SIP_ERR_BAD_START_LINE', 'Bad Request (malformed Request-Line)'],
    ['regbadct.dat', 'SIP_ERR_BAD_CONTACT', 'Bad Request (malformed Contact: URI with ? or , not enclosed in <>)'],
    ['badaspec.dat', 'SIP_ERR_BAD_TO', 'Bad Request (malformed To: malformed <URI>)'],
    ['baddn.dat', 'SIP_ERR_BAD_FROM', 'Bad Request (malformed From: display name is not a token or quoted string)'],
    ['mcl01.dat', 'SIP_ERR_MULTIPLE_CONTENT_LENGTH', 'Bad Request (multiple Content-Length values)'],
    ['bigcode.dat', 'SIP_ERR_BAD_STATUS_CODE', 'Bad Request (malformed Status-Code)'],
    ['test.dat', 'SIP_ERR_BAD_START_LINE', 'Bad Request (malformed Request-Line)'],
  ];
  it.each(reasons)('%s → %s', (file, code, reason) => {
    const r = parseMessage(load(file));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.reason).toBe(reason);
  });

  it('recovers enough headers from a malformed request to build the 400 (RFC 3261 §8.2.6)', () => {
    const r = parseMessage(load('badinv01.dat'));
    if (r.ok) throw new Error('expected a parse error');
    expect(r.error.isRequest).toBe(true);
    expect(r.error.method).toBe('INVITE');
    const reply = responseForParseError(r.error, 'gw-tag');
    expect(reply?.status).toBe(400);
    expect(reply?.reason).toBe('Bad Request (malformed Via)');
    expect(reply?.headers.get('call-id')).toBe('badinv01.0ha0isndaksdjasdf3234nas');
    expect(reply?.headers.get('to')).toBe('sip:j.user@example.com;tag=gw-tag');
    expect(reply?.headers.getAll('via')).toEqual(['SIP/2.0/UDP 192.0.2.15;;', ';']);
  });

  it('owes no reply to an unparseable response or a request without Via (bigcode, test.dat)', () => {
    for (const f of ['bigcode.dat', 'scalarlg.dat', 'test.dat']) {
      const r = parseMessage(load(f));
      if (r.ok) throw new Error(`${f} parsed`);
      expect(responseForParseError(r.error)).toBeUndefined();
    }
  });

  it('§3.1.2.16 badvers: 505 names the version', () => {
    expect(checkRequest(request('badvers.dat'), GATEWAY_POLICY)).toEqual({
      status: 505,
      reason: 'Version Not Supported (SIP/7.0)',
      headers: [],
    });
  });

  it('§3.1.2.17 mismatch01: 400 says the CSeq method does not match', () => {
    expect(checkRequest(request('mismatch01.dat'), GATEWAY_POLICY)?.reason).toBe(
      'Bad Request (CSeq method does not match Request-Line)',
    );
  });
});

describe('RFC 4475 §3.3 application-layer semantics', () => {
  it('§3.3.1 insuf: 400 names the first missing header, and the reply still builds', () => {
    const m = request('insuf.dat');
    const r = checkRequest(m, GATEWAY_POLICY);
    expect(r).toEqual({ status: 400, reason: 'Missing From', headers: [] });
    const reply = createResponse(m, 400, { reason: r?.reason ?? '' });
    expect(reply.headers.getAll('via')).toEqual(['SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf']);
    expect(reply.headers.has('call-id')).toBe(false);
    expect(serializeMessage(reply).toString()).toContain('SIP/2.0 400 Missing From\r\n');
  });

  it('§3.3.5 bext01: 420 lists exactly the Require tags, not Proxy-Require', () => {
    expect(checkRequest(request('bext01.dat'), GATEWAY_POLICY)).toEqual({
      status: 420,
      reason: 'Bad Extension',
      headers: [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']],
    });
  });

  it('§3.3.6 invut: 415 carries Accept', () => {
    expect(checkRequest(request('invut.dat'), GATEWAY_POLICY)?.headers).toEqual([['Accept', 'application/sdp']]);
  });

  it('§3.3.7 regaut01: 405 carries Allow', () => {
    expect(checkRequest(request('regaut01.dat'), GATEWAY_POLICY)).toEqual({
      status: 405,
      reason: 'Method Not Allowed',
      headers: [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS']],
    });
  });

  it('§3.3.8 multi01: 400 names the duplicated header', () => {
    expect(checkRequest(request('multi01.dat'), GATEWAY_POLICY)?.reason).toBe('Bad Request (duplicate From)');
  });

  it('§3.3.4 unksm2: URIs of unknown schemes in To/From/Contact parse as a whole but not as SIP URIs', () => {
    const m = request('unksm2.dat');
    expect(m.headers.get('to')).toBe('isbn:2983792873');
    const to = parseNameAddr(m.headers.get('to') ?? '');
    expect(isParseError(to) && to.status).toBe(416);
  });

  it('§3.3.10 bcast: the broadcast Via is parsed, never acted on here', () => {
    expect(vias(parsed('bcast.dat')).map((v) => v.host)).toEqual(['192.0.2.198', '255.255.255.255']);
  });

  it('§3.4.1 inv2543: without Content-Length the body is the rest of the datagram', () => {
    const buf = load('inv2543.dat');
    const m = request('inv2543.dat');
    const bodyStart = buf.indexOf('\r\n\r\n') + 4;
    expect(m.body.equals(buf.subarray(bodyStart))).toBe(true);
    expect(vias(m)[0]?.params.has('branch')).toBe(false);
  });
});

describe('RFC 5118 IPv6 references', () => {
  it('§4.1 ipv6-good: bracketed host in the Request-URI and Via', () => {
    const m = request('rfc5118-wire/ipv6-good.wire');
    const uri = parseUri(m.uri);
    expect(!isParseError(uri) && [uri.host, uri.port]).toEqual(['[2001:db8::10]', undefined]);
    expect(vias(m)[0]?.host).toBe('[2001:db8::9:1]');
  });

  it('§4.3/§4.4 port-ambiguous vs port-unambiguous', () => {
    const a = parseUri(request('rfc5118-wire/port-ambiguous.wire').uri);
    expect(!isParseError(a) && [a.host, a.port]).toEqual(['[2001:db8::10:5070]', undefined]);
    const b = parseUri(request('rfc5118-wire/port-unambiguous.wire').uri);
    expect(!isParseError(b) && [b.host, b.port]).toEqual(['[2001:db8::10]', 5070]);
  });

  it('§4.5 received with and without brackets', () => {
    expect(vias(request('rfc5118-wire/via-received-param-with-delim.wire'))[0]?.params.get('received')).toBe('[2001:db8::9:255]');
    expect(vias(request('rfc5118-wire/via-received-param-no-delim.wire'))[0]?.params.get('received')).toBe('2001:db8::9:255');
  });

  it('§4.7 mult-ip-in-header: IPv6 Via with port, IPv4 Via, IPv6 Via with received', () => {
    expect(vias(request('rfc5118-wire/mult-ip-in-header.wire')).map((v) => [v.host, v.port])).toEqual([
      ['[2001:db8::9:1]', 6050],
      ['192.0.2.1', undefined],
      ['[2001:db8::9:255]', undefined],
    ]);
  });

  it('§4.9 ipv4-mapped-ipv6 and §4.10 the three-colon ABNF bug are tolerated', () => {
    const c = parseNameAddr(request('rfc5118-wire/ipv4-mapped-ipv6.wire').headers.get('contact') ?? '');
    expect(!isParseError(c) && c.uri.host).toBe('[::ffff:192.0.2.2]');
    const u = parseUri(request('rfc5118-wire/ipv6-bug-abnf-3-colons.wire').uri);
    expect(!isParseError(u) && u.host).toBe('[2001:db8:::192.0.2.1]');
  });

  it('the raw LF-only archive files parse too (bare LF line ends are tolerated)', () => {
    for (const f of ['ipv6-good', 'port-unambiguous', 'mult-ip-in-header', 'via-received-param-with-delim']) {
      const r = parseMessage(load(`rfc5118/${f}`));
      expect(r.ok, f).toBe(true);
    }
  });
});
