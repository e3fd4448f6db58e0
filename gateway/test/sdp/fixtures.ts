/**
 * Real-world-shaped SDP offers. Addresses are from the documentation ranges (RFC 5737, RFC 3849);
 * these are strings only, nothing is sent anywhere. Keys are the RFC 3711 B.3 master key/salt
 * (and variations) in base64.
 */
const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

/** 30 bytes of key||salt from RFC 3711 B.3, base64. */
export const B3_INLINE = Buffer.from('e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6', 'hex').toString('base64');
export const OTHER_INLINE = Buffer.alloc(30, 7).toString('base64');

/** Amazon Chime Voice Connector style: PCMU + telephone-event, plain RTP over UDP/TCP signalling. */
export const CHIME_PLAIN = crlf([
  'v=0',
  'o=- 1700000001 1700000001 IN IP4 198.51.100.20',
  's=Amazon Chime Voice Connector',
  'c=IN IP4 198.51.100.20',
  't=0 0',
  'm=audio 16384 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:20',
  'a=sendrecv',
]);

/** Chime with encryption on: TLS signalling + SDES (RTP/SAVP, one a=crypto). */
export const CHIME_SRTP = crlf([
  'v=0',
  'o=- 1700000002 1700000002 IN IP4 198.51.100.21',
  's=Amazon Chime Voice Connector',
  'c=IN IP4 198.51.100.21',
  't=0 0',
  'm=audio 16386 RTP/SAVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${B3_INLINE}`,
  'a=ptime:20',
  'a=sendrecv',
]);

/** Asterisk (chan_pjsip) offering several codecs and telephone-event on PT 101. */
export const ASTERISK = crlf([
  'v=0',
  'o=- 895123745 895123745 IN IP4 203.0.113.5',
  's=Asterisk',
  'c=IN IP4 203.0.113.5',
  't=0 0',
  'm=audio 10000 RTP/AVP 8 0 3 9 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:3 GSM/8000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
]);

/** FreeSWITCH with many codecs, telephone-event at three rates, the 8 kHz one on PT 100. */
export const FREESWITCH = crlf([
  'v=0',
  'o=FreeSWITCH 1700000100 1700000101 IN IP4 203.0.113.7',
  's=FreeSWITCH',
  'c=IN IP4 203.0.113.7',
  't=0 0',
  'm=audio 24576 RTP/AVP 102 9 8 0 104 100 103 13 118',
  'a=rtpmap:102 opus/48000/2',
  'a=fmtp:102 useinbandfec=1; maxaveragebitrate=30000; maxplaybackrate=48000; ptime=20; minptime=10; maxptime=40',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:104 telephone-event/48000',
  'a=fmtp:104 0-16',
  'a=rtpmap:100 telephone-event/8000',
  'a=fmtp:100 0-16',
  'a=rtpmap:103 telephone-event/16000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:118 CN/16000',
  'a=ptime:20',
]);

/** FreeSWITCH SRTP offer: an AES-256 suite first (unsupported here), then two we support. */
export const FREESWITCH_SRTP = crlf([
  'v=0',
  'o=FreeSWITCH 1700000200 1700000201 IN IP4 203.0.113.7',
  's=FreeSWITCH',
  'c=IN IP4 203.0.113.7',
  't=0 0',
  'm=audio 24580 RTP/SAVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${Buffer.alloc(46, 1).toString('base64')}`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${OTHER_INLINE}|2^31`,
  `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${B3_INLINE}|2^31`,
  'a=ptime:20',
]);

/** A WebRTC-style DTLS-SRTP offer. */
export const DTLS = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
  'a=setup:actpass',
  'a=mid:0',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=sendrecv',
]);

/** An SBC offering DTLS first and an SDES alternative as a second audio line. */
export const DTLS_WITH_SDES_ALTERNATIVE = crlf([
  'v=0',
  'o=sbc 1 1 IN IP4 192.0.2.44',
  's=-',
  'c=IN IP4 192.0.2.44',
  't=0 0',
  'm=audio 30000 UDP/TLS/RTP/SAVP 0',
  'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
  'a=setup:actpass',
  'm=audio 30002 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${B3_INLINE}`,
]);

/** IPv6 offer with a=rtcp naming a separate port. */
export const IPV6 = crlf([
  'v=0',
  'o=- 5 5 IN IP6 2001:db8::10',
  's=-',
  'c=IN IP6 2001:db8::10',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:101 telephone-event/8000',
  'a=rtcp:40005',
]);

/** Audio + video (a softphone with a camera): video must be rejected with port 0. */
export const AUDIO_VIDEO = crlf([
  'v=0',
  'o=user 2890844526 2890844527 IN IP4 192.0.2.10',
  's=call',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 97',
  'a=rtpmap:97 iLBC/8000',
  'm=video 51372 RTP/AVP 31 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=42e01f',
  'm=image 0 udptl t38',
]);

/** Re-INVITE putting us on hold with a=sendonly (RFC 3264 §8.4). */
export const HOLD_SENDONLY = CHIME_PLAIN.replace('a=sendrecv', 'a=sendonly').replace(/o=- (\d+) (\d+)/, 'o=- $1 1700000009');
/** Legacy hold: c=0.0.0.0 (RFC 2543 style). */
export const HOLD_LEGACY = CHIME_PLAIN.replace(/c=IN IP4 198\.51\.100\.20/, 'c=IN IP4 0.0.0.0');
/** Hold with a=inactive. */
export const HOLD_INACTIVE = CHIME_PLAIN.replace('a=sendrecv', 'a=inactive');
/** Static PTs only, no rtpmap, no direction, LF line endings. */
export const MINIMAL = 'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 8 0\n';
