import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { estimateDelaySamples } from '../../analysis/delay.js';
import type { RtpRecord } from '../../netem/media-relay.js';
import type { CheckResult, Evidence } from '../evidence.js';
import { decodeG711 } from './signal.js';
import { rtpPackets } from './wire.js';

/**
 * `call-recording-matches-wire` (catalog/call-recording.ts): the gateway's own recording of the call
 * against what the lab tap saw on the wire. The recording is found through the gateway's
 * `call recording finished` log line (its path, beside the call records); its left channel must
 * cross-correlate with the caller's RTP as it reached the gateway, its right channel with the
 * gateway's RTP as the tap saw it leave, each placed on one time base (frame 0 = the first packet
 * the gateway sent), both within `maxLagMs`; every paused span must be digital silence in both
 * channels while the wire carried audio in it; its duration must match the gateway's RTP stream.
 */
const RATE = 8_000;
const AUDIO_PT = new Set([0, 8]);

interface Stereo {
  left: Int16Array;
  right: Int16Array;
  sampleRate: number;
  channels: number;
}

/** A canonical 16-bit PCM WAV (what the gateway writes), split into its channels. */
function readStereo(path: string): Stereo {
  const buf = readFileSync(path);
  const channels = buf.readUInt16LE(22);
  const sampleRate = buf.readUInt32LE(24);
  const bytes = Math.min(buf.readUInt32LE(40), buf.length - 44);
  const frames = Math.floor(bytes / (2 * channels));
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = buf.readInt16LE(44 + i * 2 * channels);
    right[i] = channels > 1 ? buf.readInt16LE(44 + i * 2 * channels + 2) : 0;
  }
  return { left, right, sampleRate, channels };
}

/** One direction's audio packets placed at their time on the wire (`at(r)` ms) relative to `t0`. */
function wireTrack(packets: readonly RtpRecord[], t0: number, length: number, at: (r: RtpRecord) => number): Int16Array {
  const track = new Int16Array(length);
  for (const r of packets) {
    if (r.payload === undefined || r.pt === undefined || !AUDIO_PT.has(r.pt)) continue;
    const pcm = decodeG711(r.payload, r.pt === 8 ? 'PCMA' : 'PCMU');
    const start = Math.round((at(r) - t0) * (RATE / 1000));
    for (let i = 0; i < pcm.length; i++) if (start + i >= 0 && start + i < length) track[start + i] = pcm[i] as number;
  }
  return track;
}

const energy = (x: Int16Array, from: number, to: number): number => {
  let e = 0;
  for (let i = Math.max(0, from); i < Math.min(x.length, to); i++) e += (x[i] as number) ** 2;
  return e;
};

export function callRecordingMatchesWire(spec: { check: string; maxLagMs: number; minPauses: number; durationToleranceMs: number }, ev: Evidence): CheckResult {
  const limit = `|lag| <= ${spec.maxLagMs} ms each channel, >= ${spec.minPauses} paused span(s) silent, duration ±${spec.durationToleranceMs} ms`;
  const fail = (detail: string, value: CheckResult['value'] = null): CheckResult => ({ name: spec.check, passed: false, value, limit, detail });
  const line = ev.gateway.logs.find((l) => l.msg === 'call recording finished');
  if (line === undefined || typeof line.path !== 'string') return fail('the gateway logged no finished call recording');
  const path = isAbsolute(line.path) ? line.path : join(ev.root, line.path);
  if (!existsSync(path)) return fail(`the recording ${path} does not exist`);
  const wav = readStereo(path);
  if (wav.channels !== 2 || wav.sampleRate !== RATE) return fail(`recording is ${wav.channels} channel(s) at ${wav.sampleRate} Hz, expected stereo 8000 Hz`);

  const sent = rtpPackets(ev.rtp, 'toCaller', 'any').filter((r) => r.pt !== undefined && AUDIO_PT.has(r.pt));
  const arrived = rtpPackets(ev.rtp, 'toGateway').filter((r) => r.pt !== undefined && AUDIO_PT.has(r.pt));
  if (sent.length === 0 || arrived.length === 0) return fail('no RTP audio on the wire in one direction');
  const t0 = (sent[0] as RtpRecord).t;
  const length = wav.left.length;
  const agentWire = wireTrack(sent, t0, length, (r) => r.t);
  const callerWire = wireTrack(arrived, t0, length, (r) => r.t + (r.delaysMs?.[0] ?? 0));
  const maxLag = Math.round(0.5 * RATE); // search ±500 ms, judge against maxLagMs
  const lagMs = (ref: Int16Array, rec: Int16Array): number => (estimateDelaySamples(ref, rec, maxLag) / RATE) * 1000;
  const leftLag = lagMs(callerWire, wav.left);
  const rightLag = lagMs(agentWire, wav.right);

  const pauses = Array.isArray(line.pauses) ? (line.pauses as Array<{ fromMs: number; toMs: number }>) : [];
  const pauseProblems: string[] = [];
  for (const p of pauses) {
    const from = Math.round((p.fromMs / 1000) * RATE);
    const to = Math.round((p.toMs / 1000) * RATE);
    const nonZero = energy(wav.left, from, to) + energy(wav.right, from, to);
    const wireAudio = energy(agentWire, from, to) + energy(callerWire, from, to);
    if (nonZero > 0) pauseProblems.push(`${p.fromMs}–${p.toMs} ms is not silent`);
    if (wireAudio === 0) pauseProblems.push(`${p.fromMs}–${p.toMs} ms: the wire was silent too (nothing to prove)`);
  }

  const recordedMs = (length / RATE) * 1000;
  const wireMs = (sent.at(-1) as RtpRecord).t - t0 + 20;
  const durationOff = recordedMs - wireMs;
  const detail =
    `left (caller) lag ${leftLag.toFixed(1)} ms, right (agent) lag ${rightLag.toFixed(1)} ms; ` +
    `${pauses.length} pause(s) ${pauses.map((p) => `${p.fromMs}–${p.toMs} ms`).join(', ')}${pauseProblems.length ? ` (${pauseProblems.join('; ')})` : ' silent in both channels'}; ` +
    `${recordedMs.toFixed(0)} ms recorded vs ${wireMs.toFixed(0)} ms of gateway RTP`;
  const passed =
    Math.abs(leftLag) <= spec.maxLagMs &&
    Math.abs(rightLag) <= spec.maxLagMs &&
    pauses.length >= spec.minPauses &&
    pauseProblems.length === 0 &&
    Math.abs(durationOff) <= spec.durationToleranceMs;
  return { name: spec.check, passed, value: Math.round(Math.max(Math.abs(leftLag), Math.abs(rightLag)) * 10) / 10, limit, detail };
}
