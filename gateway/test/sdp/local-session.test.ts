import { describe, expect, it } from 'vitest';
import { parse } from 'sdp-transform';
import { LocalSdpSession } from '../../src/sdp/index.js';

const audio = (port: number) => [{ type: 'audio', port, protocol: 'RTP/AVP', payloads: '0', rtp: [{ payload: 0, codec: 'PCMU', rate: 8000 }], fmtp: [] }];

describe('RFC 3264 §8 / RFC 4566 §5.2 o= line state', () => {
  it('keeps the session id and starts at version 1', () => {
    const s = new LocalSdpSession({ sessionId: '12345', username: 'gw', sessionName: 'Gateway' });
    const sdp = s.render({ address: '192.0.2.1', media: audio(1000) });
    expect(sdp.split('\r\n').slice(0, 5)).toEqual(['v=0', 'o=gw 12345 1 IN IP4 192.0.2.1', 's=Gateway', 'c=IN IP4 192.0.2.1', 't=0 0']);
    expect(s.version).toBe(1);
    expect(s.lastSdp).toBe(sdp);
  });

  it('increments the version only when the body changes', () => {
    const s = new LocalSdpSession();
    const v = (sdp: string): number => parse(sdp).origin.sessionVersion;
    expect(v(s.render({ address: '192.0.2.1', media: audio(1000) }))).toBe(1);
    expect(v(s.render({ address: '192.0.2.1', media: audio(1000) }))).toBe(1);
    expect(v(s.render({ address: '192.0.2.1', media: audio(1002) }))).toBe(2);
    expect(v(s.render({ address: '192.0.2.2', media: audio(1002) }))).toBe(3);
    expect(v(s.render({ address: '192.0.2.2', media: audio(1002) }))).toBe(3);
  });

  it('writes IN IP6 for an IPv6 address', () => {
    const sdp = new LocalSdpSession({ sessionId: '1' }).render({ address: '2001:db8::1', media: audio(1000) });
    expect(sdp).toContain('o=- 1 1 IN IP6 2001:db8::1\r\n');
    expect(sdp).toContain('c=IN IP6 2001:db8::1\r\n');
  });

  it('generates distinct random session ids', () => {
    expect(new LocalSdpSession().sessionId).not.toBe(new LocalSdpSession().sessionId);
  });

  it('rejects bad options and addresses with RangeError', () => {
    expect(() => new LocalSdpSession({ sessionId: 'abc' })).toThrow(RangeError);
    expect(() => new LocalSdpSession({ username: 'a b' })).toThrow(RangeError);
    expect(() => new LocalSdpSession({ sessionName: 'x\r\ny' })).toThrow(RangeError);
    expect(() => new LocalSdpSession().render({ address: 'gw.example', media: audio(1) })).toThrow(RangeError);
  });

  it('does not mutate the media it is given', () => {
    const media = [{ type: 'audio', port: 1, protocol: 'RTP/AVP', rtp: [], fmtp: [] }];
    new LocalSdpSession().render({ address: '192.0.2.1', media });
    expect(media[0]).not.toHaveProperty('payloads');
  });
});
