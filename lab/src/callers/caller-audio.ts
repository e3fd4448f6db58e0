import { g711Codec, type G711Name } from 'connect-realtime-gateway';
import { pcapOfRtp, type RtpPacketSpec } from './pcap.js';
import { readWav } from './wav.js';

const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
const FRAME_MS = 20;
const PAYLOAD_TYPE: Record<G711Name, number> = { PCMU: 0, PCMA: 8 };
/** RFC 4733 telephone-event payload type the lab's SIPp scripts offer. */
export const LAB_DTMF_PT = 101;
const DTMF_EVENTS: Record<string, number> = { '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15 };

export interface CallerUtterance {
  /** When the utterance starts, ms after the first packet. */
  atMs: number;
  wavPath: string;
}

export interface CallerDtmf {
  atMs: number;
  digits: string;
  /** Tone length per digit, ms (a 60 ms gap follows each). */
  durationMs: number;
}

export interface CallerAudio {
  pcap: Buffer;
  /** Exactly the G.711 payload bytes of the audio packets, in order (for byte-for-byte checks). */
  payload: Buffer;
  packets: number;
  durationMs: number;
}

/**
 * The RTP stream a phone would send, as a pcap for SIPp's play_pcap_audio: G.711 in 20 ms packets,
 * silence except where an utterance plays, and RFC 4733 telephone-events (written here from the RFC,
 * independently of the gateway's own DTMF code) where keys are pressed. Encoding uses the gateway's
 * exported G.711 codec, which is tested bit-exact against the ITU-T G.191 reference.
 */
export function buildCallerStream(codecName: G711Name, utterances: CallerUtterance[], dtmf: CallerDtmf[], totalMs: number): CallerAudio {
  const codec = g711Codec(codecName);
  const loaded = utterances.map((u) => {
    const { sampleRate, samples } = readWav(u.wavPath);
    if (sampleRate !== 8000) throw new Error(`${u.wavPath}: caller audio must be 8 kHz (is ${sampleRate} Hz)`);
    return { startFrame: Math.round(u.atMs / FRAME_MS), samples };
  });
  const speechEnd = Math.max(0, ...loaded.map((u) => u.startFrame + Math.ceil(u.samples.length / FRAME_SAMPLES)));
  const total = Math.max(speechEnd, Math.ceil(totalMs / FRAME_MS));
  // Mix utterances into one 8 kHz track (they normally do not overlap).
  const track = new Int16Array(total * FRAME_SAMPLES);
  for (const u of loaded) {
    for (let i = 0; i < u.samples.length && u.startFrame * FRAME_SAMPLES + i < track.length; i++) {
      track[u.startFrame * FRAME_SAMPLES + i] = u.samples[i]!;
    }
  }
  const audio = Buffer.alloc(total * FRAME_SAMPLES, codec.silenceByte);
  codec.encode(track, audio);
  const dtmfFrames = planDtmf(dtmf);
  const ssrc = 0x4c414231; // "LAB1"
  const packets: RtpPacketSpec[] = [];
  const payloadParts: Buffer[] = [];
  let seq = 1000;
  let lastWasDtmf = false;
  for (let f = 0; f < total; f++) {
    const event = dtmfFrames.get(f);
    const timestamp = 160_000 + (event ? event.startFrame : f) * FRAME_SAMPLES;
    if (event) {
      const payload = Buffer.alloc(4);
      payload[0] = event.event;
      payload[1] = (event.end ? 0x80 : 0) | 10; // E bit, volume -10 dBm0
      payload.writeUInt16BE(event.durationUnits, 2);
      packets.push({ payloadType: LAB_DTMF_PT, seq: seq++ & 0xffff, timestamp, ssrc, marker: event.first, payload, timeUs: f * 20_000 });
      lastWasDtmf = true;
      continue;
    }
    const payload = audio.subarray(f * FRAME_SAMPLES, (f + 1) * FRAME_SAMPLES);
    payloadParts.push(payload);
    packets.push({ payloadType: PAYLOAD_TYPE[codecName], seq: seq++ & 0xffff, timestamp, ssrc, marker: f === 0 || lastWasDtmf, payload, timeUs: f * 20_000 });
    lastWasDtmf = false;
  }
  return { pcap: pcapOfRtp(packets), payload: Buffer.concat(payloadParts), packets: packets.length, durationMs: total * FRAME_MS };
}

interface DtmfFrame {
  event: number;
  startFrame: number;
  durationUnits: number;
  first: boolean;
  end: boolean;
}

/** RFC 4733 §2.5: one event per digit, a packet per 20 ms with growing duration, the end packet sent three times. */
function planDtmf(dtmf: CallerDtmf[]): Map<number, DtmfFrame> {
  const frames = new Map<number, DtmfFrame>();
  for (const press of dtmf) {
    let start = Math.round(press.atMs / FRAME_MS);
    for (const digit of press.digits) {
      const event = /^[0-9]$/.test(digit) ? Number(digit) : DTMF_EVENTS[digit];
      if (event === undefined) throw new Error(`not a DTMF key: ${digit}`);
      const n = Math.max(1, Math.round(press.durationMs / FRAME_MS));
      for (let k = 0; k < n + 2; k++) {
        const end = k >= n - 1;
        frames.set(start + k, { event, startFrame: start, durationUnits: Math.min(n, k + 1) * FRAME_SAMPLES, first: k === 0, end });
      }
      start += n + 2 + 3; // the three end packets, then a 60 ms gap
    }
  }
  return frames;
}
