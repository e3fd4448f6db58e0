/**
 * SDES-SRTP (RFC 4568, RFC 3711) end to end: the caller offers RTP/SAVP with one a=crypto per
 * suite; the test UAS answers one, decrypts what the caller sends with the keys from the offer and
 * finds exactly the G.711 encoding of the WAV; the caller decrypts the UAS's audio likewise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { encodeMulaw, frameEnergyDbov } from 'connect-realtime-gateway';
import { readWav, wavBytes } from '../../src/callers/wav.js';
import { tone } from './helpers/signals.js';
import { TestUas, summary } from './helpers/test-uas.js';

let uas: TestUas | undefined;
let dir: string;
/** The first second of the caller fixture (keeps the test short). */
let WAV: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-caller-srtp-'));
  WAV = join(dir, 'hello-1s.wav');
  writeFileSync(WAV, wavBytes(readWav('fixtures/caller-hello.wav').samples.slice(0, 8_000 + 77), 8000));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

/** The µ-law payload of frame k of `pcm` (the last frame padded with zeros, as the caller does). */
function expectedFrame(pcm: Int16Array, k: number): Buffer {
  const frame = new Int16Array(160);
  frame.set(pcm.subarray(k * 160, Math.min(pcm.length, (k + 1) * 160)));
  const out = Buffer.alloc(160);
  encodeMulaw(frame, out);
  return out;
}

describe('RFC 3711 §3.3 / RFC 4568 §6.1 SRTP round trip', () => {
  for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const) {
    it(`sends the WAV's exact G.711 bytes under ${profile} and decrypts the answerer's audio`, async () => {
      const wav = readWav(WAV).samples;
      const speechMs = Math.ceil(wav.length / 160) * 20;
      uas = await TestUas.start({ transport: 'udp', agentAudio: { samples: tone(400, 1000, -20), startMs: 0 } });
      const r = await new LabCaller({ target: uas.target, srtp: 'sdes', srtpProfiles: [profile] }).run([
        { at: 100, action: { speak: WAV } },
        { at: 100 + speechMs + 200, action: { bye: true } },
      ]);

      expect(r.negotiated?.srtpProfile).toBe(profile);
      const offer = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')!.msg.body.toString();
      expect(offer).toMatch(/m=audio \d+ RTP\/SAVP 0 8 101/);
      expect(offer).toContain(`a=crypto:1 ${profile} inline:`);

      // The UAS decrypted every packet (a wrong key or tag length would fail authentication).
      expect(uas.srtpFailures).toBe(0);
      const speechSeqs = new Set(r.rtpSent.filter((p) => p.kind === 'speech').map((p) => p.seq));
      const speech = uas.rtp.filter((p) => speechSeqs.has(p.seq)).sort((a, b) => a.seq - b.seq);
      expect(speech.length).toBe(Math.ceil(wav.length / 160));
      speech.forEach((p, k) => expect(p.payload.equals(expectedFrame(wav, k)), `frame ${k}`).toBe(true));
      // Around the speech the caller sent µ-law silence.
      const silence = uas.rtp.filter((p) => !speechSeqs.has(p.seq));
      expect(silence.length).toBeGreaterThan(0);
      for (const p of silence) expect(p.payload.every((b) => b === 0xff)).toBe(true);

      // And the other way: the caller decrypted the 1 kHz tone at about -20 dBov.
      expect(r.counters.srtpFailures).toEqual({ short: 0, auth: 0, replay: 0, malformed: 0 });
      const heard = r.receivedAudio;
      const voiced = [];
      for (let i = 0; i + 160 <= heard.length; i += 160) {
        const level = frameEnergyDbov(heard.subarray(i, i + 160));
        if (level > -60) voiced.push(level);
      }
      // 400 ms of tone = 20 frames; the analysis windows are not packet-aligned, so judge the median.
      expect(voiced.length).toBeGreaterThanOrEqual(15);
      const median = voiced.sort((a, b) => a - b)[voiced.length >> 1]!;
      expect(median).toBeGreaterThan(-20.5);
      expect(median).toBeLessThan(-19.5);
    });
  }

  it('refuses an answer that drops SRTP: ACK, then BYE, end reason bad-answer', async () => {
    uas = await TestUas.start({ transport: 'udp', plainAnswer: true });
    const r = await new LabCaller({ target: uas.target, srtp: 'sdes' }).run([{ at: 2_000, action: { bye: true } }]);
    expect(r.finalStatus).toBe(200);
    expect(r.endReason).toBe('bad-answer');
    expect(r.answered).toBe(false);
    expect(r.notes.join('\n')).toMatch(/we offered RTP\/SAVP, the answer is RTP\/AVP/);
    expect(r.sip.filter((s) => s.dir === 'out').map((s) => s.summary)).toEqual(['INVITE', 'ACK', 'BYE']);
    // Nothing was sent in the clear.
    expect(r.rtpSent).toHaveLength(0);
    expect(r.actions[0]).toMatchObject({ kind: 'bye', outcome: 'skipped' });
  });
});
