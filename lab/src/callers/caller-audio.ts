import { g711Codec, type G711Name } from '../../../gateway/src/index.js';
import { pcapOfRtp, type RtpPacketSpec } from './pcap.js';
import { readWav } from './wav.js';

const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
const PAYLOAD_TYPE: Record<G711Name, number> = { PCMU: 0, PCMA: 8 };

export interface CallerAudio {
  pcap: Buffer;
  /** Exactly the G.711 payload bytes the caller sends, in order (for byte-for-byte checks). */
  payload: Buffer;
  packets: number;
  durationMs: number;
}

/**
 * Turns a fixture WAV into the RTP stream a phone would send: G.711 in 20 ms packets, lead-in silence
 * first, then the utterance, then silence until `totalMs`. Encoding uses the gateway's exported codec, which is tested
 * bit-exact against the ITU-T G.191 reference.
 */
export function callerAudioFromWav(wavPath: string | undefined, codecName: G711Name, leadInMs: number, totalMs = 0): CallerAudio {
  const { sampleRate, samples } = wavPath === undefined ? { sampleRate: 8000, samples: new Int16Array(0) } : readWav(wavPath);
  if (sampleRate !== 8000) throw new Error(`${wavPath}: caller audio must be 8 kHz (is ${sampleRate} Hz)`);
  const codec = g711Codec(codecName);
  const leadFrames = Math.round(leadInMs / 20);
  const speechFrames = Math.ceil(samples.length / FRAME_SAMPLES);
  // A phone keeps sending (silence) after it stops talking; the far end's VAD relies on that.
  const total = Math.max(leadFrames + speechFrames, Math.ceil(totalMs / 20));
  const payload = Buffer.alloc(total * FRAME_SAMPLES, codec.silenceByte);
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let f = 0; f < speechFrames; f++) {
    frame.fill(0);
    frame.set(samples.subarray(f * FRAME_SAMPLES, (f + 1) * FRAME_SAMPLES));
    codec.encode(frame, payload.subarray((leadFrames + f) * FRAME_SAMPLES, (leadFrames + f + 1) * FRAME_SAMPLES));
  }
  const ssrc = 0x4c414231; // "LAB1"
  const packets: RtpPacketSpec[] = [];
  for (let i = 0; i < total; i++) {
    packets.push({
      payloadType: PAYLOAD_TYPE[codecName],
      seq: (1000 + i) & 0xffff,
      timestamp: 160_000 + i * FRAME_SAMPLES,
      ssrc,
      marker: i === 0,
      payload: payload.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES),
      timeUs: i * 20_000,
    });
  }
  return { pcap: pcapOfRtp(packets), payload, packets: total, durationMs: total * 20 };
}
