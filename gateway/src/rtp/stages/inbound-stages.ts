/**
 * The stages of a session's inbound path, in the order a datagram meets them:
 *
 *   [RtcpMux split] -> [SRTP(unprotect)] -> RtpParse -> PtGate -> SourceCheck -> Liveness -> Sequence
 *     -> PtMux{audio: Jitter -> <caller audio sink>, telephone-event: Dtmf}
 *   RTCP: [SRTCP(unprotect)] -> RtcpParse -> SourceCheck -> RtcpReports
 *
 * Each stage counts what it drops in the session's receive counters and tells the session what it
 * must act on through `InboundHooks` (one object, created once). Order matters and is the RFCs':
 * only packets that authenticated, parsed and carry a negotiated payload type may latch the source
 * (so scanners cannot steer media), and audio and telephone-event packets share one sequence space
 * (RFC 4733 §2.1), so A.1 statistics run before they part.
 */
import type { DtmfDigitEvent, DtmfReceiver } from '../dtmf/index.js';
import type { JitterBuffer, JitterFrame } from '../jitter/jitter-buffer.js';
import { parseRtcp, type RtcpPacket } from '../rtcp/compound.js';
import { isRtcpOnMuxedPort } from '../rtcp/common.js';
import type { ProbationHold } from '../session/probation-hold.js';
import type { LatchVerdict, SourceLatch } from '../session/latch.js';
import type { RtpReceiveCounters } from '../session/rtp-session-types.js';
import type { SrtpSession } from '../srtp/index.js';
import type { RemoteQuality } from '../stats/remote-quality.js';
import type { SourceTracker } from '../stats/source-tracker.js';
import type { DatagramSource } from '../transport/datagram-socket.js';
import type { Clock } from '../../clock.js';
import type { InboundPacket } from './inbound-packet.js';
import { describeStage, type Stage } from './stage.js';

/** What the inbound stages ask of their session. */
export interface InboundHooks {
  /** Our RTP ('rtp') or RTCP destination moved to where the peer's packets come from. */
  latched(kind: 'rtp' | 'rtcp', from: DatagramSource): void;
  /** An RTP packet was accepted from the peer at `nowMs` (inactivity bookkeeping). */
  heard(nowMs: number): void;
  /** A telephone-event packet was delivered at `nowMs` (the digit end timeout). */
  dtmfActivity(nowMs: number): void;
  digit(event: DtmfDigitEvent): void;
  rtcp(packets: RtcpPacket[], nowMs: number): void;
}

type Inbound = Stage<InboundPacket>;

/** RFC 5761: RTCP and RTP on one port, told apart by the packet type range (RTCP 192–223). */
export class RtcpMuxSplit implements Inbound {
  readonly #rtp: Inbound;
  readonly #rtcp: Inbound;
  constructor(rtp: Inbound, rtcp: Inbound) {
    this.#rtp = rtp;
    this.#rtcp = rtcp;
  }
  write(p: InboundPacket): void {
    if (isRtcpOnMuxedPort(p.bytes)) this.#rtcp.write(p);
    else this.#rtp.write(p);
  }
  toString(): string {
    return `RtcpMux{rtp: ${String(this.#rtp)}, rtcp: ${String(this.#rtcp)}}`;
  }
}

/** RFC 3711 §3.3: authenticate, check replay, decrypt; failures are counted by reason. */
export class SrtpUnprotect implements Inbound {
  readonly #srtp: SrtpSession;
  readonly #counters: RtpReceiveCounters;
  readonly #rtcp: boolean;
  readonly #next: Inbound;
  constructor(srtp: SrtpSession, counters: RtpReceiveCounters, what: 'rtp' | 'rtcp', next: Inbound) {
    this.#srtp = srtp;
    this.#counters = counters;
    this.#rtcp = what === 'rtcp';
    this.#next = next;
  }
  write(p: InboundPacket): void {
    const r = this.#rtcp ? this.#srtp.unprotectRtcp(p.bytes) : this.#srtp.unprotectRtp(p.bytes);
    if (!r.ok) {
      this.#counters.srtpErrors[r.error]++;
      return;
    }
    p.bytes = r.value;
    this.#next.write(p);
  }
  toString(): string {
    return describeStage(this.#rtcp ? 'SRTCP(unprotect)' : 'SRTP(unprotect)', this.#next);
  }
}

/** RFC 3550 §5.1 header checks into the packet's reused header view. */
export class RtpParse implements Inbound {
  readonly #counters: RtpReceiveCounters;
  readonly #next: Inbound;
  constructor(counters: RtpReceiveCounters, next: Inbound) {
    this.#counters = counters;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    const err = p.rtp.parse(p.bytes);
    if (err) {
      this.#counters.malformed[err.code]++;
      return;
    }
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('RtpParse', this.#next);
  }
}

/** Only negotiated payload types go further (RFC 3264: anything else is not part of the session). */
export class PayloadTypeGate implements Inbound {
  readonly #allowed = new Uint8Array(128);
  readonly #list: number[];
  readonly #counters: RtpReceiveCounters;
  readonly #next: Inbound;
  constructor(payloadTypes: readonly number[], counters: RtpReceiveCounters, next: Inbound) {
    for (const pt of payloadTypes) this.#allowed[pt & 0x7f] = 1;
    this.#list = [...payloadTypes];
    this.#counters = counters;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    if (this.#allowed[p.rtp.payloadType] !== 1) {
      this.#counters.unknownPayloadType++;
      return;
    }
    this.#next.write(p);
  }
  toString(): string {
    return describeStage(`PtGate{${this.#list.join(',')}}`, this.#next);
  }
}

/**
 * Media source validation (latch.ts): packets from anywhere but the peer are dropped and counted.
 * 'rtp' may learn a new source (policy `learn`) from the RTP header's SSRC and sequence number;
 * 'rtcp' checks the RTCP latch; 'rtcp-mux' checks RTCP on the RTP port against the RTP latch
 * without ever moving it (an 8-byte receiver report must not steer the stream).
 */
export class SourceCheck implements Inbound {
  readonly #latch: SourceLatch;
  readonly #clock: Clock;
  readonly #counters: RtpReceiveCounters;
  readonly #hooks: InboundHooks;
  readonly #kind: 'rtp' | 'rtcp' | 'rtcp-mux';
  readonly #next: Inbound;
  constructor(latch: SourceLatch, clock: Clock, counters: RtpReceiveCounters, hooks: InboundHooks, kind: 'rtp' | 'rtcp' | 'rtcp-mux', next: Inbound) {
    this.#latch = latch;
    this.#clock = clock;
    this.#counters = counters;
    this.#hooks = hooks;
    this.#kind = kind;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    const now = this.#clock.now();
    const { address, port } = p.from;
    let verdict: LatchVerdict;
    if (this.#kind === 'rtcp-mux') verdict = this.#latch.accepts(address, port) ? 'accept' : 'reject';
    else if (this.#kind === 'rtp') verdict = this.#latch.check(address, port, now, p.rtp.ssrc, p.rtp.sequenceNumber);
    else verdict = this.#latch.check(address, port, now, -1, -1);
    if (verdict === 'reject') {
      this.#counters.unexpectedSource++;
      return;
    }
    p.arrivalMs = now;
    if (verdict === 'latched') this.#hooks.latched(this.#kind === 'rtcp' ? 'rtcp' : 'rtp', p.from);
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('SourceCheck', this.#next);
  }
}

/** Counts accepted RTP and restarts the inactivity window (the peer is alive). */
export class Liveness implements Inbound {
  readonly #counters: RtpReceiveCounters;
  readonly #hooks: InboundHooks;
  readonly #next: Inbound;
  constructor(counters: RtpReceiveCounters, hooks: InboundHooks, next: Inbound) {
    this.#counters = counters;
    this.#hooks = hooks;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    this.#counters.packets++;
    this.#counters.octets += p.rtp.payloadLength;
    this.#hooks.heard(p.arrivalMs);
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('Liveness', this.#next);
  }
}

/** Where a new or restarted source's timeline starts over (the audio sink while delivering). */
export interface ResyncTarget {
  resync(p: InboundPacket): void;
}

/**
 * RFC 3550 A.1 (probation, sequence cycles, duplicates), A.8 jitter and SSRC changes, for audio and
 * telephone-event packets alike. A new or restarted source resynchronises the playout timeline.
 */
export class Sequence implements Inbound {
  readonly #tracker: SourceTracker;
  readonly #resync: ResyncTarget | undefined;
  readonly #next: Inbound;
  constructor(tracker: SourceTracker, resync: ResyncTarget | undefined, next: Inbound) {
    this.#tracker = tracker;
    this.#resync = resync;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    const h = p.rtp;
    p.verdict = this.#tracker.onPacket(h.ssrc, h.sequenceNumber, h.timestamp, p.arrivalMs);
    if (p.verdict === 'media-resync') this.#resync?.resync(p);
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('Sequence', this.#next);
  }
}

/** Routes by payload type: a table of 128 entries, no lookup per packet beyond an index. */
export class PayloadTypeMux implements Inbound {
  readonly #routes: Array<Inbound | undefined> = new Array<Inbound | undefined>(128).fill(undefined);
  readonly #order: Array<[number, Inbound]>;
  readonly #counters: RtpReceiveCounters;
  constructor(routes: ReadonlyArray<[payloadType: number, stage: Inbound]>, counters: RtpReceiveCounters) {
    for (const [pt, stage] of routes) this.#routes[pt & 0x7f] = stage;
    this.#order = [...routes];
    this.#counters = counters;
  }
  write(p: InboundPacket): void {
    const route = this.#routes[p.rtp.payloadType];
    if (route === undefined) this.#counters.unknownPayloadType++;
    else route.write(p);
  }
  toString(): string {
    return `PtMux{${this.#order.map(([pt, stage]) => `${pt}: ${String(stage)}`).join(', ')}}`;
  }
}

/**
 * Caller audio into the adaptive jitter buffer (which the scheduler's tick plays out to the audio
 * sink). The one packet A.1 probation holds back is kept and replayed when its successor validates
 * the source. Not delivering (we hold, or the peer sends only): packets still count, nothing plays.
 */
export class JitterSink implements Inbound, ResyncTarget {
  readonly #jitter: JitterBuffer;
  readonly #hold: ProbationHold;
  readonly #counters: RtpReceiveCounters;
  readonly #delivering: boolean;
  readonly #label: string;
  readonly #sink: () => Stage<JitterFrame> | undefined;
  /** `sink` names where played-out frames go (for the printed chain; frames are played out on the tick). */
  constructor(jitter: JitterBuffer, hold: ProbationHold, counters: RtpReceiveCounters, delivering: boolean, label: string, sink: () => Stage<JitterFrame> | undefined) {
    this.#jitter = jitter;
    this.#hold = hold;
    this.#counters = counters;
    this.#delivering = delivering;
    this.#label = label;
    this.#sink = sink;
  }
  write(p: InboundPacket): void {
    const h = p.rtp;
    switch (p.verdict) {
      case 'media':
      case 'media-resync':
        if (this.#delivering) this.#jitter.push(h.sequenceNumber, h.timestamp, h.marker, h.payload(), p.arrivalMs);
        return;
      case 'hold':
        this.#counters.held++;
        this.#hold.hold(h.ssrc, h.sequenceNumber, h.timestamp, h.marker, h.payload(), p.arrivalMs);
        return;
      case 'duplicate':
        this.#counters.duplicates++;
        return;
    }
  }
  /** A new timeline: replay the held packet if it is this one's predecessor (the first 20 ms). */
  resync(p: InboundPacket): void {
    if (!this.#delivering) return;
    this.#jitter.reset();
    const held = this.#hold.takePredecessorOf(p.rtp.ssrc, p.rtp.sequenceNumber);
    if (held !== undefined) this.#jitter.push(held.seq, this.#hold.timestamp, this.#hold.marker, held.payload, this.#hold.arrivalMs);
  }
  toString(): string {
    const name = this.#delivering ? `Jitter(${this.#label})` : `Jitter(${this.#label}, paused)`;
    return describeStage(name, this.#delivering ? this.#sink() : undefined);
  }
}

/** RFC 4733 telephone-events into the digit receiver; the audio gap they leave is intended. */
export class DtmfSink implements Inbound {
  readonly #receiver: DtmfReceiver;
  readonly #jitter: JitterBuffer;
  readonly #counters: RtpReceiveCounters;
  readonly #delivering: boolean;
  readonly #hooks: InboundHooks;
  constructor(receiver: DtmfReceiver, jitter: JitterBuffer, counters: RtpReceiveCounters, delivering: boolean, hooks: InboundHooks) {
    this.#receiver = receiver;
    this.#jitter = jitter;
    this.#counters = counters;
    this.#delivering = delivering;
    this.#hooks = hooks;
  }
  write(p: InboundPacket): void {
    const h = p.rtp;
    this.#counters.dtmfPackets++;
    // The digit's packets use sequence numbers of the same stream: the audio gap they leave is intended.
    this.#jitter.noteForeignSequence(h.sequenceNumber);
    if (!this.#delivering) return;
    this.#hooks.dtmfActivity(p.arrivalMs);
    const ev = this.#receiver.push(h.payload(), h.timestamp, h.marker, h.sequenceNumber);
    if (ev !== undefined) this.#hooks.digit(ev);
  }
  toString(): string {
    return this.#delivering ? 'Dtmf' : 'Dtmf(paused)';
  }
}

/** RFC 3550 §6.4 compound RTCP; what does not parse is counted by reason. */
export class RtcpParse implements Inbound {
  readonly #counters: RtpReceiveCounters;
  readonly #next: Inbound;
  constructor(counters: RtpReceiveCounters, next: Inbound) {
    this.#counters = counters;
    this.#next = next;
  }
  write(p: InboundPacket): void {
    const parsed = parseRtcp(p.bytes);
    if ('kind' in parsed) {
      this.#counters.malformed[parsed.code]++;
      return;
    }
    p.rtcp = parsed;
    this.#next.write(p);
  }
  toString(): string {
    return describeStage('RtcpParse', this.#next);
  }
}

/** The peer's reports about our stream (loss, jitter, RTT) and the session's `rtcp` event. */
export class RtcpReports implements Inbound {
  readonly #quality: RemoteQuality;
  readonly #tracker: SourceTracker;
  readonly #localSsrc: number;
  readonly #clock: Clock;
  readonly #counters: RtpReceiveCounters;
  readonly #hooks: InboundHooks;
  constructor(quality: RemoteQuality, tracker: SourceTracker, localSsrc: number, clock: Clock, counters: RtpReceiveCounters, hooks: InboundHooks) {
    this.#quality = quality;
    this.#tracker = tracker;
    this.#localSsrc = localSsrc;
    this.#clock = clock;
    this.#counters = counters;
    this.#hooks = hooks;
  }
  write(p: InboundPacket): void {
    this.#counters.rtcpPackets++;
    this.#quality.onRtcp(p.rtcp, this.#localSsrc, this.#tracker.current?.ssrc, p.arrivalMs, this.#clock.wallNow());
    this.#hooks.rtcp(p.rtcp, p.arrivalMs);
  }
  toString(): string {
    return 'RtcpReports';
  }
}
