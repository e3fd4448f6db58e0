/**
 * The caller's media: one RTP endpoint, the 20 ms pacer driving the outgoing stream, and the
 * receive side feeding the echo path, the talk detectors (barge-in triggers), the received-audio
 * recording and RTCP statistics. Records every packet both ways. One stop() ends it all.
 */
import type { SendableCodec } from '../codecs.js';
import { RTP_FIXED_HEADER_SIZE, RtpHeaderView, frameEnergyDbov, g711Codec, writeRtpFixedHeader, type G711Codec } from 'connect-realtime-gateway';
import type { HostPort } from '../options.js';
import type { LabCallerCounters, RtcpReceivedRecord, RtpReceivedRecord, RtpSentRecord } from '../result.js';
import type { RunClock } from '../run-clock.js';
import type { MediaPlan } from '../sdp/local-sdp.js';
import { receives, sends } from '../sdp/local-sdp.js';
import { EchoPath, type EchoSettings } from './echo-path.js';
import { FRAME_SAMPLES, OutgoingStream } from './outgoing-stream.js';
import { FramePacer } from './pacer.js';
import { ReceivedAudio } from './received-audio.js';
import { ReceiveStats } from './receive-stats.js';
import { buildSenderReport, senderReportNtpMiddle } from './rtcp-report.js';
import type { RtpEndpoint, SrtpFailure } from './rtp-endpoint.js';
import { TalkDetector } from './talk-detector.js';

/** Largest payload we decode (a 1500-byte datagram minus the RTP header). */
const MAX_PAYLOAD = 1500;

export interface TalkTrigger {
  afterMs: number;
  samples: Int16Array;
  gainDb: number;
  thresholdDbov: number;
  /** Called once when it fires: when, and the onset of the talkspurt that fired it. */
  onFire(t: number, onset: number): void;
}

export interface MediaRecords {
  rtpReceived: RtpReceivedRecord[];
  rtpSent: RtpSentRecord[];
  rtcpReceived: RtcpReceivedRecord[];
}

export interface MediaSessionOptions {
  clock: RunClock;
  endpoint: RtpEndpoint;
  records: MediaRecords;
  counters: LabCallerCounters;
  /** Outgoing packet indices to drop (loss injection). */
  dropPackets: ReadonlySet<number>;
  rtcpIntervalMs: number;
  /** Caps every record list and the received audio. */
  maxCallMs: number;
  /** Maps a far-end address to one we may send to (loopback only). */
  safeDestination(hp: HostPort, what: string): HostPort;
  onDtmfDigit(digit: string, t: number): void;
}

export class MediaSession {
  readonly #o: MediaSessionOptions;
  readonly #ssrc = (Math.random() * 2 ** 32) >>> 0;
  readonly #tsBase = (Math.random() * 2 ** 32) >>> 0;
  readonly #cname: string;
  #seq = Math.floor(Math.random() * 0x8000);
  #sentIndex = 0;
  #packets = 0;
  #octets = 0;
  readonly #echo = new EchoPath();
  readonly #pacer: FramePacer;
  #out: OutgoingStream | undefined;
  #plan: MediaPlan | undefined;
  readonly #view = new RtpHeaderView();
  readonly #packet = new Uint8Array(RTP_FIXED_HEADER_SIZE + MAX_PAYLOAD);
  readonly #decoded = new Int16Array(MAX_PAYLOAD);
  readonly #stats = new ReceiveStats();
  readonly #audio: ReceivedAudio;
  readonly #maxRecords: number;
  #triggers: Array<{ trigger: TalkTrigger; detector: TalkDetector }> = [];
  #receivedCodec: SendableCodec | undefined;
  #cancelRtcp: (() => void) | undefined;
  #stopped = false;

  constructor(o: MediaSessionOptions) {
    this.#o = o;
    this.#cname = `lab-caller@${o.endpoint.address}`;
    this.#pacer = new FramePacer(o.clock, (i) => this.#guard(() => this.#tick(i)));
    this.#audio = new ReceivedAudio(Math.ceil((o.maxCallMs + 1_000) * 8));
    this.#maxRecords = Math.ceil(o.maxCallMs / 20) * 2 + 1_000;
    o.endpoint.listen({
      onRtp: (p, from) => this.#guard(() => this.#onRtp(p, from)),
      onRtcp: (p) => this.#guard(() => this.#onRtcp(p)),
      onSrtpFailure: (reason: SrtpFailure) => {
        o.counters.srtpFailures[reason]++;
      },
    });
  }

  get plan(): MediaPlan | undefined {
    return this.#plan;
  }

  get pacerStats(): FramePacer['stats'] {
    return this.#pacer.stats;
  }

  get receivedCodec(): SendableCodec | undefined {
    return this.#receivedCodec;
  }

  receivedAudio(): Int16Array {
    return this.#audio.samples();
  }

  /** A (re-)negotiated plan: where to send, with what, in which direction. Starts the pacer the first time. */
  apply(plan: MediaPlan): void {
    if (this.#stopped) return;
    this.#plan = plan;
    const srtp = plan.srtp === undefined ? undefined : { local: plan.srtp.localKeys, remote: plan.srtp.remoteKeys };
    this.#o.endpoint.setRemote({
      rtp: this.#o.safeDestination(plan.remote, 'RTP'),
      rtcp: this.#o.safeDestination(plan.remoteRtcp, 'RTCP'),
      rtcpMux: plan.rtcpMux,
      srtp,
    });
    const codec = g711Codec(plan.codec.name);
    if (this.#out === undefined) {
      this.#out = new OutgoingStream({
        codec,
        payloadType: plan.codec.payloadType,
        telephoneEventPt: plan.telephoneEventPt,
        timestampBase: this.#tsBase,
        echo: this.#echo,
      });
      this.#pacer.start();
      if (this.#o.rtcpIntervalMs > 0) this.#scheduleRtcp();
    } else {
      this.#out.setCodec(codec, plan.codec.payloadType, plan.telephoneEventPt);
    }
  }

  speak(samples: Int16Array, gainDb: number): boolean {
    return this.#out?.speak(samples, gainDb) ?? false;
  }

  /** Queues RFC 4733 digits; false without a negotiated telephone-event. */
  dtmf(digits: string, durationMs: number, gapMs: number): boolean {
    return this.#out?.queueDtmf(digits, durationMs, gapMs) ?? false;
  }

  setEcho(s: EchoSettings | undefined): void {
    this.#echo.configure(s);
  }

  armTalkTrigger(trigger: TalkTrigger): void {
    this.#triggers.push({ trigger, detector: new TalkDetector(trigger.thresholdDbov) });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pacer.stop();
    this.#cancelRtcp?.();
    this.#triggers = [];
  }

  #tick(tick: number): void {
    const out = this.#out;
    const plan = this.#plan;
    if (out === undefined || plan === undefined) return;
    // Always advance the stream, so speech and echo keep real time while we do not send.
    const f = out.next(tick);
    const t = this.#o.clock.now();
    if (f.dtmfDigit !== undefined) this.#o.onDtmfDigit(f.dtmfDigit, t);
    if (!sends(plan.direction)) return;
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) & 0xffff;
    const index = this.#sentIndex++;
    const dropped = this.#o.dropPackets.has(index);
    const n = writeRtpFixedHeader(this.#packet, f.marker, f.payloadType, seq, f.timestamp, this.#ssrc);
    this.#packet.set(f.payload, n);
    const len = n + f.payload.length;
    if (!dropped) {
      this.#o.endpoint.sendRtp(this.#packet.subarray(0, len));
      this.#packets++;
      this.#octets += f.payload.length;
    }
    this.#record(this.#o.records.rtpSent, { t, index, seq, ts: f.timestamp, pt: f.payloadType, kind: f.kind, dropped });
  }

  #onRtp(packet: Buffer, from: HostPort): void {
    if (this.#stopped) return;
    const t = this.#o.clock.now();
    const v = this.#view;
    if (v.parse(packet) !== undefined) {
      this.#o.counters.rtpMalformed++;
      return;
    }
    const plan = this.#plan;
    if (plan !== undefined && (from.host !== plan.remote.host || from.port !== plan.remote.port)) this.#o.counters.rtpFromUnexpectedSource++;
    const payload = v.payload();
    this.#record(this.#o.records.rtpReceived, {
      t,
      seq: v.sequenceNumber,
      ts: v.timestamp,
      pt: v.payloadType,
      marker: v.marker,
      ssrc: v.ssrc,
      payload: Buffer.from(payload),
    });
    // Audio before the answer (early media) is recorded above but not decoded: the received-audio
    // timeline, the echo and the talk detectors all start at the answer, with the pacer.
    if (!this.#pacer.running) return;
    const codec = this.#codecFor(v.payloadType);
    if (codec === undefined || payload.length === 0) return;
    if (plan !== undefined && !receives(plan.direction)) return;
    this.#receivedCodec = codec.name;
    this.#stats.onPacket(v.ssrc, v.sequenceNumber, v.timestamp, t);
    const n = codec.decode(payload, this.#decoded, Math.min(payload.length, MAX_PAYLOAD));
    const t0 = this.#pacer.t0;
    this.#audio.add(v.ssrc, v.timestamp, t, t0, this.#decoded, n);
    this.#echo.push(this.#decoded, n, v.ssrc, v.timestamp, (t - t0) * 8, this.#pacer.nextIndex * FRAME_SAMPLES);
    if (this.#triggers.length > 0) this.#evaluateTriggers(frameEnergyDbov(this.#decoded, n), t);
  }

  /** The law of an audio payload type: the negotiated one, or PCMU/PCMA by their static numbers. */
  #codecFor(pt: number): G711Codec | undefined {
    const plan = this.#plan;
    if (plan !== undefined && pt === plan.codec.payloadType) return g711Codec(plan.codec.name);
    if (plan !== undefined && pt === plan.telephoneEventPt) return undefined;
    if (pt === 0) return g711Codec('PCMU');
    if (pt === 8) return g711Codec('PCMA');
    return undefined;
  }

  #evaluateTriggers(level: number, t: number): void {
    for (let i = this.#triggers.length - 1; i >= 0; i--) {
      const { trigger, detector } = this.#triggers[i]!;
      detector.onFrame(level, t);
      const onset = detector.onsetAt(t);
      if (onset === undefined || t - onset < trigger.afterMs) continue;
      this.#triggers.splice(i, 1);
      this.#out?.speak(trigger.samples, trigger.gainDb);
      trigger.onFire(t, onset);
    }
  }

  #onRtcp(packet: Buffer): void {
    if (this.#stopped) return;
    const t = this.#o.clock.now();
    this.#record(this.#o.records.rtcpReceived, { t, firstType: packet[1] ?? 0, length: packet.length });
    const ntp = senderReportNtpMiddle(packet);
    if (ntp !== undefined) this.#stats.onSenderReport(ntp, t);
  }

  #scheduleRtcp(): void {
    this.#cancelRtcp = this.#o.clock.after(this.#o.rtcpIntervalMs, () => {
      if (this.#stopped) return;
      this.#guard(() => this.#sendReport());
      this.#scheduleRtcp();
    });
  }

  #sendReport(): void {
    const plan = this.#plan;
    if (plan === undefined || this.#out === undefined) return;
    const t = this.#o.clock.now();
    // The SR's RTP timestamp is on our media clock: the stream's base plus elapsed samples.
    const rtpTs = (this.#tsBase + Math.round((t - this.#pacer.t0) * 8)) >>> 0;
    const report = buildSenderReport(
      { ssrc: this.#ssrc, wallMs: Date.now(), rtpTimestamp: rtpTs, packets: this.#packets, octets: this.#octets },
      this.#stats.block(t),
      this.#cname,
    );
    this.#o.endpoint.sendRtcp(report);
  }

  /** A throw while handling a datagram is our bug: count it, keep the media running. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.#o.counters.internalErrors++;
    }
  }

  #record<T>(list: T[], item: T): void {
    if (list.length >= this.#maxRecords) this.#o.counters.recordsDropped++;
    else list.push(item);
  }
}
