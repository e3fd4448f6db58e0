/**
 * The gateway's RTP as the kernel saw it: a load run can capture loopback with dumpcap (kernel
 * timestamps, taken as each packet crosses `lo`, whatever the lab's own processes are doing) instead
 * of relaying media through the tap, whose Node event loop cannot carry hundreds of calls' media on
 * one core and then measures itself. `readRtpCapture` reads the file back per gateway RTP port:
 * outbound packets into a PacingMeter (lateness against each stream's RTP-timestamp grid, the same
 * figure as the tap's) and both directions counted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { PacingMeter } from './pacing-meter.js';

export interface CaptureFilter {
  /** The gateway's RTP address (IPv4, loopback) and port range. */
  host: string;
  portMin: number;
  portMax: number;
}

export interface PortTraffic {
  /** RTP the gateway sent from this port (RTCP excluded), metered. */
  outbound: PacingMeter;
  outPackets: number;
  /** RTP sent to this port. */
  inPackets: number;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
/** Enough for Ethernet + IPv4 + UDP + the RTP fixed header, with IP options. */
export const CAPTURE_SNAPLEN = 96;
const CHUNK = 8 * 1024 * 1024;

/** The BPF filter: UDP from or to the gateway's RTP ports. */
export function captureFilter(f: CaptureFilter): string {
  return `udp and ((src host ${f.host} and src portrange ${f.portMin}-${f.portMax}) or (dst host ${f.host} and dst portrange ${f.portMin}-${f.portMax}))`;
}

/** Whether this process can capture: dumpcap installed and we are root (no reliance on file capabilities). */
export function canCapture(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('dumpcap', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CAPTURE_READY_MS = 5_000;
const CAPTURE_STOP_MS = 15_000;

/**
 * Starts dumpcap on loopback writing classic pcap to `file`; resolves once it says it is capturing
 * (its "Capturing on" line), or rejects with what it said.
 */
export function startRtpCapture(f: CaptureFilter, file: string): Promise<ChildProcess> {
  const child = spawn('dumpcap', ['-q', '-i', 'lo', '-P', '-s', String(CAPTURE_SNAPLEN), '-B', '64', '-f', captureFilter(f), '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`dumpcap did not start capturing within ${CAPTURE_READY_MS} ms: ${said.trim().slice(0, 300)}`), CAPTURE_READY_MS);
    child.stderr?.on('data', (d: Buffer) => {
      said += d.toString();
      if (said.includes('Capturing on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (err) => fail(`cannot run dumpcap: ${err.message}`));
    child.once('exit', (code) => fail(`dumpcap exited (code ${String(code)}): ${said.trim().slice(0, 300)}`));
  });
}

/** SIGINT: dumpcap flushes and closes the file; SIGKILL if it does not within the bound. */
export async function stopRtpCapture(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const t = setTimeout(() => child.kill('SIGKILL'), CAPTURE_STOP_MS);
  await exited;
  clearTimeout(t);
}

const ipv4 = (b: Buffer, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** Reads a classic pcap of loopback UDP back into per-port traffic of the gateway. */
export function readRtpCapture(file: string, f: CaptureFilter): Map<number, PortTraffic> {
  const ports = new Map<number, PortTraffic>();
  const port = (p: number): PortTraffic => {
    let t = ports.get(p);
    if (t === undefined) {
      t = { outbound: new PacingMeter(), outPackets: 0, inPackets: 0 };
      ports.set(p, t);
    }
    return t;
  };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let len = readSync(fd, buf, 0, CHUNK, null);
    if (len < 24) throw new Error(`${file}: not a pcap file (${len} bytes)`);
    const magic = buf.readUInt32LE(0);
    const nanos = magic === 0xa1b23c4d;
    if (magic !== 0xa1b2c3d4 && !nanos) throw new Error(`${file}: not a little-endian classic pcap file (magic ${magic.toString(16)})`);
    const link = buf.readUInt32LE(20);
    if (link !== LINKTYPE_ETHERNET && link !== LINKTYPE_LINUX_SLL) throw new Error(`${file}: link type ${link}, expected Ethernet or Linux cooked`);
    const l2 = link === LINKTYPE_ETHERNET ? 14 : 16;
    let at = 24;
    let t0Sec: number | undefined;
    for (;;) {
      if (len - at < 16) {
        if (!refill()) break;
        continue;
      }
      const incl = buf.readUInt32LE(at + 8);
      if (incl > CHUNK - 16) throw new Error(`${file}: record of ${incl} bytes`);
      if (len - at < 16 + incl) {
        if (!refill()) break;
        continue;
      }
      const sec = buf.readUInt32LE(at);
      const frac = buf.readUInt32LE(at + 4);
      t0Sec ??= sec;
      const ms = (sec - t0Sec) * 1000 + (nanos ? frac / 1e6 : frac / 1e3);
      const p = at + 16;
      at = p + incl;
      const ip = p + l2;
      if (incl < l2 + 20 || buf[ip]! >> 4 !== 4 || buf[ip + 9] !== 17) continue;
      const udp = ip + (buf[ip]! & 0x0f) * 4;
      const rtp = udp + 8;
      if (p + incl < rtp + 12 || buf[rtp]! >> 6 !== 2) continue;
      // RTCP (payload types 200..204 with the marker bit: second byte 192..223) is not paced media.
      const second = buf[rtp + 1]!;
      if (second >= 192 && second <= 223) continue;
      const src = ipv4(buf, ip + 12);
      const dst = ipv4(buf, ip + 16);
      const sport = buf.readUInt16BE(udp);
      const dport = buf.readUInt16BE(udp + 2);
      if (src === f.host && sport >= f.portMin && sport <= f.portMax) {
        const t = port(sport);
        t.outPackets++;
        t.outbound.packet(buf.readUInt32BE(rtp + 8), buf.readUInt32BE(rtp + 4), ms);
      } else if (dst === f.host && dport >= f.portMin && dport <= f.portMax) {
        port(dport).inPackets++;
      }
    }
    return ports;

    /** Moves the unread tail to the front and reads more; false at the end of the file. */
    function refill(): boolean {
      const rest = len - at;
      buf.copyWithin(0, at, len);
      const n = readSync(fd, buf, rest, CHUNK - rest, null);
      len = rest + n;
      at = 0;
      return n > 0;
    }
  } finally {
    closeSync(fd);
  }
}
