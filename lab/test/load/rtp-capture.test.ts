/** Reading a loopback capture back into the gateway's per-port RTP traffic (what dumpcap writes). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapOfRtp, type RtpPacketSpec } from '../../src/callers/pcap.js';
import { captureFilter, readRtpCapture } from '../../src/load/rtp-capture.js';
import { pacingSummary } from '../../src/load/pacing-meter.js';

const dir = mkdtempSync(join(tmpdir(), 'rtp-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stream = (n: number, lateAt: number, lateUs: number): RtpPacketSpec[] =>
  Array.from({ length: n }, (_, i) => ({ payloadType: 0, seq: i, timestamp: 1000 + i * 160, ssrc: 0x1234, marker: false, payload: new Uint8Array(160), timeUs: i * 20_000 + (i === lateAt ? lateUs : 0) }));

describe('readRtpCapture', () => {
  it("meters the gateway's outbound packets on their RTP-timestamp grid and counts both directions by gateway port", () => {
    const file = join(dir, 'a.pcap');
    // pcapOfRtp writes 127.0.0.1:6000 → 127.0.0.1:6002; 100 packets, one 7 ms late.
    writeFileSync(file, pcapOfRtp(stream(100, 50, 7_000), 6000, 6002));
    const out = readRtpCapture(file, { host: '127.0.0.1', portMin: 6000, portMax: 6000 });
    expect([...out.keys()]).toEqual([6000]);
    const t = out.get(6000)!;
    expect(t.outPackets).toBe(100);
    expect(t.inPackets).toBe(0);
    const s = pacingSummary([t.outbound]);
    expect(s.packets).toBe(100);
    expect(s.maxMs).toBeCloseTo(7, 1);
    expect(s.p50Ms).toBeLessThan(0.1);
    // The same file seen from the receiving port: inbound only, nothing metered.
    const back = readRtpCapture(file, { host: '127.0.0.1', portMin: 6002, portMax: 6002 }).get(6002)!;
    expect(back.inPackets).toBe(100);
    expect(back.outPackets).toBe(0);
    // Outside the range: nothing.
    expect(readRtpCapture(file, { host: '127.0.0.1', portMin: 7000, portMax: 7100 }).size).toBe(0);
  });

  it('reads a file larger than its read window (records across the chunk edge) and refuses what is not a pcap', () => {
    const file = join(dir, 'big.pcap');
    writeFileSync(file, pcapOfRtp(stream(60_000, -1, 0), 6000, 6002)); // ~13 MB: two 8 MB windows
    expect(readRtpCapture(file, { host: '127.0.0.1', portMin: 6000, portMax: 6000 }).get(6000)?.outPackets).toBe(60_000);
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, Buffer.alloc(100, 7));
    expect(() => readRtpCapture(junk, { host: '127.0.0.1', portMin: 1, portMax: 2 })).toThrow(/not a little-endian classic pcap/);
  });

  it('the filter selects UDP from or to the gateway ports only', () => {
    expect(captureFilter({ host: '127.0.0.1', portMin: 40000, portMax: 41400 })).toBe(
      'udp and ((src host 127.0.0.1 and src portrange 40000-41400) or (dst host 127.0.0.1 and dst portrange 40000-41400))',
    );
  });
});
