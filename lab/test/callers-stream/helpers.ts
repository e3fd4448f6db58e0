/** An independent libpcap reader (Ethernet/IPv4/UDP/RTP) and WAV fixtures for the caller-stream tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wavBytes } from '../../src/callers/wav.js';

export interface PcapRecord {
  tsSec: number;
  tsUsec: number;
  inclLen: number;
  origLen: number;
  frame: Buffer;
}

export interface PcapFile {
  magic: number;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linktype: number;
  records: PcapRecord[];
}

/** Reads a little-endian microsecond pcap (the classic format, https://wiki.wireshark.org/Development/LibpcapFileFormat). */
export function readPcap(buf: Buffer): PcapFile {
  const file: PcapFile = {
    magic: buf.readUInt32LE(0),
    versionMajor: buf.readUInt16LE(4),
    versionMinor: buf.readUInt16LE(6),
    thiszone: buf.readInt32LE(8),
    sigfigs: buf.readUInt32LE(12),
    snaplen: buf.readUInt32LE(16),
    linktype: buf.readUInt32LE(20),
    records: [],
  };
  let off = 24;
  for (let guard = 0; off < buf.length && guard < 1_000_000; guard++) {
    if (off + 16 > buf.length) throw new Error(`truncated record header at ${off}`);
    const inclLen = buf.readUInt32LE(off + 8);
    if (off + 16 + inclLen > buf.length) throw new Error(`truncated record at ${off}`);
    file.records.push({ tsSec: buf.readUInt32LE(off), tsUsec: buf.readUInt32LE(off + 4), inclLen, origLen: buf.readUInt32LE(off + 12), frame: buf.subarray(off + 16, off + 16 + inclLen) });
    off += 16 + inclLen;
  }
  return file;
}

export interface DecodedFrame {
  etherType: number;
  ipVersionIhl: number;
  ipTotalLength: number;
  ttl: number;
  protocol: number;
  /** One's-complement sum of the IPv4 header including its checksum: 0xffff when the checksum is right. */
  ipHeaderSum: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  udpLength: number;
  rtpVersion: number;
  marker: boolean;
  pt: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function decodeFrame(frame: Buffer): DecodedFrame {
  const ip = 14;
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += frame.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const udp = ip + 20;
  const rtp = udp + 8;
  return {
    etherType: frame.readUInt16BE(12),
    ipVersionIhl: frame[ip]!,
    ipTotalLength: frame.readUInt16BE(ip + 2),
    ttl: frame[ip + 8]!,
    protocol: frame[ip + 9]!,
    ipHeaderSum: sum,
    src: [...frame.subarray(ip + 12, ip + 16)].join('.'),
    dst: [...frame.subarray(ip + 16, ip + 20)].join('.'),
    srcPort: frame.readUInt16BE(udp),
    dstPort: frame.readUInt16BE(udp + 2),
    udpLength: frame.readUInt16BE(udp + 4),
    rtpVersion: frame[rtp]! >> 6,
    marker: (frame[rtp + 1]! & 0x80) !== 0,
    pt: frame[rtp + 1]! & 0x7f,
    seq: frame.readUInt16BE(rtp + 2),
    timestamp: frame.readUInt32BE(rtp + 4),
    ssrc: frame.readUInt32BE(rtp + 8),
    payload: frame.subarray(rtp + 12),
  };
}

/** Every packet of a pcap, decoded, with its send time in µs from the first. */
export function packetsOf(pcap: Buffer): Array<DecodedFrame & { timeUs: number }> {
  const { records } = readPcap(pcap);
  const t0 = records[0] ? records[0].tsSec * 1e6 + records[0].tsUsec : 0;
  return records.map((r) => ({ ...decodeFrame(r.frame), timeUs: r.tsSec * 1e6 + r.tsUsec - t0 }));
}

/** Writes WAV fixtures into a fresh temporary folder and returns their paths. */
export function wavFixtures(files: Record<string, { samples: Int16Array; rate?: number }>): { dir: string; path: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-caller-stream-'));
  for (const [name, f] of Object.entries(files)) writeFileSync(join(dir, name), wavBytes(f.samples, f.rate ?? 8000));
  return { dir, path: (name) => join(dir, name) };
}

/** A ramp-plus-tone utterance: every sample distinct enough that a frame offset error shows. */
export function utterance(n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000) + (i % 97) * 40);
  return out;
}
