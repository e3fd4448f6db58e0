/**
 * The caller's media behaviour against the test UAS: acoustic echo (delay and level measured by
 * cross-correlation), the energy-triggered barge-in, loss injection, and the RTP stream's shape.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { decodeMulaw, frameEnergyDbov } from 'connect-realtime-gateway';
import { wavBytes } from '../../src/callers/wav.js';
import { bestLag, noise, rmsDbov, tone } from './helpers/signals.js';
import { TestUas, type UasRtp } from './helpers/test-uas.js';

let uas: TestUas | undefined;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-caller-media-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

/** The caller's stream as the UAS heard it, decoded and placed on the UAS clock (samples since t0). */
function callerSignal(packets: UasRtp[], t0: number, length: number): Float64Array {
  const audio = packets.filter((p) => p.pt === 0);
  const ts0 = audio[0]!.ts;
  // Anchor on the least-delayed packet: sending is never early, so that one shows the schedule.
  let anchor = Infinity;
  for (const p of audio) anchor = Math.min(anchor, (p.t - t0) * 8 - ((p.ts - ts0) | 0));
  const y = new Float64Array(length);
  const pcm = new Int16Array(160);
  for (const p of audio) {
    decodeMulaw(p.payload, pcm);
    const at = Math.round(anchor + ((p.ts - ts0) | 0));
    for (let i = 0; i < 160; i++) if (at + i >= 0 && at + i < length) y[at + i] = pcm[i]!;
  }
  return y;
}

describe('acoustic echo (a handset mixing the far end back in)', () => {
  it('returns the agent audio delayed by delayMs and attenuated by gainDb', async () => {
    const agent = noise(1_000, -15);
    uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: agent, startMs: 100 } });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 0, action: { echo: { gainDb: -20, delayMs: 40 } } },
      { at: 1_400, action: { bye: true } },
    ]);
    expect(r.actions.map((a) => a.outcome)).toEqual(['done', 'done']);
    expect(r.rtpSent.some((p) => p.kind === 'echo')).toBe(true);

    // x: what the UAS sent, on its schedule (anchored like y, on the least-late frame); y: what
    // came back, on the same clock.
    // t0 a little before the first send: a later frame may leave closer to its schedule than frame 0.
    const t0 = uas.agentSent[0]!.t - 10;
    const length = 8 * 1_600;
    let anchor = Infinity;
    for (const s of uas.agentSent) anchor = Math.min(anchor, (s.t - t0) * 8 - s.frame * 160);
    const x = new Float64Array(length);
    x.set(Float64Array.from(agent), Math.round(anchor));
    const y = callerSignal(uas.rtp, t0, length);
    const { lag, r: corr } = bestLag(x, y, 0, 8 * 150);
    const delayMs = lag / 8;
    expect(corr).toBeGreaterThan(0.9);
    // 40 ms plus loopback transit and event-loop latency. The echo can never come early; how late it
    // comes on a loaded machine is not this test's business (no tight wall-clock bounds), only that it
    // is an echo of the right stretch (the correlation above) and not an undelayed copy.
    expect(delayMs).toBeGreaterThanOrEqual(38);
    expect(delayMs).toBeLessThan(150);
    // Level: compare the echoed stretch with the source stretch it came from.
    const level = rmsDbov(y, 8 * 100 + lag, 8 * 900 + lag) - rmsDbov(x, 8 * 100, 8 * 900);
    expect(level).toBeGreaterThan(-21);
    expect(level).toBeLessThan(-19);
  });

  it('sends pure µ-law silence when echo is off', async () => {
    uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: noise(400, -15), startMs: 0 } });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 600, action: { bye: true } }]);
    expect(r.rtpSent.every((p) => p.kind === 'silence')).toBe(true);
    for (const p of uas.rtp) expect(p.payload.every((b) => b === 0xff)).toBe(true);
  });
});

describe('barge-in: speakWhenAgentTalking', () => {
  it('starts speaking once the agent has talked for afterMs', async () => {
    const wav = join(dir, 'interrupt.wav');
    writeFileSync(wav, wavBytes(tone(300, 700, -12), 8000));
    const agentAudio = new Int16Array(8 * 1_600);
    agentAudio.set(tone(1_400, 440, -20), 8 * 200);
    uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: agentAudio, startMs: 0 } });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 0, action: { speakWhenAgentTalking: { afterMs: 300, wav } } },
      { at: 1_500, action: { bye: true } },
    ]);
    const trigger = r.actions.find((a) => a.kind === 'speakWhenAgentTalking')!;
    expect(trigger.outcome).toBe('done');

    // On the UAS clock: the agent's first voiced frame left, and the caller's speech came back.
    const firstVoiced = uas.agentSent.find((s) => frameEnergyDbov(agentAudio.subarray(s.frame * 160, s.frame * 160 + 160)) > -40)!;
    const speechSeqs = new Set(r.rtpSent.filter((p) => p.kind === 'speech').map((p) => p.seq));
    const firstSpeech = uas.rtp.find((p) => speechSeqs.has(p.seq))!;
    const reaction = firstSpeech.t - firstVoiced.t;
    // 300 ms of agent talk, detected at frame arrivals (20 ms grain), spoken from the next tick:
    // 300–340 ms measured on a quiet machine. Never before 300 ms; the upper bound only proves it
    // happened while the agent was still talking (1.4 s), not after.
    expect(reaction).toBeGreaterThanOrEqual(300);
    expect(reaction).toBeLessThan(1_000);
    expect(speechSeqs.size).toBe(15);
  });

  it('never fires while the agent is silent, and says so', async () => {
    const wav = join(dir, 'never.wav');
    writeFileSync(wav, wavBytes(tone(100, 700, -12), 8000));
    uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: new Int16Array(8 * 500), startMs: 0 } });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 0, action: { speakWhenAgentTalking: { afterMs: 100, wav } } },
      { at: 600, action: { bye: true } },
    ]);
    expect(r.actions[0]).toMatchObject({ kind: 'speakWhenAgentTalking', outcome: 'skipped' });
    expect(r.rtpSent.some((p) => p.kind === 'speech')).toBe(false);
  });
});

describe('RFC 3550 §5.1 the outgoing stream', () => {
  it('uses consecutive sequence numbers and 160-sample timestamp steps from one SSRC, marker on the first', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 400, action: { bye: true } }]);
    const p = uas.rtp;
    expect(p.length).toBeGreaterThan(10);
    expect(new Set(p.map((x) => x.ssrc)).size).toBe(1);
    expect(p[0]!.marker).toBe(true);
    for (let i = 1; i < p.length; i++) {
      expect((p[i]!.seq - p[i - 1]!.seq) & 0xffff).toBe(1);
      expect((p[i]!.ts - p[i - 1]!.ts) >>> 0).toBe(160);
      expect(p[i]!.marker).toBe(false);
    }
    expect(r.pacer.ticks).toBeGreaterThanOrEqual(p.length);
  });

  it('drops exactly the packet indices asked for (loss injection)', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target, dropPackets: [3, 4, 10] }).run([{ at: 500, action: { bye: true } }]);
    expect(r.rtpSent.filter((p) => p.dropped).map((p) => p.index)).toEqual([3, 4, 10]);
    const seq0 = r.rtpSent[0]!.seq;
    const got = new Set(uas.rtp.map((p) => (p.seq - seq0) & 0xffff));
    for (const i of [3, 4, 10]) expect(got.has(i)).toBe(false);
    for (const i of [0, 1, 2, 5, 9, 11]) expect(got.has(i)).toBe(true);
  });
});

describe('RFC 3550 §6.4.1 RTCP sender reports', () => {
  it('sends SR + SDES to the a=rtcp port, with a report block on the agent stream once it flows', async () => {
    uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: noise(600, -20), startMs: 0 } });
    await new LabCaller({ target: uas.target, rtcpIntervalMs: 200 }).run([{ at: 700, action: { bye: true } }]);
    const reports = uas.rtcpPackets;
    expect(reports.length).toBeGreaterThanOrEqual(2);
    const ourSsrc = uas.rtp[0]!.ssrc;
    for (const r of reports) {
      expect(r[1]).toBe(200);
      expect(r.readUInt32BE(4)).toBe(ourSsrc);
    }
    const last = reports.at(-1)!;
    expect(last[0]! & 0x1f).toBe(1); // one report block
    expect(last.readUInt32BE(28)).toBe(0x41474e54); // about the UAS's "AGNT" stream
    expect(last.readIntBE(33, 3)).toBe(0); // nothing lost on loopback
    // The packet count in the SR matches what the UAS received by then, within the in-flight few.
    expect(last.readUInt32BE(20)).toBeGreaterThan(10);
  });
});
