import { afterEach, describe, expect, it } from 'vitest';
import { digestResponse, parseDigestCredentials } from '../../src/sip/auth/digest.js';
import { buildRequest, OFFER_SDP, startHarness, UAC, type Harness } from './helpers/harness.js';

let h: Harness;
afterEach(async () => {
  await h.server.stop();
  expect(h.clock.pendingTimers).toBe(0);
});

describe('RFC 3261 §8.2 out-of-dialog requests', () => {
  it('OPTIONS → 200 with Allow, Accept and Supported', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'OPTIONS' }));
    const [r] = h.takeResponses();
    expect(r?.status).toBe(200);
    expect(r?.headers.getAll('Allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO']);
    expect(r?.headers.getAll('Accept')).toContain('application/sdp');
    expect(r?.headers.get('Supported')).toBe('timer');
  });

  it('REGISTER → 405 with Allow; an unknown method → 501', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'REGISTER' }));
    h.send(buildRequest({ method: 'FROBNICATE', branch: 'z9hG4bK-2' }));
    const [reg, unknown] = h.takeResponses();
    expect(reg?.status).toBe(405);
    expect(reg?.headers.getAll('Allow')).toContain('INVITE');
    expect(unknown?.status).toBe(501);
    expect(h.server.stats()['rx.request.other']).toBe(2);
  });

  it('a request with a To tag for an unknown dialog → 481; out-of-dialog BYE → 481', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INFO', toTag: 'nosuch', body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' }));
    h.send(buildRequest({ method: 'BYE', branch: 'z9hG4bK-2' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([481, 481]);
  });

  it('a retransmitted non-INVITE request gets the same response again, without reprocessing (Timer J)', async () => {
    h = await startHarness();
    const options = buildRequest({ method: 'OPTIONS' });
    h.send(options);
    h.send(options);
    expect(h.takeResponses().map((r) => r.status)).toEqual([200, 200]);
    expect(h.server.stats()['retransmit.rx.OPTIONS']).toBe(1);
    h.clock.advance(32_000); // Timer J = 64·T1 ends the transaction: the next copy is new
    h.send(options);
    expect(h.server.stats()['retransmit.rx.OPTIONS']).toBe(1);
  });

  it('responses that match no client transaction are dropped and counted', async () => {
    h = await startHarness();
    h.send('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnope\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n');
    expect(h.take()).toEqual([]);
    expect(h.server.stats()['drop.unmatched_response']).toBe(1);
  });

  it('an ACK that matches nothing is dropped silently', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'ACK', toTag: 'nosuch' }));
    expect(h.take()).toEqual([]);
    expect(h.server.stats()['drop.ack_unmatched']).toBe(1);
  });
});

describe('RFC 3261 §8.2 / RFC 4475 malformed requests', () => {
  it('an unparseable request with a recoverable Via gets 400 with the parser reason phrase', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }).replace('CSeq: 1 INVITE', 'CSeq: one INVITE'));
    // The reply echoes the bad CSeq (RFC 3261 §8.2.6.2 copies it), so read the raw bytes.
    const raw = h.transport.sent.map((p) => p.data.toString());
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatch(/^SIP\/2\.0 400 Bad Request \(malformed CSeq\)\r\n/);
    expect(raw[0]).toContain('CSeq: one INVITE\r\n');
    expect(h.transport.sent[0]?.dest).toMatchObject({ address: '127.0.0.2', port: 5070 });
    expect(h.calls).toHaveLength(0);
    expect(h.server.stats()['rx.parse_error']).toBe(1);
  });

  it('a missing Call-ID gets 400 "Missing Call-ID"', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'OPTIONS' }).replace('Call-ID: call-1@127.0.0.2\r\n', ''));
    const [r] = h.takeResponses();
    expect(r?.status).toBe(400);
    expect(r?.reason).toMatch(/Call-ID/);
  });

  it('garbage with no Via is dropped and counted, and the server keeps working', async () => {
    h = await startHarness();
    h.send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a]).toString('latin1'));
    h.send('INVITE sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    expect(h.take()).toEqual([]);
    expect(h.server.stats()['drop.unanswerable']).toBe(2);
    h.send(buildRequest({ method: 'OPTIONS' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });

  it('420 for a Require we do not support, 415 for an unknown body type', async () => {
    h = await startHarness();
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, headers: [['Require', '100rel']] }));
    h.send(buildRequest({ method: 'INVITE', branch: 'z9hG4bK-2', callId: 'c2', body: '<xml/>', contentType: 'application/xml' }));
    const [r420, r415] = h.takeResponses();
    expect(r420?.status).toBe(420);
    expect(r420?.headers.get('Unsupported')).toBe('100rel');
    expect(r415?.status).toBe(415);
    expect(h.calls).toHaveLength(0);
  });
});

describe('admission: source allow-list', () => {
  it('drops everything from outside the CIDRs silently, and counts it', async () => {
    h = await startHarness({ allowFrom: ['127.0.0.128/25', '2001:db8::/32'] });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }), { address: '127.0.0.2', port: 5060 });
    h.send(buildRequest({ method: 'OPTIONS' }), { address: '::ffff:127.0.0.3', port: 5060 });
    expect(h.take()).toEqual([]);
    expect(h.server.stats()['drop.not_allowed']).toBe(2);
    h.send(buildRequest({ method: 'OPTIONS' }, { address: '127.0.0.200', port: 5060 }), { address: '127.0.0.200', port: 5060 });
    expect(h.takeResponses().map((r) => r.status)).toEqual([200]);
  });
});

describe('admission: per-source INVITE rate limit', () => {
  it('503 with Retry-After once the bucket is empty; refills with time; other sources unaffected', async () => {
    h = await startHarness({ inviteRateLimit: { perSecond: 1, burst: 2 } });
    for (let i = 0; i < 3; i++) h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: `c${i}`, branch: `z9hG4bK-${i}` }));
    const statuses = h.takeResponses().map((r) => r.status);
    expect(statuses).toEqual([100, 100, 503]);
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'c9', branch: 'z9hG4bK-9' }));
    const [limited] = h.takeResponses();
    expect(limited?.headers.get('Retry-After')).toBe('1');
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'other', branch: 'z9hG4bK-o' }, { address: '127.0.0.3', port: 5060 }), { address: '127.0.0.3', port: 5060 });
    expect(h.takeResponses().map((r) => r.status)).toEqual([100]);
    h.clock.advance(1_000);
    h.take(); // Timer G retransmissions of the two 503s
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'c10', branch: 'z9hG4bK-10' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([100]);
    expect(h.server.stats()['reject.rate_limited']).toBe(2);
    for (const c of h.calls) c.reject(486);
  });
});

describe('admission: max concurrent calls', () => {
  it('503 + Retry-After beyond the limit; a slot frees when a call ends', async () => {
    h = await startHarness({ maxConcurrentCalls: 1 });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'a', branch: 'z9hG4bK-a' }));
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'b', branch: 'z9hG4bK-b' }));
    const rs = h.takeResponses();
    expect(rs.map((r) => r.status)).toEqual([100, 503]);
    expect(rs[1]?.headers.get('Retry-After')).toBe('5');
    h.calls[0]!.reject(486);
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, callId: 'c', branch: 'z9hG4bK-c' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([486, 100]);
    h.calls[1]!.reject(486);
  });
});

describe('RFC 8760 / RFC 7616 digest authentication of INVITE', () => {
  const auth = { realm: 'gw.example', username: 'connect', password: 's3cret' };

  function credentials(challenge: string, opts: { nc?: string; uri?: string; algorithm?: 'SHA-256' | 'MD5'; password?: string } = {}): string {
    const p = parseDigestCredentials(challenge)!;
    const algorithm = opts.algorithm ?? (p.get('algorithm') as 'SHA-256' | 'MD5');
    const uri = opts.uri ?? 'sip:agent@127.0.0.1:5060';
    const nc = opts.nc ?? '00000001';
    const response = digestResponse({
      algorithm,
      username: auth.username,
      realm: auth.realm,
      password: opts.password ?? auth.password,
      method: 'INVITE',
      uri,
      nonce: p.get('nonce')!,
      nc,
      cnonce: 'abcdef',
      qop: 'auth',
    });
    return `Digest username="${auth.username}", realm="${auth.realm}", nonce="${p.get('nonce')}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="abcdef", opaque="${p.get('opaque')}"`;
  }

  it('challenges with SHA-256 first, then MD5, qop="auth" and an opaque; the right answer gets through', async () => {
    h = await startHarness({ auth });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const [challenge] = h.takeResponses();
    expect(challenge?.status).toBe(401);
    const www = challenge!.headers.getAll('WWW-Authenticate');
    expect(www).toHaveLength(2);
    expect(www[0]).toMatch(/^Digest realm="gw\.example", nonce="[A-Za-z0-9_-]+", opaque="[^"]+", algorithm=SHA-256, qop="auth"$/);
    expect(www[1]).toContain('algorithm=MD5');
    h.send(buildRequest({ method: 'ACK', toTag: 'x' })); // ACK for the 401 (same branch)
    for (const [i, algorithm] of (['SHA-256', 'MD5'] as const).entries()) {
      // Both challenges carry the same nonce, so the second use must count up (nc=2).
      const nc = `0000000${i + 1}`;
      h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, cseq: 2 + i, branch: `z9hG4bK-auth${i}`, callId: `auth-${i}`, headers: [['Authorization', credentials(www[i]!, { algorithm, nc })]] }));
      expect(h.takeResponses().map((r) => r.status)).toEqual([100]);
    }
    expect(h.calls).toHaveLength(2);
    expect(h.server.stats()['auth.ok']).toBe(2);
    for (const c of h.calls) c.reject(486);
  });

  it('rejects a wrong password, a wrong uri and a replayed nc', async () => {
    h = await startHarness({ auth });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const challenge = h.takeResponses()[0]!.headers.getAll('WWW-Authenticate')[0]!;
    const attempt = (i: number, authz: string): number => {
      h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, cseq: 10 + i, branch: `z9hG4bK-t${i}`, callId: `t-${i}`, headers: [['Authorization', authz]] }));
      return h.takeResponses().at(-1)!.status;
    };
    expect(attempt(0, credentials(challenge, { password: 'guess' }))).toBe(401);
    expect(attempt(1, credentials(challenge, { uri: 'sip:other@127.0.0.1' }))).toBe(401);
    expect(attempt(2, credentials(challenge, { nc: '00000001' }))).toBe(100);
    expect(attempt(3, credentials(challenge, { nc: '00000001' }))).toBe(401);
    expect(attempt(4, credentials(challenge, { nc: '00000002' }))).toBe(100);
    const s = h.server.stats();
    expect(s['auth.challenge.bad-response']).toBe(1);
    expect(s['auth.challenge.wrong-uri']).toBe(1);
    expect(s['auth.challenge.replay']).toBe(1);
    for (const c of h.calls) c.reject(486);
  });

  it('an expired nonce with otherwise valid credentials gets stale=TRUE', async () => {
    h = await startHarness({ auth: { ...auth, nonceTtlMs: 60_000 } });
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }));
    const challenge = h.takeResponses()[0]!.headers.getAll('WWW-Authenticate')[0]!;
    h.clock.advance(60_001);
    h.take(); // Timer G retransmissions of the first 401 (never ACKed here)
    h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, cseq: 2, branch: 'z9hG4bK-late', callId: 'late', headers: [['Authorization', credentials(challenge)]] }));
    const [r] = h.takeResponses();
    expect(r?.status).toBe(401);
    expect(r?.headers.getAll('WWW-Authenticate')[0]).toMatch(/stale=TRUE$/);
  });

  it('never challenges CANCEL, ACK or in-dialog requests', async () => {
    h = await startHarness({ auth });
    h.send(buildRequest({ method: 'CANCEL', cseqMethod: 'CANCEL', contact: null }));
    h.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-o' }));
    expect(h.takeResponses().map((r) => r.status)).toEqual([481, 200]);
    expect(h.server.stats()['auth.challenge.missing']).toBeUndefined();
    expect(UAC.address).toBe('127.0.0.2');
  });
});
