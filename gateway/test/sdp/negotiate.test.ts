import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'sdp-transform';
import { SrtpSession, formatCryptoAttribute } from '../../src/rtp/srtp/index.js';
import { negotiate, LocalSdpSession, type NegotiationPrefs, type NegotiationResult } from '../../src/sdp/index.js';
import * as F from './fixtures.js';

const PREFS: NegotiationPrefs = {
  codecs: ['PCMU', 'PCMA'],
  dtmf: true,
  srtp: 'optional',
  local: { address: '192.0.2.99', port: 20000 },
};

function ok(r: NegotiationResult): Extract<NegotiationResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected success, got ${r.error.status} ${r.error.code}: ${r.error.reason}`);
  return r;
}

function fail(r: NegotiationResult): Extract<NegotiationResult, { ok: false }> {
  if (r.ok) throw new Error(`expected failure, got answer:\n${r.value.answerSdp}`);
  return r;
}

describe('RFC 3264 §6.1 answering a Chime-like offer', () => {
  it('answers PCMU + telephone-event with our address, port and ptime', () => {
    const r = ok(negotiate(F.CHIME_PLAIN, PREFS));
    const a = parse(r.value.answerSdp);
    expect(a.origin.address).toBe('192.0.2.99');
    expect(a.connection).toEqual({ version: 4, ip: '192.0.2.99' });
    expect(a.media).toHaveLength(1);
    expect(a.media[0]).toMatchObject({ type: 'audio', port: 20000, protocol: 'RTP/AVP', payloads: '0 101', ptime: 20, direction: 'sendrecv' });
    expect(a.media[0]!.rtp).toEqual([
      { payload: 0, codec: 'PCMU', rate: 8000 },
      { payload: 101, codec: 'telephone-event', rate: 8000 },
    ]);
    expect(a.media[0]!.fmtp).toEqual([{ payload: 101, config: '0-15' }]);
    expect(r.value.media).toEqual({
      remoteAddress: '198.51.100.20',
      remotePort: 16384,
      remoteRtcpPort: 16385,
      remoteRtcpAddress: '198.51.100.20',
      rtcpMux: false,
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      dtmf: { payloadType: 101 },
      ptimeMs: 20,
      remotePtimeMs: 20,
      remoteMaxPtimeMs: 20,
      direction: 'sendrecv',
      onHold: false,
      mediaIndex: 0,
    });
  });

  it('writes CRLF line endings and a parseable SDP', () => {
    const r = ok(negotiate(F.CHIME_PLAIN, PREFS));
    expect(r.value.answerSdp.endsWith('\r\n')).toBe(true);
    expect(r.value.answerSdp.split('\r\n')[0]).toBe('v=0');
    expect(r.value.answerSdp).not.toMatch(/[^\r]\n/);
  });

  it('returns the session it created, honouring sessionId', () => {
    const r = ok(negotiate(F.CHIME_PLAIN, { ...PREFS, sessionId: '424242' }));
    expect(r.value.session.sessionId).toBe('424242');
    expect(r.value.answerSdp).toContain('o=- 424242 1 IN IP4 192.0.2.99');
  });
});

describe('RFC 3264 §6.1 codec selection', () => {
  it('chooses by OUR preference among those offered (Asterisk lists PCMA first)', () => {
    expect(ok(negotiate(F.ASTERISK, PREFS)).value.media.codec).toEqual({ name: 'PCMU', payloadType: 0, clockRate: 8000 });
    expect(ok(negotiate(F.ASTERISK, { ...PREFS, codecs: ['PCMA', 'PCMU'] })).value.media.codec.name).toBe('PCMA');
  });

  it('uses static payload types without a=rtpmap', () => {
    const r = ok(negotiate(F.MINIMAL, { ...PREFS, codecs: ['PCMA'] }));
    expect(r.value.media.codec).toEqual({ name: 'PCMA', payloadType: 8, clockRate: 8000 });
    expect(String(parse(r.value.answerSdp).media[0]!.payloads)).toBe('8');
  });

  it('answers a dynamic payload type with the number the offer used', () => {
    const offer = F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 96 101').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:96 pcmu/8000');
    const r = ok(negotiate(offer, PREFS));
    expect(r.value.media.codec).toEqual({ name: 'PCMU', payloadType: 96, clockRate: 8000 });
    expect(parse(r.value.answerSdp).media[0]!.payloads).toBe('96 101');
  });

  it('488 when no codec is common, naming what was offered', () => {
    const offer = F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 18 111 101')
      .replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000\r\na=rtpmap:111 opus/48000/2');
    const r = fail(negotiate(offer, PREFS));
    expect(r.error.status).toBe(488);
    expect(r.error.code).toBe('SDP_ERR_NO_COMMON_CODEC');
    expect(r.error.reason).toBe('no common codec (offered: G729/8000, opus/48000/2)');
    expect(r.error.warning).toBe(r.error.reason);
  });

  it('does not take PCMU at a rate other than 8000', () => {
    const offer = F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 97').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:97 PCMU/16000');
    expect(fail(negotiate(offer, PREFS)).error.reason).toContain('PCMU/16000');
  });
});

describe('RFC 4733 §7.1.1 telephone-event negotiation', () => {
  it('answers the OFFERED payload type, ignoring telephone-event at other rates (FreeSWITCH)', () => {
    const r = ok(negotiate(F.FREESWITCH, PREFS));
    expect(r.value.media.dtmf).toEqual({ payloadType: 100 });
    expect(parse(r.value.answerSdp).media[0]!.payloads).toBe('0 100');
  });

  it('omits telephone-event when prefs.dtmf is false or it was not offered at 8000', () => {
    expect(ok(negotiate(F.CHIME_PLAIN, { ...PREFS, dtmf: false })).value.media.dtmf).toBeUndefined();
    const only48k = F.CHIME_PLAIN.replace('a=rtpmap:101 telephone-event/8000', 'a=rtpmap:101 telephone-event/48000');
    const r = ok(negotiate(only48k, PREFS));
    expect(r.value.media.dtmf).toBeUndefined();
    expect(r.value.answerSdp).not.toContain('telephone-event');
  });
});

describe('RFC 3264 §6.1 direction attributes', () => {
  it.each([
    ['sendrecv', 'sendrecv', false],
    ['sendonly', 'recvonly', true],
    ['recvonly', 'sendonly', false],
    ['inactive', 'inactive', true],
  ] as const)('offer %s -> answer %s', (offered, answered, onHold) => {
    const r = ok(negotiate(F.CHIME_PLAIN.replace('a=sendrecv', `a=${offered}`), PREFS));
    expect(parse(r.value.answerSdp).media[0]!.direction).toBe(answered);
    expect(r.value.media.direction).toBe(answered);
    expect(r.value.media.onHold).toBe(onHold);
  });

  it('takes a session-level direction when the m= line has none', () => {
    const offer = F.MINIMAL.replace('t=0 0\n', 't=0 0\na=sendonly\n');
    expect(ok(negotiate(offer, PREFS)).value.media.direction).toBe('recvonly');
  });

  it('treats c=0.0.0.0 as legacy hold (RFC 3264 §8.4)', () => {
    const r = ok(negotiate(F.HOLD_LEGACY, PREFS));
    expect(r.value.media).toMatchObject({ direction: 'recvonly', onHold: true, remoteAddress: '0.0.0.0' });
  });
});

describe('RFC 3264 §6 rejected streams keep m= count and order', () => {
  it('answers audio and rejects video and image with port 0 and the offered formats', () => {
    const r = ok(negotiate(F.AUDIO_VIDEO, PREFS));
    const a = parse(r.value.answerSdp);
    expect(a.media.map((m) => [m.type, m.port, m.protocol, String(m.payloads)])).toEqual([
      ['audio', 20000, 'RTP/AVP', '0'],
      ['video', 0, 'RTP/AVP', '31 96'],
      ['image', 0, 'udptl', 't38'],
    ]);
    expect(a.media[1]!.rtp).toEqual([]);
  });

  it('uses the first acceptable audio line and rejects a second one', () => {
    const offer = F.AUDIO_VIDEO.replace('m=video 51372 RTP/AVP 31 96', 'm=audio 51372 RTP/AVP 8');
    const r = ok(negotiate(offer, PREFS));
    expect(r.value.media.mediaIndex).toBe(0);
    expect(parse(r.value.answerSdp).media.map((m) => m.port)).toEqual([20000, 0, 0]);
  });

  it('488 when every audio stream is already rejected (port 0)', () => {
    const r = fail(negotiate(F.CHIME_PLAIN.replace('m=audio 16384', 'm=audio 0'), PREFS));
    expect([r.error.status, r.error.code]).toEqual([488, 'SDP_ERR_STREAM_REJECTED']);
  });
});

describe('RFC 4568 SDES-SRTP', () => {
  it('answers RTP/SAVP with our own fresh key and the same tag and suite', () => {
    const r = ok(negotiate(F.CHIME_SRTP, PREFS));
    const a = parse(r.value.answerSdp).media[0]!;
    expect(a.protocol).toBe('RTP/SAVP');
    expect(a.crypto).toHaveLength(1);
    expect(a.crypto![0]).toMatchObject({ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80' });
    const srtp = r.value.media.srtp!;
    expect(srtp.tag).toBe(1);
    expect(srtp.profile).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(Buffer.concat([srtp.remoteKeys.masterKey, srtp.remoteKeys.masterSalt]).toString('base64')).toBe(F.B3_INLINE);
    expect(srtp.localKeys.masterKey.equals(srtp.remoteKeys.masterKey)).toBe(false);
    expect(a.crypto![0]!.config).toBe(formatCryptoAttribute(1, srtp.localKeys).split(' ')[2]);
    // Two answers to the same offer carry different keys.
    expect(ok(negotiate(F.CHIME_SRTP, PREFS)).value.media.srtp!.localKeys.masterKey.equals(srtp.localKeys.masterKey)).toBe(false);
  });

  it('picks the first offered suite we support, skipping AES-256 (FreeSWITCH, three a=crypto)', () => {
    const r = ok(negotiate(F.FREESWITCH_SRTP, PREFS));
    expect(r.value.media.srtp).toMatchObject({ tag: 2, profile: 'AES_CM_128_HMAC_SHA1_32' });
    expect(parse(r.value.answerSdp).media[0]!.crypto!.map((c) => c.id)).toEqual([2]);
  });

  it('carries media both ways with the negotiated keys', () => {
    const r = ok(negotiate(F.CHIME_SRTP, PREFS));
    const srtp = r.value.media.srtp!;
    const ours = new SrtpSession({ local: srtp.localKeys, remote: srtp.remoteKeys });
    // The peer sends with the key it offered and receives with the key we answered.
    const peer = new SrtpSession({ local: srtp.remoteKeys, remote: srtp.localKeys });
    const pkt = Buffer.from([0x80, 0, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4, 0xd5, 0xd5, 0xd5, 0xd5]);
    const up = ours.unprotectRtp(peer.protectRtp(pkt));
    const down = peer.unprotectRtp(ours.protectRtp(pkt));
    expect(up.ok && up.value.equals(pkt)).toBe(true);
    expect(down.ok && down.value.equals(pkt)).toBe(true);
  });

  it('488 for a plain offer when SRTP is required', () => {
    const r = fail(negotiate(F.CHIME_PLAIN, { ...PREFS, srtp: 'required' }));
    expect([r.error.status, r.error.code, r.error.reason]).toEqual([488, 'SDP_ERR_SRTP_REQUIRED', 'SRTP required but the offer is plain RTP/AVP']);
  });

  it('answers a plain offer with plain RTP when SRTP is optional', () => {
    const r = ok(negotiate(F.CHIME_PLAIN, PREFS));
    expect(r.value.media.srtp).toBeUndefined();
    expect(r.value.answerSdp).not.toContain('a=crypto');
  });

  it('488 for an SRTP offer when SRTP is off', () => {
    const r = fail(negotiate(F.CHIME_SRTP, { ...PREFS, srtp: 'off' }));
    expect([r.error.status, r.error.code]).toEqual([488, 'SDP_ERR_SRTP_DISABLED']);
  });

  it('488 naming the suites when no a=crypto is usable', () => {
    const offer = F.CHIME_SRTP.replace('AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_256_GCM');
    const r = fail(negotiate(offer, PREFS));
    expect(r.error.code).toBe('SDP_ERR_NO_USABLE_CRYPTO');
    expect(r.error.reason).toContain('unsupported crypto suite AEAD_AES_256_GCM');
  });

  it('prefers an SDES stream over a plain one offered alongside when SRTP is optional', () => {
    const offer = F.AUDIO_VIDEO.replace(
      'm=video 51372 RTP/AVP 31 96',
      `m=audio 51372 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${F.B3_INLINE}`,
    );
    const r = ok(negotiate(offer, PREFS));
    expect(r.value.media.mediaIndex).toBe(1);
    expect(parse(r.value.answerSdp).media.map((m) => m.port)).toEqual([0, 20000, 0]);
  });

  it('keeps an MKI the offerer declared on its keys', () => {
    const offer = F.CHIME_SRTP.replace(F.B3_INLINE, `${F.B3_INLINE}|2^20|1:4`);
    expect(ok(negotiate(offer, PREFS)).value.media.srtp!.remoteKeys.mki?.toString('hex')).toBe('00000001');
  });
});

describe('RFC 5764 DTLS-SRTP offers are declined', () => {
  it('488 with a reason telling the peer to offer SDES', () => {
    const r = fail(negotiate(F.DTLS, PREFS));
    expect([r.error.status, r.error.code, r.error.reason]).toEqual([488, 'SDP_ERR_DTLS_UNSUPPORTED', 'DTLS-SRTP not supported; offer SDES (RTP/SAVP with a=crypto)']);
  });

  it('accepts the SDES alternative in the same offer and rejects the DTLS line', () => {
    const r = ok(negotiate(F.DTLS_WITH_SDES_ALTERNATIVE, PREFS));
    expect(r.value.media.mediaIndex).toBe(1);
    expect(r.value.media.srtp?.tag).toBe(1);
    expect(parse(r.value.answerSdp).media.map((m) => [m.port, m.protocol])).toEqual([
      [0, 'UDP/TLS/RTP/SAVP'],
      [20000, 'RTP/SAVP'],
    ]);
  });

  it('uses SDES when an RTP/SAVP line carries both a=fingerprint and a=crypto', () => {
    const offer = F.CHIME_SRTP.replace('t=0 0', 't=0 0\r\na=fingerprint:sha-256 AA:BB');
    expect(ok(negotiate(offer, PREFS)).value.media.srtp?.tag).toBe(1);
  });

  it('declines RTP/SAVP with a=fingerprint and no a=crypto as DTLS', () => {
    const offer = F.CHIME_SRTP.replace(/a=crypto:[^\r]*\r\n/, 'a=fingerprint:sha-256 AA:BB\r\n');
    expect(fail(negotiate(offer, PREFS)).error.code).toBe('SDP_ERR_DTLS_UNSUPPORTED');
  });
});

describe('RFC 4566 addresses: IPv6, a=rtcp (RFC 3605), rtcp-mux (RFC 5761)', () => {
  it('accepts c=IN IP6 and honours a=rtcp', () => {
    const r = ok(negotiate(F.IPV6, PREFS));
    expect(r.value.media).toMatchObject({ remoteAddress: '2001:db8::10', remotePort: 40000, remoteRtcpPort: 40005, rtcpMux: false });
  });

  it('advertises an IPv6 local address with IN IP6', () => {
    const r = ok(negotiate(F.IPV6, { ...PREFS, local: { address: '2001:db8::99', port: 20000 } }));
    expect(r.value.answerSdp).toContain('o=- ');
    expect(r.value.answerSdp).toContain('IN IP6 2001:db8::99\r\n');
    expect(r.value.answerSdp).toContain('c=IN IP6 2001:db8::99\r\n');
  });

  it('honours an a=rtcp address', () => {
    const r = ok(negotiate(F.IPV6.replace('a=rtcp:40005', 'a=rtcp:40007 IN IP6 2001:db8::11'), PREFS));
    expect(r.value.media).toMatchObject({ remoteRtcpPort: 40007, remoteRtcpAddress: '2001:db8::11' });
  });

  it('accepts rtcp-mux when offered', () => {
    const r = ok(negotiate(F.CHIME_PLAIN.replace('a=sendrecv', 'a=sendrecv\r\na=rtcp-mux'), PREFS));
    expect(r.value.media).toMatchObject({ rtcpMux: true, remoteRtcpPort: 16384 });
    expect(r.value.answerSdp).toContain('a=rtcp-mux\r\n');
  });

  it('uses the media-level c= over the session-level one', () => {
    const offer = F.CHIME_PLAIN.replace('a=rtpmap:0', 'c=IN IP4 198.51.100.77\r\na=rtpmap:0');
    expect(ok(negotiate(offer, PREFS)).value.media.remoteAddress).toBe('198.51.100.77');
  });

  it('488 for host names and multicast', () => {
    const host = fail(negotiate(F.CHIME_PLAIN.replace('c=IN IP4 198.51.100.20', 'c=IN IP4 media.example.com'), PREFS));
    expect([host.error.status, host.error.reason]).toEqual([488, 'c= host names are not supported (got media.example.com)']);
    const mc = fail(negotiate(F.CHIME_PLAIN.replace('c=IN IP4 198.51.100.20', 'c=IN IP4 224.2.1.1/127'), PREFS));
    expect([mc.error.status, mc.error.code]).toEqual([488, 'SDP_ERR_UNSUPPORTED_ADDRESS']);
  });
});

describe('RFC 3264 §5.1 ptime', () => {
  it('answers our ptime and records what the offer asked for', () => {
    const r = ok(negotiate(F.CHIME_PLAIN.replace('a=ptime:20', 'a=ptime:30').replace('a=maxptime:20', 'a=maxptime:60'), PREFS));
    expect(parse(r.value.answerSdp).media[0]!.ptime).toBe(20);
    expect(r.value.media).toMatchObject({ ptimeMs: 20, remotePtimeMs: 30, remoteMaxPtimeMs: 60 });
  });

  it('omits remotePtimeMs when the offer has no a=ptime', () => {
    expect(ok(negotiate(F.MINIMAL, PREFS)).value.media.remotePtimeMs).toBeUndefined();
  });
});

describe('RFC 4566 malformed SDP -> 400 naming the problem', () => {
  it.each([
    ['', 'SDP_ERR_EMPTY', 'empty SDP body'],
    ['hello world', 'SDP_ERR_SYNTAX', 'SDP line 1 is not <type>=<value>'],
    [F.CHIME_PLAIN.replace('v=0', 'v=1'), 'SDP_ERR_VERSION', 'SDP must start with v=0'],
    [F.CHIME_PLAIN.replace(/o=[^\r]*\r\n/, ''), 'SDP_ERR_ORIGIN', 'missing o= line'],
    [F.CHIME_PLAIN.replace(/o=[^\r]*/, 'o=broken'), 'SDP_ERR_ORIGIN', 'malformed o= line 2'],
    [F.CHIME_PLAIN.replace(/c=[^\r]*\r\n/, ''), 'SDP_ERR_CONNECTION', 'missing c= line for the audio stream (m= line 5)'],
    [F.CHIME_PLAIN.replace('c=IN IP4 198.51.100.20', 'c=IN IP4'), 'SDP_ERR_CONNECTION', 'malformed c= line 4'],
    [F.CHIME_PLAIN.replace('c=IN IP4 198.51.100.20', 'c=IN IP4 2001:db8::1'), 'SDP_ERR_CONNECTION', 'is not an IPv4 address'],
    [F.CHIME_PLAIN.replace('m=audio 16384', 'm=audio 99999'), 'SDP_ERR_PORT', 'bad port "99999" in m= line 6'],
    [F.CHIME_PLAIN.replace('m=audio 16384', 'm=audio abc'), 'SDP_ERR_PORT', 'bad port "abc"'],
    [F.CHIME_PLAIN.replace('m=audio 16384 RTP/AVP 0 101', 'm=audio 16384 RTP/AVP'), 'SDP_ERR_MEDIA_LINE', 'm= line 6 lists no formats'],
    [F.CHIME_PLAIN.replace('m=audio 16384 RTP/AVP 0 101', 'm=audio'), 'SDP_ERR_MEDIA_LINE', 'malformed m= line 6'],
    [F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 0 x'), 'SDP_ERR_PAYLOAD_TYPE', 'bad RTP payload type "x"'],
    [F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'RTP/AVP 0 200'), 'SDP_ERR_PAYLOAD_TYPE', 'bad RTP payload type "200"'],
    [F.CHIME_PLAIN.replace('a=ptime:20', 'a=rtcp:0'), 'SDP_ERR_PORT', 'bad a=rtcp port'],
    [F.CHIME_PLAIN.replace('m=audio', 'm=video'), 'SDP_ERR_NO_AUDIO', 'no audio m= line in the offer'],
    [F.CHIME_PLAIN.replace(/m=[\s\S]*$/, ''), 'SDP_ERR_NO_AUDIO', 'no audio m= line'],
    ['v=0\r\n' + 'a=x\r\n'.repeat(20_000), 'SDP_ERR_TOO_LARGE', 'exceeds'],
  ])('%#: %s', (sdp, code, reason) => {
    const r = fail(negotiate(sdp, PREFS));
    expect(r.error.status).toBe(400);
    expect(r.error.code).toBe(code);
    expect(r.error.reason).toContain(reason);
  });

  it('488 (not 400) for a well-formed but unsupported transport', () => {
    const r = fail(negotiate(F.CHIME_PLAIN.replace('RTP/AVP 0 101', 'TCP/RTP/AVP 0 101'), PREFS));
    expect([r.error.status, r.error.reason]).toEqual([488, 'transport TCP/RTP/AVP is not supported']);
  });

  it('keeps the Warning text quote-free and bounded', () => {
    const r = fail(negotiate('x="' + 'y'.repeat(500), PREFS));
    expect(r.error.warning).not.toContain('"');
    expect(r.error.warning.length).toBeLessThanOrEqual(200);
  });
});

describe('negotiate() robustness (property)', () => {
  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = negotiate(s, PREFS);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on real offers with lines dropped, duplicated or corrupted', () => {
    const fixtures = [F.CHIME_PLAIN, F.CHIME_SRTP, F.ASTERISK, F.FREESWITCH, F.FREESWITCH_SRTP, F.DTLS, F.IPV6, F.AUDIO_VIDEO];
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(40), fc.constantFrom('drop', 'dup', 'garble', 'truncate'), fc.string({ maxLength: 12 })), {
          maxLength: 6,
        }),
        (sdp, edits) => {
          const lines = sdp.split('\r\n');
          for (const [at, kind, junk] of edits) {
            const i = at % lines.length;
            if (kind === 'drop') lines.splice(i, 1);
            else if (kind === 'dup') lines.splice(i, 0, lines[i]!);
            else if (kind === 'garble') lines[i] = `${lines[i]!.slice(0, 2)}${junk}`;
            else lines[i] = lines[i]!.slice(0, junk.length);
          }
          const r = negotiate(lines.join('\r\n'), PREFS);
          if (!r.ok) expect([400, 488]).toContain(r.error.status);
          else expect(parse(r.value.answerSdp).media.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('negotiate() prefs validation', () => {
  it('throws RangeError for bad prefs (configuration bugs)', () => {
    expect(() => negotiate(F.CHIME_PLAIN, { ...PREFS, codecs: [] })).toThrow(RangeError);
    expect(() => negotiate(F.CHIME_PLAIN, { ...PREFS, local: { address: 'gw.example', port: 20000 } })).toThrow(RangeError);
    expect(() => negotiate(F.CHIME_PLAIN, { ...PREFS, local: { address: '192.0.2.1', port: 0 } })).toThrow(RangeError);
    expect(() => negotiate(F.CHIME_PLAIN, { ...PREFS, ptimeMs: 0 })).toThrow(RangeError);
  });

  it('uses a given LocalSdpSession', () => {
    const session = new LocalSdpSession({ sessionId: '77' });
    const r = ok(negotiate(F.CHIME_PLAIN, { ...PREFS, session }));
    expect(r.value.session).toBe(session);
    expect(session.lastSdp).toBe(r.value.answerSdp);
  });
});

