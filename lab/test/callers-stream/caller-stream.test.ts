/** The caller's RTP stream for SIPp (buildCallerStream): 20 ms G.711 packets, utterances, RFC 4733 keys. */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { g711Codec, DtmfReceiver, parseDtmfPayload, type DtmfDigitEvent } from 'connect-realtime-gateway';
import { buildCallerStream, LAB_DTMF_PT } from '../../src/callers/caller-audio.js';
import { packetsOf, utterance, wavFixtures } from './helpers.js';

const SSRC = 0x4c414231; // "LAB1"
const speech = utterance(500); // 62.5 ms: 3 full frames and a partial one
const fx = wavFixtures({ 'speech.wav': { samples: speech }, 'wideband.wav': { samples: utterance(1600), rate: 16000 } });
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('buildCallerStream: silence only', () => {
  for (const [law, pt, silenceByte] of [
    ['PCMU', 0, 0xff],
    ['PCMA', 8, 0xd5],
  ] as const) {
    it(`${law}: one packet per 20 ms, consecutive seq and timestamps, marker on the first`, () => {
      const s = buildCallerStream(law, [], [], 1000);
      expect(s.packets).toBe(50);
      expect(s.durationMs).toBe(1000);
      const pk = packetsOf(s.pcap);
      expect(pk).toHaveLength(50);
      pk.forEach((p, f) => {
        expect(p).toMatchObject({ rtpVersion: 2, pt, seq: 1000 + f, timestamp: 160_000 + 160 * f, ssrc: SSRC, marker: f === 0, timeUs: 20_000 * f });
        expect(p.payload.length).toBe(160);
      });
      expect(s.payload.equals(Buffer.alloc(50 * 160, silenceByte))).toBe(true);
    });
  }

  it('a length that is not a whole number of frames is rounded up', () => {
    expect(buildCallerStream('PCMU', [], [], 1010).packets).toBe(51);
    expect(buildCallerStream('PCMU', [], [], 0).packets).toBe(0);
  });
});

describe('buildCallerStream: an utterance', () => {
  const codec = g711Codec('PCMU');
  const expectedAt = (startFrame: number, total: number): Buffer => {
    const track = new Int16Array(total * 160);
    track.set(speech, startFrame * 160);
    const out = Buffer.alloc(track.length);
    codec.encode(track, out);
    return out;
  };

  it('its G.711 bytes sit at the frame its start time rounds to, silence elsewhere', () => {
    const s = buildCallerStream('PCMU', [{ atMs: 200, wavPath: fx.path('speech.wav') }], [], 1000);
    expect(s.packets).toBe(50);
    expect(s.payload.equals(expectedAt(10, 50))).toBe(true);
    // Frames before and after are the silence byte; the partial last frame is padded with silence.
    expect(s.payload.subarray(0, 10 * 160).every((b) => b === 0xff)).toBe(true);
    expect(s.payload.subarray(10 * 160 + 500).every((b) => b === 0xff)).toBe(true);
    expect(s.payload.subarray(10 * 160, 10 * 160 + 500).some((b) => b !== 0xff)).toBe(true);
    // The pcap carries the same bytes, packet by packet.
    expect(Buffer.concat(packetsOf(s.pcap).map((p) => p.payload)).equals(s.payload)).toBe(true);
  });

  it('a start between frames rounds to the nearest frame', () => {
    expect(buildCallerStream('PCMU', [{ atMs: 249, wavPath: fx.path('speech.wav') }], [], 1000).payload.equals(expectedAt(12, 50))).toBe(true);
    expect(buildCallerStream('PCMU', [{ atMs: 251, wavPath: fx.path('speech.wav') }], [], 1000).payload.equals(expectedAt(13, 50))).toBe(true);
  });

  it('an utterance running past the requested length lengthens the stream to hold it', () => {
    const s = buildCallerStream('PCMU', [{ atMs: 980, wavPath: fx.path('speech.wav') }], [], 1000);
    expect(s.packets).toBe(49 + 4);
    expect(s.durationMs).toBe(53 * 20);
    expect(s.payload.equals(expectedAt(49, 53))).toBe(true);
  });

  it('refuses a WAV that is not 8 kHz, naming it', () => {
    expect(() => buildCallerStream('PCMU', [{ atMs: 0, wavPath: fx.path('wideband.wav') }], [], 1000)).toThrow(/wideband\.wav: caller audio must be 8 kHz \(is 16000 Hz\)/);
  });
});

describe('RFC 4733 §2.5 buildCallerStream: key presses', () => {
  // '1' then '#', 100 ms each, from 1 s: 5 packets of tone time per digit, the last sent three times.
  const s = buildCallerStream('PCMU', [{ atMs: 0, wavPath: fx.path('speech.wav') }], [{ atMs: 1000, digits: '1#', durationMs: 100 }], 3000);
  const pk = packetsOf(s.pcap);
  const events = pk.filter((p) => p.pt === LAB_DTMF_PT);
  const digit1 = events.filter((p) => p.timestamp === 160_000 + 50 * 160);
  const digitHash = events.filter((p) => p.timestamp === 160_000 + 60 * 160);

  it('each digit is one event: 5 + 2 packets on consecutive 20 ms frames, one timestamp, marker on the first', () => {
    expect(events).toHaveLength(14);
    expect(digit1).toHaveLength(7);
    expect(digitHash).toHaveLength(7);
    expect(digit1.map((p) => p.timeUs)).toEqual([50, 51, 52, 53, 54, 55, 56].map((f) => f * 20_000));
    expect(digitHash.map((p) => p.timeUs)).toEqual([60, 61, 62, 63, 64, 65, 66].map((f) => f * 20_000));
    expect(digit1.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(events.every((p) => p.ssrc === SSRC && p.payload.length === 4)).toBe(true);
  });

  it('payloads: the event code, volume 10, growing duration, E set on the three end packets', () => {
    const parsed = digit1.map((p) => parseDtmfPayload(p.payload)!);
    expect(parsed.map((p) => p.event)).toEqual(Array(7).fill(1));
    expect(parsed.map((p) => p.volume)).toEqual(Array(7).fill(10));
    expect(parsed.map((p) => p.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(parsed.map((p) => p.end)).toEqual([false, false, false, false, true, true, true]);
    expect(digit1.every((p) => (p.payload[1]! & 0x40) === 0)).toBe(true); // R bit sent as 0
    expect(digitHash.map((p) => parseDtmfPayload(p.payload)!.event)).toEqual(Array(7).fill(11));
  });

  it('the gateway’s RFC 4733 receiver reads exactly one digit per event, 100 ms long', () => {
    const rx = new DtmfReceiver(8000);
    const got: DtmfDigitEvent[] = [];
    for (const p of events) {
      const d = rx.push(p.payload, p.timestamp, p.marker, p.seq);
      if (d) got.push(d);
    }
    const flushed = rx.flush();
    if (flushed) got.push(flushed);
    expect(got).toEqual([
      { digit: '1', durationMs: 100, volume: 10, startTimestamp: 160_000 + 50 * 160 },
      { digit: '#', durationMs: 100, volume: 10, startTimestamp: 160_000 + 60 * 160 },
    ]);
    expect(rx.counters).toMatchObject({ packets: 14, retransmissions: 4, endsLost: 0, malformed: 0 });
  });

  it('sequence numbers run on through events; audio resumes with the marker set after each event and a 60 ms gap between digits', () => {
    expect(pk.map((p) => p.seq)).toEqual(pk.map((_, i) => 1000 + i));
    expect(pk.map((p) => p.timeUs)).toEqual(pk.map((_, i) => i * 20_000));
    expect([57, 58, 59].map((f) => pk[f]!.pt)).toEqual([0, 0, 0]);
    expect(pk[57]!.marker).toBe(true);
    expect(pk[58]!.marker).toBe(false);
    expect(pk[67]).toMatchObject({ pt: 0, marker: true, timestamp: 160_000 + 67 * 160 });
  });

  it('the audio payload leaves out the event frames and keeps every other frame at its own offset', () => {
    expect(s.packets).toBe(150);
    expect(s.payload.length).toBe((150 - 14) * 160);
    const audio = pk.filter((p) => p.pt === 0);
    expect(Buffer.concat(audio.map((p) => p.payload)).equals(s.payload)).toBe(true);
    const track = new Int16Array(150 * 160);
    track.set(speech, 0);
    const full = Buffer.alloc(track.length);
    g711Codec('PCMU').encode(track, full);
    for (const p of audio) {
      const f = p.seq - 1000;
      expect(p.payload.equals(full.subarray(f * 160, (f + 1) * 160)), `frame ${f}`).toBe(true);
    }
  });

  it('maps every key to its RFC 4733 §3.2 event code', () => {
    const keys = '0123456789*#ABCD';
    const stream = buildCallerStream('PCMA', [], [{ atMs: 0, digits: keys, durationMs: 40 }], 20 * keys.length * 7);
    const starts = packetsOf(stream.pcap).filter((p) => p.pt === LAB_DTMF_PT && p.marker);
    expect(starts.map((p) => p.payload[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('refuses a key that does not exist', () => {
    expect(() => buildCallerStream('PCMU', [], [{ atMs: 0, digits: '1X', durationMs: 100 }], 1000)).toThrow('not a DTMF key: X');
  });
});

describe('buildCallerStream read by Wireshark’s tshark (RTP + RTP Event dissectors)', () => {
  // 600 ms, keys '1#' of 100 ms from 100 ms: audio 0-4, '1' on frames 5-11, audio 12-14, '#' on 15-21, audio 22-29.
  const s = buildCallerStream('PCMU', [], [{ atMs: 100, digits: '1#', durationMs: 100 }], 600);
  const expected = Array.from({ length: 30 }, (_, f) => {
    const inEvent = (from: number) => f >= from && f < from + 7;
    const start = inEvent(5) ? 5 : inEvent(15) ? 15 : undefined;
    if (start === undefined) return [String(1000 + f), '0', f === 0 || f === 12 || f === 22 ? '1' : '0', '', '', '', ''];
    const k = f - start;
    return [String(1000 + f), '101', k === 0 ? '1' : '0', start === 5 ? '1' : '11', k >= 4 ? '1' : '0', '10', String(160 * Math.min(5, k + 1))];
  });
  const haveTshark = spawnSync('tshark', ['-v'], { timeout: 20_000 }).status === 0;

  // Where tshark is installed it is the independent reader; elsewhere the byte-level reader stands in.
  it(haveTshark ? 'tshark reads the sequence numbers, markers and telephone-events the RFC asks for' : 'tshark is not installed: the byte-level reader checks the same fields', () => {
    let rows: string[][];
    if (haveTshark) {
      const file = join(fx.dir, 'caller.pcap');
      writeFileSync(file, s.pcap);
      const fields = ['rtp.seq', 'rtp.p_type', 'rtp.marker', 'rtpevent.event_id', 'rtpevent.end_of_event', 'rtpevent.volume', 'rtpevent.duration'];
      const run = spawnSync('tshark', ['-r', file, '-n', '-d', 'udp.port==6002,rtp', '-o', 'rtpevent.event_payload_type_value:101', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      rows = run.stdout.trim().split('\n').map((l) => l.split(','));
    } else {
      rows = packetsOf(s.pcap).map((p) => {
        const e = p.pt === LAB_DTMF_PT ? parseDtmfPayload(p.payload) : undefined;
        return [String(p.seq), String(p.pt), p.marker ? '1' : '0', ...(e ? [String(e.event), e.end ? '1' : '0', String(e.volume), String(e.duration)] : ['', '', '', ''])];
      });
    }
    expect(rows).toEqual(expected);
  });
});
