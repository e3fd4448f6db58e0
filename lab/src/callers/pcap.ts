/**
 * Writes a libpcap file of RTP packets (Ethernet/IPv4/UDP) for SIPp's `play_pcap_audio`, which
 * replays the RTP payloads with their original spacing towards the media address the far end's
 * SDP gave. Addresses inside the capture are placeholders SIPp rewrites; they are loopback anyway.
 */
export interface RtpPacketSpec {
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
  /** Send time relative to the first packet, microseconds. */
  timeUs: number;
}

const ETH_HEADER = 14;
const IP_HEADER = 20;
const UDP_HEADER = 8;
const RTP_HEADER = 12;

export function pcapOfRtp(packets: RtpPacketSpec[], srcPort = 6000, dstPort = 6002): Buffer {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // magic, microsecond timestamps
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeInt32LE(0, 8);
  global.writeUInt32LE(0, 12);
  global.writeUInt32LE(65535, 16); // snaplen
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(global);
  const baseSec = 1_700_000_000;
  for (const p of packets) {
    const udpLen = UDP_HEADER + RTP_HEADER + p.payload.length;
    const ipLen = IP_HEADER + udpLen;
    const frame = Buffer.alloc(ETH_HEADER + ipLen);
    // Ethernet: locally administered MACs, EtherType IPv4.
    frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
    frame.writeUInt16BE(0x0800, 12);
    const ip = ETH_HEADER;
    frame[ip] = 0x45;
    frame.writeUInt16BE(ipLen, ip + 2);
    frame[ip + 8] = 64; // TTL
    frame[ip + 9] = 17; // UDP
    frame.set([127, 0, 0, 1], ip + 12);
    frame.set([127, 0, 0, 1], ip + 16);
    let sum = 0;
    for (let i = 0; i < IP_HEADER; i += 2) sum += frame.readUInt16BE(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    frame.writeUInt16BE(~sum & 0xffff, ip + 10);
    const udp = ip + IP_HEADER;
    frame.writeUInt16BE(srcPort, udp);
    frame.writeUInt16BE(dstPort, udp + 2);
    frame.writeUInt16BE(udpLen, udp + 4);
    const rtp = udp + UDP_HEADER;
    frame[rtp] = 0x80;
    frame[rtp + 1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
    frame.writeUInt16BE(p.seq & 0xffff, rtp + 2);
    frame.writeUInt32BE(p.timestamp >>> 0, rtp + 4);
    frame.writeUInt32BE(p.ssrc >>> 0, rtp + 8);
    frame.set(p.payload, rtp + RTP_HEADER);
    const rec = Buffer.alloc(16);
    const t = baseSec * 1_000_000 + p.timeUs;
    rec.writeUInt32LE(Math.floor(t / 1_000_000), 0);
    rec.writeUInt32LE(t % 1_000_000, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}
