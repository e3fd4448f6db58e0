/** RFC 3264 offer/answer from the caller's side, and reading the far end's SDP. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCryptoAttribute, generateKeys } from 'connect-realtime-gateway';
import { LocalSdp, directionOf, receives, sends } from '../../src/callers/lab-caller/sdp/local-sdp.js';
import { readRemoteSdp, type RemoteMedia } from '../../src/callers/lab-caller/sdp/remote-media.js';
import type { MediaDirection } from '../../src/callers/lab-caller/script.js';

const DIRECTIONS: MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function local(srtp: 'off' | 'sdes' = 'off') {
  return new LocalSdp({
    address: '127.0.0.5',
    rtpPort: 40_000,
    codecs: ['PCMU', 'PCMA', 'G722'],
    telephoneEvent: 101,
    srtp,
    srtpProfiles: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
  });
}

function remote(body: string): RemoteMedia {
  const r = readRemoteSdp(Buffer.from(body.replace(/\n/g, '\r\n')));
  if ('error' in r) throw new Error(r.error);
  return r;
}

const answer = (m: string, extra = ''): string =>
  `v=0\no=gw 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n${m}\na=rtpmap:101 telephone-event/8000\n${extra}`;

describe('our offer (RFC 3264 §5)', () => {
  it('lists the codecs in order with telephone-event, ptime, direction and one a=crypto per suite', () => {
    const sdp = local('sdes').offer('sendrecv');
    const lines = sdp.trimEnd().split('\r\n');
    expect(lines[0]).toBe('v=0');
    expect(lines[1]).toMatch(/^o=lab-caller \d+ 0 IN IP4 127\.0\.0\.5$/);
    expect(lines.slice(2)).toEqual([
      's=lab-caller',
      'c=IN IP4 127.0.0.5',
      't=0 0',
      'm=audio 40000 RTP/SAVP 0 8 9 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendrecv',
      expect.stringMatching(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/),
      expect.stringMatching(/^a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}$/),
    ]);
  });

  it('keeps the o= version while the SDP is unchanged and bumps it on change (§8)', () => {
    const l = local();
    const v = (s: string): number => Number(/^o=\S+ \S+ (\d+)/m.exec(s)![1]);
    expect(v(l.offer('sendrecv'))).toBe(0);
    expect(v(l.offer('sendrecv'))).toBe(0);
    expect(v(l.offer('sendonly'))).toBe(1);
    expect(v(l.offer('sendonly'))).toBe(1);
    expect(v(l.offer('sendrecv'))).toBe(2);
  });

  it('keeps the SRTP master keys across re-offers (no rekey on refresh)', () => {
    const l = local('sdes');
    const crypto = (s: string): string[] => s.split('\r\n').filter((x) => x.startsWith('a=crypto'));
    expect(crypto(l.offer('sendonly'))).toEqual(crypto(l.offer('sendrecv')));
  });
});

describe('reading the answer (RFC 3264 §6.1)', () => {
  it('takes the first G.711 the answer lists, its telephone-event and addresses', () => {
    const l = local();
    l.offer('sendrecv');
    const plan = l.applyAnswer(remote(answer('m=audio 30000 RTP/AVP 9 8 101\na=rtcp-mux')));
    expect(plan).toMatchObject({
      codec: { name: 'PCMA', payloadType: 8 },
      telephoneEventPt: 101,
      remote: { host: '127.0.0.1', port: 30_000 },
      remoteRtcp: { host: '127.0.0.1', port: 30_000 },
      rtcpMux: true,
      direction: 'sendrecv',
    });
  });

  it('refuses an answer without G.711 (the caller cannot send G.722)', () => {
    const l = local();
    l.offer('sendrecv');
    expect(l.applyAnswer(remote(answer('m=audio 30000 RTP/AVP 9 101')))).toEqual({
      error: 'answer has no G.711 codec we offered (answer: G722 telephone-event)',
    });
  });

  it('matches the answer’s a=crypto to the offered tag and profile', () => {
    const l = local('sdes');
    l.offer('sendrecv');
    const theirs = generateKeys('AES_CM_128_HMAC_SHA1_32');
    const ok = l.applyAnswer(remote(answer('m=audio 30000 RTP/SAVP 0 101', `a=crypto:${formatCryptoAttribute(2, theirs)}\n`)));
    if ('error' in ok) throw new Error(ok.error);
    expect(ok.srtp?.profile).toBe('AES_CM_128_HMAC_SHA1_32');
    expect(ok.srtp?.remoteKeys.masterKey.equals(theirs.masterKey)).toBe(true);
    expect(ok.srtp?.localKeys).toBe(l.keys.get('AES_CM_128_HMAC_SHA1_32'));
    // Tag 1 was offered as _80: an answer pairing tag 1 with _32 is wrong.
    const bad = l.applyAnswer(remote(answer('m=audio 30000 RTP/SAVP 0 101', `a=crypto:${formatCryptoAttribute(1, theirs)}\n`)));
    expect(bad).toEqual({ error: 'answer a=crypto tag 1 AES_CM_128_HMAC_SHA1_32 matches none we offered' });
  });

  it('derives our direction from what we offered and what the answer allows', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DIRECTIONS), fc.constantFrom(...DIRECTIONS), (offered, answered) => {
        const l = local();
        l.offer(offered);
        const plan = l.applyAnswer(remote(answer('m=audio 30000 RTP/AVP 0 101', `a=${answered}\n`)));
        if ('error' in plan) throw new Error(plan.error);
        expect(sends(plan.direction)).toBe(sends(offered) && receives(answered));
        expect(receives(plan.direction)).toBe(receives(offered) && sends(answered));
      }),
    );
  });
});

describe('answering the gateway’s offer (RFC 3264 §6)', () => {
  it('mirrors a sendonly hold offer with recvonly, echoing its protocol and payload types', () => {
    const l = local();
    const r = l.answer(remote(answer('m=audio 30000 RTP/AVP 8 0 101', 'a=sendonly\n')), 'sendrecv');
    if ('error' in r) throw new Error(r.error);
    expect(r.plan.direction).toBe('recvonly');
    expect(r.plan.codec).toEqual({ name: 'PCMA', payloadType: 8 });
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 8 101\r\n');
    expect(r.sdp).toContain('a=recvonly\r\n');
  });

  it('answers SAVP with our key for the first suite it accepts, under the offer’s tag', () => {
    const l = local('sdes');
    const theirs = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const r = l.answer(remote(answer('m=audio 30000 RTP/SAVP 0 101', `a=crypto:7 ${formatCryptoAttribute(7, theirs).slice(2)}\n`)), 'sendrecv');
    if ('error' in r) throw new Error(r.error);
    expect(r.sdp).toContain(`a=crypto:${formatCryptoAttribute(7, l.keys.get('AES_CM_128_HMAC_SHA1_80')!)}`);
  });

  it('refuses (488) what it cannot take: no G.711, SAVP with SRTP off, plain RTP with SRTP on', () => {
    expect(local().answer(remote(answer('m=audio 30000 RTP/AVP 9 101')), 'sendrecv')).toHaveProperty('error');
    const savp = remote(answer('m=audio 30000 RTP/SAVP 0 101', `a=crypto:${formatCryptoAttribute(1, generateKeys('AES_CM_128_HMAC_SHA1_80'))}\n`));
    expect(local('off').answer(savp, 'sendrecv')).toEqual({ error: 'offer is RTP/SAVP but this caller has SRTP off' });
    expect(local('sdes').answer(remote(answer('m=audio 30000 RTP/AVP 0 101')), 'sendrecv')).toEqual({
      error: 'offer is plain RTP/AVP but this caller requires SRTP',
    });
  });
});

describe('reading remote SDP', () => {
  it('names static payload types without a=rtpmap and honours a=rtcp', () => {
    const r = remote('v=0\no=- 1 1 IN IP4 127.0.0.2\ns=-\nc=IN IP4 127.0.0.2\nt=0 0\nm=audio 20000 RTP/AVP 0 8\na=rtcp:20011\n');
    expect(r.formats.map((f) => [f.payloadType, f.name])).toEqual([[0, 'PCMU'], [8, 'PCMA']]);
    expect([r.rtcpPort, r.rtcpMux, r.direction]).toEqual([20_011, false, 'sendrecv']);
  });

  it('reads the legacy c=0.0.0.0 hold as inactive', () => {
    expect(remote('v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 20000 RTP/AVP 0\n').direction).toBe('inactive');
  });

  it('returns an error, never throws, for junk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = readRemoteSdp(Buffer.from(bytes));
        expect(typeof r).toBe('object');
      }),
    );
    expect(readRemoteSdp(Buffer.alloc(0))).toEqual({ error: 'no SDP body' });
    expect(readRemoteSdp(Buffer.from('v=0\r\nm=video 1 RTP/AVP 96\r\n'))).toEqual({ error: 'no active audio m= line' });
  });

  it('has direction helpers that agree with each other', () => {
    for (const d of DIRECTIONS) expect(directionOf(sends(d), receives(d))).toBe(d);
  });
});
