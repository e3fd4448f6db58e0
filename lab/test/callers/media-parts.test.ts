/** Talk detection, received-audio assembly, RTCP statistics (RFC 3550 A.3, A.8) and the report bytes. */
import { describe, expect, it } from 'vitest';
import { ReceiveStats } from '../../src/callers/lab-caller/media/receive-stats.js';
import { ReceivedAudio } from '../../src/callers/lab-caller/media/received-audio.js';
import { buildSenderReport, senderReportNtpMiddle } from '../../src/callers/lab-caller/media/rtcp-report.js';
import { TalkDetector } from '../../src/callers/lab-caller/media/talk-detector.js';

describe('TalkDetector', () => {
  it('measures a talkspurt from its first loud frame, bridging short pauses', () => {
    const d = new TalkDetector(-45, 250);
    d.onFrame(-60, 0);
    expect(d.talkingForMs(0)).toBe(0);
    d.onFrame(-30, 20);
    d.onFrame(-30, 40);
    d.onFrame(-70, 60); // a pause between words
    d.onFrame(-30, 200);
    expect(d.onsetAt(200)).toBe(20);
    expect(d.talkingForMs(320)).toBe(300);
    // A pause longer than the hangover ends it.
    d.onFrame(-70, 460);
    expect(d.talkingForMs(460)).toBe(0);
    d.onFrame(-30, 480);
    expect(d.onsetAt(480)).toBe(480);
  });
});

describe('ReceivedAudio', () => {
  const frame = (v: number): Int16Array => new Int16Array(160).fill(v);

  it('places frames by RTP timestamp: reordering undone, losses left silent, wrap-around handled', () => {
    const a = new ReceivedAudio(8_000);
    const ts0 = 0xffff_ff60; // wraps after the first frame
    a.add(9, ts0, 100, 0, frame(1), 160);
    a.add(9, (ts0 + 320) >>> 0, 121, 0, frame(3), 160); // arrives before frame 2
    a.add(9, (ts0 + 160) >>> 0, 122, 0, frame(2), 160);
    a.add(9, (ts0 + 640) >>> 0, 180, 0, frame(5), 160); // frame 4 lost
    const s = a.samples();
    const base = 800; // 100 ms after t0
    expect(s.length).toBe(base + 5 * 160);
    expect([s[base], s[base + 160], s[base + 320], s[base + 480], s[base + 640]]).toEqual([1, 2, 3, 0, 5]);
  });

  it('starts a new segment at the arrival time on an SSRC change, and never grows past its bound', () => {
    const a = new ReceivedAudio(2_000);
    a.add(1, 0, 0, 0, frame(1), 160);
    a.add(2, 123_456, 100, 0, frame(2), 160);
    a.add(2, 123_456 + 8_000, 1_100, 0, frame(3), 160); // beyond 2000 samples
    const s = a.samples();
    expect(s[0]).toBe(1);
    expect(s[800]).toBe(2);
    expect(s.length).toBe(960);
  });
});

describe('RFC 3550 A.3 / A.8 receive statistics', () => {
  it('counts loss against the extended highest sequence and computes jitter', () => {
    const st = new ReceiveStats();
    // Sequence wraps 65534 → 1; 65536 (=0) is lost. Arrivals 20 ms apart except one 10 ms late.
    const seqs = [65_533, 65_534, 65_535, 1, 2];
    const arrivals = [0, 20, 40, 90, 100];
    seqs.forEach((seq, i) => st.onPacket(77, seq, 1_000 + (seq >= 65_533 ? seq - 65_533 : seq + 3) * 160, arrivals[i]!));
    const b = st.block(200)!;
    expect(b.ssrc).toBe(77);
    expect(b.extendedHighestSeq).toBe(65_536 + 2);
    expect(b.cumulativeLost).toBe(1);
    expect(b.fractionLost).toBe(Math.floor((1 * 256) / 6));
    // Transit differences in timestamp units: 0, 0, +80 (10 ms late), -80.
    const j = [0, 0, 80, 80].reduce((J, d) => J + (d - J) / 16, 0);
    expect(b.jitter).toBe(Math.round(j));
    expect([b.lsr, b.dlsr]).toEqual([0, 0]);
  });

  it('reports LSR and DLSR (1/65536 s) from the last sender report', () => {
    const st = new ReceiveStats();
    st.onPacket(1, 10, 0, 0);
    st.onSenderReport(0x1234_5678, 1_000);
    const b = st.block(1_500)!;
    expect(b.lsr).toBe(0x1234_5678);
    expect(b.dlsr).toBe(32_768);
  });
});

describe('RFC 3550 §6.4.1 sender report bytes', () => {
  it('writes SR + one report block + SDES CNAME', () => {
    const wallMs = 1_700_000_000_500; // .5 s past a whole second
    const sr = buildSenderReport(
      { ssrc: 0x0102_0304, wallMs, rtpTimestamp: 0xa0b0_c0d0, packets: 50, octets: 8_000 },
      { ssrc: 0x0506_0708, fractionLost: 25, cumulativeLost: -2, extendedHighestSeq: 0x0001_0002, jitter: 33, lsr: 0xdead_beef, dlsr: 65_536 },
      'ab',
    );
    const ntpSec = Math.floor(wallMs / 1000) + 2_208_988_800;
    const expected = Buffer.from([
      0x81, 200, 0x00, 0x0c, // V=2 P=0 RC=1, PT=SR, length=12 (52 bytes / 4 - 1)
      0x01, 0x02, 0x03, 0x04, // SSRC of sender
      ...u32(ntpSec), // NTP seconds
      0x80, 0x00, 0x00, 0x00, // NTP fraction = 0.5
      0xa0, 0xb0, 0xc0, 0xd0, // RTP timestamp
      0x00, 0x00, 0x00, 50, // packet count
      0x00, 0x00, 0x1f, 0x40, // octet count 8000
      0x05, 0x06, 0x07, 0x08, // report block: source SSRC
      25, 0xff, 0xff, 0xfe, // fraction lost 25, cumulative lost -2 (24-bit two's complement)
      0x00, 0x01, 0x00, 0x02, // extended highest sequence
      0x00, 0x00, 0x00, 33, // jitter
      0xde, 0xad, 0xbe, 0xef, // LSR
      0x00, 0x01, 0x00, 0x00, // DLSR = 1 s
      0x81, 202, 0x00, 0x03, // SDES, SC=1, length=3 (16 bytes / 4 - 1)
      0x01, 0x02, 0x03, 0x04, // chunk SSRC
      0x01, 0x02, 0x61, 0x62, // CNAME, length 2, "ab"
      0x00, 0x00, 0x00, 0x00, // END + padding to 32 bits
    ]);
    expect(sr.toString('hex')).toBe(expected.toString('hex'));
    expect(senderReportNtpMiddle(sr)).toBe(((ntpSec & 0xffff) * 65_536 + 0x8000) >>> 0);
    expect(senderReportNtpMiddle(sr.subarray(0, 20))).toBeUndefined();
  });
});

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
