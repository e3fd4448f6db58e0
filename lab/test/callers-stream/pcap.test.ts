/** pcapOfRtp: a libpcap file SIPp can replay and Wireshark can read (Ethernet / IPv4 / UDP / RTP). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapOfRtp, type RtpPacketSpec } from '../../src/callers/pcap.js';
import { decodeFrame, readPcap } from './helpers.js';

const BASE_SEC = 1_700_000_000; // the capture's fixed epoch

/** Four packets: across the 16-bit sequence and 32-bit timestamp wraps, one telephone-event, one a second later. */
const specs: RtpPacketSpec[] = [
  { payloadType: 0, seq: 65534, timestamp: 0xffffff60, ssrc: 0xdeadbeef, marker: true, payload: Buffer.alloc(160, 0xff), timeUs: 0 },
  { payloadType: 0, seq: 65535, timestamp: 0x00000000, ssrc: 0xdeadbeef, marker: false, payload: Buffer.alloc(160, 0x7e), timeUs: 20_000 },
  { payloadType: 101, seq: 0x10000, timestamp: 0x000000a0, ssrc: 0xdeadbeef, marker: true, payload: Buffer.from([0x05, 0x0a, 0x00, 0xa0]), timeUs: 40_000 },
  { payloadType: 8, seq: 1, timestamp: 0x00000140, ssrc: 0xdeadbeef, marker: false, payload: Buffer.alloc(160, 0xd5), timeUs: 1_060_000 },
];
const frameLength = (p: RtpPacketSpec) => 14 + 20 + 8 + 12 + p.payload.length;
const pcap = pcapOfRtp(specs);

describe('pcapOfRtp', () => {
  it('writes the classic global header: microsecond magic, v2.4, snaplen 65535, Ethernet', () => {
    expect([...pcap.subarray(0, 24)]).toEqual([
      0xd4, 0xc3, 0xb2, 0xa1, // magic 0xa1b2c3d4, little-endian, µs timestamps
      0x02, 0x00, 0x04, 0x00, // version 2.4
      0x00, 0x00, 0x00, 0x00, // thiszone 0
      0x00, 0x00, 0x00, 0x00, // sigfigs 0
      0xff, 0xff, 0x00, 0x00, // snaplen 65535
      0x01, 0x00, 0x00, 0x00, // LINKTYPE_ETHERNET
    ]);
  });

  it('one record per packet, lengths exact, times from the fixed epoch', () => {
    const file = readPcap(pcap);
    expect(pcap.length).toBe(24 + specs.reduce((n, p) => n + 16 + frameLength(p), 0));
    expect(file.records.map((r) => [r.tsSec - BASE_SEC, r.tsUsec, r.inclLen, r.origLen])).toEqual(specs.map((p) => [Math.floor(p.timeUs / 1e6), p.timeUs % 1e6, frameLength(p), frameLength(p)]));
  });

  it('IPv4 headers are well-formed with a valid checksum; UDP lengths and ports match', () => {
    readPcap(pcap).records.forEach((r, i) => {
      const f = decodeFrame(r.frame);
      const p = specs[i]!;
      expect(f).toMatchObject({ etherType: 0x0800, ipVersionIhl: 0x45, ttl: 64, protocol: 17, src: '127.0.0.1', dst: '127.0.0.1', srcPort: 6000, dstPort: 6002 });
      expect(f.ipTotalLength).toBe(frameLength(p) - 14);
      expect(f.udpLength).toBe(frameLength(p) - 14 - 20);
      expect(f.ipHeaderSum, `packet ${i}`).toBe(0xffff);
    });
  });

  it('RTP headers carry each packet’s fields (sequence and timestamp modulo 2^16 / 2^32) and the payload', () => {
    readPcap(pcap).records.forEach((r, i) => {
      const f = decodeFrame(r.frame);
      const p = specs[i]!;
      expect(f).toMatchObject({ rtpVersion: 2, marker: p.marker, pt: p.payloadType, seq: p.seq & 0xffff, timestamp: p.timestamp >>> 0, ssrc: p.ssrc });
      expect(f.payload.equals(Buffer.from(p.payload))).toBe(true);
    });
  });

  it('uses the given UDP ports', () => {
    const f = decodeFrame(readPcap(pcapOfRtp(specs.slice(0, 1), 40000, 40002)).records[0]!.frame);
    expect([f.srcPort, f.dstPort]).toEqual([40000, 40002]);
  });

  it('no packets: just the global header', () => {
    expect(pcapOfRtp([]).length).toBe(24);
  });

  describe('read by Wireshark’s tshark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-pcap-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const haveTshark = spawnSync('tshark', ['-v'], { timeout: 20_000 }).status === 0;

    // Where tshark is installed it is the independent reader; elsewhere the byte-level reader above stands in.
    it(haveTshark ? 'tshark decodes every packet as RTP with the right fields and a good IPv4 checksum' : 'tshark is not installed: the byte-level reader decodes every packet', () => {
      const expected = specs.map((p) => [String(BASE_SEC + p.timeUs / 1e6), 'good', String(p.seq & 0xffff), String(p.payloadType), String(p.timestamp >>> 0), p.marker ? '1' : '0', String(frameLength(p))]);
      let got: string[][];
      if (haveTshark) {
        const file = join(dir, 'caller.pcap');
        writeFileSync(file, pcap);
        const run = spawnSync(
          'tshark',
          ['-r', file, '-n', '-o', 'ip.check_checksum:TRUE', '-d', 'udp.port==6002,rtp', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'ip.checksum.status', '-e', 'rtp.seq', '-e', 'rtp.p_type', '-e', 'rtp.timestamp', '-e', 'rtp.marker', '-e', 'frame.len'],
          { encoding: 'utf8', timeout: 30_000 },
        );
        expect(run.status, run.stderr).toBe(0);
        // ip.checksum.status: 1 = good (Wireshark's PROTO_CHECKSUM_E_GOOD).
        got = run.stdout.trim().split('\n').map((l) => l.split(',')).map(([t, ck, ...rest]) => [String(Number(t)), ck === '1' ? 'good' : `bad(${ck})`, ...rest]);
      } else {
        got = readPcap(pcap).records.map((r) => {
          const f = decodeFrame(r.frame);
          return [String(r.tsSec + r.tsUsec / 1e6), f.ipHeaderSum === 0xffff ? 'good' : 'bad', String(f.seq), String(f.pt), String(f.timestamp), f.marker ? '1' : '0', String(r.inclLen)];
        });
      }
      expect(got).toEqual(expected);
    });
  });
});
