import { decodeAlaw, decodeMulaw, g711Rating } from 'connect-realtime-gateway';
import type { RtpRecord } from '../netem/media-relay.js';
import type { Evidence } from '../runner/evidence.js';
import { reportBlocks } from './rtcp-reports.js';
import { compareSignals, FRAME, snrFromEnergies, speechFrames, utteranceSnr, type SignalComparison } from './signal-compare.js';
import { wireStream, type WireStream } from './wire-stream.js';

/**
 * Audio quality of both directions of a lab call, from what each end sent and what the other end
 * got: caller → model compares the caller's stream with what the fake Realtime server received;
 * model → caller compares the fake's answers with what the caller heard on the wire.
 */
export type DirectionName = 'callerToModel' | 'modelToCaller';

export interface DirectionQuality {
  direction: DirectionName;
  /** Why nothing could be measured (no audio that way), when that is so. */
  unavailable?: string;
  /** What to bear in mind reading the figures (e.g. audio spread over several Realtime sessions). */
  note?: string;
  /** One-way delay: caller packet → audio at the fake; fake's first delta of an answer → the caller. */
  latencyMs: number | null;
  snrDb: number | null;
  segSnrDb: number | null;
  speechMs: number;
  heardMs: number;
  dropouts: { count: number; ms: number };
  truncatedMs: number;
  /** Frames the receiving side concealed (the gateway towards the model; the lab's callers conceal nothing). */
  concealedFrames: number | null;
  /** The stream as the lab network delivered it (the tap's records and the impairment's fates). */
  rtp: {
    frames: number;
    lost: number;
    lossPct: number;
    bursts: number;
    maxBurst: number;
    burstR: number;
    duplicates: number;
    reordered: number;
    jitterMs: number;
  } | null;
  /** What the receiving side measured itself: the gateway's receive statistics, or the peer's RTCP as the gateway logged it. */
  receiver: { lost: number; jitterMs: number; source: string } | null;
  /** The last RTCP report block about this stream seen on the wire. */
  rtcp: { fractionLost: number; cumulativeLost: number; jitterMs: number; reports: number } | null;
  emodel: { R: number; mos: number; IeEff: number; Id: number; Ppl: number; BurstR: number; Bpl: number; Ta: number } | null;
}

export interface CallQuality {
  callerToModel: DirectionQuality;
  modelToCaller: DirectionQuality;
}

/** Signals behind the figures, for the report's pictures: 8 kHz sent vs received, lined up. */
export interface QualitySignals {
  callerToModel?: { sent: Int16Array; received: Int16Array; offsetSamples: number };
  modelToCaller?: { sent: Int16Array; received: Int16Array; offsetSamples: number };
}

export interface QualityInput {
  evidence: Evidence;
  /** What the caller spoke, when its sent stream is not on record (the lab caller talks to the gateway directly). */
  callerReference?: Int16Array;
}

export function analyzeCallQuality(input: QualityInput): { quality: CallQuality; signals: QualitySignals } {
  const signals: QualitySignals = {};
  const callerToModel = callerToModelQuality(input, signals);
  const modelToCaller = modelToCallerQuality(input.evidence, signals);
  return { quality: { callerToModel, modelToCaller }, signals };
}

function decode(bytes: Buffer, codec: 'PCMU' | 'PCMA'): Int16Array {
  const out = new Int16Array(bytes.length);
  (codec === 'PCMU' ? decodeMulaw : decodeAlaw)(bytes, out);
  return out;
}

function empty(direction: DirectionName, reason: string, ws?: WireStream): DirectionQuality {
  return {
    direction,
    unavailable: reason,
    latencyMs: null,
    snrDb: null,
    segSnrDb: null,
    speechMs: 0,
    heardMs: 0,
    dropouts: { count: 0, ms: 0 },
    truncatedMs: 0,
    concealedFrames: null,
    rtp: ws ? rtpFigures(ws) : null,
    receiver: null,
    rtcp: null,
    emodel: null,
  };
}

function rtpFigures(ws: WireStream): NonNullable<DirectionQuality['rtp']> {
  const { frames, lost, lossPct, bursts, maxBurst, burstR } = ws.loss;
  return { frames, lost, lossPct, bursts, maxBurst, burstR, duplicates: ws.duplicates, reordered: ws.reordered, jitterMs: ws.jitterMs };
}

function callSummary(ev: Evidence): Record<string, unknown> | undefined {
  return [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The last report block on the wire, sent `dir`, about the stream of SSRC `source`. */
function lastRtcp(records: readonly RtpRecord[], dir: RtpRecord['dir'], source: number | undefined): DirectionQuality['rtcp'] {
  const blocks = records
    .filter((r) => r.rtcp && r.dir === dir && r.rtcpPacket)
    .flatMap((r) => reportBlocks(r.rtcpPacket!))
    .filter((b) => source === undefined || b.source === source);
  const last = blocks.at(-1);
  return last ? { fractionLost: last.fractionLost, cumulativeLost: last.cumulativeLost, jitterMs: last.jitter / 8, reports: blocks.length } : null;
}

function rating(lossPct: number, burstR: number, concealment: boolean, latencyMs: number | null): DirectionQuality['emodel'] {
  const r = g711Rating({ lossPct, burstR, concealment, oneWayDelayMs: latencyMs ?? 0 });
  return { R: r.R, mos: r.mos, IeEff: r.IeEff, Id: r.Id, Ppl: lossPct, BurstR: Math.max(1, burstR), Bpl: r.Bpl, Ta: Math.max(0, latencyMs ?? 0) };
}

function figures(direction: DirectionName, c: SignalComparison | undefined, speechMs: number): Pick<DirectionQuality, 'snrDb' | 'segSnrDb' | 'speechMs' | 'heardMs' | 'dropouts' | 'truncatedMs'> {
  return {
    snrDb: c && Number.isFinite(c.snrDb) ? c.snrDb : null,
    segSnrDb: c ? c.segSnrDb : null,
    speechMs,
    heardMs: c ? c.heardFrames * 20 : 0,
    dropouts: c ? c.dropouts : { count: 0, ms: 0 },
    truncatedMs: c ? c.truncatedMs : 0,
  };
}

function callerToModelQuality({ evidence: ev, callerReference }: QualityInput, signals: QualitySignals): DirectionQuality {
  const ws = wireStream(ev.rtp, 'toGateway');
  const codec = ws?.codec ?? 'PCMU';
  const sent = ev.caller.sentPayload.length > 0 ? decode(ev.caller.sentPayload, codec) : callerReference;
  if (!sent || sent.length === 0) return empty('callerToModel', 'the caller sent no audio on record', ws);
  const received = ev.realtime.receivedPcm8k ?? decode(ev.realtime.receivedAudio, codec);
  if (received.length === 0) return empty('callerToModel', 'the fake Realtime server received no audio', ws);
  const cmp = compareSignals(sent, received);
  if (!cmp) return empty('callerToModel', 'the caller’s audio carries no speech', ws);
  const bySpeech = utteranceSnr(sent, received, cmp.offsetSamples);
  const sessions = ev.realtime.connections.length;
  signals.callerToModel = { sent, received, offsetSamples: cmp.offsetSamples };

  // When did the fake get each sample? Each append carries the samples up to its arrival.
  const pcm16 = ev.realtime.receivedPcm8k !== undefined;
  const appends: Array<{ end: number; t: number }> = [];
  let total = 0;
  for (const e of ev.realtime.clientEvents) {
    if (e.type !== 'input_audio_buffer.append' || typeof e.event.audio !== 'string') continue;
    // The fake's event log keeps the size of each append ("<N bytes>"), not the base64 itself.
    const size = /^<(\d+) bytes>$/.exec(e.event.audio);
    total += (size ? Number(size[1]) : Buffer.byteLength(e.event.audio, 'base64')) / (pcm16 ? 6 : 1);
    appends.push({ end: total, t: e.t });
  }
  const audioFrames = ws ? ws.frames : [];
  const delays: number[] = [];
  const speech = speechFrames(sent);
  let a = 0;
  for (let f = 0; f < speech.length; f++) {
    if (!speech[f] || f >= audioFrames.length) continue;
    const at = (f + 1) * FRAME + cmp.offsetSamples;
    while (a < appends.length && appends[a]!.end < at) a++;
    if (a >= appends.length) break;
    delays.push(appends[a]!.t - audioFrames[f]!.sentAt - 20);
  }
  const latencyMs = median(delays);

  const summary = callSummary(ev);
  const media = summary?.media as { jitterBuffer?: { concealedFrames?: number; lateDrops?: number }; stream?: { lost?: number; jitterMs?: number; ssrc?: number } } | undefined;
  const concealed = media?.jitterBuffer?.concealedFrames ?? null;
  const lossFrames = ws ? Math.max(ws.loss.lost, concealed ?? 0) : (concealed ?? 0);
  const frames = ws ? ws.loss.frames : Math.round(received.length / FRAME);
  const lossPct = frames > 0 ? (100 * lossFrames) / frames : 0;
  const callerSsrc = ev.rtp.find((r) => !r.rtcp && r.dir === 'toGateway' && r.ssrc !== undefined)?.ssrc;
  return {
    direction: 'callerToModel',
    ...(sessions > 1 ? { note: `the audio spans ${sessions} Realtime sessions (reconnects): compared as one stream, so the seams count as errors` } : {}),
    latencyMs,
    ...figures('callerToModel', cmp, cmp.speechFrames * 20),
    // SNR per utterance: a frame a jitter buffer dropped in a pause must not count as error for the rest.
    ...(bySpeech ? { snrDb: finite(bySpeech.snrDb), segSnrDb: bySpeech.segSnrDb } : {}),
    concealedFrames: concealed,
    rtp: ws ? rtpFigures(ws) : null,
    receiver: media?.stream ? { lost: media.stream.lost ?? 0, jitterMs: media.stream.jitterMs ?? 0, source: 'gateway receive statistics (RFC 3550 A.3/A.8)' } : null,
    rtcp: lastRtcp(ev.rtp, 'toCaller', callerSsrc),
    emodel: rating(lossPct, ws?.loss.burstR ?? 1, true, latencyMs),
  };
}

function modelToCallerQuality(ev: Evidence, signals: QualitySignals): DirectionQuality {
  const ws = wireStream(ev.rtp, 'toCaller');
  if (!ws) return empty('modelToCaller', 'no agent audio reached the caller');
  // What the caller heard, placed by RTP timestamp: a lost packet is a gap (the lab's callers do not conceal).
  const last = ws.frames.at(-1)!;
  const length = Math.min(last.ts + FRAME, 8000 * 600);
  const heard = new Int16Array(Math.max(0, length));
  const arrival: number[] = [];
  const frame = new Int16Array(FRAME);
  for (const f of ws.frames) {
    if (f.ts < 0 || f.ts + FRAME > heard.length) continue;
    const slot = Math.floor(f.ts / FRAME);
    if (f.arrivedAt !== undefined) arrival[slot] = Math.min(arrival[slot] ?? Infinity, f.arrivedAt);
    if (f.lost || !f.payload || f.payload.length < FRAME) continue;
    (ws.codec === 'PCMU' ? decodeMulaw : decodeAlaw)(f.payload.subarray(0, FRAME), frame);
    heard.set(frame, f.ts);
  }
  // Answers the fake actually sent audio for (a function-call item carries none).
  const items = ev.realtime.sentAudio
    .map((item, i) => ({
      reference: item.bytes.length > 0 ? decode(item.bytes, ws.codec) : ev.realtime.sentReference8k[i],
      firstDeltaAt: item.firstDeltaAt,
    }))
    .filter((x): x is { reference: Int16Array; firstDeltaAt: number } => x.reference !== undefined && x.reference.length >= FRAME && Number.isFinite(x.firstDeltaAt));
  if (items.length === 0) return empty('modelToCaller', 'the fake sent no answer audio', ws);
  // Pass 1: where each answer starts, one after another, never before the fake sent it.
  const starts: Array<number | undefined> = [];
  let from = 0;
  for (const item of items) {
    let sentSlot = 0;
    while (sentSlot < arrival.length && !((arrival[sentSlot] ?? -Infinity) >= item.firstDeltaAt)) sentSlot++;
    const c = compareSignals(item.reference, heard, Math.max(from, (sentSlot - 1) * FRAME));
    starts.push(c && c.heardFrames > 0 ? c.offsetSamples : undefined);
    if (c && c.heardFrames > 0) from = c.offsetSamples + FRAME;
  }
  // Pass 2: each answer compared only up to where the next one starts (barge-in or a lost socket cut it;
  // the gateway plays one answer at a time), the rest counted as truncated.
  let signal = 0;
  let noise = 0;
  let segSum = 0;
  let segFrames = 0;
  let speechMs = 0;
  let heardMs = 0;
  let truncatedMs = 0;
  const dropouts = { count: 0, ms: 0 };
  const latencies: number[] = [];
  // The answers placed where the caller heard them, for the pictures.
  const placed = new Int16Array(heard.length);
  let anyHeard = false;
  items.forEach((item, k) => {
    const start = starts[k];
    const whole = speechFrames(item.reference).filter(Boolean).length * 20;
    speechMs += whole;
    if (start === undefined) {
      truncatedMs += whole;
      return;
    }
    const next = starts.slice(k + 1).find((o) => o !== undefined);
    const span = next === undefined ? item.reference.length : Math.max(FRAME, Math.min(item.reference.length, Math.floor((next - start) / FRAME) * FRAME));
    const reference = item.reference.subarray(0, span);
    const c = compareSignals(reference, heard, Math.floor(start));
    const cut = speechFrames(item.reference.subarray(span)).filter(Boolean).length * 20;
    truncatedMs += cut;
    if (!c || c.heardFrames === 0) {
      truncatedMs += c ? c.truncatedMs : 0;
      return;
    }
    anyHeard = true;
    const at0 = Math.round(c.offsetSamples);
    for (let i = Math.max(0, -at0); i < reference.length && at0 + i < placed.length; i++) placed[at0 + i] = reference[i]!;
    signal += c.signalEnergy;
    noise += c.noiseEnergy;
    segSum += c.segSnrDb * c.heardFrames;
    segFrames += c.heardFrames;
    heardMs += c.heardFrames * 20;
    truncatedMs += c.truncatedMs;
    dropouts.count += c.dropouts.count;
    dropouts.ms += c.dropouts.ms;
    const startSlot = Math.max(0, Math.round(c.offsetSamples / FRAME));
    let slot = startSlot;
    while (slot < arrival.length && arrival[slot] === undefined) slot++;
    const at = arrival[slot];
    if (at !== undefined) latencies.push(at - (slot - startSlot) * 20 - item.firstDeltaAt);
  });
  if (anyHeard) signals.modelToCaller = { sent: placed, received: heard, offsetSamples: 0 };
  const latencyMs = median(latencies);
  const summary = callSummary(ev);
  const remote = (summary?.media as { remoteQuality?: { reportBlocksReceived?: number; cumulativeLost?: number; jitterMs?: number } } | undefined)?.remoteQuality;
  const gatewaySsrc = ev.rtp.find((r) => !r.rtcp && r.dir === 'toCaller' && r.ssrc !== undefined)?.ssrc;
  return {
    direction: 'modelToCaller',
    latencyMs,
    snrDb: heardMs > 0 ? finite(snrFromEnergies(signal, noise)) : null,
    segSnrDb: segFrames > 0 ? segSum / segFrames : null,
    speechMs,
    heardMs,
    dropouts,
    truncatedMs,
    concealedFrames: 0,
    rtp: rtpFigures(ws),
    receiver: remote && (remote.reportBlocksReceived ?? 0) > 0 ? { lost: remote.cumulativeLost ?? 0, jitterMs: remote.jitterMs ?? 0, source: 'caller RTCP reports, as the gateway logged them' } : null,
    rtcp: lastRtcp(ev.rtp, 'toGateway', gatewaySsrc),
    emodel: rating(ws.loss.lossPct, ws.loss.burstR, false, latencyMs),
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
