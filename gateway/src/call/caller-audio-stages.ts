/**
 * The caller's side of the media bridge, one 20 ms frame per tick out of the jitter buffer:
 *
 *   passthrough  [EchoGate ->] Passthrough(PCMU) -> RealtimeAppend(audio/pcmu)
 *   pcm16        [EchoGate ->] Resample(8000->24000) -> RealtimeAppend(audio/pcm)
 *
 * Frames are the jitter buffer's reused objects: stages read them and never write into them (the echo
 * gate forwards its own silent frame instead), and nothing is allocated per frame.
 */
import type { G711Codec, Upsampler8to24 } from '../audio/index.js';
import type { RealtimeAudioFormat, RealtimeBackend } from '../realtime/backend.js';
import { describeStage, type JitterFrame, type Stage } from '../rtp/index.js';
import type { EchoGuard } from './echo-guard.js';

const FRAME_8K = 160;
const FRAME_24K = 480;

/** Caller audio the echo guard explains as the agent's own voice is replaced by the codec's silence. */
export class EchoGate implements Stage<JitterFrame> {
  readonly #guard: EchoGuard;
  readonly #codec: G711Codec;
  readonly #silent: JitterFrame;
  readonly #next: Stage<JitterFrame>;
  constructor(guard: EchoGuard, codec: G711Codec, next: Stage<JitterFrame>) {
    this.#guard = guard;
    this.#codec = codec;
    this.#silent = { payload: new Uint8Array(FRAME_8K).fill(codec.silenceByte), pcm: new Int16Array(FRAME_8K), concealed: false, timestamp: 0 };
    this.#next = next;
  }
  write(frame: JitterFrame): void {
    if (!this.#guard.isEcho(frame.payload, this.#codec)) {
      this.#next.write(frame);
      return;
    }
    this.#silent.concealed = frame.concealed;
    this.#silent.timestamp = frame.timestamp;
    this.#next.write(this.#silent);
  }
  toString(): string {
    const { marginDb, tailMs } = this.#guard.options;
    return describeStage(`EchoGate(${marginDb} dB, ${tailMs} ms)`, this.#next);
  }
}

/** G.711 to the model as it came off the wire (audio/pcmu, audio/pcma): no transcoding. */
export class Passthrough implements Stage<JitterFrame> {
  readonly #codec: G711Codec;
  readonly #next: Stage<Uint8Array>;
  constructor(codec: G711Codec, next: Stage<Uint8Array>) {
    this.#codec = codec;
    this.#next = next;
  }
  write(frame: JitterFrame): void {
    this.#next.write(frame.payload);
  }
  toString(): string {
    return describeStage(`Passthrough(${this.#codec.name})`, this.#next);
  }
}

/** 8 kHz PCM to 24 kHz 16-bit little-endian (Realtime's audio/pcm). */
export class Upsample implements Stage<JitterFrame> {
  readonly #up: Upsampler8to24;
  readonly #pcm24 = new Int16Array(FRAME_24K);
  readonly #bytes = Buffer.alloc(FRAME_24K * 2);
  readonly #next: Stage<Uint8Array>;
  constructor(up: Upsampler8to24, next: Stage<Uint8Array>) {
    this.#up = up;
    this.#next = next;
  }
  write(frame: JitterFrame): void {
    const n = this.#up.process(frame.pcm, this.#pcm24);
    for (let i = 0; i < n; i++) this.#bytes.writeInt16LE(this.#pcm24[i] as number, 2 * i);
    this.#next.write(n === FRAME_24K ? this.#bytes : this.#bytes.subarray(0, 2 * n));
  }
  toString(): string {
    return describeStage('Resample(8000->24000)', this.#next);
  }
}

const MIME: Record<RealtimeAudioFormat, string> = { pcmu: 'audio/pcmu', pcma: 'audio/pcma', pcm16: 'audio/pcm' };

/** input_audio_buffer.append: the backend copies (base64) what it is given before returning. */
export class RealtimeAppend implements Stage<Uint8Array> {
  readonly #backend: RealtimeBackend;
  readonly #format: RealtimeAudioFormat;
  constructor(backend: RealtimeBackend, format: RealtimeAudioFormat) {
    this.#backend = backend;
    this.#format = format;
  }
  write(bytes: Uint8Array): void {
    this.#backend.appendAudio(bytes);
  }
  toString(): string {
    return `RealtimeAppend(${MIME[this.#format]})`;
  }
}
