import { g711Codec, type G711Codec } from 'connect-realtime-gateway';

/**
 * An echo path like a handset, speakerphone or 2-wire hybrid produces: the audio the caller receives
 * comes back, attenuated by `gainDb` and delayed by `delayMs`, mixed into what the caller sends.
 * G.711 (PT 0 PCMU / PT 8 PCMA) packets only; anything else passes unchanged.
 */
export interface EchoProfile {
  gainDb: number;
  delayMs: number;
}

const FRAME = 160;
const HISTORY = 64; // frames of received audio kept (1.28 s)

export class EchoPath {
  readonly #gain: number;
  readonly #delayMs: number;
  readonly #heard: Array<{ t: number; pcm: Int16Array }> = [];
  readonly #mine = new Int16Array(FRAME);
  mixedPackets = 0;

  constructor(profile: EchoProfile) {
    this.#gain = 10 ** (profile.gainDb / 20);
    this.#delayMs = profile.delayMs;
  }

  /** An RTP packet on its way to the caller. */
  hear(packet: Buffer, t: number): void {
    const media = g711Payload(packet);
    if (!media) return;
    const pcm = new Int16Array(FRAME);
    media.codec.decode(packet.subarray(media.offset, media.offset + FRAME), pcm);
    this.#heard.push({ t, pcm });
    if (this.#heard.length > HISTORY) this.#heard.shift();
  }

  /** An RTP packet from the caller: returns it with the delayed echo mixed in (a new buffer). */
  mix(packet: Buffer, t: number): Buffer {
    const media = g711Payload(packet);
    if (!media) return packet;
    const due = t - this.#delayMs;
    let echo: Int16Array | undefined;
    for (let i = this.#heard.length - 1; i >= 0; i--) {
      const h = this.#heard[i]!;
      if (h.t <= due) {
        if (due - h.t < 40) echo = h.pcm;
        break;
      }
    }
    if (!echo) return packet;
    const out = Buffer.from(packet);
    const payload = out.subarray(media.offset, media.offset + FRAME);
    media.codec.decode(payload, this.#mine);
    for (let i = 0; i < FRAME; i++) {
      const v = this.#mine[i]! + Math.round(echo[i]! * this.#gain);
      this.#mine[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    media.codec.encode(this.#mine, payload);
    this.mixedPackets++;
    return out;
  }
}

function g711Payload(packet: Buffer): { codec: G711Codec; offset: number } | undefined {
  if (packet.length < 12 + FRAME || packet[0]! >> 6 !== 2) return undefined;
  const pt = packet[1]! & 0x7f;
  const codec = pt === 0 ? g711Codec('PCMU') : pt === 8 ? g711Codec('PCMA') : undefined;
  if (!codec) return undefined;
  const offset = 12 + 4 * (packet[0]! & 0x0f);
  return packet.length >= offset + FRAME ? { codec, offset } : undefined;
}
