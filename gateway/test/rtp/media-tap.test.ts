/** The call-recording taps in the media chains: what they hand on, what they skip, how they print. */
import { describe, expect, it } from 'vitest';
import { InboundPacket } from '../../src/rtp/stages/inbound-packet.js';
import { TapAgent, TapCaller, type MediaTap } from '../../src/rtp/stages/media-tap.js';
import { OutboundPacket } from '../../src/rtp/stages/outbound-stages.js';
import { serializeRtp, type Stage } from '../../src/rtp/index.js';

class Calls implements MediaTap {
  log: unknown[][] = [];
  caller(bytes: Uint8Array, start: number, end: number, law: string, ts: number, ssrc: number, at: number): void {
    this.log.push(['caller', [...bytes.subarray(start, end)], law, ts, ssrc, at]);
  }
  agent(audio: boolean, bytes: Uint8Array, start: number, end: number, law: string, ts: number): void {
    this.log.push(['agent', audio, [...bytes.subarray(start, end)], law, ts]);
  }
}

const sink = <T>(name: string, seen: T[]): Stage<T> => ({ write: (u) => seen.push(u), toString: () => name });

describe('media taps', () => {
  it('TapCaller hands on every accepted audio packet (held ones included) but not duplicates, and passes all on', () => {
    const tap = new Calls();
    const passed: InboundPacket[] = [];
    const stage = new TapCaller(tap, 'PCMA', sink('Jitter(PCMA)', passed));
    expect(String(stage)).toBe('Tap(caller) -> Jitter(PCMA)');
    const p = new InboundPacket();
    const bytes = serializeRtp({ marker: false, payloadType: 8, sequenceNumber: 7, timestamp: 1600, ssrc: 42, csrc: [], extension: undefined, payload: new Uint8Array([1, 2, 3]), paddingLength: 0 });
    p.reset(bytes, { address: '127.0.0.1', port: 4000 });
    expect(p.rtp.parse(bytes)).toBeUndefined();
    p.arrivalMs = 55;
    for (const verdict of ['media', 'hold', 'duplicate', 'media-resync'] as const) {
      p.verdict = verdict;
      stage.write(p);
    }
    expect(tap.log).toEqual([
      ['caller', [1, 2, 3], 'PCMA', 1600, 42, 55],
      ['caller', [1, 2, 3], 'PCMA', 1600, 42, 55],
      ['caller', [1, 2, 3], 'PCMA', 1600, 42, 55],
    ]);
    expect(passed).toHaveLength(4);
  });

  it('TapAgent hands on each packet sent, telephone-events marked as no audio', () => {
    const tap = new Calls();
    const passed: OutboundPacket[] = [];
    const stage = new TapAgent(tap, 'PCMU', 0, sink('Send(udp)', passed));
    expect(String(stage)).toBe('Tap(agent) -> Send(udp)');
    const p = new OutboundPacket();
    p.buffer = new Uint8Array(12 + 4).fill(9, 12);
    p.length = 16;
    p.timestamp = 320;
    stage.write(p);
    p.payloadType = 101;
    stage.write(p);
    expect(tap.log).toEqual([
      ['agent', true, [9, 9, 9, 9], 'PCMU', 320],
      ['agent', false, [9, 9, 9, 9], 'PCMU', 320],
    ]);
    expect(passed).toHaveLength(2);
  });
});
