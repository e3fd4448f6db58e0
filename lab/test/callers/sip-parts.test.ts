/** The UAC dialog (RFC 3261 §12), digest answers (RFC 7616, RFC 8760) and the session-timer headers (RFC 4028). */
import { describe, expect, it } from 'vitest';
import { SipHeaders, createResponse, parseDigestCredentials, type SipResponse } from 'connect-realtime-gateway';
import { isLoopbackV4, resolveOptions } from '../../src/callers/lab-caller/options.js';
import { expiryMs, inviteSessionTimerHeaders } from '../../src/callers/lab-caller/session-timer.js';
import { UacDialog } from '../../src/callers/lab-caller/sip/dialog.js';
import { answerChallenge } from '../../src/callers/lab-caller/sip/digest-auth.js';

function dialog(transport: 'udp' | 'tls' = 'udp'): UacDialog {
  return new UacDialog({
    callId: 'cid@127.0.0.3',
    localTag: 'ours',
    local: { transport, address: '127.0.0.3', port: 5090, user: 'caller', displayName: 'Lab Caller', userAgent: 'lab-caller' },
    target: { host: '127.0.0.1', port: 5061 },
    toUser: 'agent',
    initialCSeq: 100,
  });
}

function twoHundred(d: UacDialog, headers: Array<[string, string]>): SipResponse {
  const invite = d.invite(d.nextCSeq(), 'z9hG4bKx', {});
  return createResponse(invite, 200, { toTag: 'theirs', headers });
}

describe('RFC 3261 §12.1.2 the UAC dialog', () => {
  it('builds the INVITE: Request-URI with transport, Via with rport, From tag, Contact', () => {
    const d = dialog('tls');
    const inv = d.invite(101, 'z9hG4bKabc', { headers: [['X-Amzn-ConnectContactId', 'id']], body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' });
    expect(inv.uri).toBe('sip:agent@127.0.0.1:5061;transport=tls');
    expect(inv.headers.get('via')).toBe('SIP/2.0/TLS 127.0.0.3:5090;branch=z9hG4bKabc;rport');
    expect(inv.headers.get('from')).toBe('"Lab Caller" <sip:caller@127.0.0.3>;tag=ours');
    expect(inv.headers.get('to')).toBe('<sip:agent@127.0.0.1>');
    expect(inv.headers.get('contact')).toBe('<sip:caller@127.0.0.3:5090;transport=tls>');
    expect(inv.headers.get('cseq')).toBe('101 INVITE');
    expect(inv.headers.get('content-type')).toBe('application/sdp');
    expect(inv.headers.get('x-amzn-connectcontactid')).toBe('id');
  });

  it('takes remote target and the reversed Record-Route from the 2xx and routes loosely', () => {
    const d = dialog();
    d.confirm(twoHundred(d, [['Contact', '<sip:gw@127.0.0.1:5070>'], ['Record-Route', '<sip:127.0.0.8;lr>, <sip:127.0.0.9;lr>']]));
    expect(d.remoteTag).toBe('theirs');
    const bye = d.inDialog('BYE', d.nextCSeq());
    expect(bye.uri).toBe('sip:gw@127.0.0.1:5070');
    expect(bye.headers.getAll('route')).toEqual(['<sip:127.0.0.9;lr>', '<sip:127.0.0.8;lr>']);
    expect(bye.headers.get('to')).toBe('<sip:agent@127.0.0.1>;tag=theirs');
    expect(bye.headers.get('cseq')).toBe('102 BYE');
    expect(d.nextHop(bye, isLoopbackV4)).toEqual({ host: '127.0.0.9', port: 5060 });
  });

  it('puts a strict first route in the Request-URI and the remote target last (§12.2.1.1)', () => {
    const d = dialog();
    d.confirm(twoHundred(d, [['Contact', '<sip:gw@127.0.0.1:5070>'], ['Record-Route', '<sip:127.0.0.9:5080>']]));
    const bye = d.inDialog('BYE', d.nextCSeq());
    expect(bye.uri).toBe('sip:127.0.0.9:5080');
    expect(bye.headers.getAll('route')).toEqual(['<sip:gw@127.0.0.1:5070>']);
  });

  it('never routes off loopback: a public Contact falls back to the configured target', () => {
    const d = dialog();
    d.confirm(twoHundred(d, [['Contact', '<sip:gw@198.51.100.7:5060>']]));
    const ack = d.ackFor2xx(101);
    expect(ack.uri).toBe('sip:gw@198.51.100.7:5060');
    expect(d.nextHop(ack, isLoopbackV4)).toEqual({ host: '127.0.0.1', port: 5061 });
  });
});

describe('RFC 7616 §3.9.1 digest answers (the RFC’s own vectors)', () => {
  // The RFC's example is HTTP; the arithmetic is the same for SIP.
  const challenge = (algorithm: string): SipResponse => ({
    type: 'response',
    status: 401,
    reason: 'Unauthorized',
    version: 'SIP/2.0',
    headers: new SipHeaders([
      ['WWW-Authenticate', `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`],
    ]),
    body: Buffer.alloc(0),
  });
  const creds = { username: 'Mufasa', password: 'Circle of Life' };
  const req = { method: 'GET', uri: '/dir/index.html' };
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

  it('computes the SHA-256 response', () => {
    const a = answerChallenge(challenge('SHA-256'), creds, req, cnonce);
    if (typeof a === 'string') throw new Error(a);
    expect(parseDigestCredentials(a.value)?.get('response')).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(a.header).toBe('Authorization');
  });

  it('computes the MD5 response and carries opaque, qop, nc and cnonce', () => {
    const a = answerChallenge(challenge('MD5'), creds, req, cnonce);
    if (typeof a === 'string') throw new Error(a);
    const p = parseDigestCredentials(a.value)!;
    expect(p.get('response')).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect([p.get('qop'), p.get('nc'), p.get('cnonce'), p.get('opaque')]).toEqual(['auth', '00000001', cnonce, 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS']);
  });

  it('answers 407 with Proxy-Authorization, and without qop in the RFC 2069 form', () => {
    const res: SipResponse = {
      type: 'response',
      status: 407,
      reason: 'Proxy Authentication Required',
      version: 'SIP/2.0',
      headers: new SipHeaders([['Proxy-Authenticate', 'Digest realm="r", nonce="n"']]),
      body: Buffer.alloc(0),
    };
    const a = answerChallenge(res, { username: 'u', password: 'p' }, { method: 'INVITE', uri: 'sip:a@127.0.0.1' });
    if (typeof a === 'string') throw new Error(a);
    expect(a.header).toBe('Proxy-Authorization');
    expect(a.algorithm).toBe('MD5');
    expect(parseDigestCredentials(a.value)?.has('qop')).toBe(false);
  });

  it('explains why it cannot answer', () => {
    expect(answerChallenge(challenge('SHA-512-256'), creds, req)).toMatch(/no usable challenge/);
  });
});

describe('RFC 4028 session-timer headers', () => {
  it('asks for the interval, names the refresher and raises it to a Min-SE learnt from a 422', () => {
    const o = resolveOptions({ target: '127.0.0.1:5060', sessionTimer: { expiresS: 60, refresher: 'uac', minSE: 30 } });
    expect(inviteSessionTimerHeaders(o)).toEqual([['Supported', 'timer'], ['Session-Expires', '60;refresher=uac'], ['Min-SE', '30']]);
    expect(inviteSessionTimerHeaders(o, 90)).toEqual([['Supported', 'timer'], ['Session-Expires', '90;refresher=uac'], ['Min-SE', '90']]);
    expect(inviteSessionTimerHeaders(resolveOptions({ target: '127.0.0.1:5060' }))).toEqual([]);
  });

  it('expects the refresher before interval − min(32 s, interval/3) (§10)', () => {
    expect(expiryMs(1_800)).toBe(1_768_000);
    expect(expiryMs(90)).toBe(60_000);
  });
});
