/** The simulated handset/hybrid echo: what the caller hears comes back, delayed and attenuated. */
import { describe, expect, it } from 'vitest';
import { frameEnergyDbov } from 'connect-realtime-gateway';
import { EchoPath } from '../../src/netem/echo-path.js';
import { decodePacket, FRAME, g711Packet, rtpPacket, toneFrame } from './helpers/rtp.js';

const silent = new Int16Array(FRAME);
const LOUD_DBOV = -10;

describe('EchoPath', () => {
  for (const law of ['PCMU', 'PCMA'] as const) {
    it(`${law}: a loud frame heard at t comes back at t + delay, gainDb quieter`, () => {
      for (const [gainDb, delayMs] of [
        [-20, 60],
        [-35, 120],
        [-6, 0],
      ] as const) {
        const echo = new EchoPath({ gainDb, delayMs });
        const loud = toneFrame(1000, LOUD_DBOV);
        echo.hear(g711Packet(law, 1, loud), 1000);
        const out = echo.mix(g711Packet(law, 500, silent), 1000 + delayMs);
        const level = frameEnergyDbov(decodePacket(law, out));
        // G.711 quantisation moves a level by a fraction of a dB.
        expect(Math.abs(level - (LOUD_DBOV + gainDb)), `gain ${gainDb} dB, delay ${delayMs} ms: ${level} dBov`).toBeLessThan(0.5);
        expect(echo.mixedPackets).toBe(1);
        // The RTP header is kept.
        expect(out.subarray(0, 12)).toEqual(g711Packet(law, 500, silent).subarray(0, 12));
      }
    });
  }

  it('the echo is a scaled copy of what was heard (same waveform)', () => {
    const echo = new EchoPath({ gainDb: -12, delayMs: 40 });
    const loud = toneFrame(700, -6);
    echo.hear(g711Packet('PCMU', 1, loud), 0);
    const got = decodePacket('PCMU', echo.mix(g711Packet('PCMU', 9, silent), 40));
    const heard = decodePacket('PCMU', g711Packet('PCMU', 1, loud));
    const g = 10 ** (-12 / 20);
    let dot = 0;
    let energy = 0;
    for (let i = 0; i < FRAME; i++) {
      dot += got[i]! * heard[i]!;
      energy += heard[i]! * heard[i]!;
    }
    expect(dot / energy).toBeCloseTo(g, 1);
  });

  it('no echo before the delay has passed: the packet is returned as it was', () => {
    const echo = new EchoPath({ gainDb: -10, delayMs: 100 });
    echo.hear(g711Packet('PCMU', 1, toneFrame(1000, LOUD_DBOV)), 1000);
    const mine = g711Packet('PCMU', 7, silent);
    expect(echo.mix(mine, 1099)).toBe(mine);
    expect(echo.mixedPackets).toBe(0);
  });

  it('a heard frame echoes only around its own time, not forever', () => {
    const echo = new EchoPath({ gainDb: -10, delayMs: 100 });
    echo.hear(g711Packet('PCMU', 1, toneFrame(1000, LOUD_DBOV)), 1000);
    const mine = g711Packet('PCMU', 7, silent);
    expect(echo.mix(mine, 1100 + 60)).toBe(mine); // 60 ms past due: that frame is over
  });

  it('the caller’s own speech stays, with the echo added', () => {
    const echo = new EchoPath({ gainDb: -60, delayMs: 20 });
    echo.hear(g711Packet('PCMU', 1, toneFrame(1000, LOUD_DBOV)), 0);
    const own = toneFrame(300, -20);
    const level = frameEnergyDbov(decodePacket('PCMU', echo.mix(g711Packet('PCMU', 2, own), 20)));
    expect(Math.abs(level - -20)).toBeLessThan(0.3);
  });

  it('non-G.711 packets pass untouched, both ways', () => {
    const echo = new EchoPath({ gainDb: 0, delayMs: 0 });
    const event = rtpPacket(101, 1, 0, 1, Buffer.from([1, 0x0a, 0, 160])); // RFC 4733 telephone-event
    const dynamic = rtpPacket(96, 2, 0, 1, Buffer.alloc(FRAME, 0x55)); // some other codec, G.711-sized
    const rtcp = Buffer.alloc(200);
    rtcp[0] = 0x80;
    rtcp[1] = 200; // a sender report: PT byte 200 reads as PT 72 with the marker bit
    echo.hear(dynamic, 0);
    echo.hear(event, 0);
    expect(echo.mix(g711Packet('PCMU', 3, silent), 0)).toEqual(g711Packet('PCMU', 3, silent)); // nothing heard yet
    echo.hear(g711Packet('PCMU', 4, toneFrame(1000, LOUD_DBOV)), 0);
    expect(echo.mix(event, 0)).toBe(event);
    expect(echo.mix(dynamic, 0)).toBe(dynamic);
    expect(echo.mix(rtcp, 0)).toBe(rtcp);
    const short = g711Packet('PCMU', 5, silent).subarray(0, 12 + 80); // 10 ms payload
    expect(echo.mix(short, 0)).toBe(short);
    expect(echo.mixedPackets).toBe(0);
  });
});
