import type { RtpRecord } from '../netem/media-relay.js';
import { lossPattern, type LossPattern } from './loss-pattern.js';

/**
 * One direction's G.711 stream as the receiver got it, rebuilt from the lab tap's records: which
 * packets the lab network dropped, when each delivered copy arrived (tap time + the impairment's
 * delay), and the RFC 3550 §6.4.1 interarrival jitter a receiver computes from those arrivals.
 */
export interface WireStream {
  /** Audio packets (PT 0/8) of the main SSRC, one per sequence number, in sequence order. */
  frames: WireFrame[];
  /** The codec of the stream, from its payload type. */
  codec: 'PCMU' | 'PCMA';
  loss: LossPattern;
  duplicates: number;
  /** Deliveries that arrived after a later sequence number had. */
  reordered: number;
  /** RFC 3550 interarrival jitter at the receiver, ms. */
  jitterMs: number;
  /** Largest transit-time spread (max − min arrival minus RTP time), ms. */
  delaySpreadMs: number;
}

export interface WireFrame {
  seq: number;
  /** RTP timestamp, extended across wraps, relative to the first frame. */
  ts: number;
  /** When the tap saw it (≈ when the sender sent it). */
  sentAt: number;
  /** First delivery to the receiver; undefined when the network lost it. */
  arrivedAt?: number;
  lost: boolean;
  payload?: Buffer;
}

const AUDIO_PT = new Set([0, 8]);
const RATE_KHZ = 8;

export function wireStream(records: readonly RtpRecord[], dir: RtpRecord['dir']): WireStream | undefined {
  const audio = records.filter((r) => !r.rtcp && r.dir === dir && r.fate !== 'unrouted' && r.pt !== undefined && AUDIO_PT.has(r.pt) && r.seq !== undefined);
  if (audio.length === 0) return undefined;
  const ssrc = mainSsrc(audio);
  const mine = audio.filter((r) => r.ssrc === ssrc);
  // RFC 4733 telephone-events (and comfort noise) share the stream's sequence space: the numbers they
  // took are not missing audio. Kept as 16-bit numbers: a call would need 21 minutes to wrap onto one.
  const otherSeqs = new Set(records.filter((r) => !r.rtcp && r.dir === dir && r.ssrc === ssrc && r.seq !== undefined && !(r.pt !== undefined && AUDIO_PT.has(r.pt))).map((r) => r.seq!));
  // Extend 16-bit sequence numbers and 32-bit timestamps relative to the first packet seen.
  const first = mine[0]!;
  let prevSeq = first.seq!;
  const bySeq = new Map<number, { rec: RtpRecord; ts: number; arrivals: number[] }>();
  let duplicates = 0;
  let reordered = 0;
  let highestArrived = -Infinity;
  const deliveries: Array<{ ext: number; at: number }> = [];
  for (const r of mine) {
    const ext = prevSeq + ((((r.seq! - prevSeq) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    prevSeq = ext;
    const ts = ((r.ts! - first.ts! + 0x80000000) >>> 0) - 0x80000000;
    const arrivals = r.fate === 'forwarded' ? (r.delaysMs ?? [0]).map((d) => r.t + d) : [];
    const known = bySeq.get(ext);
    if (known) {
      known.arrivals.push(...arrivals);
      if (r.fate === 'forwarded' && known.rec.fate !== 'forwarded') known.rec = r;
    } else {
      bySeq.set(ext, { rec: r, ts, arrivals: [...arrivals] });
    }
    for (const at of arrivals) deliveries.push({ ext, at });
  }
  deliveries.sort((a, b) => a.at - b.at);
  const seenSeqs = new Set<number>();
  for (const d of deliveries) {
    if (seenSeqs.has(d.ext)) duplicates++;
    else if (d.ext < highestArrived) reordered++;
    seenSeqs.add(d.ext);
    if (d.ext > highestArrived) highestArrived = d.ext;
  }
  const keys = [...bySeq.keys()].sort((a, b) => a - b);
  const lo = keys[0]!;
  const hi = keys.at(-1)!;
  const frames: WireFrame[] = [];
  for (let ext = lo; ext <= hi && frames.length < 1_000_000; ext++) {
    const e = bySeq.get(ext);
    if (!e) {
      if (otherSeqs.has(ext & 0xffff)) continue;
      // Never reached the tap at all (the sender skipped it): lost as far as the receiver knows.
      const prev = frames.at(-1);
      frames.push({ seq: ext & 0xffff, ts: (prev?.ts ?? 0) + 160, sentAt: (prev?.sentAt ?? 0) + 20, lost: true });
      continue;
    }
    const arrivedAt = e.arrivals.length ? Math.min(...e.arrivals) : undefined;
    frames.push({
      seq: ext & 0xffff,
      ts: e.ts,
      sentAt: e.rec.t,
      ...(arrivedAt !== undefined ? { arrivedAt } : {}),
      lost: arrivedAt === undefined,
      ...(e.rec.payload ? { payload: e.rec.payload } : {}),
    });
  }
  // RFC 3550 A.8, in arrival order over first deliveries.
  const arrived = frames.filter((f) => f.arrivedAt !== undefined).sort((a, b) => a.arrivedAt! - b.arrivedAt!);
  let jitter = 0;
  let minTransit = Infinity;
  let maxTransit = -Infinity;
  for (let i = 0; i < arrived.length; i++) {
    const transit = arrived[i]!.arrivedAt! - arrived[i]!.ts / RATE_KHZ;
    minTransit = Math.min(minTransit, transit);
    maxTransit = Math.max(maxTransit, transit);
    if (i === 0) continue;
    const prevTransit = arrived[i - 1]!.arrivedAt! - arrived[i - 1]!.ts / RATE_KHZ;
    jitter += (Math.abs(transit - prevTransit) - jitter) / 16;
  }
  return {
    frames,
    codec: mine.find((r) => r.pt === 8) && !mine.find((r) => r.pt === 0) ? 'PCMA' : 'PCMU',
    loss: lossPattern(frames.map((f) => f.lost)),
    duplicates,
    reordered,
    jitterMs: jitter,
    delaySpreadMs: arrived.length ? maxTransit - minTransit : 0,
  };
}

function mainSsrc(records: readonly RtpRecord[]): number | undefined {
  const counts = new Map<number | undefined, number>();
  for (const r of records) counts.set(r.ssrc, (counts.get(r.ssrc) ?? 0) + 1);
  let best: number | undefined;
  let bestCount = -1;
  for (const [ssrc, n] of counts) if (n > bestCount) [best, bestCount] = [ssrc, n];
  return best;
}
