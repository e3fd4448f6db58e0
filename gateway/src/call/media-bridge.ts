import { Downsampler24to8, energyOfG711, g711Codec, Upsampler8to24, type G711Codec, type G711Name } from '../audio/index.js';
import { EchoGuard, type EchoGuardOptions } from './echo-guard.js';
import type { PlaybackItem, PlaybackLedger } from './playback-ledger.js';
import type { Logger } from '../log.js';
import type { RealtimeAudioFormat, RealtimeBackend } from '../realtime/backend.js';
import type { RtpSession } from '../rtp/index.js';

/**
 * Joins one call's RTP session to its Realtime backend, in one of two audio modes:
 * - passthrough: G.711 bytes go to Realtime as audio/pcmu or audio/pcma and come back the same way;
 *   no transcoding, so the AI hears exactly the caller's payload (concealed frames re-encoded).
 * - pcm16: decode → 8→24 kHz → audio/pcm to Realtime; 24→8 kHz → encode on the way back.
 * It also owns the "barge-in truth": what was actually sent as RTP is what the model is told.
 */
export type AudioMode = 'passthrough' | 'pcm16';

export function realtimeFormatFor(mode: AudioMode, codec: 'PCMU' | 'PCMA'): RealtimeAudioFormat {
  if (mode === 'pcm16') return 'pcm16';
  return codec === 'PCMU' ? 'pcmu' : 'pcma';
}

const FRAME_8K = 160;
const FRAME_24K = 480;

export interface BargeIn {
  itemId: string;
  sentMs: number;
  flushedMs: number;
}

export class MediaBridge {
  readonly #ledger: PlaybackLedger;
  readonly #backend: RealtimeBackend;
  readonly #log: Logger;
  readonly #mode: AudioMode;
  #codec: G711Codec;
  // pcm16 mode state, allocated once per call.
  readonly #up = new Upsampler8to24();
  readonly #down = new Downsampler24to8();
  readonly #pcm24 = new Int16Array(FRAME_24K);
  readonly #bytes24 = Buffer.alloc(FRAME_24K * 2);
  #downIn = new Int16Array(FRAME_24K * 8);
  #downOut = new Int16Array(FRAME_8K * 8);
  #encoded = new Uint8Array(FRAME_8K * 8);
  readonly #echo: EchoGuard | undefined;
  readonly #silence = new Uint8Array(FRAME_8K);
  readonly #silencePcm = new Int16Array(FRAME_8K);
  #closed = false;
  framesToRealtime = 0;
  bargeIns = 0;
  concealedToRealtime = 0;

  constructor(
    rtp: RtpSession<PlaybackItem>,
    ledger: PlaybackLedger,
    backend: RealtimeBackend,
    mode: AudioMode,
    codec: G711Name,
    log: Logger,
    echoGuard?: EchoGuardOptions,
  ) {
    this.#ledger = ledger;
    this.#backend = backend;
    this.#mode = mode;
    this.#log = log;
    this.#codec = g711Codec(codec);
    this.#silence.fill(this.#codec.silenceByte);
    this.#echo = echoGuard ? new EchoGuard(echoGuard, ledger) : undefined;
    rtp.on('audio', (frame) => {
      if (this.#closed) return;
      this.framesToRealtime++;
      if (frame.concealed) this.concealedToRealtime++;
      let payload = frame.payload;
      let pcm = frame.pcm;
      if (this.#echo?.isEcho(frame.payload, this.#codec)) {
        payload = this.#silence;
        pcm = this.#silencePcm;
      }
      if (this.#mode === 'passthrough') {
        backend.appendAudio(payload);
        return;
      }
      const n = this.#up.process(pcm, this.#pcm24);
      for (let i = 0; i < n; i++) this.#bytes24.writeInt16LE(this.#pcm24[i]!, 2 * i);
      backend.appendAudio(this.#bytes24.subarray(0, 2 * n));
    });
    backend.on('audio', (delta) => this.#onAgentAudio(delta.responseId, delta.itemId, delta.contentIndex, delta.audio));
    backend.on('audioDone', ({ itemId }) => {
      if (!this.#closed) ledger.endItem(itemId);
    });
  }

  /** The negotiated codec changed (re-INVITE). */
  codecChanged(codec: G711Name): void {
    this.#codec = g711Codec(codec);
    this.#silence.fill(this.#codec.silenceByte);
  }

  #onAgentAudio(responseId: string, itemId: string, contentIndex: number, audio: Buffer): void {
    if (this.#closed) return;
    if (this.#mode === 'passthrough') {
      this.#ledger.play(responseId, itemId, contentIndex, audio);
      return;
    }
    const samples = audio.length >> 1;
    if (this.#downIn.length < samples) {
      this.#downIn = new Int16Array(samples);
      this.#downOut = new Int16Array(Math.ceil(samples / 3) + FRAME_8K);
      this.#encoded = new Uint8Array(this.#downOut.length);
    }
    for (let i = 0; i < samples; i++) this.#downIn[i] = audio.readInt16LE(2 * i);
    const n = this.#down.process(this.#downIn.subarray(0, samples), this.#downOut);
    this.#codec.encode(this.#downOut, this.#encoded, n);
    this.#ledger.play(responseId, itemId, contentIndex, this.#encoded.subarray(0, n));
  }

  /** Caller frames the echo guard replaced by silence. */
  get echoSuppressedFrames(): number {
    return this.#echo?.suppressedFrames ?? 0;
  }

  /** True while agent audio is queued or being sent. */
  get agentSpeaking(): boolean {
    return this.#ledger.isPlaying;
  }

  /**
   * The caller started talking over the agent: stop the agent's audio now (within one packet
   * time: the queue is flushed before the next 20 ms tick) and tell the model exactly how much of
   * its answer the caller heard, so its memory holds no words that were never played.
   */
  bargeIn(opts: { cancel: boolean }): BargeIn | undefined {
    if (this.#closed) return undefined;
    const stopped = this.#ledger.stop();
    if (stopped === undefined) return undefined;
    this.bargeIns++;
    const { item, sentMs, flushedMs } = stopped;
    if (opts.cancel) this.#backend.cancelResponse(item.responseId);
    // audio_end_ms = what was actually sent as RTP; 0 means nothing was heard: nothing to truncate.
    if (sentMs > 0) this.#backend.truncate(item.itemId, item.contentIndex, sentMs);
    this.#log.info({ itemId: item.itemId, sentMs, flushedMs }, 'barge-in: agent audio stopped');
    return { itemId: item.itemId, sentMs, flushedMs };
  }

  close(): void {
    this.#closed = true;
  }
}
