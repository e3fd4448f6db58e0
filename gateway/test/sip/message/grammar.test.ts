import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  hostAddress,
  isParseError,
  parseCSeq,
  parseNameAddr,
  parseUri,
  parseVia,
  unescapeUriText,
  type NameAddr,
  type SipUri,
  type Via,
} from '../../../src/sip/message/index.js';

function uri(s: string): SipUri {
  const r = parseUri(s);
  if (isParseError(r)) throw new Error(`${s}: ${r.reason}`);
  return r;
}

function nameAddr(s: string): NameAddr {
  const r = parseNameAddr(s);
  if (isParseError(r)) throw new Error(`${s}: ${r.reason}`);
  return r;
}

function via(s: string): Via[] {
  const r = parseVia(s);
  if (isParseError(r)) throw new Error(`${s}: ${r.reason}`);
  return r;
}

describe('RFC 3261 §19.1.3 SIP-URI examples', () => {
  const examples = [
    'sip:alice@atlanta.com',
    'sip:alice:secretword@atlanta.com;transport=tcp',
    'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    'sips:1212@gateway.com',
    'sip:alice@192.0.2.4',
    'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
    'sip:alice;day=tuesday@atlanta.com',
  ];
  it.each(examples)('%s parses and formats back to itself', (s) => {
    expect(formatUri(uri(s))).toBe(s);
  });

  it('splits every component', () => {
    expect(uri('sip:alice:secretword@atlanta.com:5061;transport=tcp;lr?subject=x&h=%20')).toEqual({
      scheme: 'sip',
      user: 'alice',
      password: 'secretword',
      host: 'atlanta.com',
      port: 5061,
      params: new Map([['transport', 'tcp'], ['lr', null]]),
      headers: new Map([['subject', 'x'], ['h', '%20']]),
    });
    expect(uri('sip:alice;day=tuesday@atlanta.com').user).toBe('alice;day=tuesday');
    expect(uri('SIP:Alice@Atlanta.COM').scheme).toBe('sip'); // scheme is case-insensitive
    expect(uri('sip:atlanta.com').user).toBeUndefined();
  });

  it('lower-cases parameter names, keeps values as written', () => {
    expect([...uri('sip:a@b;Transport=TCP;MAddr=X').params]).toEqual([['transport', 'TCP'], ['maddr', 'X']]);
  });
});

describe('RFC 5118 IPv6 references and RFC 3966 tel URIs', () => {
  it('IPv6 reference with and without port; hostAddress strips the brackets', () => {
    expect([uri('sip:[2001:db8::1]:5060').host, uri('sip:[2001:db8::1]:5060').port]).toEqual(['[2001:db8::1]', 5060]);
    expect(uri('sips:u@[::1]').host).toBe('[::1]');
    expect(hostAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(hostAddress('example.com')).toBe('example.com');
    expect(formatUri(uri('sip:u@[2001:db8::1]:5060;transport=tls'))).toBe('sip:u@[2001:db8::1]:5060;transport=tls');
  });

  it('tel: URIs keep the number in user and parameters in params', () => {
    const t = uri('tel:+1-201-555-0123;phone-context=example.com');
    expect([t.scheme, t.user, t.host, [...t.params]]).toEqual(['tel', '+1-201-555-0123', '', [['phone-context', 'example.com']]]);
    expect(formatUri(t)).toBe('tel:+1-201-555-0123;phone-context=example.com');
  });

  const bad: Array<[string, number]> = [
    ['sip:2001:db8::10', 400], // RFC 5118 §4.2: IPv6 without brackets
    ['sip:[2001:db8::1', 400],
    ['sip:alice@', 400],
    ['sip:alice@host:65536', 400],
    ['sip:alice@host:', 400],
    ['sip:al ice@host', 400],
    ['sip:alice@host;;lr', 400],
    ['sip:al%G1ce@host', 400],
    ['sip:alice@-host.com', 400],
    ['sip:alice@10.0.0.256', 400],
    ['sip:alice@host?noequals', 400],
    ['tel:', 400],
    ['tel:+1 555', 400],
    ['', 400],
    ['nocolon', 400],
    ['http://example.com/', 416],
    ['urn:service:sos', 416],
  ];
  it.each(bad)('rejects %j with %i', (s, status) => {
    const r = parseUri(s);
    expect(isParseError(r) && r.status).toBe(status);
  });

  it('unescapeUriText decodes %HH runs as UTF-8 and leaves the rest', () => {
    expect(unescapeUriText('%2B1555')).toBe('+1555');
    expect(unescapeUriText('caf%C3%A9')).toBe('café');
    expect(unescapeUriText('100%')).toBe('100%');
    expect(unescapeUriText('%ff')).toBe('\uFFFD');
  });
});

describe('RFC 3261 §20.10/§25.1 name-addr', () => {
  it('quoted display names with quoted-pairs are unescaped; formatting re-escapes them', () => {
    const n = nameAddr('"J \\"Rosenberg\\" \\\\" <sip:jdrosen@example.com>;tag=98asjd8');
    expect(n.displayName).toBe('J "Rosenberg" \\');
    expect(formatNameAddr(n)).toBe('"J \\"Rosenberg\\" \\\\" <sip:jdrosen@example.com>;tag=98asjd8');
  });

  it('token display names, no display name, and addr-spec with header params', () => {
    expect(nameAddr('Bob Smith <sip:bob@b.com>').displayName).toBe('Bob Smith');
    expect(nameAddr('<sip:bob@b.com>').displayName).toBeUndefined();
    const spec = nameAddr('sip:bob@b.com;tag=x;lr');
    expect([spec.uri.params.size, [...spec.params]]).toEqual([0, [['tag', 'x'], ['lr', null]]]);
    expect(formatNameAddr(spec)).toBe('<sip:bob@b.com>;tag=x;lr');
    expect(formatNameAddr(nameAddr('Bob <sip:bob@b.com;transport=tcp>'))).toBe('Bob <sip:bob@b.com;transport=tcp>');
  });

  it('keeps quoted parameter values quoted (RFC 3840 feature tags depend on it)', () => {
    const c = nameAddr('<sip:ue@[2001:db8::1]:1388>;+sip.instance="<urn:gsma:imei:1-2-0>";+g.3gpp.smsip;expires=600;x="tok"');
    expect(c.params.get('+sip.instance')).toBe('<urn:gsma:imei:1-2-0>');
    expect(formatNameAddr(c)).toBe('<sip:ue@[2001:db8::1]:1388>;+sip.instance="<urn:gsma:imei:1-2-0>";+g.3gpp.smsip;expires=600;x="tok"');
    // A map built by hand quotes only values that are not tokens.
    const built: NameAddr = { displayName: 'A, B', uri: uri('sip:a@b'), params: new Map([['p', 'a b'], ['q', 'ok']]) };
    expect(formatNameAddr(built)).toBe('"A, B" <sip:a@b>;p="a b";q=ok');
  });

  const bad: Array<[string, string]> = [
    ['"unterminated <sip:a@b>', 'unterminated quoted string'],
    ['Bell, Alexander <sip:a@b>', 'display name is not a token or quoted string'],
    ['< sip:a@b >', 'malformed <URI>'],
    ['<sip:a@b', 'unterminated <URI>'],
    ['<sip:a@b>;;tag=1', 'malformed parameters'],
    ['<sip:a@b>;tag=', 'malformed parameters'],
    ['sip:a@b?x=y', 'URI with ? or , not enclosed in <>'],
    ['"quoted" sip:a@b', 'quoted display name not followed by <URI>'],
  ];
  it.each(bad)('rejects %j: %s', (s, why) => {
    const r = parseNameAddr(s);
    expect(isParseError(r) && r.reason).toBe(`Bad Request (${why})`);
  });
});

describe('RFC 3261 §20.42 Via', () => {
  it('parses sent-protocol, sent-by and via-params; rport is null when bare', () => {
    expect(via('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport;received=192.0.2.9')).toEqual([
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: '192.0.2.1',
        port: 5060,
        params: new Map<string, string | null>([['branch', 'z9hG4bK776asdhds'], ['rport', null], ['received', '192.0.2.9']]),
      },
    ]);
  });

  it('accepts whitespace around "/" and ":" and splits comma-joined values', () => {
    const v = via('sip / 2.0 / tls host.example.com : 5061 ; branch = z9hG4bK1 , SIP/2.0/WSS [2001:db8::1]:443;branch=z9hG4bK2');
    expect(v.map((x) => [x.protocol, x.transport, x.host, x.port, x.params.get('branch')])).toEqual([
      ['SIP/2.0', 'TLS', 'host.example.com', 5061, 'z9hG4bK1'],
      ['SIP/2.0', 'WSS', '[2001:db8::1]', 443, 'z9hG4bK2'],
    ]);
  });

  it('formats back in canonical form', () => {
    const [v] = via('SIP/2.0/udp h.example.com;branch=z9hG4bK1;rport=5066;maddr=224.2.0.1;ttl=16');
    if (v === undefined) throw new Error('no via');
    expect(formatVia(v)).toBe('SIP/2.0/UDP h.example.com;branch=z9hG4bK1;rport=5066;maddr=224.2.0.1;ttl=16');
  });

  const bad = [
    'SIP/2.0/UDP',
    'SIP/2.0 host',
    'SIP/2.0/UDP host;ttl=256',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;rport=abc',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP 192.0.2.15;;,;,,',
    'SIP/2.0/UDP host,',
    'SIP/2.0/UDP host;received',
  ];
  it.each(bad)('rejects %j', (s) => {
    const r = parseVia(s);
    expect(isParseError(r) && [r.code, r.status, r.reason]).toEqual(['SIP_ERR_BAD_VIA', 400, 'Bad Request (malformed Via)']);
  });
});

describe('RFC 3261 §20.16 CSeq', () => {
  it('accepts leading zeros, LWS, and the full 32-bit range', () => {
    expect(parseCSeq('0009  INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 BYE')).toEqual({ seq: 4294967295, method: 'BYE' });
    expect(parseCSeq('0 ACK')).toEqual({ seq: 0, method: 'ACK' });
  });

  it.each(['4294967296 INVITE', '-1 INVITE', 'INVITE', '1', '1 IN VITE', '1 INV<ITE', '36893488147419103232 REGISTER'])(
    'rejects %j as malformed CSeq',
    (s) => {
      const r = parseCSeq(s);
      expect(isParseError(r) && [r.code, r.reason]).toEqual(['SIP_ERR_BAD_CSEQ', 'Bad Request (malformed CSeq)']);
    },
  );
});
