import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRtpWireError, WIRE_ERRORS } from '../../src/rtp/errors.js';
import { isRtcpOnMuxedPort } from '../../src/rtp/rtcp/common.js';
import { parseRtcp, rtcpSize, serializeRtcp, type RtcpPacket } from '../../src/rtp/rtcp/compound.js';
import { rtcpIntervalMs } from '../../src/rtp/rtcp/interval.js';
import { NTP_UNIX_OFFSET_S, ntpFromWallMs, ntpMiddle32, rttFromReportMs } from '../../src/rtp/rtcp/ntp.js';
import { SDES_CNAME } from '../../src/rtp/rtcp/source-description.js';

const SR = [
  0x81, 0xc8, 0x00, 0x0c, // V=2 P=0 RC=1, PT=200 (SR), length=12 words-1 (52 bytes)
  0x00, 0x00, 0x00, 0x01, // SSRC of sender = 1
  0xe9, 0x2c, 0x3b, 0x40, // NTP seconds (msw)
  0x80, 0x00, 0x00, 0x00, // NTP fraction (lsw) = 0.5 s
  0x00, 0x00, 0x03, 0x20, // RTP timestamp = 800
  0x00, 0x00, 0x00, 0x32, // sender's packet count = 50
  0x00, 0x00, 0x1f, 0x40, // sender's octet count = 8000
  0x00, 0x00, 0x00, 0x02, // report block: SSRC_1 = 2
  0x40, 0xff, 0xff, 0xfe, // fraction lost = 64/256, cumulative lost = -2 (24-bit signed)
  0x00, 0x01, 0x00, 0x05, // extended highest seq = cycle 1, seq 5
  0x00, 0x00, 0x00, 0x10, // interarrival jitter = 16
  0x3b, 0x40, 0x80, 0x00, // LSR (middle 32 bits of an NTP time)
  0x00, 0x01, 0x00, 0x00, // DLSR = 65536/65536 s = 1 s
];

const RR_EMPTY = [
  0x80, 0xc9, 0x00, 0x01, // V=2 RC=0, PT=201 (RR), length=1 (8 bytes)
  0x00, 0x00, 0x00, 0x02, // SSRC of packet sender = 2
];

const SDES = [
  0x81, 0xca, 0x00, 0x04, // V=2 SC=1, PT=202 (SDES), length=4 (20 bytes)
  0x00, 0x00, 0x00, 0x02, // chunk SSRC = 2
  0x01, 0x09, // item CNAME, 9 octets
  0x75, 0x73, 0x65, 0x72, 0x40, 0x68, 0x6f, 0x73, 0x74, // "user@host"
  0x00, // end of item list (also pads the chunk to 16 bytes)
];

const BYE = [
  0x81, 0xcb, 0x00, 0x02, // V=2 SC=1, PT=203 (BYE), length=2 (12 bytes)
  0x00, 0x00, 0x00, 0x02, // SSRC = 2
  0x03, 0x62, 0x79, 0x65, // reason length 3, "bye"
];

const APP = [
  0x85, 0xcc, 0x00, 0x02, // V=2 subtype=5, PT=204 (APP), length=2 (12 bytes)
  0x00, 0x00, 0x00, 0x02, // SSRC = 2
  0x54, 0x45, 0x53, 0x54, // name "TEST"
];

describe('RFC 3550 §6.4.1 sender report', () => {
  it('parses sender info and a report block with negative cumulative loss', () => {
    const r = parseRtcp(new Uint8Array(SR));
    if (isRtpWireError(r)) throw new Error(r.message);
    expect(r).toHaveLength(1);
    const sr = r[0];
    if (sr?.type !== 'sr') throw new Error('not an SR');
    expect(sr).toMatchObject({ ssrc: 1, ntpSeconds: 0xe92c3b40, ntpFraction: 0x80000000, rtpTimestamp: 800, packetCount: 50, octetCount: 8000 });
    expect(sr.reports).toEqual([
      { ssrc: 2, fractionLost: 64, cumulativeLost: -2, extendedHighestSeq: 0x10005, jitter: 16, lastSr: 0x3b408000, delaySinceLastSr: 0x10000 },
    ]);
    expect([...serializeRtcp(r)]).toEqual(SR);
  });

  it('rejects an SR whose RC promises a block that is not there', () => {
    const truncated = [0x81, 0xc8, 0x00, 0x06, ...SR.slice(4, 28)];
    expect(parseRtcp(new Uint8Array(truncated))).toBe(WIRE_ERRORS.RTCP_ERR_TRUNCATED);
  });
});

describe('RFC 3550 §6.4.2 receiver report', () => {
  it('parses an RR without report blocks', () => {
    expect(parseRtcp(new Uint8Array(RR_EMPTY))).toEqual([{ type: 'rr', ssrc: 2, reports: [], profileExtension: new Uint8Array(0) }]);
  });

  it('clamps cumulative lost to 24 signed bits when writing', () => {
    const rr: RtcpPacket = {
      type: 'rr',
      ssrc: 9,
      reports: [{ ssrc: 1, fractionLost: 0, cumulativeLost: 1e9, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }],
      profileExtension: new Uint8Array(0),
    };
    const back = parseRtcp(serializeRtcp([rr]));
    if (isRtpWireError(back) || back[0]?.type !== 'rr') throw new Error('bad');
    expect(back[0].reports[0]?.cumulativeLost).toBe(0x7fffff);
  });
});

describe('RFC 3550 §6.5 SDES and §6.6 BYE', () => {
  it('parses a CNAME chunk padded with its null terminator', () => {
    expect(parseRtcp(new Uint8Array(SDES))).toEqual([{ type: 'sdes', chunks: [{ source: 2, items: [{ type: SDES_CNAME, text: 'user@host' }] }] }]);
    expect([...serializeRtcp(parseRtcp(new Uint8Array(SDES)) as RtcpPacket[])]).toEqual(SDES);
  });

  it('rejects an SDES item that runs past its packet', () => {
    const bad = [...SDES];
    bad[9] = 0x40; // item length 64 > what is left
    expect(parseRtcp(new Uint8Array(bad))).toBe(WIRE_ERRORS.RTCP_ERR_SDES);
  });

  it('parses a BYE with a reason', () => {
    expect(parseRtcp(new Uint8Array(BYE))).toEqual([{ type: 'bye', sources: [2], reason: 'bye' }]);
    expect([...serializeRtcp([{ type: 'bye', sources: [2], reason: 'bye' }])]).toEqual(BYE);
  });
});

describe('RFC 3550 §6.1 compound packets', () => {
  it('parses RR + SDES + BYE + an unknown type kept raw, and writes them back unchanged', () => {
    const bytes = new Uint8Array([...RR_EMPTY, ...SDES, ...APP, ...BYE]);
    const r = parseRtcp(bytes);
    if (isRtpWireError(r)) throw new Error(r.message);
    expect(r.map((p) => p.type)).toEqual(['rr', 'sdes', 'raw', 'bye']);
    const raw = r[2];
    if (raw?.type !== 'raw') throw new Error('not raw');
    expect(raw.packetType).toBe(204);
    expect(raw.count).toBe(5);
    expect(rtcpSize(r)).toBe(bytes.length);
    expect([...serializeRtcp(r)]).toEqual([...bytes]);
  });

  it('strips padding of the last packet (A.2)', () => {
    const padded = [0xa0, 0xc9, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04]; // RR, P=1, 4 octets of padding
    expect(parseRtcp(new Uint8Array(padded))).toEqual([{ type: 'rr', ssrc: 2, reports: [], profileExtension: new Uint8Array(0) }]);
  });

  it('rejects a length field that runs past the datagram and a wrong version', () => {
    expect(parseRtcp(new Uint8Array([0x80, 0xc9, 0x00, 0x05, 0, 0, 0, 2]))).toBe(WIRE_ERRORS.RTCP_ERR_LENGTH);
    expect(parseRtcp(new Uint8Array([0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 2]))).toBe(WIRE_ERRORS.RTP_ERR_VERSION);
    expect(parseRtcp(new Uint8Array([0x80, 0xc9]))).toBe(WIRE_ERRORS.RTP_ERR_SHORT);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (b) => void parseRtcp(b)));
  });

  it('round-trips generated compound packets (property)', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const block = fc.record({
      ssrc: u32,
      fractionLost: fc.integer({ min: 0, max: 255 }),
      cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
      extendedHighestSeq: u32,
      jitter: u32,
      lastSr: u32,
      delaySinceLastSr: u32,
    });
    const text = fc.string({ maxLength: 40 });
    const packet: fc.Arbitrary<RtcpPacket> = fc.oneof(
      fc.record({
        type: fc.constant('sr' as const),
        ssrc: u32,
        ntpSeconds: u32,
        ntpFraction: u32,
        rtpTimestamp: u32,
        packetCount: u32,
        octetCount: u32,
        reports: fc.array(block, { maxLength: 4 }),
        profileExtension: fc.constant(new Uint8Array(0)),
      }),
      fc.record({ type: fc.constant('rr' as const), ssrc: u32, reports: fc.array(block, { maxLength: 4 }), profileExtension: fc.constant(new Uint8Array(0)) }),
      fc.record({
        type: fc.constant('sdes' as const),
        chunks: fc.array(fc.record({ source: u32, items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 8 }), text }), { maxLength: 3 }) }), { maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('bye' as const), sources: fc.array(u32, { maxLength: 4 }), reason: fc.option(text, { nil: undefined }) }),
    );
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 4 }), (packets) => {
        const bytes = serializeRtcp(packets);
        expect(bytes.length % 4).toBe(0);
        const back = parseRtcp(bytes);
        if (isRtpWireError(back)) throw new Error(back.message);
        expect(back).toEqual(packets);
      }),
    );
  });
});

describe('RFC 5761 §4 RTP/RTCP demultiplexing', () => {
  it('treats second octets 192..223 as RTCP', () => {
    expect(isRtcpOnMuxedPort(new Uint8Array(SR))).toBe(true);
    expect(isRtcpOnMuxedPort(new Uint8Array([0x80, 0x00]))).toBe(false); // PCMU
    expect(isRtcpOnMuxedPort(new Uint8Array([0x80, 0xe5]))).toBe(false); // M=1 PT=101
  });
});

describe('RFC 3550 §4 NTP timestamps and §6.4.1 round-trip time', () => {
  it('maps the Unix epoch to NTP era 0 seconds 2208988800', () => {
    expect(ntpFromWallMs(0)).toEqual({ seconds: NTP_UNIX_OFFSET_S, fraction: 0 });
    expect(ntpFromWallMs(1500).fraction).toBe(0x80000000);
  });

  it('computes RTT = A - LSR - DLSR in ms', () => {
    const lsr = ntpMiddle32(0x0000_1000, 0x0000_0000); // 4096 s
    const dlsr = 0x8000; // 0.5 s
    const arrival = ntpMiddle32(0x0000_1000, 0xc000_0000); // 4096.75 s
    expect(rttFromReportMs(arrival, lsr, dlsr)).toBeCloseTo(250, 6);
    expect(rttFromReportMs(arrival, 0, dlsr)).toBeUndefined(); // no SR seen yet
    expect(rttFromReportMs(lsr, arrival, 0)).toBeUndefined(); // negative: skewed clocks
  });
});

describe('RFC 3550 §6.3.1 / A.7 RTCP interval', () => {
  const twoParty = { members: 2, senders: 2, rtcpBandwidth: 500, weSent: true, avgRtcpSize: 100, initial: false };

  it('is the 5 s minimum randomised by [0.5, 1.5) and divided by e - 3/2', () => {
    expect(rtcpIntervalMs(twoParty, () => 0.5)).toBeCloseTo(5000 / (Math.E - 1.5), 6);
    expect(rtcpIntervalMs({ ...twoParty, initial: true }, () => 0.5)).toBeCloseTo(2500 / (Math.E - 1.5), 6);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), (r) => {
        const t = rtcpIntervalMs(twoParty, () => r);
        expect(t).toBeGreaterThanOrEqual((5000 * 0.5) / (Math.E - 1.5) - 1e-9);
        expect(t).toBeLessThan((5000 * 1.5) / (Math.E - 1.5));
      }),
    );
  });

  it('grows with membership when bandwidth, not the minimum, binds', () => {
    const big = { members: 1000, senders: 1, rtcpBandwidth: 500, weSent: false, avgRtcpSize: 100, initial: false };
    // receivers share 75 % of 500 B/s among 999 members: 100 * 999 / 375 s
    expect(rtcpIntervalMs(big, () => 0.5)).toBeCloseTo(((100 * 999) / 375 / (Math.E - 1.5)) * 1000, 3);
  });
});
