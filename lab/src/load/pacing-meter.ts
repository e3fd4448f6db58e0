/**
 * Outbound pacing as a receiver measures it: for each RTP stream (SSRC), a packet's lateness is how
 * much later it arrived than its RTP timestamp says it should have, relative to the stream's
 * earliest packet: lateness = (arrival − ts/8) − min over the stream of (arrival − ts/8), in ms
 * (8 kHz clock: G.711). A perfectly paced stream is all zeros whatever its jitter-free delay.
 *
 * One meter per call (its streams keyed by SSRC, so equal SSRCs in different calls never mix).
 * Memory is bounded: per stream one Float32Array of offsets (grown by doubling, capped at
 * MAX_PACKETS_PER_STREAM), at most MAX_STREAMS streams per call; the summary is exact over what was
 * kept. A cheap running estimate (against each stream's minimum so far) feeds the live progress line.
 */
const RATE_PER_MS = 8;
export const MAX_STREAMS = 16;
export const MAX_PACKETS_PER_STREAM = 360_000; // two hours at 50 packets/s
const HIST_BIN_MS = 0.05;
const HIST_BINS = 40_000; // up to 2 s; later lands in the last bin

export interface PacingSummary {
  streams: number;
  packets: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Packets not measured because a bound was reached. */
  notMeasured: number;
}

interface Stream {
  offsets: Float32Array;
  n: number;
  /** First arrival, ms: offsets are kept relative to it so Float32 keeps sub-µs precision. */
  t0: number;
  ts0: number;
  min: number;
  /** Unwrapped timestamp of the last packet. */
  lastTs: number;
}

/** Lateness of the packets since the last take, across every call: the live figure. */
export class RecentLateness {
  readonly #hist = new Uint32Array(HIST_BINS);
  #count = 0;

  add(lateMs: number): void {
    this.#hist[bin(lateMs)]!++;
    this.#count++;
  }

  /** p99 since the last call (undefined when no packet arrived), then starts again. */
  takeP99(): number | undefined {
    if (this.#count === 0) return undefined;
    const p = Math.round(quantile(this.#hist, this.#count, 0.99) * 100) / 100;
    this.#hist.fill(0);
    this.#count = 0;
    return p;
  }
}

export class PacingMeter {
  readonly #streams = new Map<number, Stream>();
  #packets = 0;
  #notMeasured = 0;

  constructor(private readonly recent?: RecentLateness) {}

  packet(ssrc: number, timestamp: number, arrivalMs: number): void {
    let s = this.#streams.get(ssrc);
    if (s === undefined) {
      if (this.#streams.size >= MAX_STREAMS) {
        this.#notMeasured++;
        return;
      }
      s = { offsets: new Float32Array(256), n: 0, t0: arrivalMs, ts0: timestamp, min: Infinity, lastTs: timestamp };
      this.#streams.set(ssrc, s);
    }
    if (s.n >= MAX_PACKETS_PER_STREAM) {
      this.#notMeasured++;
      return;
    }
    // Unwrap the 32-bit timestamp against the previous packet (reordering moves it back a little).
    const delta = ((timestamp - (s.lastTs >>> 0) + 0x80000000) >>> 0) - 0x80000000;
    const ts = s.lastTs + delta;
    s.lastTs = ts;
    const offset = arrivalMs - s.t0 - (ts - s.ts0) / RATE_PER_MS;
    if (s.n === s.offsets.length) {
      const grown = new Float32Array(Math.min(s.offsets.length * 2, MAX_PACKETS_PER_STREAM));
      grown.set(s.offsets);
      s.offsets = grown;
    }
    s.offsets[s.n++] = offset;
    if (offset < s.min) s.min = offset;
    this.#packets++;
    this.recent?.add(offset - s.min);
  }

  /** Adds this meter's exact lateness (against each stream's final minimum) to `into`. */
  accumulate(into: PacingTotals): void {
    for (const s of this.#streams.values()) {
      for (let i = 0; i < s.n; i++) {
        const late = s.offsets[i]! - s.min;
        into.hist[bin(late)]!++;
        if (late > into.max) into.max = late;
      }
      into.streams++;
    }
    into.packets += this.#packets;
    into.notMeasured += this.#notMeasured;
  }
}

interface PacingTotals {
  hist: Uint32Array;
  streams: number;
  packets: number;
  max: number;
  notMeasured: number;
}

/** Lateness percentiles over every stream of every call. */
export function pacingSummary(meters: Iterable<PacingMeter>): PacingSummary {
  const t: PacingTotals = { hist: new Uint32Array(HIST_BINS), streams: 0, packets: 0, max: 0, notMeasured: 0 };
  for (const m of meters) m.accumulate(t);
  const n = t.packets;
  const ms = (v: number): number => Math.round(v * 100) / 100;
  return {
    streams: t.streams,
    packets: n,
    p50Ms: n ? ms(quantile(t.hist, n, 0.5)) : 0,
    p99Ms: n ? ms(quantile(t.hist, n, 0.99)) : 0,
    p999Ms: n ? ms(quantile(t.hist, n, 0.999)) : 0,
    maxMs: ms(t.max),
    notMeasured: t.notMeasured,
  };
}

function bin(lateMs: number): number {
  return Math.min(HIST_BINS - 1, Math.max(0, Math.floor(lateMs / HIST_BIN_MS)));
}

/** Upper edge of the bin holding the q-quantile: never understates lateness. */
function quantile(hist: Uint32Array, count: number, q: number): number {
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return (i + 1) * HIST_BIN_MS;
  }
  return hist.length * HIST_BIN_MS;
}
