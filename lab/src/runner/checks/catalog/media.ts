import { join } from 'node:path';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { alignedSnrDb, decodeG711, encodeWavMulaw } from '../signal.js';
import { callerBye, payloadInSeqOrder, percentile, rtpPackets } from '../wire.js';
import { callerRecordingHeardAgent } from '../recording.js';
import { callerFrames, isSilence, longestPrefixFound, round } from '../helpers.js';

/** Media on the wire and what reached each side. */
export const mediaChecks = [
  defineCheck({
    name: 'packets-each-way',
    doc: 'at least `minToGateway` / `minToCaller` RTP packets crossed the tap',
    params: {
      minToGateway: z.number().int().min(0).describe('fewest RTP packets caller → gateway'),
      minToCaller: z.number().int().min(0).describe('fewest RTP packets gateway → caller'),
    },
    run(spec, ev) {
      const toGw = rtpPackets(ev.rtp, 'toGateway').length;
      const toCaller = rtpPackets(ev.rtp, 'toCaller').length;
      return {
        name: spec.check,
        passed: toGw >= spec.minToGateway && toCaller >= spec.minToCaller,
        value: `${toGw} to gateway, ${toCaller} to caller`,
        limit: `>= ${spec.minToGateway}, >= ${spec.minToCaller}`,
      };
    },
  }),
  defineCheck({
    name: 'realtime-audio-equals-caller-payload',
    doc: 'the bytes the fake received via `input_audio_buffer.append` equal the caller\'s G.711 payload, byte for byte',
    params: {},
    run(spec, ev) {
      // Through the tap: what reached the gateway. Direct (TCP) calls: what the caller sent.
      const wire = rtpPackets(ev.rtp, 'toGateway');
      const arrived = wire.length > 0 ? payloadInSeqOrder(wire) : ev.caller.sentPayload;
      const received = ev.realtime.receivedAudio;
      const equal = arrived.length > 0 && Buffer.compare(arrived, received) === 0;
      let detail: string | undefined;
      if (!equal) {
        let i = 0;
        while (i < arrived.length && i < received.length && arrived[i] === received[i]) i++;
        detail = `caller payload ${arrived.length} B, Realtime received ${received.length} B, first difference at byte ${i}`;
      }
      return { name: spec.check, passed: equal, value: received.length, limit: arrived.length, detail };
    },
  }),
  defineCheck({
    name: 'realtime-received-wav',
    doc: 'a fixture\'s G.711 bytes reached Realtime unchanged and in order (e.g. after SRTP decryption)',
    params: {
      wav: z.string().min(1).describe('the fixture WAV, relative to the repository root'),
      fraction: z.number().min(0).max(1).default(1).describe('smallest share of its bytes that must arrive as one run'),
    },
    run(spec, ev) {
      const bytes = encodeWavMulaw(join(ev.root, spec.wav));
      const found = longestPrefixFound(ev.realtime.receivedAudio, bytes);
      const fraction = bytes.length === 0 ? 0 : found / bytes.length;
      return { name: spec.check, passed: fraction >= spec.fraction, value: round(fraction, 3), limit: spec.fraction, detail: `${found} of ${bytes.length} bytes of ${spec.wav} reached Realtime unchanged, in order` };
    },
  }),
  defineCheck({
    name: 'realtime-stream-gap-free',
    doc: 'under loss: one frame per 20 ms reached Realtime from the first to the last caller packet, and every frame not lost (nor right after a loss) is byte-identical to what the caller sent; the only frames allowed missing are those the jitter buffer reports it dropped to shrink its delay (`shrinkDrops` in the call summary), each found where it was skipped',
    params: {},
    run(spec, ev) {
      const frames = callerFrames(ev);
      if (!frames) return { name: spec.check, passed: false, value: null, limit: null, detail: 'no caller RTP reached the gateway' };
      const audio = ev.realtime.receivedAudio;
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const shrinkDrops = (ended?.media as { jitterBuffer?: { shrinkDrops?: number } } | undefined)?.jitterBuffer?.shrinkDrops ?? 0;
      const at = (k: number): Buffer => audio.subarray(k * 160, (k + 1) * 160);
      // Walk both streams: a lost frame and the one after it (concealment cross-fades into it) take a
      // received frame unchecked; an intact frame must be the next received one, unless the jitter
      // buffer skipped it (the received frame is then the caller's next one).
      let k = 0;
      let altered = 0;
      let skipped = 0;
      frames.forEach((f, i) => {
        if (f.lost || frames[i - 1]?.lost) {
          k++;
          return;
        }
        if (f.payload && Buffer.compare(at(k), f.payload) === 0) {
          k++;
          return;
        }
        const next = frames[i + 1];
        if (skipped < shrinkDrops && next?.payload && !next.lost && Buffer.compare(at(k), next.payload) === 0) {
          skipped++;
          return;
        }
        altered++;
        k++;
      });
      const receivedFrames = audio.length / 160;
      return {
        name: spec.check,
        passed: receivedFrames === frames.length - skipped && skipped === shrinkDrops && altered === 0,
        value: `${receivedFrames} frames, ${altered} intact frames altered, ${skipped} skipped by the jitter buffer`,
        limit: `${frames.length} frames (first to last caller packet) less the ${shrinkDrops} the jitter buffer reports it dropped, 0 altered`,
      };
    },
  }),
  defineCheck({
    name: 'concealment-matches-loss',
    doc: 'the frames the gateway concealed equal the caller packets the lab network dropped (at least `minLoss`)',
    params: {
      minLoss: z.number().int().min(1).default(1).describe('fewest injected losses for the check to mean anything'),
    },
    run(spec, ev) {
      const frames = callerFrames(ev);
      const injected = frames ? frames.filter((f) => f.lost).length : 0;
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const concealed = (ended?.media as { jitterBuffer?: { concealedFrames?: number } } | undefined)?.jitterBuffer?.concealedFrames;
      if (concealed === undefined) return { name: spec.check, passed: false, value: null, limit: injected, detail: 'no jitter-buffer figures in the call summary' };
      return {
        name: spec.check,
        passed: injected >= spec.minLoss && concealed === injected,
        value: concealed,
        limit: injected,
        detail: `${injected} caller packets dropped by the lab network, ${concealed} frames concealed by the gateway`,
      };
    },
  }),
  defineCheck({
    name: 'caller-heard-agent-audio',
    doc: 'the agent\'s audio (or a `wav` the gateway plays itself) reached the caller in order',
    params: {
      fraction: z.number().min(0).max(1).default(1).describe('smallest share of the answer bytes heard as one run'),
      lastOnly: z.boolean().default(false).describe('only the last answer (e.g. after a reconnect cut the first)'),
      wav: z.string().optional().describe('instead of the fake\'s answers: this prompt, played by the gateway itself (e.g. the apology)'),
    },
    run(spec, ev) {
      const heard = payloadInSeqOrder(rtpPackets(ev.rtp, 'toCaller'));
      const sent = spec.wav !== undefined ? [{ itemId: spec.wav, bytes: encodeWavMulaw(join(ev.root, spec.wav)), firstDeltaAt: NaN }] : spec.lastOnly ? ev.realtime.sentAudio.slice(-1) : ev.realtime.sentAudio;
      const total = sent.reduce((n, s) => n + s.bytes.length, 0);
      let found = 0;
      for (const item of sent) found += longestPrefixFound(heard, item.bytes);
      const fraction = total === 0 ? 0 : found / total;
      return { name: spec.check, passed: total > 0 && fraction >= spec.fraction, value: round(fraction, 3), limit: spec.fraction, detail: `${found} of ${total} bytes of agent audio reached the caller in order` };
    },
  }),
  defineCheck({
    name: 'caller-heard-agent-audio-snr',
    doc: 'pcm16 mode: the answer the caller heard matches the fixture by aligned SNR',
    params: {
      minSnrDb: z.number().describe('lowest SNR, dB'),
    },
    run(spec, ev) {
      // pcm16 mode: the agent's audio went 8 kHz → 24 kHz (fake) → 8 kHz (gateway), so compare by signal.
      const heard = decodeG711(payloadInSeqOrder(rtpPackets(ev.rtp, 'toCaller')));
      const reference = ev.realtime.sentReference8k[0];
      if (!reference || heard.length < reference.length) return { name: spec.check, passed: false, value: null, limit: spec.minSnrDb, detail: 'no agent answer to compare' };
      const snr = alignedSnrDb(reference, heard);
      return { name: spec.check, passed: snr >= spec.minSnrDb, value: round(snr), limit: spec.minSnrDb, detail: 'SNR of the answer the caller heard against the fixture, after aligning by cross-correlation' };
    },
  }),
  defineCheck({
    name: 'caller-recording-heard-agent',
    doc: 'the caller\'s own recording (an independent stack\'s decoder, e.g. baresip\'s) holds every agent answer in order (the same audio twice must be heard twice), each found by cross-correlation against the fixture the fake sent, at an aligned SNR ≥ `minSnrDb`',
    params: {
      minSnrDb: z.number().default(20).describe('lowest aligned SNR of any answer, dB (G.711 itself allows about 35 dB)'),
    },
    run(spec, ev) {
      return callerRecordingHeardAgent(spec, ev);
    },
  }),
  defineCheck({
    name: 'realtime-audio-snr',
    doc: 'pcm16 mode: the audio the fake received (brought back to 8 kHz) matches the caller\'s by aligned SNR',
    params: {
      minSnrDb: z.number().describe('lowest SNR, dB'),
    },
    run(spec, ev) {
      const wire = rtpPackets(ev.rtp, 'toGateway');
      const callerPcm = decodeG711(wire.length > 0 ? payloadInSeqOrder(wire) : ev.caller.sentPayload);
      const received = ev.realtime.receivedPcm8k;
      if (!received || received.length === 0) return { name: spec.check, passed: false, value: null, limit: spec.minSnrDb, detail: 'the fake received no PCM16 audio' };
      const snr = alignedSnrDb(callerPcm.subarray(0, Math.min(callerPcm.length, received.length)), received);
      return { name: spec.check, passed: snr >= spec.minSnrDb, value: round(snr), limit: spec.minSnrDb, detail: 'SNR of the 24 kHz audio the fake received (brought back to 8 kHz) against the caller’s' };
    },
  }),
  defineCheck({
    name: 'outbound-pacing',
    doc: 'the gateway\'s send lateness p99 ≤ `p99LatenessMs` (the wire inter-arrival spread is shown beside it)',
    params: {
      p99LatenessMs: z.number().positive().default(5).describe('largest p99 send lateness, ms'),
    },
    run(spec, ev) {
      // The gateway's own send-time lateness is the figure that counts; the wire inter-arrival
      // spread is shown beside it (it also carries the lab tap's scheduling noise).
      const ended = [...ev.gateway.logs].reverse().find((l) => l.msg === 'call ended');
      const pacing = ended?.pacing as { count: number; p50Ms: number; p99Ms: number; maxMs: number } | undefined;
      const pkts = rtpPackets(ev.rtp, 'toCaller');
      const deviations: number[] = [];
      for (let i = 1; i < pkts.length; i++) {
        const dSeq = ((pkts[i]!.seq! - pkts[i - 1]!.seq! + 0x10000) & 0xffff) || 1;
        deviations.push(Math.abs(pkts[i]!.t - pkts[i - 1]!.t - 20 * dSeq));
      }
      if (!pacing || pacing.count === 0) return { name: spec.check, passed: false, value: null, limit: spec.p99LatenessMs, detail: 'no pacing figures in the call summary' };
      return {
        name: spec.check,
        passed: pacing.p99Ms <= spec.p99LatenessMs,
        value: round(pacing.p99Ms, 2),
        limit: spec.p99LatenessMs,
        detail: `send lateness p50 ${round(pacing.p50Ms, 2)} / p99 ${round(pacing.p99Ms, 2)} / max ${round(pacing.maxMs, 2)} ms over ${pacing.count} sends; wire inter-arrival deviation p99 ${round(percentile(deviations, 99), 1)} ms`,
      };
    },
  }),
  defineCheck({
    name: 'srtp-negotiated',
    doc: 'the call\'s media used this SRTP suite',
    params: {
      profile: z.string().regex(/^AES_CM_128_HMAC_SHA1_(80|32)$/).describe('AES_CM_128_HMAC_SHA1_80 or _32'),
    },
    run(spec, ev) {
      const profile = ev.caller.srtpProfile;
      return { name: spec.check, passed: profile === spec.profile, value: profile ?? 'plain RTP', limit: spec.profile };
    },
  }),
  defineCheck({
    name: 'no-gateway-rtp-after-bye',
    doc: 'no RTP from the gateway after its 200 OK to the caller\'s BYE',
    params: {
      graceMs: z.number().min(0).max(100).default(0).describe('packets this soon after the 200 OK are tolerated (already in flight), ms'),
    },
    run(spec, ev) {
      const { answer } = callerBye(ev.sip);
      if (!answer) return { name: spec.check, passed: false, value: null, limit: 0, detail: 'no answered BYE to measure from' };
      const late = rtpPackets(ev.rtp, 'toCaller', 'any').filter((r) => r.t > answer.t + spec.graceMs);
      return { name: spec.check, passed: late.length === 0, value: late.length, limit: 0, detail: late.length ? `first at +${(late[0]!.t - answer.t).toFixed(1)} ms` : undefined };
    },
  }),
  defineCheck({
    name: 'agent-speaking-at-bye',
    doc: 'agent audio was on the wire in the `windowMs` before the caller\'s BYE (the BYE came mid-answer)',
    params: {
      windowMs: z.number().positive().default(100).describe('window before the BYE, ms'),
    },
    run(spec, ev) {
      const { bye } = callerBye(ev.sip);
      if (!bye) return { name: spec.check, passed: false, value: null, limit: true, detail: 'caller sent no BYE' };
      const before = rtpPackets(ev.rtp, 'toCaller').filter((r) => r.t <= bye.t && r.t > bye.t - spec.windowMs);
      const speech = before.filter((r) => r.payload && !isSilence(r.payload));
      return { name: spec.check, passed: speech.length > 0, value: speech.length, limit: `> 0 agent-audio packets in the ${spec.windowMs} ms before BYE` };
    },
  }),
];
