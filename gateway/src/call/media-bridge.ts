import { Downsampler24to8, g711Codec, Upsampler8to24, type G711Codec, type G711Name } from '../audio/index.js';
import type { Logger } from '../log.js';
import type { RealtimeAudioFormat, RealtimeBackend } from '../realtime/backend.js';
import type { JitterFrame, RtpSession, Stage } from '../rtp/index.js';
import { AgentAudio, Downsample, G711Encode, Playback } from './agent-audio-stages.js';
import { AppendBatch, type AppendPeriod } from './append-batch.js';
import { EchoGate, Passthrough, RealtimeAppend, Upsample } from './caller-audio-stages.js';
import { EchoGuard, type EchoGuardOptions } from './echo-guard.js';
import type { PlaybackItem, PlaybackLedger } from './playback-ledger.js';
import { UnheardAudio } from './unheard-audio.js';

/**
 * Joins one call's RTP session to its Realtime backend, in one of two audio modes:
 * - passthrough: G.711 bytes go to Realtime as audio/pcmu or audio/pcma and come back the same way;
 *   no transcoding, so the AI hears exactly the caller's payload (concealed frames re-encoded).
 * - pcm16: decode → 8→24 kHz → audio/pcm to Realtime; 24→8 kHz → encode on the way back.
 * Each direction is a chain of stages (caller-audio-stages.ts, agent-audio-stages.ts), printed by
 * `chains()`. It also owns the barge-in: what was actually sent as RTP (the playback ledger) is what
 * the model is told.
 */
export type AudioMode = 'passthrough' | 'pcm16';

const NO_AUDIO = new Uint8Array(0);

export function realtimeFormatFor(mode: AudioMode, codec: G711Name): RealtimeAudioFormat {
  if (mode === 'pcm16') return 'pcm16';
  return codec === 'PCMU' ? 'pcmu' : 'pcma';
}

export interface BargeIn {
  itemId: string;
  sentMs: number;
  flushedMs: number;
}

export interface MediaBridgeOptions {
  echoGuard?: EchoGuardOptions;
  /** Agent audio backlog beyond which the rest of a response is dropped and the response cancelled. */
  maxQueuedMs?: number;
  /** An item the caller never heard a packet of (deleted from the model's conversation). */
  onNotHeard?: (itemId: string) => void;
  /** A stage put after the echo gate on the caller side (the gateway-side barge-in's SpeechTap). */
  callerTap?: (codec: G711Codec, next: Stage<JitterFrame>) => Stage<JitterFrame>;
  /** How much caller audio goes in one input_audio_buffer.append (append-batch.ts); absent: every frame at once. */
  appendPeriod?: AppendPeriod;
}

export class MediaBridge {
  readonly #ledger: PlaybackLedger;
  readonly #backend: RealtimeBackend;
  readonly #logger: Logger;
  readonly #mode: AudioMode;
  /** The session's audio format, fixed when it was configured. */
  readonly #format: RealtimeAudioFormat;
  readonly #echo: EchoGuard | undefined;
  readonly #unheard: UnheardAudio;
  // pcm16 resampler state, kept across chain rebuilds (a codec change must not reset the filters).
  readonly #up = new Upsampler8to24();
  readonly #down = new Downsampler24to8();
  readonly #chunk = new AgentAudio();
  /** The chains' last caller stage, kept across rebuilds (a batch must not lose what waits). */
  readonly #append: Stage<Uint8Array>;
  readonly #batch: AppendBatch | undefined;
  #callerChain: Stage<JitterFrame>;
  #agentChain: Stage<AgentAudio>;
  readonly #rtp: RtpSession<PlaybackItem>;
  readonly #maxQueuedMs: number;
  readonly #callerTap: MediaBridgeOptions['callerTap'];
  /** The response whose audio overflowed the backlog: the rest of it is dropped. */
  #overflowed: string | undefined;
  #closed = false;
  /** Agent audio bytes dropped because the backlog to the caller was full (the response is cancelled). */
  agentAudioDroppedBytes = 0;
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
    opts: MediaBridgeOptions = {},
  ) {
    const { echoGuard, maxQueuedMs = Number.POSITIVE_INFINITY, onNotHeard = () => undefined, callerTap, appendPeriod } = opts;
    this.#callerTap = callerTap;
    this.#rtp = rtp;
    this.#maxQueuedMs = maxQueuedMs;
    this.#ledger = ledger;
    this.#backend = backend;
    this.#mode = mode;
    this.#format = realtimeFormatFor(mode, codec);
    this.#logger = log;
    this.#echo = echoGuard ? new EchoGuard(echoGuard, ledger) : undefined;
    this.#unheard = new UnheardAudio(backend, onNotHeard, log);
    const append = new RealtimeAppend(backend, this.#format);
    this.#batch = appendPeriod !== undefined && appendPeriod.maxFrames > 1 ? new AppendBatch(appendPeriod, append) : undefined;
    this.#append = this.#batch ?? append;
    const c = g711Codec(codec);
    this.#callerChain = this.#buildCallerChain(c);
    this.#agentChain = this.#buildAgentChain(c);
    rtp.setAudioSink({
      write: (frame) => this.#onCallerFrame(frame),
      toString: () => String(this.#callerChain),
    });
    backend.on('audio', (delta) => {
      if (this.#closed || this.#overBacklog(delta.responseId, delta.audio.length)) return;
      const chunk = this.#chunk;
      chunk.responseId = delta.responseId;
      chunk.itemId = delta.itemId;
      chunk.contentIndex = delta.contentIndex;
      chunk.audio = delta.audio;
      this.#agentChain.write(chunk);
      // The chain copied what it needed. The delta is a slice of Node's shared buffer pool: kept here
      // until the next delta (the whole time the caller talks), it would pin a 64 KiB pool chunk.
      chunk.audio = NO_AUDIO;
    });
    backend.on('audioDone', ({ itemId }) => {
      if (!this.#closed) ledger.endItem(itemId);
    });
  }

  /** The two directions as built, stage by stage. */
  chains(): { callerToAgent: string; agentToCaller: string } {
    return { callerToAgent: String(this.#callerChain), agentToCaller: String(this.#agentChain) };
  }

  /** The negotiated codec changed (re-INVITE): the echo gate and the encoder follow. */
  codecChanged(codec: G711Name): void {
    const c = g711Codec(codec);
    this.#callerChain = this.#buildCallerChain(c);
    this.#agentChain = this.#buildAgentChain(c);
  }

  /** Agent items deleted after barge-ins because the caller never heard them. */
  get unheardItemsDeleted(): number {
    return this.#unheard.deleted;
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
    const { item, sentMs, flushedMs, unplayedResponses } = stopped;
    if (opts.cancel) this.#backend.cancelResponse(item.responseId);
    // audio_end_ms = what was actually sent as RTP; an item with nothing sent, and the later items of
    // the response, were never heard: deleted once the response is done (unheard-audio.ts).
    if (sentMs > 0) this.#backend.truncate(item.itemId, item.contentIndex, sentMs);
    this.#unheard.cut(item.responseId, { itemId: item.itemId, heardMs: sentMs });
    for (const responseId of unplayedResponses) this.#unheard.cut(responseId, null);
    this.#logger.info({ itemId: item.itemId, sentMs, flushedMs }, 'barge-in: agent audio stopped');
    return { itemId: item.itemId, sentMs, flushedMs };
  }

  close(): void {
    // The caller's last words reach the model even when they did not fill a batch.
    if (!this.#closed) this.#batch?.flush();
    this.#closed = true;
  }

  /**
   * The service sends faster than real time; a stream far faster than that (or without end) must not
   * grow the call's memory without bound. Past `maxQueuedMs` of backlog the caller would wait minutes
   * for the rest anyway: that response's remaining audio is dropped and counted, the model is asked
   * to stop it, and what was queued plays out (a barge-in still truncates at what was sent).
   */
  #overBacklog(responseId: string, bytes: number): boolean {
    if (this.#overflowed === responseId) {
      this.agentAudioDroppedBytes += bytes;
      return true;
    }
    if (this.#rtp.playout.queuedMs < this.#maxQueuedMs) return false;
    this.#overflowed = responseId;
    this.agentAudioDroppedBytes += bytes;
    this.#logger.warn({ responseId, queuedMs: Math.round(this.#rtp.playout.queuedMs), maxQueuedMs: this.#maxQueuedMs }, 'agent audio backlog full: the rest of this response is dropped and the response cancelled');
    this.#backend.cancelResponse(responseId);
    return true;
  }

  #onCallerFrame(frame: JitterFrame): void {
    if (this.#closed) return;
    this.framesToRealtime++;
    if (frame.concealed) this.concealedToRealtime++;
    this.#callerChain.write(frame);
  }

  #buildCallerChain(codec: G711Codec): Stage<JitterFrame> {
    const plain = this.#mode === 'passthrough' ? new Passthrough(codec, this.#append) : new Upsample(this.#up, this.#append);
    const convert = this.#callerTap === undefined ? plain : this.#callerTap(codec, plain);
    return this.#echo ? new EchoGate(this.#echo, codec, convert) : convert;
  }

  #buildAgentChain(codec: G711Codec): Stage<AgentAudio> {
    const playback = new Playback(this.#ledger);
    return this.#mode === 'passthrough' ? playback : new Downsample(this.#down, new G711Encode(codec, playback));
  }
}
