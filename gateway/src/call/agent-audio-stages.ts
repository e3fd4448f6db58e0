/**
 * The agent's side of the media bridge, one Realtime audio delta at a time (any size, faster than
 * real time):
 *
 *   passthrough  Playback -> PlayoutQueue
 *   pcm16        Resample(24000->8000) -> PCMU(encode) -> Playback -> PlayoutQueue
 *
 * `Playback` hands the G.711 to the playback ledger, which queues it for the pacer and keeps the
 * books (what was queued, sent, cut). The unit is one reused object per bridge; the resampling
 * buffers grow to the largest delta seen and are then reused.
 */
import type { Downsampler24to8, G711Codec } from '../audio/index.js';
import { describeStage, type Stage } from '../rtp/index.js';
import type { PlaybackLedger } from './playback-ledger.js';

const FRAME_8K = 160;
const FRAME_24K = 480;

/** One delta on its way to the playout queue. */
export class AgentAudio {
  responseId = '';
  itemId = '';
  contentIndex = 0;
  /** The audio: the session format as it arrived, then G.711 once encoded. */
  audio: Uint8Array = new Uint8Array(0);
  /** 8 kHz PCM after resampling (valid for `samples`). */
  pcm: Int16Array = new Int16Array(0);
  samples = 0;
}

/** 24 kHz 16-bit little-endian (audio/pcm) to 8 kHz PCM. */
export class Downsample implements Stage<AgentAudio> {
  readonly #down: Downsampler24to8;
  #in = new Int16Array(FRAME_24K * 8);
  #out = new Int16Array(FRAME_8K * 8);
  readonly #next: Stage<AgentAudio>;
  constructor(down: Downsampler24to8, next: Stage<AgentAudio>) {
    this.#down = down;
    this.#next = next;
  }
  write(chunk: AgentAudio): void {
    const bytes = chunk.audio;
    const samples = bytes.length >> 1;
    if (this.#in.length < samples) {
      this.#in = new Int16Array(samples);
      this.#out = new Int16Array(Math.ceil(samples / 3) + FRAME_8K);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < samples; i++) this.#in[i] = view.getInt16(2 * i, true);
    chunk.samples = this.#down.process(this.#in.subarray(0, samples), this.#out);
    chunk.pcm = this.#out;
    this.#next.write(chunk);
  }
  toString(): string {
    return describeStage('Resample(24000->8000)', this.#next);
  }
}

/** 8 kHz PCM to the call's G.711 law. */
export class G711Encode implements Stage<AgentAudio> {
  readonly #codec: G711Codec;
  #bytes = new Uint8Array(FRAME_8K * 8);
  readonly #next: Stage<AgentAudio>;
  constructor(codec: G711Codec, next: Stage<AgentAudio>) {
    this.#codec = codec;
    this.#next = next;
  }
  write(chunk: AgentAudio): void {
    if (this.#bytes.length < chunk.samples) this.#bytes = new Uint8Array(chunk.pcm.length);
    this.#codec.encode(chunk.pcm, this.#bytes, chunk.samples);
    chunk.audio = this.#bytes.subarray(0, chunk.samples);
    this.#next.write(chunk);
  }
  toString(): string {
    return describeStage(`${this.#codec.name}(encode)`, this.#next);
  }
}

/** Into the playback ledger (and through it the playout queue); audio of a cut response is dropped there. */
export class Playback implements Stage<AgentAudio> {
  readonly #ledger: PlaybackLedger;
  constructor(ledger: PlaybackLedger) {
    this.#ledger = ledger;
  }
  write(chunk: AgentAudio): void {
    this.#ledger.play(chunk.responseId, chunk.itemId, chunk.contentIndex, chunk.audio);
  }
  toString(): string {
    return 'Playback -> PlayoutQueue';
  }
}
