/**
 * One call's media: a datagram socket pair, the inbound stages (see stages/inbound-stages.ts), the
 * outbound stages (stages/outbound-stages.ts) and RTCP. `mediaChains()` prints both paths as built:
 *
 *   inbound   SRTP(unprotect) -> RtpParse -> PtGate{0,101} -> SourceCheck -> Liveness -> Sequence
 *             -> PtMux{0: Jitter(PCMU) -> <audio sink>, 101: Dtmf}
 *   outbound  Pacer{DtmfOutbox, PlayoutQueue} -> RtpHeader -> SRTP(protect) -> Send(udp)
 *
 * The chains are rebuilt when a re-INVITE or hold changes what they do (payload types, codec, SRTP
 * keys, direction); packets only ever meet the current one. Everything periodic runs on the shared
 * MediaScheduler's 20 ms tick: one frame out of the jitter buffer to the audio sink, one packet out,
 * inactivity, DTMF end timeout and the RTCP interval, so a session owns no timers of its own.
 *
 * Idle outbound policy: when the PlayoutQueue is empty we keep sending G.711 silence every 20 ms
 * instead of going quiet. Continuous packets keep NAT/firewall bindings and the carrier's jitter
 * buffer steady (no re-buffering click when the agent starts talking), keep RTCP sender stats
 * meaningful, and avoid carrier RTP-inactivity timers hanging up while the agent listens for a long
 * time. Chime Voice Connector accepts either; the cost is 50 small packets per second per call.
 *
 * RTP timestamps follow the scheduler's tick index, not the number of packets sent, so they advance
 * with wall time across hold, DTMF and skipped ticks (RFC 3550 §5.1).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { g711Codec, LossConcealer, type G711Name } from '../../audio/index.js';
import { DtmfReceiver, DtmfSender, type DtmfDigitEvent } from '../dtmf/index.js';
import type { SrtpSession } from '../srtp/index.js';
import { FRAME_MS, FRAME_SAMPLES, G711_CLOCK_RATE } from '../constants.js';
import { RtpError } from '../errors.js';
import { SafeEmitter } from '../../safe-emitter.js';
import { JitterBuffer, type JitterFrame } from '../jitter/jitter-buffer.js';
import { RTP_FIXED_HEADER_SIZE } from '../packet/rtp-header.js';
import { PlayoutQueue } from '../pacing/playout-queue.js';
import type { Registration, ScheduledStream } from '../pacing/media-scheduler.js';
import { serializeRtcp, type RtcpPacket } from '../rtcp/compound.js';
import { G711_RTCP_BANDWIDTH_OCTETS_PER_S, rtcpIntervalMs } from '../rtcp/interval.js';
import { InboundPacket } from '../stages/inbound-packet.js';
import type { InboundHooks } from '../stages/inbound-stages.js';
import { OutboundPacket, type RtpSenderState } from '../stages/outbound-stages.js';
import type { Stage } from '../stages/stage.js';
import type { MediaTap } from '../stages/media-tap.js';
import { RemoteQuality } from '../stats/remote-quality.js';
import { SourceTracker } from '../stats/source-tracker.js';
import type { DatagramSocket, DatagramSource } from '../transport/datagram-socket.js';
import { udpSockets } from '../transport/udp-socket.js';
import { bindPair, type BoundSockets } from './bind-pair.js';
import { DtmfOutbox } from './dtmf-outbox.js';
import { SourceLatch, type Endpoint } from './latch.js';
import type { PortAllocator } from './port-allocator.js';
import { ProbationHold } from './probation-hold.js';
import { buildCompoundReport } from './rtcp-reports.js';
import { newReceiveCounters, newSendCounters } from './counters.js';
import { buildMediaChains, type MediaChainSet } from './media-chains.js';
import type {
  MediaDirection,
  RemoteMedia,
  RemoteUpdate,
  JitterOptions,
  RtpSessionEvents,
  RtpSessionOptions,
  RtpSessionStats,
} from './rtp-session-types.js';

export type {
  JitterOptions,
  MediaDirection,
  RemoteMedia,
  RemoteUpdate,
  RtpReceiveCounters,
  RtpSendCounters,
  RtpSessionEvents,
  RtpSessionOptions,
  RtpSessionStats,
} from './rtp-session-types.js';

export const DEFAULT_INACTIVITY_MS = 30_000;
/** A DTMF digit with no packet for this long is reported even without its end packets. */
const DTMF_END_TIMEOUT_MS = 500;
/** Rotating send buffers: Node queues (not copies) a datagram the kernel cannot take at once. */
const SEND_BUFFERS = 4;
const SEND_BUFFER_SIZE = RTP_FIXED_HEADER_SIZE + FRAME_SAMPLES;
/** Socket errors logged per session (all are counted). */
const MAX_LOGGED_SOCKET_ERRORS = 5;

/** A session's media paths as built, printed stage by stage. */
export interface MediaChains {
  /** Datagrams on the RTP port (with rtcp-mux, RTCP too). */
  inbound: string;
  /** Datagrams on the RTCP port; undefined with rtcp-mux. */
  rtcp: string | undefined;
  /** One packet per 20 ms tick. */
  outbound: string;
}

type Inbound = Stage<InboundPacket>;

function defaultRandom(): number {
  return randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;
}

function checkPayloadType(pt: number, what: string): void {
  if (!Number.isInteger(pt) || pt < 0 || pt > 127 || (pt >= 72 && pt <= 76)) {
    throw new RtpError('RTP_ERR_CONFIG', `${what} ${pt} is not a usable RTP payload type (0..127, not 72..76)`);
  }
}

export class RtpSession<T = unknown> extends SafeEmitter<RtpSessionEvents> implements ScheduledStream {
  /** Outbound audio: enqueue G.711 here, in items tagged with the caller's own `T`. */
  readonly playout: PlayoutQueue<T>;
  readonly localPort: number;
  /** RTCP port (equal to localPort with rtcp-mux). */
  readonly localRtcpPort: number;
  readonly ssrc: number;
  readonly rtcpMux: boolean;

  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #ports: PortAllocator;
  readonly #socketKind: string;
  readonly #rtpSocket: DatagramSocket;
  readonly #rtcpSocket: DatagramSocket | undefined;
  readonly #registration: Registration;
  readonly #random: () => number;
  readonly #cname: string;
  readonly #jitterOptions: JitterOptions;

  #codec: G711Name;
  #payloadType: number;
  #dtmfPayloadType: number | undefined;
  #srtp: SrtpSession | undefined;
  #jitter: JitterBuffer;
  #direction: MediaDirection;
  #sending: boolean;
  #delivering: boolean;
  #inactivityMs: number;
  /** false until confirm(): nothing is sent and no source is learned (no media before the ACK). */
  #confirmed: boolean;
  readonly #firstPacketTimeoutMs: number;
  /** A valid RTP or RTCP packet came from the current remote. */
  #peerHeard = false;
  /** Since when we send to a remote that has sent nothing valid yet (-1: not waiting). */
  #unheardSince = -1;
  /** The remote never answered within the bound: nothing more is sent to it. */
  #unheardStopped = false;
  /** The remote the SDP named last (a re-INVITE repeating it keeps a learned source). */
  #sdpRemote: RemoteMedia | undefined;
  /** Where played-out caller frames go (the call's media bridge). */
  #audioSink: Stage<JitterFrame> | undefined;
  #tap: MediaTap | undefined;

  readonly #rtpLatch: SourceLatch;
  readonly #rtcpLatch: SourceLatch;
  readonly #tracker = new SourceTracker(G711_CLOCK_RATE);
  readonly #hold = new ProbationHold();
  readonly #remoteQuality = new RemoteQuality(G711_CLOCK_RATE);
  readonly #dtmfReceiver = new DtmfReceiver(G711_CLOCK_RATE);
  readonly #dtmfOutbox = new DtmfOutbox(new DtmfSender({ clockRate: G711_CLOCK_RATE }));
  readonly #sender: RtpSenderState;

  // The stages, (re)built by #buildChains(), and the one unit each direction reuses.
  #inRtp: Inbound;
  #inRtcp: Inbound | undefined;
  #out: Stage<OutboundPacket>;
  readonly #inPacket = new InboundPacket();
  readonly #outPacket = new OutboundPacket();
  readonly #sendBuffers: Buffer[] = [];
  readonly #payloadViews: Uint8Array[] = [];
  #sendIndex = 0;

  readonly #tsBase: number;
  #tickBase = -1;
  #lastTick = 0;
  #lastTickAt = 0;
  #markerNext = true;
  /** Start of the current inbound silence: the last RTP packet, or a restart of the inactivity window. */
  #silenceSince: number;
  #inactiveReported = false;
  #lastDtmfAt = 0;
  #nextRtcpAt: number;
  #closing: Promise<void> | undefined;
  #loggedSocketErrors = 0;

  readonly #rx = newReceiveCounters();
  readonly #tx = newSendCounters();

  /** What the inbound stages report back (one object per session, no closure per packet). */
  readonly #hooks: InboundHooks = {
    latched: (kind, from) => this.#onLatched(kind, from),
    heard: (nowMs) => {
      this.#silenceSince = nowMs;
      this.#onPeerHeard();
      if (this.#inactiveReported) {
        this.#inactiveReported = false;
        this.safeEmit('active');
      }
    },
    dtmfActivity: (nowMs) => {
      this.#lastDtmfAt = nowMs;
    },
    digit: (ev) => this.#emitDtmf(ev),
    rtcp: (packets) => {
      this.#onPeerHeard();
      this.safeEmit('rtcp', packets);
    },
  };

  /** Binds the sockets, registers with the scheduler and starts media. Rejects with RtpError. */
  static async open<T = unknown>(opts: RtpSessionOptions): Promise<RtpSession<T>> {
    checkPayloadType(opts.payloadType, 'payloadType');
    if (opts.dtmfPayloadType !== undefined) {
      checkPayloadType(opts.dtmfPayloadType, 'dtmfPayloadType');
      if (opts.dtmfPayloadType === opts.payloadType) throw new RtpError('RTP_ERR_CONFIG', 'audio and DTMF payload types must differ');
    }
    if (opts.inactivityMs !== undefined && !(opts.inactivityMs >= 0)) {
      throw new RtpError('RTP_ERR_CONFIG', `inactivityMs must be >= 0, got ${opts.inactivityMs}`);
    }
    if (opts.firstPacketTimeoutMs !== undefined && !(opts.firstPacketTimeoutMs >= 0)) {
      throw new RtpError('RTP_ERR_CONFIG', `firstPacketTimeoutMs must be >= 0, got ${opts.firstPacketTimeoutMs}`);
    }
    const sockets = await bindPair(opts.ports, opts.sockets ?? udpSockets, opts.bindAddress, opts.rtcpMux ?? false);
    try {
      return new RtpSession<T>(opts, sockets);
    } catch (err) {
      sockets.rtp.close();
      sockets.rtcp?.close();
      opts.ports.release(sockets.port);
      throw err instanceof RangeError ? new RtpError('RTP_ERR_CONFIG', err.message, { cause: err }) : err;
    }
  }

  private constructor(opts: RtpSessionOptions, sockets: BoundSockets) {
    super((event, error) => opts.logger.error({ err: error, event }, 'rtp session listener threw'));
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#ports = opts.ports;
    this.#socketKind = (opts.sockets ?? udpSockets).kind;
    this.#random = opts.random ?? defaultRandom;
    this.#cname = opts.cname ?? `gw-${Math.floor(this.#random() * 0x1_0000_0000).toString(16).padStart(8, '0')}`;
    this.#codec = opts.codec;
    this.#payloadType = opts.payloadType;
    this.#dtmfPayloadType = opts.dtmfPayloadType;
    this.#srtp = opts.srtp;
    this.rtcpMux = opts.rtcpMux ?? false;
    this.#jitterOptions = opts.jitter ?? {};
    this.#jitter = this.#makeJitterBuffer();
    this.playout = new PlayoutQueue<T>({
      silenceByte: g711Codec(this.#codec).silenceByte,
      ...(opts.maxQueuedMs !== undefined ? { maxBufferedMs: opts.maxQueuedMs } : {}),
      onListenerError: (event, error) => opts.logger.error({ err: error, event }, 'playout observer threw'),
    });
    this.#direction = opts.direction ?? 'sendrecv';
    this.#sending = this.#direction === 'sendrecv' || this.#direction === 'sendonly';
    this.#delivering = this.#direction === 'sendrecv' || this.#direction === 'recvonly';
    this.#inactivityMs = opts.inactivityMs ?? DEFAULT_INACTIVITY_MS;
    this.#confirmed = opts.confirmed ?? true;
    this.#firstPacketTimeoutMs = opts.firstPacketTimeoutMs ?? 0;

    this.ssrc = Math.floor(this.#random() * 0x1_0000_0000) >>> 0;
    this.#sender = { ssrc: this.ssrc, seq: Math.floor(this.#random() * 0x1_0000) & 0xffff, sentSinceReport: false };
    this.#tsBase = Math.floor(this.#random() * 0x1_0000_0000) >>> 0;
    for (let i = 0; i < SEND_BUFFERS; i++) {
      const b = Buffer.alloc(SEND_BUFFER_SIZE);
      this.#sendBuffers.push(b);
      this.#payloadViews.push(b.subarray(RTP_FIXED_HEADER_SIZE, SEND_BUFFER_SIZE));
    }

    this.#rtpLatch = new SourceLatch(opts.sourcePolicy ?? 'strict', opts.learning);
    // The RTCP latch never learns on its own: it follows the address the RTP latch learned.
    this.#rtcpLatch = new SourceLatch('strict');
    this.#setRemote(opts.remote);
    if (this.#confirmed) this.#armLatches();

    this.localPort = sockets.port;
    this.localRtcpPort = sockets.rtcp === undefined ? sockets.port : sockets.port + 1;
    this.#rtpSocket = sockets.rtp;
    this.#rtcpSocket = sockets.rtcp;
    const chains = this.#buildChains();
    this.#inRtp = chains.rtp;
    this.#inRtcp = this.rtcpMux ? undefined : chains.rtcp;
    this.#out = chains.out;

    // try/catch inline (no closure per datagram): nothing a datagram triggers may escape the handler.
    this.#rtpSocket.listen({
      message: (msg, from) => {
        if (this.#closing) return;
        this.#rx.datagrams++;
        try {
          this.#inRtp.write(this.#inPacket.reset(msg, from));
        } catch (err) {
          this.#onHandlerError(err);
        }
      },
      error: (err) => this.#onSocketError(err),
    });
    this.#rtcpSocket?.listen({
      message: (msg, from) => {
        if (this.#closing || this.#inRtcp === undefined) return;
        try {
          this.#inRtcp.write(this.#inPacket.reset(msg, from));
        } catch (err) {
          this.#onHandlerError(err);
        }
      },
      error: (err) => this.#onSocketError(err),
    });

    const now = this.#clock.now();
    this.#silenceSince = now;
    this.#nextRtcpAt = now + this.#rtcpInterval(true);
    this.#registration = opts.scheduler.register(this);
    this.#logger.debug({ localPort: this.localPort, ssrc: this.ssrc, codec: this.#codec, pt: this.#payloadType }, 'rtp session open');
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  get mediaDirection(): MediaDirection {
    return this.#direction;
  }

  /** Whether media may flow to the remote (see RtpSessionOptions.confirmed). */
  get confirmed(): boolean {
    return this.#confirmed;
  }

  /** Where our RTP goes now (the SDP address, or the source learned with policy `learn`). */
  get remote(): Endpoint | undefined {
    return this.#rtpLatch.remote;
  }

  /** The media paths as built now, stage by stage. */
  mediaChains(): MediaChains {
    return {
      inbound: String(this.#inRtp),
      rtcp: this.#inRtcp === undefined ? undefined : String(this.#inRtcp),
      outbound: `Pacer{DtmfOutbox, PlayoutQueue} -> ${String(this.#out)}`,
    };
  }

  // ---------------------------------------------------------------- control

  /**
   * The call is confirmed (ACK): media may flow to the remote from the next tick, a source may be
   * learned, and the first-packet bound starts. Idempotent.
   */
  confirm(): void {
    if (this.closed || this.#confirmed) return;
    this.#confirmed = true;
    this.#markerNext = true;
    this.#armLatches();
    this.#startUnheardWait();
  }

  /**
   * Where caller audio goes: one 20 ms frame per tick out of the jitter buffer (a reused object:
   * copy what you keep). Without a sink frames are played out and dropped.
   */
  setAudioSink(sink: Stage<JitterFrame> | undefined): void {
    this.#audioSink = sink;
  }

  /** Call recording: taps on both directions from the next packet (rtp/stages/media-tap.ts); undefined removes them. */
  setMediaTap(tap: MediaTap | undefined): void {
    if (this.closed || tap === this.#tap) return;
    this.#tap = tap;
    this.#rebuild();
  }

  /** Hold/resume (our SDP direction attribute): whether we send and whether we deliver inbound media. */
  setDirection(direction: MediaDirection): void {
    if (this.closed || direction === this.#direction) return;
    this.#direction = direction;
    const sending = direction === 'sendrecv' || direction === 'sendonly';
    const delivering = direction === 'sendrecv' || direction === 'recvonly';
    if (!sending) this.#dtmfOutbox.cancelAll();
    if (sending && !this.#sending) this.#markerNext = true; // a talkspurt after a pause (RFC 3551 §4.1)
    if (!delivering && this.#delivering) {
      this.#jitter.reset();
      this.#hold.clear();
    }
    this.#sending = sending;
    this.#delivering = delivering;
    // The first-packet bound counts only while we send (nothing goes to the remote on hold).
    if (sending) this.#startUnheardWait();
    else this.#unheardSince = -1;
    this.#rebuild();
  }

  /**
   * Re-INVITE: a new remote address/ports (the only source accepted from then on), payload types, codec, or
   * SRTP session (new keys; null switches SRTP off). Omitted fields keep their value.
   */
  updateRemote(update: RemoteUpdate): void {
    if (this.closed) return;
    if (update.payloadType !== undefined) checkPayloadType(update.payloadType, 'payloadType');
    if (update.dtmfPayloadType !== undefined && update.dtmfPayloadType !== null) checkPayloadType(update.dtmfPayloadType, 'dtmfPayloadType');
    if (update.remote !== undefined) this.#setRemote(update.remote);
    if (update.payloadType !== undefined) this.#payloadType = update.payloadType;
    if (update.dtmfPayloadType !== undefined) this.#dtmfPayloadType = update.dtmfPayloadType ?? undefined;
    if (update.srtp !== undefined) this.#srtp = update.srtp ?? undefined;
    if (update.codec !== undefined && update.codec !== this.#codec) {
      this.#codec = update.codec;
      this.#jitter = this.#makeJitterBuffer();
      this.playout.setSilenceByte(g711Codec(this.#codec).silenceByte);
    }
    this.#rebuild();
  }

  /**
   * Changes the inactivity timeout (e.g. longer while the peer holds us); 0 disables. The silence
   * window restarts now, so lowering the timeout never fires on silence that preceded the change.
   */
  setInactivityTimeout(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`inactivity timeout must be >= 0, got ${ms}`);
    this.#inactivityMs = ms;
    this.#silenceSince = this.#clock.now();
  }

  /**
   * Sends one RFC 4733 digit, pausing outbound audio for its duration. Resolves true when its last
   * packet left, false if it was abandoned (hold, close) or cannot be sent (no DTMF payload type,
   * not sending). Throws RangeError for a non-digit or a duration outside (0, 8191] ms.
   */
  sendDtmf(digit: string, durationMs = 100): Promise<boolean> {
    if (this.closed || this.#dtmfPayloadType === undefined || !this.#sending) return Promise.resolve(false);
    return this.#dtmfOutbox.enqueue(digit, durationMs);
  }

  stats(): RtpSessionStats {
    const src = this.#tracker.current;
    return {
      localPort: this.localPort,
      ssrc: this.ssrc,
      remote: this.#rtpLatch.remote,
      direction: this.#direction,
      received: { ...this.#rx, malformed: { ...this.#rx.malformed }, srtpErrors: { ...this.#rx.srtpErrors } },
      sent: { ...this.#tx, dtmfDigits: this.#dtmfOutbox.digitsSent },
      stream: {
        ssrc: src?.ssrc,
        expected: src?.validated ? src.expected : 0,
        lost: src?.cumulativeLost ?? 0,
        reordered: src?.reordered ?? 0,
        restarts: src?.restarts ?? 0,
        ssrcChanges: this.#tracker.ssrcChanges,
        jitterMs: src?.jitterMs ?? 0,
      },
      jitterBuffer: this.#jitter.stats(),
      remoteQuality: this.#remoteQuality.snapshot(),
      playout: { queuedMs: this.playout.queuedMs, starvedTicks: this.playout.starvedTicks, overflowBytes: this.playout.overflowBytes },
    };
  }

  /**
   * Idempotent teardown: leaves the scheduler, abandons queued DTMF, sends RTCP BYE, closes the
   * sockets and releases the port pair (once the sockets have closed).
   */
  close(reason?: string): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      this.#registration.unregister();
      this.#dtmfOutbox.cancelAll();
      const finish = (): void => {
        let pending = this.#rtcpSocket === undefined ? 1 : 2;
        const done = (): void => {
          if (--pending > 0) return;
          this.#ports.release(this.localPort);
          resolve();
        };
        this.#rtpSocket.close(done);
        this.#rtcpSocket?.close(done);
      };
      const bye = this.#confirmed && !this.#unheardStopped && this.#rtcpDestination() ? this.#buildReport({ reason }) : undefined;
      if (bye) this.#sendRtcp(bye, finish);
      else finish();
      this.#logger.debug({ sent: this.#tx.packets, received: this.#rx.packets }, 'rtp session closed');
      this.safeEmit('closed');
    });
    return this.#closing;
  }

  // ---------------------------------------------------------------- the stages

  #buildChains(): MediaChainSet {
    return buildMediaChains({
      clock: this.#clock,
      codec: this.#codec,
      payloadType: this.#payloadType,
      dtmfPayloadType: this.#dtmfPayloadType,
      srtp: this.#srtp,
      delivering: this.#delivering,
      rtcpMux: this.rtcpMux,
      ssrc: this.ssrc,
      rx: this.#rx,
      tx: this.#tx,
      hooks: this.#hooks,
      jitter: this.#jitter,
      hold: this.#hold,
      tracker: this.#tracker,
      dtmfReceiver: this.#dtmfReceiver,
      remoteQuality: this.#remoteQuality,
      rtpLatch: this.#rtpLatch,
      rtcpLatch: this.#rtcpLatch,
      sender: this.#sender,
      socket: this.#rtpSocket,
      socketKind: this.#socketKind,
      afterSend: this.#afterSend,
      audioSink: () => this.#audioSink,
      tap: this.#tap,
    });
  }

  #rebuild(): void {
    const chains = this.#buildChains();
    this.#inRtp = chains.rtp;
    this.#inRtcp = this.rtcpMux ? undefined : chains.rtcp;
    this.#out = chains.out;
  }

  // ---------------------------------------------------------------- scheduler tick

  onTick(tick: number, scheduledAt: number): void {
    if (this.#closing) return;
    // Periods the scheduler skipped after a stall longer than its catch-up bound.
    const skipped = this.#tickBase < 0 ? 0 : Math.max(0, tick - this.#lastTick - 1);
    if (this.#tickBase < 0) this.#tickBase = tick;
    this.#lastTick = tick;
    this.#lastTickAt = scheduledAt;
    if (this.#delivering) {
      const now = this.#clock.now();
      const lateMs = Math.max(0, now - scheduledAt) + skipped * FRAME_MS;
      const frame = this.#jitter.tick(now, lateMs);
      if (frame !== undefined) this.#deliver(frame);
      if (skipped > 0) this.#catchUpDelivery(skipped);
    }
    if (this.#mayTransmit() && this.#rtpLatch.remoteAddress !== undefined) this.#sendNextPacket(this.#timestampAt(tick));
    else if (!this.#sending) this.#markerNext = true;
    this.#checkTimers(scheduledAt);
  }

  /**
   * The caller's packets for skipped periods arrived during the stall and sit in the jitter buffer.
   * Outbound, a skipped period is right (the phone must not get a burst); inbound it would turn the
   * stall into permanent extra delay, and past the buffer's maximum into dropped caller audio. The
   * sink (Realtime) takes audio faster than real time, so hand those frames on now, but only while
   * the buffer stays above its target: the delay falls back to where it was, never into an underrun.
   */
  #catchUpDelivery(periods: number): void {
    const margin = this.#jitter.targetDelayMs + FRAME_MS;
    for (let i = 0; i < periods && this.#jitter.bufferedMs > margin; i++) {
      const frame = this.#jitter.tick(undefined, (periods - i) * FRAME_MS);
      if (frame === undefined) return;
      this.#deliver(frame);
    }
  }

  #deliver(frame: JitterFrame): void {
    const sink = this.#audioSink;
    if (sink === undefined) return;
    try {
      sink.write(frame);
    } catch (err) {
      // A faulty sink must not cost the caller the packet this tick still has to send.
      this.listenerErrors++;
      if (this.#loggedSocketErrors++ < MAX_LOGGED_SOCKET_ERRORS) this.#logger.error({ err }, 'rtp audio sink threw');
    }
  }

  #timestampAt(tick: number): number {
    return (this.#tsBase + (tick - this.#tickBase) * FRAME_SAMPLES) >>> 0;
  }

  /** Fills this tick's packet (a DTMF event, or the next frame of agent audio or silence) and sends it. */
  #sendNextPacket(timestamp: number): void {
    const p = this.#outPacket;
    const buf = this.#sendBuffers[this.#sendIndex] as Buffer;
    const payload = this.#payloadViews[this.#sendIndex] as Uint8Array;
    this.#sendIndex = (this.#sendIndex + 1) % SEND_BUFFERS;
    p.buffer = buf;
    const dtmf = this.#dtmfPayloadType !== undefined ? this.#dtmfOutbox.next(timestamp) : undefined;
    if (dtmf !== undefined) {
      buf.set(dtmf.payload, RTP_FIXED_HEADER_SIZE);
      p.length = RTP_FIXED_HEADER_SIZE + dtmf.payload.length;
      p.marker = dtmf.marker;
      p.payloadType = this.#dtmfPayloadType as number;
      p.timestamp = this.#dtmfOutbox.eventTimestamp;
      this.#tx.dtmfPackets++;
      this.#out.write(p);
      return;
    }
    const kind = this.playout.pull(payload);
    p.length = SEND_BUFFER_SIZE;
    p.marker = this.#markerNext || kind === 'audio-start';
    p.payloadType = this.#payloadType;
    p.timestamp = timestamp;
    this.#markerNext = false;
    if (kind === 'silence') this.#tx.silenceFrames++;
    else this.#tx.audioFrames++;
    this.#out.write(p);
    this.playout.commitFrame();
  }

  readonly #afterSend = (err: Error | null): void => {
    if (err) this.#onSocketError(err);
  };

  #checkTimers(now: number): void {
    if (this.#inactivityMs > 0 && !this.#inactiveReported && now - this.#silenceSince >= this.#inactivityMs) {
      this.#inactiveReported = true;
      this.safeEmit('inactive', { silentMs: now - this.#silenceSince });
    }
    if (this.#dtmfReceiver.hasPending && now - this.#lastDtmfAt >= DTMF_END_TIMEOUT_MS) {
      const ev = this.#dtmfReceiver.flush();
      if (ev !== undefined) this.#emitDtmf(ev);
    }
    if (this.#unheardSince >= 0 && now - this.#unheardSince >= this.#firstPacketTimeoutMs) this.#giveUpOnRemote(now);
    if (now >= this.#nextRtcpAt) {
      this.#nextRtcpAt = now + this.#rtcpInterval(false);
      if (this.#confirmed && !this.#unheardStopped && this.#rtcpDestination()) this.#sendRtcp(this.#buildReport(undefined));
    }
  }

  // ---------------------------------------------------------------- events

  #emitDtmf(ev: DtmfDigitEvent): void {
    this.#rx.dtmfDigits++;
    this.safeEmit('dtmf', ev);
  }

  #onLatched(kind: 'rtp' | 'rtcp', from: DatagramSource): void {
    const remote = { address: from.address, port: from.port };
    // RTCP goes where the learned RTP source is (never the other way round: RTCP cannot move RTP).
    if (kind === 'rtp' && !this.rtcpMux) this.#rtcpLatch.follow(from.address, this.#clock.now());
    this.#logger.info({ remote, kind, sdp: this.#sdpRemote }, kind === 'rtp' ? 'media source learned: RTP now goes to the observed source' : 'RTCP port learned');
    this.safeEmit('latched', remote, kind);
  }

  // ---------------------------------------------------------------- the first-packet bound

  /** Media flows only when sending, confirmed, and not given up on a remote that never answered. */
  #mayTransmit(): boolean {
    return this.#sending && this.#confirmed && !this.#unheardStopped;
  }

  /** Starts the bound on what goes to a remote that has sent nothing yet (when it applies). */
  #startUnheardWait(): void {
    if (this.#firstPacketTimeoutMs > 0 && this.#mayTransmit() && !this.#peerHeard && this.#unheardSince < 0) this.#unheardSince = this.#clock.now();
  }

  #onPeerHeard(): void {
    this.#peerHeard = true;
    this.#unheardSince = -1;
    this.#unheardStopped = false;
  }

  #giveUpOnRemote(now: number): void {
    const waitedMs = now - this.#unheardSince;
    this.#unheardSince = -1;
    this.#unheardStopped = true;
    this.#dtmfOutbox.cancelAll();
    this.safeEmit('unheard', { remote: this.#rtpLatch.remote, waitedMs, packetsSent: this.#tx.packets });
  }

  #armLatches(): void {
    const now = this.#clock.now();
    this.#rtpLatch.arm(now);
    this.#rtcpLatch.arm(now);
  }

  /** Last line of defence: a datagram whose handling threw (a bug) is counted, logged and dropped. */
  #onHandlerError(err: unknown): void {
    this.#rx.handlerErrors++;
    if (this.#loggedSocketErrors++ < MAX_LOGGED_SOCKET_ERRORS) this.#logger.error({ err }, 'rtp datagram handler failed');
  }

  #onSocketError(err: Error): void {
    this.#tx.socketErrors++;
    if (this.#loggedSocketErrors++ < MAX_LOGGED_SOCKET_ERRORS) this.#logger.warn({ err }, 'rtp socket error');
  }

  // ---------------------------------------------------------------- RTCP

  #rtcpInterval(initial: boolean): number {
    return rtcpIntervalMs(
      {
        members: 2,
        senders: this.#sending ? 2 : 1,
        rtcpBandwidth: G711_RTCP_BANDWIDTH_OCTETS_PER_S,
        weSent: this.#sending,
        avgRtcpSize: 100,
        initial,
      },
      this.#random,
    );
  }

  #rtcpDestination(): Endpoint | undefined {
    return this.rtcpMux ? this.#rtpLatch.remote : this.#rtcpLatch.remote;
  }

  #buildReport(bye: { reason: string | undefined } | undefined): RtcpPacket[] {
    const now = this.#clock.now();
    const weSent = this.#sender.sentSinceReport;
    this.#sender.sentSinceReport = false;
    // Our media clock at `now`: the last tick's timestamp plus the time since that tick.
    const rtpTimestamp =
      this.#tickBase < 0 ? this.#tsBase : (this.#timestampAt(this.#lastTick) + Math.round(((now - this.#lastTickAt) * G711_CLOCK_RATE) / 1000)) >>> 0;
    return buildCompoundReport({
      ssrc: this.ssrc,
      cname: this.#cname,
      wallNowMs: this.#clock.wallNow(),
      rtpTimestamp,
      packetsSent: this.#tx.packets,
      octetsSent: this.#tx.octets,
      weSent,
      source: this.#tracker.current,
      lastSr: this.#remoteQuality.lastSenderReport(now),
      ...(bye ? { bye } : {}),
    });
  }

  #sendRtcp(packets: RtcpPacket[], after?: () => void): void {
    const dest = this.#rtcpDestination();
    if (dest === undefined) {
      after?.();
      return;
    }
    let bytes: Uint8Array = serializeRtcp(packets);
    if (this.#srtp) bytes = this.#srtp.protectRtcp(bytes);
    this.#tx.rtcpPackets++;
    const socket = this.#rtcpSocket ?? this.#rtpSocket;
    socket.send(bytes, 0, bytes.length, dest.port, dest.address, (err) => {
      if (err) this.#onSocketError(err);
      after?.();
    });
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The SDP's remote: the one source accepted from now on (with `learn`, learning starts over). A
   * re-INVITE naming the same address and ports changes nothing, so a learned NAT source is kept.
   */
  #setRemote(remote: RemoteMedia | undefined): void {
    const last = this.#sdpRemote;
    const rtcpPort = remote === undefined ? 0 : (remote.rtcpPort ?? remote.port + 1);
    if (last !== undefined && remote !== undefined && last.address === remote.address && last.port === remote.port && (last.rtcpPort ?? last.port + 1) === rtcpPort) return;
    this.#sdpRemote = remote === undefined ? undefined : { ...remote };
    const now = this.#clock.now();
    this.#rtpLatch.expect(remote === undefined ? undefined : { address: remote.address, port: remote.port }, now);
    this.#rtcpLatch.expect(remote === undefined ? undefined : { address: remote.address, port: rtcpPort }, now);
    this.#peerHeard = false;
    this.#unheardSince = -1;
    this.#unheardStopped = false;
    if (remote !== undefined) this.#startUnheardWait();
  }

  #makeJitterBuffer(): JitterBuffer {
    return new JitterBuffer({ codec: g711Codec(this.#codec), concealer: new LossConcealer(), ...this.#jitterOptions });
  }
}
