/** The ALG's SDP rewrite (RFC 4566 c= and m= lines): media goes to the relay, the original is reported. */
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/netem/media-relay.js';
import { rewriteSdp } from '../../src/netem/sip-alg.js';

const offer = [
  'v=0',
  'o=- 53655765 2353687637 IN IP4 127.0.0.3',
  's=-',
  'c=IN IP4 127.0.0.3',
  't=0 0',
  'm=audio 6000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
];

function rewrite(body: string): { out: string; original: Endpoint | undefined } {
  let original: Endpoint | undefined;
  const out = rewriteSdp(body, { address: '127.0.0.2', port: 24000 }, (ep) => (original = ep));
  return { out, original };
}

describe('rewriteSdp', () => {
  it('points c= and the audio port at the relay and reports where media was going (CRLF kept)', () => {
    const { out, original } = rewrite(offer.join('\r\n'));
    expect(original).toEqual({ address: '127.0.0.3', port: 6000 });
    expect(out.split('\r\n')).toEqual(offer.map((l) => l.replace('c=IN IP4 127.0.0.3', 'c=IN IP4 127.0.0.2').replace('m=audio 6000', 'm=audio 24000')));
    // The origin line's address is the session's identity, not a media address: untouched.
    expect(out).toContain('o=- 53655765 2353687637 IN IP4 127.0.0.3\r\n');
    expect(out).not.toMatch(/(^|[^\r])\n/);
  });

  it('keeps LF line ends', () => {
    const { out, original } = rewrite(offer.join('\n'));
    expect(original).toEqual({ address: '127.0.0.3', port: 6000 });
    expect(out).not.toContain('\r');
    expect(out).toContain('\nc=IN IP4 127.0.0.2\nt=0 0\nm=audio 24000 RTP/AVP 0 8 101\n');
  });

  it('rewrites every c= line but reports the first address; only the first audio m= line moves', () => {
    const body = ['v=0', 'c=IN IP4 127.0.0.3', 'm=audio 6000 RTP/AVP 0', 'c=IN IP4 127.0.0.9', 'm=video 7000 RTP/AVP 96', 'm=audio 6002 RTP/AVP 8', ''].join('\r\n');
    const { out, original } = rewrite(body);
    expect(original).toEqual({ address: '127.0.0.3', port: 6000 });
    expect(out.split('\r\n')).toEqual(['v=0', 'c=IN IP4 127.0.0.2', 'm=audio 24000 RTP/AVP 0', 'c=IN IP4 127.0.0.2', 'm=video 7000 RTP/AVP 96', 'm=audio 6002 RTP/AVP 8', '']);
  });

  it('a media-level c= only (no session-level one) is found too', () => {
    const body = ['v=0', 's=-', 't=0 0', 'm=audio 6000 RTP/SAVP 0', 'c=IN IP4 127.0.0.3', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc', ''].join('\r\n');
    const { out, original } = rewrite(body);
    expect(original).toEqual({ address: '127.0.0.3', port: 6000 });
    expect(out).toContain('m=audio 24000 RTP/SAVP 0\r\nc=IN IP4 127.0.0.2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc');
  });

  it('without a relay (direct media) leaves the body byte for byte and still reports the endpoint', () => {
    let original: Endpoint | undefined;
    const body = offer.join('\r\n');
    expect(rewriteSdp(body, undefined, (ep) => (original = ep))).toBe(body);
    expect(original).toEqual({ address: '127.0.0.3', port: 6000 });
  });

  it('reports nothing when there is no audio stream or no address', () => {
    expect(rewrite(['v=0', 'c=IN IP4 127.0.0.3', 'm=video 7000 RTP/AVP 96', ''].join('\r\n')).original).toBeUndefined();
    expect(rewrite(['v=0', 'm=audio 6000 RTP/AVP 0', ''].join('\r\n')).original).toBeUndefined();
    expect(rewrite('').out).toBe('');
  });
});
