import { describe, expect, it } from 'vitest';
import { parse } from 'sdp-transform';
import { SrtpSession } from '../../src/rtp/srtp/index.js';
import { acceptAnswer, createOffer, LocalSdpSession, negotiate, type NegotiationPrefs } from '../../src/sdp/index.js';

const PREFS: NegotiationPrefs = { codecs: ['PCMU', 'PCMA'], dtmf: true, srtp: 'off', local: { address: '192.0.2.99', port: 30000 } };

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const ANSWER = crlf([
  'v=0',
  'o=- 9 9 IN IP4 198.51.100.20',
  's=-',
  'c=IN IP4 198.51.100.20',
  't=0 0',
  'm=audio 16390 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  'a=sendrecv',
]);

describe('RFC 3264 §5 creating an offer (INVITE without SDP)', () => {
  it('offers our codecs in preference order with telephone-event 101', () => {
    const { offerSdp, pending } = createOffer(PREFS);
    const m = parse(offerSdp).media[0]!;
    expect(m).toMatchObject({ type: 'audio', port: 30000, protocol: 'RTP/AVP', payloads: '0 8 101', ptime: 20, direction: 'sendrecv' });
    expect(m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual(['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000']);
    expect(m.fmtp).toEqual([{ payload: 101, config: '0-15' }]);
    expect(m.crypto).toBeUndefined();
    expect(pending).toEqual({
      proto: 'RTP/AVP',
      codecs: [
        { name: 'PCMU', payloadType: 0 },
        { name: 'PCMA', payloadType: 8 },
      ],
      dtmfPayloadType: 101,
      crypto: [],
      ptimeMs: 20,
    });
  });

  it('offers RTP/SAVP with one a=crypto per suite when SRTP is required', () => {
    const { offerSdp, pending } = createOffer({ ...PREFS, srtp: 'required' });
    const m = parse(offerSdp).media[0]!;
    expect(m.protocol).toBe('RTP/SAVP');
    expect(m.crypto!.map((c) => [c.id, c.suite])).toEqual([
      [1, 'AES_CM_128_HMAC_SHA1_80'],
      [2, 'AES_CM_128_HMAC_SHA1_32'],
    ]);
    expect(pending.crypto[0]!.keys.masterKey.equals(pending.crypto[1]!.keys.masterKey)).toBe(false);
  });

  it('offers plain RTP when SRTP is optional (RTP/SAVP would make it mandatory)', () => {
    expect(parse(createOffer({ ...PREFS, srtp: 'optional' }).offerSdp).media[0]!.protocol).toBe('RTP/AVP');
  });

  it('keeps o= version for an identical re-offer and bumps it when the offer changes', () => {
    const session = new LocalSdpSession();
    const a = createOffer({ ...PREFS, session });
    const b = createOffer({ ...PREFS, session });
    expect(b.offerSdp).toBe(a.offerSdp);
    const c = createOffer({ ...PREFS, session, codecs: ['PCMA'] });
    expect(parse(c.offerSdp).origin.sessionVersion).toBe(parse(a.offerSdp).origin.sessionVersion + 1);
  });

  it('puts the current codec first and reuses our SRTP keys for a re-offer', () => {
    const first = createOffer({ ...PREFS, srtp: 'required' });
    const peer = negotiate(first.offerSdp, { ...PREFS, srtp: 'required', codecs: ['PCMA'], local: { address: '198.51.100.5', port: 4000 } });
    if (!peer.ok) throw new Error(peer.error.reason);
    const accepted = acceptAnswer(first.pending, peer.value.answerSdp);
    if (!accepted.ok) throw new Error(accepted.error.reason);
    const again = createOffer({ ...PREFS, srtp: 'required' }, accepted.value);
    expect(again.pending.codecs.map((c) => c.name)).toEqual(['PCMA', 'PCMU']);
    expect(again.pending.crypto[0]!.keys).toBe(accepted.value.srtp!.localKeys);
  });
});

describe('RFC 3264 §6/§7 accepting the answer (in the ACK)', () => {
  it('reads the remote address, codec, DTMF and direction', () => {
    const r = acceptAnswer(createOffer(PREFS).pending, ANSWER);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value).toEqual({
      remoteAddress: '198.51.100.20',
      remotePort: 16390,
      remoteRtcpPort: 16391,
      remoteRtcpAddress: '198.51.100.20',
      rtcpMux: false,
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      dtmf: { payloadType: 101 },
      ptimeMs: 20,
      remotePtimeMs: 20,
      direction: 'sendrecv',
      onHold: false,
      mediaIndex: 0,
    });
  });

  it('mirrors the answer direction', () => {
    const r = acceptAnswer(createOffer(PREFS).pending, ANSWER.replace('a=sendrecv', 'a=recvonly'));
    expect(r.ok && r.value.direction).toBe('sendonly');
  });

  it('ignores rtcp-mux we did not offer', () => {
    const r = acceptAnswer(createOffer(PREFS).pending, ANSWER.replace('a=sendrecv', 'a=sendrecv\r\na=rtcp-mux'));
    expect(r.ok && r.value.rtcpMux).toBe(false);
  });

  it.each([
    [ANSWER.replace('m=audio 16390', 'm=audio 0'), 488, 'SDP_ERR_STREAM_REJECTED'],
    [ANSWER + 'm=video 0 RTP/AVP 96\r\n', 400, 'SDP_ERR_ANSWER_MISMATCH'],
    [ANSWER.replace('m=audio', 'm=video'), 400, 'SDP_ERR_ANSWER_MISMATCH'],
    [ANSWER.replace('RTP/AVP 0 101', 'RTP/SAVP 0 101'), 400, 'SDP_ERR_ANSWER_MISMATCH'],
    [ANSWER.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000'), 488, 'SDP_ERR_NO_COMMON_CODEC'],
    [ANSWER.replace('c=IN IP4 198.51.100.20', 'c=IN IP4 gw.example.com'), 488, 'SDP_ERR_UNSUPPORTED_ADDRESS'],
    ['garbage', 400, 'SDP_ERR_SYNTAX'],
  ])('%#: refuses a bad answer with %i %s', (answer, status, code) => {
    const r = acceptAnswer(createOffer(PREFS).pending, answer);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.status, r.error.code]).toEqual([status, code]);
  });

  it('requires an SRTP answer to echo one of our tags and suites', () => {
    const { pending } = createOffer({ ...PREFS, srtp: 'required' });
    const inline = Buffer.alloc(30, 3).toString('base64');
    const secure = ANSWER.replace('RTP/AVP', 'RTP/SAVP');
    const good = acceptAnswer(pending, secure.replace('a=ptime:20', `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${inline}`));
    expect(good.ok && good.value.srtp).toMatchObject({ tag: 2, profile: 'AES_CM_128_HMAC_SHA1_32' });
    if (good.ok) expect(good.value.srtp!.localKeys).toBe(pending.crypto[1]!.keys);
    const wrongTag = acceptAnswer(pending, secure.replace('a=ptime:20', `a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:${inline}`));
    expect(!wrongTag.ok && wrongTag.error.reason).toContain('tag 7 AES_CM_128_HMAC_SHA1_80 was not offered');
    const none = acceptAnswer(pending, secure);
    expect(!none.ok && none.error.code).toBe('SDP_ERR_NO_USABLE_CRYPTO');
  });

  it('completes a full SDES offer/answer with our own answerer and carries SRTP both ways', () => {
    const offer = createOffer({ ...PREFS, srtp: 'required' });
    const answer = negotiate(offer.offerSdp, { ...PREFS, srtp: 'required', local: { address: '198.51.100.5', port: 4000 } });
    if (!answer.ok) throw new Error(answer.error.reason);
    const accepted = acceptAnswer(offer.pending, answer.value.answerSdp);
    if (!accepted.ok) throw new Error(accepted.error.reason);
    const a = accepted.value.srtp!;
    const b = answer.value.media.srtp!;
    expect(a.localKeys.masterKey.equals(b.remoteKeys.masterKey)).toBe(true);
    expect(b.localKeys.masterKey.equals(a.remoteKeys.masterKey)).toBe(true);
    const us = new SrtpSession({ local: a.localKeys, remote: a.remoteKeys });
    const them = new SrtpSession({ local: b.localKeys, remote: b.remoteKeys });
    const pkt = Buffer.from([0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 7, 1, 2, 3]);
    const r1 = them.unprotectRtp(us.protectRtp(pkt));
    const r2 = us.unprotectRtp(them.protectRtp(pkt));
    expect(r1.ok && r1.value.equals(pkt)).toBe(true);
    expect(r2.ok && r2.value.equals(pkt)).toBe(true);
    expect(accepted.value).toMatchObject({ remoteAddress: '198.51.100.5', remotePort: 4000, codec: { name: 'PCMU' }, dtmf: { payloadType: 101 } });
  });
});
