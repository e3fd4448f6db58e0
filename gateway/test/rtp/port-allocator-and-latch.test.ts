import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceLatch } from '../../src/rtp/session/latch.js';
import { PortAllocator } from '../../src/rtp/session/port-allocator.js';

describe('PortAllocator (RFC 3550 §11: RTP even, RTCP odd; random within the range)', () => {
  it('hands out every even port that has room for RTCP on port+1, then nothing', () => {
    const a = new PortAllocator({ min: 10001, max: 10008 });
    expect(a.capacity).toBe(3); // 10002, 10004, 10006 (10008 has no 10009)
    const got = [a.allocate(), a.allocate(), a.allocate()];
    expect([...got].sort()).toEqual([10002, 10004, 10006]);
    expect(a.allocate()).toBeUndefined();
  });

  it('takes the pair the random source picks, and the next free one when that pair is taken', () => {
    const picks = [2, 2, 2, 2, 2, 2, 2, 2, 2, 0];
    const a = new PortAllocator({ min: 10000, max: 10009 }, () => picks.shift() ?? 0);
    expect(a.allocate()).toBe(10004);
    expect(a.allocate()).toBe(10006); // eight picks of the taken pair 2, then the walk to the next free
    expect(a.allocate()).toBe(10000);
    a.release(10004);
    expect(a.allocate()).toBe(10002);
    expect(a.inUse).toBe(3);
  });

  it('never hands out a port twice, nor outside the range, whatever the random source says', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant('alloc' as const), fc.nat(20)), { maxLength: 60 }), fc.array(fc.integer({ min: -3, max: 12 }), { minLength: 1 }), (ops, randoms) => {
        let r = 0;
        const a = new PortAllocator({ min: 20000, max: 20019 }, () => randoms[r++ % randoms.length] as number);
        const held = new Set<number>();
        for (const op of ops) {
          if (op === 'alloc') {
            const p = a.allocate();
            if (held.size === a.capacity) expect(p).toBeUndefined();
            else {
              expect(p).toBeDefined();
              expect(held.has(p as number)).toBe(false);
              expect(p as number % 2).toBe(0);
              expect(p as number).toBeGreaterThanOrEqual(20000);
              expect(p as number).toBeLessThanOrEqual(20018);
              held.add(p as number);
            }
          } else {
            const port = 20000 + 2 * (op % 10);
            a.release(port);
            held.delete(port);
          }
          expect(a.inUse).toBe(held.size);
        }
      }),
    );
  });

  it('by default is not round-robin: the next call\'s port cannot be guessed from the last one', () => {
    const a = new PortAllocator({ min: 10000, max: 11999 });
    let prev = a.allocate() as number;
    let successors = 0;
    for (let i = 0; i < 50; i++) {
      const p = a.allocate() as number;
      if (p === prev + 2) successors++;
      prev = p;
    }
    expect(successors).toBeLessThan(5); // round-robin: 50 of 50
  });

  it('rejects ranges that cannot hold a pair', () => {
    expect(() => new PortAllocator({ min: 10000, max: 10000 })).toThrow(RangeError);
    expect(() => new PortAllocator({ min: 80, max: 90 })).toThrow(RangeError);
  });
});

const SDP = { address: '192.0.2.1', port: 4000 };
const ATTACKER = '198.51.100.7';

describe('media source validation: strict', () => {
  it('accepts only the SDP address and port, before and after the first packet', () => {
    const l = new SourceLatch('strict');
    l.expect(SDP, 0);
    l.arm(0);
    expect(l.check(ATTACKER, 5000, 10, 1, 1)).toBe('reject'); // first packet from elsewhere: no latching
    expect(l.check('192.0.2.1', 4002, 10, 1, 1)).toBe('reject'); // right host, wrong port
    expect(l.check('192.0.2.1', 4000, 20, 7, 1)).toBe('accept');
    expect(l.heard).toBe(true);
    for (let seq = 1; seq <= 100; seq++) expect(l.check(ATTACKER, 5000, 5000 + seq * 20, 9, seq)).toBe('reject');
    expect(l.remote).toEqual(SDP);
  });

  it('accepts nothing while the remote is unknown (our offer out, no answer yet)', () => {
    const l = new SourceLatch('strict');
    l.expect(undefined, 0);
    l.arm(0);
    expect(l.check(ATTACKER, 5000, 0, 1, 1)).toBe('reject');
    expect(l.remote).toBeUndefined();
  });

  it('RTCP on an rtcp-mux port: accepts() is an exact match that never moves the latch', () => {
    const l = new SourceLatch('learn', { packets: 2, quietMs: 0 });
    l.expect(SDP, 0);
    l.arm(0);
    expect(l.accepts(ATTACKER, 5000)).toBe(false);
    expect(l.remote).toEqual(SDP);
    expect(l.accepts('192.0.2.1', 4000)).toBe(true);
  });

  it('a followed address takes the port of its first packet (the RTCP latch after RTP learned)', () => {
    const l = new SourceLatch('strict');
    l.follow('203.0.113.5', 0);
    expect(l.remote).toBeUndefined();
    expect(l.check(ATTACKER, 9, 10, -1, -1)).toBe('reject');
    expect(l.check('203.0.113.5', 61001, 10, -1, -1)).toBe('latched');
    expect(l.remote).toEqual({ address: '203.0.113.5', port: 61001 });
    expect(l.check('203.0.113.5', 61003, 20, -1, -1)).toBe('reject');
  });
});

describe('media source validation: learn (NAT)', () => {
  const policy = { packets: 5, quietMs: 1000 };

  function run(l: SourceLatch, address: string, port: number, ssrc: number, firstSeq: number, count: number, startMs: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(l.check(address, port, startMs + i * 20, ssrc, (firstSeq + i) & 0xffff));
    return out;
  }

  it('learns a new source after N consecutive in-sequence packets once the SDP source was quiet long enough', () => {
    const l = new SourceLatch('learn', policy);
    l.expect({ address: '10.0.0.5', port: 4000 }, 0); // a private SDP address that never sends
    l.arm(0);
    expect(run(l, '203.0.113.5', 31000, 42, 100, 5, 200)).toEqual(['reject', 'reject', 'reject', 'reject', 'reject']); // quiet for 200 ms only
    expect(run(l, '203.0.113.5', 31000, 42, 105, 5, 1000)).toEqual(['reject', 'reject', 'reject', 'reject', 'latched']);
    expect(l.remote).toEqual({ address: '203.0.113.5', port: 31000 });
    expect(l.check('203.0.113.5', 31000, 1100, 42, 110)).toBe('accept');
    expect(l.check('10.0.0.5', 4000, 1120, 42, 111)).toBe('reject'); // the learned source is the expected one now
  });

  it('a break in sequence, another SSRC or an interleaved source restarts the run', () => {
    const l = new SourceLatch('learn', policy);
    l.expect({ address: '10.0.0.5', port: 4000 }, 0);
    l.arm(0);
    expect(run(l, ATTACKER, 5000, 1, 10, 4, 2000)).toEqual(['reject', 'reject', 'reject', 'reject']);
    expect(l.check(ATTACKER, 5000, 2100, 1, 20)).toBe('reject'); // gap: run restarts at 1
    expect(run(l, ATTACKER, 5000, 1, 21, 3, 2120)).toEqual(['reject', 'reject', 'reject']);
    expect(l.check(ATTACKER, 5000, 2200, 2, 24)).toBe('reject'); // another SSRC
    expect(l.check(ATTACKER, 5002, 2220, 2, 25)).toBe('reject'); // another port
    expect(l.remote).toEqual({ address: '10.0.0.5', port: 4000 });
    expect(run(l, ATTACKER, 5002, 2, 26, 4, 2240)).toEqual(['reject', 'reject', 'reject', 'latched']);
  });

  it('sequence numbers wrap (65535 → 0) inside a run', () => {
    const l = new SourceLatch('learn', policy);
    l.expect({ address: '10.0.0.5', port: 4000 }, 0);
    l.arm(0);
    expect(run(l, '203.0.113.5', 31000, 3, 65533, 5, 5000).at(-1)).toBe('latched');
  });

  it('never displaces a live expected source: its packets keep the quiet time from running out', () => {
    const l = new SourceLatch('learn', policy);
    l.expect(SDP, 0);
    l.arm(0);
    for (let t = 0; t < 10_000; t += 20) {
      if (t % 500 === 0) expect(l.check(SDP.address, SDP.port, t, 7, t / 20)).toBe('accept'); // the caller, twice a second
      else expect(l.check(ATTACKER, 5000, t, 1, t / 20)).toBe('reject');
    }
    expect(l.remote).toEqual(SDP);
  });

  it('learns nothing before the call is confirmed (arm), however long the SDP source is quiet', () => {
    const l = new SourceLatch('learn', policy);
    l.expect({ address: '10.0.0.5', port: 4000 }, 0);
    expect(run(l, ATTACKER, 5000, 1, 1, 20, 5000)).not.toContain('latched');
    l.arm(10_000);
    expect(run(l, ATTACKER, 5000, 1, 21, 5, 10_100)).not.toContain('latched'); // quiet time counts from arm()
    expect(run(l, ATTACKER, 5000, 1, 26, 5, 11_000).at(-1)).toBe('latched');
  });

  it('RTCP (no sequence number) never learns', () => {
    const l = new SourceLatch('learn', { packets: 2, quietMs: 0 });
    l.expect(SDP, 0);
    l.arm(0);
    for (let i = 0; i < 10; i++) expect(l.check(ATTACKER, 5001, 10 + i, -1, -1)).toBe('reject');
    expect(l.remote).toEqual(SDP);
  });

  it('a new SDP remote (re-INVITE) is the only source accepted, and learning starts over', () => {
    const l = new SourceLatch('learn', policy);
    l.expect(SDP, 0);
    l.arm(0);
    l.check(SDP.address, SDP.port, 10, 1, 1);
    l.expect({ address: '192.0.2.9', port: 6000 }, 100);
    expect(l.heard).toBe(false);
    expect(l.check(SDP.address, SDP.port, 120, 1, 2)).toBe('reject');
    expect(l.check('192.0.2.9', 6000, 140, 1, 3)).toBe('accept');
  });

  it('rejects a learning policy that would learn from one packet', () => {
    expect(() => new SourceLatch('learn', { packets: 1, quietMs: 0 })).toThrow(RangeError);
    expect(() => new SourceLatch('learn', { packets: 3, quietMs: -1 })).toThrow(RangeError);
  });
});
