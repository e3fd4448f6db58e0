import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRtpWireError, WIRE_ERRORS } from '../../src/rtp/errors.js';
import { RtpHeaderView, writeRtpFixedHeader } from '../../src/rtp/packet/rtp-header.js';
import { parseRtp, rtpSize, serializeRtp, type RtpPacket } from '../../src/rtp/packet/rtp-packet.js';

// A PCMU packet with marker, two CSRCs, a one-word header extension and 3 padding octets.
const FULL = new Uint8Array([
  0xb2, // V=2, P=1, X=1, CC=2
  0x80, // M=1, PT=0 (PCMU)
  0x12, 0x34, // sequence number = 0x1234
  0xde, 0xad, 0xbe, 0xef, // timestamp = 0xdeadbeef
  0x01, 0x02, 0x03, 0x04, // SSRC = 0x01020304
  0xca, 0xfe, 0x00, 0x01, // CSRC[0] = 0xcafe0001
  0xca, 0xfe, 0x00, 0x02, // CSRC[1] = 0xcafe0002
  0xbe, 0xde, 0x00, 0x01, // extension profile = 0xBEDE, length = 1 word
  0x10, 0xaa, 0x00, 0x00, // extension data (RFC 8285 element id=1 len=1, value 0xaa, padding)
  0xff, 0x7f, 0x00, // payload: 3 µ-law bytes
  0x00, 0x00, 0x03, // padding: 3 octets, last one is the count
]);

// The simplest packet the gateway sends: 12-byte header + 160 bytes of PCMU.
function simplePacket(): Uint8Array {
  const b = new Uint8Array(172);
  b.set([
    0x80, // V=2, P=0, X=0, CC=0
    0x00, // M=0, PT=0
    0xff, 0xff, // sequence number = 65535
    0x00, 0x00, 0x00, 0xa0, // timestamp = 160
    0x7f, 0xff, 0xff, 0xff, // SSRC = 0x7fffffff
  ]);
  b.fill(0xd5, 12);
  return b;
}

describe('RFC 3550 §5.1 RTP fixed header', () => {
  it('parses every field of a packet with CSRC, extension and padding', () => {
    const p = parseRtp(FULL);
    if (isRtpWireError(p)) throw new Error(p.message);
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(0);
    expect(p.sequenceNumber).toBe(0x1234);
    expect(p.timestamp).toBe(0xdeadbeef);
    expect(p.ssrc).toBe(0x01020304);
    expect(p.csrc).toEqual([0xcafe0001, 0xcafe0002]);
    expect(p.extension?.profile).toBe(0xbede);
    expect([...(p.extension?.data ?? [])]).toEqual([0x10, 0xaa, 0x00, 0x00]);
    expect([...p.payload]).toEqual([0xff, 0x7f, 0x00]);
    expect(p.paddingLength).toBe(3);
  });

  it('serializes the parsed packet back to the same bytes', () => {
    const p = parseRtp(FULL) as RtpPacket;
    expect(rtpSize(p)).toBe(FULL.length);
    expect([...serializeRtp(p)]).toEqual([...FULL]);
  });

  it('parses the 172-byte packet the pacer sends', () => {
    const p = parseRtp(simplePacket()) as RtpPacket;
    expect(p.sequenceNumber).toBe(65535);
    expect(p.timestamp).toBe(160);
    expect(p.ssrc).toBe(0x7fffffff);
    expect(p.payload.length).toBe(160);
    expect(p.extension).toBeUndefined();
    expect(p.csrc).toEqual([]);
  });

  it('writeRtpFixedHeader writes what parseRtp reads (hot-path writer)', () => {
    const buf = new Uint8Array(12 + 4);
    expect(writeRtpFixedHeader(buf, true, 101, 0x1_0005, 0x1_0000_0001, 0xffffffff)).toBe(12);
    expect([...buf.subarray(0, 12)]).toEqual([
      0x80, // V=2
      0xe5, // M=1, PT=101
      0x00, 0x05, // seq wraps to 5
      0x00, 0x00, 0x00, 0x01, // timestamp wraps to 1
      0xff, 0xff, 0xff, 0xff, // SSRC
    ]);
  });
});

describe('RFC 3550 §5.1 malformed packets are values, not throws', () => {
  const cases: Array<[string, Uint8Array, keyof typeof WIRE_ERRORS]> = [
    ['shorter than 12 bytes', new Uint8Array([0x80, 0x00, 0x00]), 'RTP_ERR_SHORT'],
    ['version 1', new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'RTP_ERR_VERSION'],
    ['version 0 (e.g. STUN)', new Uint8Array([0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0]), 'RTP_ERR_VERSION'],
    ['CC=15 with no CSRC bytes', new Uint8Array([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'RTP_ERR_CSRC_OVERRUN'],
    ['extension preamble missing', new Uint8Array([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde]), 'RTP_ERR_EXTENSION_OVERRUN'],
    ['extension length past the end', new Uint8Array([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0x00, 0x02, 1, 2, 3, 4]), 'RTP_ERR_EXTENSION_OVERRUN'],
    ['padding count 0', new Uint8Array([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x00]), 'RTP_ERR_PADDING'],
    ['padding count beyond payload', new Uint8Array([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x09]), 'RTP_ERR_PADDING'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      expect(parseRtp(bytes)).toBe(WIRE_ERRORS[code]);
    });
  }

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = parseRtp(bytes);
        if (!isRtpWireError(r)) expect(rtpSize(r)).toBe(bytes.length);
      }),
    );
  });
});

describe('RtpHeaderView (hot path)', () => {
  it('is reusable: a second parse replaces every field', () => {
    const v = new RtpHeaderView();
    expect(v.parse(FULL)).toBeUndefined();
    expect(v.csrcCount).toBe(2);
    expect(v.csrc(1)).toBe(0xcafe0002);
    expect(v.parse(simplePacket())).toBeUndefined();
    expect(v.csrcCount).toBe(0);
    expect(v.hasExtension).toBe(false);
    expect(v.paddingLength).toBe(0);
    expect(v.payloadOffset).toBe(12);
    expect(v.payloadLength).toBe(160);
    expect(v.payload().buffer).toBe(v.buffer.buffer); // a view, not a copy
  });

  it('leaves the view untouched when the packet is malformed', () => {
    const v = new RtpHeaderView();
    v.parse(simplePacket());
    expect(v.parse(new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(WIRE_ERRORS.RTP_ERR_VERSION);
    expect(v.sequenceNumber).toBe(65535);
  });
});

const arbPacket: fc.Arbitrary<RtpPacket> = fc.record({
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
  extension: fc.option(
    fc.record({
      profile: fc.integer({ min: 0, max: 0xffff }),
      data: fc.integer({ min: 0, max: 8 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
    }),
    { nil: undefined },
  ),
  payload: fc.uint8Array({ maxLength: 320 }),
  paddingLength: fc.integer({ min: 0, max: 255 }),
});

describe('RTP round trip (property)', () => {
  it('parseRtp(serializeRtp(p)) == p for every valid packet', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        const bytes = serializeRtp(p);
        expect(bytes.length).toBe(rtpSize(p));
        const back = parseRtp(bytes);
        if (isRtpWireError(back)) throw new Error(back.message);
        expect({ ...back, payload: [...back.payload], extension: back.extension && { profile: back.extension.profile, data: [...back.extension.data] } }).toEqual({
          ...p,
          payload: [...p.payload],
          extension: p.extension && { profile: p.extension.profile, data: [...p.extension.data] },
        });
      }),
    );
  });

  it('serializes into a caller buffer without allocating a new one', () => {
    const out = new Uint8Array(1500);
    const p = parseRtp(FULL) as RtpPacket;
    const written = serializeRtp(p, out);
    expect(written.buffer).toBe(out.buffer);
    expect(() => serializeRtp(p, new Uint8Array(10))).toThrow(RangeError);
  });
});
