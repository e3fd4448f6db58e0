/**
 * What the caller's "microphone" produces each 20 ms tick, composed from the timeline:
 *
 *   DTMF event packets (RFC 4733)  — replace audio while a digit is keyed, like a phone muting
 *   speech (WAV inserts, mixed)    ┐
 *   echo of the received audio     ┴ summed, then encoded with the negotiated G.711 law
 *   silence                        — the law's silence byte (µ-law 0xFF) when nothing else plays
 *
 * next() is called for every tick, sent or not (hold, loss injection), so speech, echo and
 * timestamps advance with real time. The returned frame and its payload are reused: valid until
 * the next call. Nothing is allocated per tick.
 */
import { DtmfSender, type DtmfPacketPlan, type G711Codec } from 'connect-realtime-gateway';
import type { SentKind } from '../result.js';
import type { EchoPath } from './echo-path.js';

export const FRAME_SAMPLES = 160;
/** Concurrent speech inserts mixed at most (more is a script error in all but name). */
export const MAX_SPEECH_SOURCES = 8;
/** Digits queued at most. */
export const MAX_QUEUED_DIGITS = 256;

export interface OutFrame {
  kind: SentKind;
  payloadType: number;
  marker: boolean;
  timestamp: number;
  payload: Uint8Array;
  /** Set on the first packet of a DTMF digit. */
  dtmfDigit: string | undefined;
}

interface SpeechSource {
  samples: Int16Array;
  pos: number;
  gain: number;
}

interface QueuedDigit {
  digit: string;
  packets: DtmfPacketPlan[];
  gapTicks: number;
}

export interface OutgoingStreamOptions {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPt: number | undefined;
  /** RTP timestamp of tick 0. */
  timestampBase: number;
  echo: EchoPath;
}

export class OutgoingStream {
  #codec: G711Codec;
  #pt: number;
  #tePt: number | undefined;
  readonly #tsBase: number;
  readonly #echo: EchoPath;
  readonly #dtmfSender = new DtmfSender();
  readonly #mix = new Float32Array(FRAME_SAMPLES);
  readonly #pcm = new Int16Array(FRAME_SAMPLES);
  readonly #payload = new Uint8Array(FRAME_SAMPLES);
  readonly #silence = new Uint8Array(FRAME_SAMPLES);
  readonly #frame: OutFrame = { kind: 'silence', payloadType: 0, marker: false, timestamp: 0, payload: this.#payload, dtmfDigit: undefined };
  readonly #sources: SpeechSource[] = [];
  readonly #digits: QueuedDigit[] = [];
  #current: { digit: QueuedDigit; index: number; timestamp: number } | undefined;
  /** No new digit starts before this tick (the inter-digit gap). */
  #digitGapUntil = 0;
  /** Timestamp of the event the last DTMF packet belonged to. */
  #eventTimestamp = 0;

  constructor(o: OutgoingStreamOptions) {
    this.#codec = o.codec;
    this.#pt = o.payloadType;
    this.#tePt = o.telephoneEventPt;
    this.#tsBase = o.timestampBase >>> 0;
    this.#echo = o.echo;
    this.#silence.fill(o.codec.silenceByte);
  }

  /** After a re-negotiation: the law, its payload type and telephone-event may change. */
  setCodec(codec: G711Codec, payloadType: number, telephoneEventPt: number | undefined): void {
    this.#codec = codec;
    this.#pt = payloadType;
    this.#tePt = telephoneEventPt;
    this.#silence.fill(codec.silenceByte);
  }

  get telephoneEventPt(): number | undefined {
    return this.#tePt;
  }

  /** Starts a WAV insert at the next tick; false when MAX_SPEECH_SOURCES are already playing. */
  speak(samples: Int16Array, gainDb = 0): boolean {
    if (this.#sources.length >= MAX_SPEECH_SOURCES) return false;
    this.#sources.push({ samples, pos: 0, gain: 10 ** (gainDb / 20) });
    return true;
  }

  get speaking(): boolean {
    return this.#sources.length > 0;
  }

  /** Queues digits as RFC 4733 events; false when no telephone-event was negotiated or the queue is full. */
  queueDtmf(digits: string, durationMs: number, gapMs: number): boolean {
    if (this.#tePt === undefined || this.#digits.length + digits.length > MAX_QUEUED_DIGITS) return false;
    const gapTicks = Math.ceil(gapMs / 20);
    for (const digit of digits) this.#digits.push({ digit, packets: this.#dtmfSender.plan(digit, durationMs), gapTicks });
    return true;
  }

  get dtmfPending(): boolean {
    return this.#current !== undefined || this.#digits.length > 0;
  }

  /** The frame for tick `tick` (ticks must be consecutive). */
  next(tick: number): OutFrame {
    const f = this.#frame;
    const ts = (this.#tsBase + tick * FRAME_SAMPLES) >>> 0;
    f.marker = tick === 0;
    f.dtmfDigit = undefined;
    const hasAudio = this.#mixAudio(tick);
    const dtmf = this.#nextDtmf(tick, ts);
    if (dtmf !== undefined) {
      f.kind = 'dtmf';
      f.payloadType = this.#tePt ?? 0;
      f.marker = dtmf.marker;
      f.timestamp = this.#eventTimestamp;
      f.payload = dtmf.payload;
      return f;
    }
    f.payloadType = this.#pt;
    f.timestamp = ts;
    if (hasAudio === 'none') {
      f.kind = 'silence';
      f.payload = this.#silence;
      return f;
    }
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const v = this.#mix[i] as number;
      this.#pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
    }
    this.#codec.encode(this.#pcm, this.#payload);
    f.kind = hasAudio;
    f.payload = this.#payload;
    return f;
  }

  /** Mixes speech and echo for this tick into #mix; says which contributed. */
  #mixAudio(tick: number): 'none' | 'speech' | 'echo' {
    this.#mix.fill(0);
    let speech = false;
    for (let s = this.#sources.length - 1; s >= 0; s--) {
      const src = this.#sources[s]!;
      const n = Math.min(FRAME_SAMPLES, src.samples.length - src.pos);
      for (let i = 0; i < n; i++) this.#mix[i] = (this.#mix[i] as number) + src.gain * (src.samples[src.pos + i] as number);
      src.pos += n;
      speech = true;
      if (src.pos >= src.samples.length) this.#sources.splice(s, 1);
    }
    const echo = this.#echo.take(tick * FRAME_SAMPLES, this.#mix);
    return speech ? 'speech' : echo ? 'echo' : 'none';
  }

  #nextDtmf(tick: number, ts: number): DtmfPacketPlan | undefined {
    if (this.#current === undefined) {
      if (tick < this.#digitGapUntil) return undefined;
      const digit = this.#digits.shift();
      if (digit === undefined) return undefined;
      // RFC 4733 §2.5.1.2: the event's timestamp is the tick it starts on, kept by every packet.
      this.#current = { digit, index: 0, timestamp: ts };
      this.#frame.dtmfDigit = digit.digit;
    }
    const cur = this.#current;
    this.#eventTimestamp = cur.timestamp;
    const plan = cur.digit.packets[cur.index++];
    if (cur.index >= cur.digit.packets.length) {
      this.#current = undefined;
      this.#digitGapUntil = tick + 1 + cur.digit.gapTicks;
    }
    return plan;
  }
}
