import { describe, expect, it } from 'vitest';
import { SourceLatch } from '../../src/rtp/session/latch.js';
import { PortAllocator } from '../../src/rtp/session/port-allocator.js';

describe('PortAllocator (RFC 3550 §11: RTP even, RTCP odd)', () => {
  it('hands out even ports round-robin, leaving room for RTCP on port+1', () => {
    const a = new PortAllocator({ min: 10001, max: 10008 });
    expect(a.capacity).toBe(3); // 10002, 10004, 10006 (10008 has no 10009)
    expect([a.allocate(), a.allocate(), a.allocate(), a.allocate()]).toEqual([10002, 10004, 10006, undefined]);
  });

  it('reuses a released port as late as possible', () => {
    const a = new PortAllocator({ min: 10000, max: 10007 });
    const first = a.allocate();
    a.allocate();
    a.release(first as number);
    expect(a.allocate()).toBe(10004);
    expect(a.allocate()).toBe(10006);
    expect(a.allocate()).toBe(10000);
    expect(a.inUse).toBe(4);
  });

  it('rejects ranges that cannot hold a pair', () => {
    expect(() => new PortAllocator({ min: 10000, max: 10000 })).toThrow(RangeError);
    expect(() => new PortAllocator({ min: 80, max: 90 })).toThrow(RangeError);
  });
});

describe('symmetric RTP latching', () => {
  it('accepts the SDP address and then never moves', () => {
    const l = new SourceLatch({ windowMs: 1000, windowPackets: 10 });
    l.expect({ address: '192.0.2.1', port: 4000 });
    expect(l.check('192.0.2.1', 4000, 0)).toBe('accept');
    expect(l.check('198.51.100.7', 5000, 10)).toBe('reject');
  });

  it('latches once to a different source inside the window', () => {
    const l = new SourceLatch({ windowMs: 1000, windowPackets: 10 });
    l.expect({ address: '10.0.0.5', port: 4000 });
    expect(l.check('198.51.100.7', 31000, 500)).toBe('latched');
    expect(l.remote).toEqual({ address: '198.51.100.7', port: 31000 });
    expect(l.check('198.51.100.7', 31000, 600)).toBe('accept');
    expect(l.check('10.0.0.5', 4000, 700)).toBe('reject');
  });

  it('closes the window after windowMs or windowPackets', () => {
    const byTime = new SourceLatch({ windowMs: 100, windowPackets: 10 });
    byTime.expect({ address: '10.0.0.5', port: 4000 });
    expect(byTime.check('198.51.100.7', 31000, 0)).toBe('latched');
    const late = new SourceLatch({ windowMs: 100, windowPackets: 10 });
    late.expect(undefined);
    expect(late.remote).toBeUndefined();
    expect(late.check('198.51.100.7', 31000, 50)).toBe('latched'); // no SDP address yet: first valid source wins
    const byCount = new SourceLatch({ windowMs: 10_000, windowPackets: 0 });
    byCount.expect({ address: '10.0.0.5', port: 4000 });
    expect(byCount.check('198.51.100.7', 31000, 0)).toBe('reject');
  });

  it('reopens the window on a new remote (re-INVITE)', () => {
    const l = new SourceLatch({ windowMs: 100, windowPackets: 10 });
    l.expect({ address: '10.0.0.5', port: 4000 });
    l.check('10.0.0.5', 4000, 0);
    l.expect({ address: '10.0.0.6', port: 4002 });
    expect(l.check('198.51.100.9', 7000, 5000)).toBe('latched');
  });

  it("never latches with policy 'off'", () => {
    const l = new SourceLatch('off');
    l.expect({ address: '10.0.0.5', port: 4000 });
    expect(l.check('198.51.100.7', 31000, 0)).toBe('reject');
    expect(l.check('10.0.0.5', 4000, 0)).toBe('accept');
  });
});
