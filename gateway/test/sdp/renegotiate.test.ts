import { describe, expect, it } from 'vitest';
import { parse } from 'sdp-transform';
import { LocalSdpSession, negotiate, renegotiate, type NegotiatedMedia, type NegotiationPrefs } from '../../src/sdp/index.js';
import * as F from './fixtures.js';

function start(offer: string, extra: Partial<NegotiationPrefs> = {}): { prefs: NegotiationPrefs & { session: LocalSdpSession }; media: NegotiatedMedia; sdp: string } {
  const prefs = {
    codecs: ['PCMU', 'PCMA'] as const,
    dtmf: true,
    srtp: 'optional' as const,
    local: { address: '192.0.2.99', port: 20000 },
    ...extra,
    session: new LocalSdpSession({ sessionId: '1000' }),
  };
  const r = negotiate(offer, prefs);
  if (!r.ok) throw new Error(r.error.reason);
  return { prefs: { ...prefs, codecs: [...prefs.codecs] }, media: r.value.media, sdp: r.value.answerSdp };
}

const version = (sdp: string): number => parse(sdp).origin.sessionVersion;

describe('RFC 3264 §8 modifying the session', () => {
  it('answers an unchanged re-offer (session refresh) with identical SDP and o= version', () => {
    const { prefs, media, sdp } = start(F.CHIME_SRTP);
    const r = renegotiate(media, F.CHIME_SRTP, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.answerSdp).toBe(sdp);
    expect(version(r.value.answerSdp)).toBe(1);
    expect(r.value.changes).toEqual({ remoteAddress: false, codec: false, dtmf: false, direction: false, srtp: false });
    expect(r.value.media.srtp!.localKeys).toBe(media.srtp!.localKeys);
  });

  it('puts the call on hold and resumes it, incrementing o= version each time (§8.4)', () => {
    const { prefs, media } = start(F.CHIME_PLAIN);
    const hold = renegotiate(media, F.HOLD_SENDONLY, prefs);
    if (!hold.ok) throw new Error(hold.error.reason);
    expect(hold.value.media).toMatchObject({ direction: 'recvonly', onHold: true });
    expect(hold.value.changes.direction).toBe(true);
    expect(version(hold.value.answerSdp)).toBe(2);
    expect(String(parse(hold.value.answerSdp).origin.sessionId)).toBe('1000');

    const resume = renegotiate(hold.value.media, F.CHIME_PLAIN, prefs);
    if (!resume.ok) throw new Error(resume.error.reason);
    expect(resume.value.media).toMatchObject({ direction: 'sendrecv', onHold: false });
    expect(version(resume.value.answerSdp)).toBe(3);
  });

  it('handles legacy c=0.0.0.0 hold', () => {
    const { prefs, media } = start(F.CHIME_PLAIN);
    const r = renegotiate(media, F.HOLD_LEGACY, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.media.direction).toBe('recvonly');
    expect(r.value.changes).toMatchObject({ direction: true, remoteAddress: true });
  });

  it('reports a remote address change without changing our SDP or version', () => {
    const { prefs, media, sdp } = start(F.CHIME_PLAIN);
    const moved = F.CHIME_PLAIN.replace(/198\.51\.100\.20/g, '198.51.100.30').replace('m=audio 16384', 'm=audio 17000');
    const r = renegotiate(media, moved, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.changes).toEqual({ remoteAddress: true, codec: false, dtmf: false, direction: false, srtp: false });
    expect(r.value.media).toMatchObject({ remoteAddress: '198.51.100.30', remotePort: 17000, remoteRtcpPort: 17001 });
    expect(r.value.answerSdp).toBe(sdp);
  });

  it('keeps the current codec while it is still offered, even if not our first choice', () => {
    const { prefs, media } = start(F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 8 101').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000'));
    expect(media.codec.name).toBe('PCMA');
    const r = renegotiate(media, F.ASTERISK, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.media.codec.name).toBe('PCMA');
    expect(r.value.changes.codec).toBe(false);
  });

  it('switches codec when the current one is no longer offered, bumping the version', () => {
    const { prefs, media } = start(F.CHIME_PLAIN);
    const pcmaOnly = F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 8 101').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000');
    const r = renegotiate(media, pcmaOnly, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.media.codec).toEqual({ name: 'PCMA', payloadType: 8, clockRate: 8000 });
    expect(r.value.changes.codec).toBe(true);
    expect(version(r.value.answerSdp)).toBe(2);
  });

  it('keeps our SRTP keys when the peer rekeys, and reports the change', () => {
    const { prefs, media, sdp } = start(F.CHIME_SRTP);
    const rekeyed = F.CHIME_SRTP.replace(F.B3_INLINE, F.OTHER_INLINE);
    const r = renegotiate(media, rekeyed, prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.changes.srtp).toBe(true);
    expect(r.value.media.srtp!.localKeys).toBe(media.srtp!.localKeys);
    expect(r.value.media.srtp!.remoteKeys.masterKey.equals(media.srtp!.remoteKeys.masterKey)).toBe(false);
    expect(r.value.answerSdp).toBe(sdp);
  });

  it('generates new keys when the suite changes', () => {
    const { prefs, media } = start(F.CHIME_SRTP);
    const r = renegotiate(media, F.CHIME_SRTP.replace('AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'), prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.media.srtp!.profile).toBe('AES_CM_128_HMAC_SHA1_32');
    expect(r.value.media.srtp!.localKeys.masterKey.equals(media.srtp!.localKeys.masterKey)).toBe(false);
    expect(version(r.value.answerSdp)).toBe(2);
  });

  it('reports a DTMF payload type change', () => {
    const { prefs, media } = start(F.CHIME_PLAIN);
    const r = renegotiate(media, F.CHIME_PLAIN.replace(/101/g, '96'), prefs);
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.media.dtmf).toEqual({ payloadType: 96 });
    expect(r.value.changes.dtmf).toBe(true);
  });

  it('rejects an unacceptable re-offer with 488 and leaves the o= version alone', () => {
    const { prefs, media } = start(F.CHIME_PLAIN);
    const r = renegotiate(media, F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000'), prefs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.status).toBe(488);
    expect(prefs.session.version).toBe(1);
  });
});
