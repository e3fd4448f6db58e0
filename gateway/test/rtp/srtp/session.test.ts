import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SrtpSession, generateKeys, type SrtpKeys, type SrtpProfile } from '../../../src/rtp/srtp/index.js';

const PROFILES: SrtpProfile[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

/** A minimal RTP packet: V=2, PT 0, seq, timestamp, SSRC, payload. */
function rtp(seq: number, ssrc = 0x11223344, payload: Uint8Array = Buffer.alloc(160, 0xd5)): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80; // V=2
  b[1] = 0x00; // PT 0 (PCMU)
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b.set(payload, 12);
  return b;
}

/** A sender and a receiver sharing keys the way an SDES offer/answer sets them up. */
function pair(profile: SrtpProfile = 'AES_CM_128_HMAC_SHA1_80', replayWindow?: number): { tx: SrtpSession; rx: SrtpSession } {
  const a = generateKeys(profile);
  const b = generateKeys(profile);
  const opts = replayWindow === undefined ? {} : { replayWindow };
  return { tx: new SrtpSession({ local: a, remote: b, ...opts }), rx: new SrtpSession({ local: b, remote: a, ...opts }) };
}

function expectOk(r: ReturnType<SrtpSession['unprotectRtp']>, plain: Uint8Array): void {
  expect(r.ok).toBe(true);
  if (r.ok) expect(r.value.equals(Buffer.from(plain))).toBe(true);
}

describe('RFC 3711 §3.3 protect/unprotect', () => {
  it('encrypts the payload, keeps the header in clear and appends the tag', () => {
    for (const profile of PROFILES) {
      const { tx } = pair(profile);
      const plain = rtp(1000);
      const p = tx.protectRtp(plain);
      expect(p.length).toBe(plain.length + (profile === 'AES_CM_128_HMAC_SHA1_80' ? 10 : 4));
      expect(p.subarray(0, 12).equals(plain.subarray(0, 12))).toBe(true);
      expect(p.subarray(12, plain.length).equals(plain.subarray(12))).toBe(false);
    }
  });

  it('round-trips random packets with CSRCs, extensions and padding bits (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILES),
        fc.integer({ min: 0, max: 15 }),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (profile, cc, extWords, payload, seq, ssrc) => {
          const ext = extWords === undefined ? 0 : 4 + extWords * 4;
          const pkt = Buffer.alloc(12 + cc * 4 + ext + payload.length, 0x5a);
          pkt[0] = 0x80 | (extWords === undefined ? 0 : 0x10) | cc;
          pkt.writeUInt16BE(seq, 2);
          pkt.writeUInt32BE(ssrc, 8);
          if (extWords !== undefined) pkt.writeUInt16BE(extWords, 12 + cc * 4 + 2);
          pkt.set(payload, 12 + cc * 4 + ext);
          const { tx, rx } = pair(profile);
          expectOk(rx.unprotectRtp(tx.protectRtp(pkt)), pkt);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects any single bit flip (property): auth, or malformed when V/X/CC bits change', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), fc.integer({ min: 0, max: 172 * 8 - 1 }), (profile, bitSeed) => {
        const { tx, rx } = pair(profile);
        const p = tx.protectRtp(rtp(4242));
        const bit = bitSeed % (p.length * 8);
        p[bit >> 3]! ^= 0x80 >> (bit & 7);
        const r = rx.unprotectRtp(p);
        expect(r.ok).toBe(false);
        const structural = bit >> 3 === 0 && (bit & 7) !== 2; // V (bits 0-1), X (3), CC (4-7); P is bit 2
        if (!structural) expect(r).toEqual({ ok: false, error: 'auth' });
        else expect(['auth', 'malformed']).toContain(!r.ok && r.error);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a packet protected with other keys', () => {
    const { tx } = pair();
    const { rx } = pair();
    expect(rx.unprotectRtp(tx.protectRtp(rtp(1)))).toEqual({ ok: false, error: 'auth' });
  });

  it('reports short and malformed packets without throwing', () => {
    const { tx, rx } = pair();
    expect(rx.unprotectRtp(new Uint8Array(21))).toEqual({ ok: false, error: 'short' });
    const p = tx.protectRtp(rtp(1));
    const v1 = Buffer.from(p);
    v1[0] = 0x40; // version 1
    expect(rx.unprotectRtp(v1)).toEqual({ ok: false, error: 'malformed' });
    const cc = Buffer.from(p.subarray(0, 22));
    cc[0] = 0x8f; // 15 CSRCs in a 12-byte packet
    expect(rx.unprotectRtp(cc)).toEqual({ ok: false, error: 'malformed' });
    expect(rx.counters).toMatchObject({ short: 1, malformed: 2, rtpUnprotected: 0 });
  });

  it('never throws on random bytes (property)', () => {
    const { rx } = pair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(rx.unprotectRtp(bytes).ok).toBe(false);
        expect(rx.unprotectRtcp(bytes).ok).toBe(false);
      }),
    );
  });

  it('throws RangeError when asked to protect something that is not RTP', () => {
    const { tx } = pair();
    expect(() => tx.protectRtp(new Uint8Array(4))).toThrow(RangeError);
    expect(() => tx.protectRtp(Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(RangeError);
    expect(() => tx.protectRtcp(Buffer.from([0x80, 0xc8, 0, 1]))).toThrow(RangeError);
  });
});

describe('RFC 3711 §3.3.1 rollover counter', () => {
  it('carries the ROC across the 65535 -> 0 wrap on both sides', () => {
    const { tx, rx } = pair();
    for (let i = 0; i < 20; i++) {
      const plain = rtp((65530 + i) & 0xffff);
      expectOk(rx.unprotectRtp(tx.protectRtp(plain)), plain);
    }
  });

  it('uses ROC 1 after the wrap: the packet differs from a ROC 0 packet with the same seq', () => {
    const keys = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const other = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const wrapped = new SrtpSession({ local: keys, remote: other });
    wrapped.protectRtp(rtp(65535));
    const afterWrap = wrapped.protectRtp(rtp(0));
    const fresh = new SrtpSession({ local: keys, remote: other }).protectRtp(rtp(0));
    expect(afterWrap.equals(fresh)).toBe(false);
    // A receiver that never saw the wrap assumes ROC 0 and cannot authenticate it.
    const rx = new SrtpSession({ local: other, remote: keys });
    expect(rx.unprotectRtp(afterWrap)).toEqual({ ok: false, error: 'auth' });
  });

  it('accepts a pre-wrap packet that arrives after the wrap (Appendix A: ROC-1)', () => {
    const { tx, rx } = pair();
    const packets = [65533, 65534, 65535, 0, 1].map((s) => ({ plain: rtp(s), wire: tx.protectRtp(rtp(s)) }));
    const order = [0, 1, 3, 2, 4]; // 65535 overtaken by 0
    for (const i of order) expectOk(rx.unprotectRtp(packets[i]!.wire), packets[i]!.plain);
  });

  it('survives several wraps of a long call', () => {
    const { tx, rx } = pair();
    let ok = 0;
    for (let i = 0; i < 3 * 65536 + 10; i += 7) {
      const r = rx.unprotectRtp(tx.protectRtp(rtp(i & 0xffff, 1, Buffer.alloc(4))));
      if (r.ok) ok++;
    }
    expect(ok).toBe(Math.ceil((3 * 65536 + 10) / 7));
  });
});

describe('RFC 3711 §3.3.2 replay protection', () => {
  it('rejects a replayed packet', () => {
    const { tx, rx } = pair();
    const p = tx.protectRtp(rtp(10));
    expect(rx.unprotectRtp(p).ok).toBe(true);
    expect(rx.unprotectRtp(p)).toEqual({ ok: false, error: 'replay' });
    expect(rx.counters.replay).toBe(1);
  });

  it('accepts out-of-order packets within the window exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.shuffledSubarray([...Array(64).keys()].slice(1), { minLength: 63, maxLength: 63 }),
        fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 20 }),
        (start, order, replays) => {
          const { tx, rx } = pair('AES_CM_128_HMAC_SHA1_80', 64);
          const wire = [...Array(64).keys()].map((i) => tx.protectRtp(rtp((start + i) & 0xffff)));
          // The stream's first packet arrives first (a new SSRC starts at ROC 0, §3.3.1); the next
          // 63 arrive in any order, across the sequence wrap when start is near 65535.
          for (const i of [0, ...order]) expect(rx.unprotectRtp(wire[i]!).ok).toBe(true);
          for (const i of replays) expect(rx.unprotectRtp(wire[i]!)).toEqual({ ok: false, error: 'replay' });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects a packet older than the window', () => {
    const { tx, rx } = pair('AES_CM_128_HMAC_SHA1_80', 64);
    const old = tx.protectRtp(rtp(100));
    for (let s = 101; s <= 200; s++) rx.unprotectRtp(tx.protectRtp(rtp(s)));
    expect(rx.unprotectRtp(old)).toEqual({ ok: false, error: 'replay' });
  });

  it('a larger window accepts older reordered packets', () => {
    const { tx, rx } = pair('AES_CM_128_HMAC_SHA1_80', 256);
    const old = tx.protectRtp(rtp(100));
    for (let s = 101; s <= 300; s++) rx.unprotectRtp(tx.protectRtp(rtp(s)));
    expect(rx.unprotectRtp(old).ok).toBe(true);
  });

  it('does not let a forged packet move the ROC or the window', () => {
    const { tx, rx } = pair();
    expect(rx.unprotectRtp(tx.protectRtp(rtp(65000))).ok).toBe(true);
    // A forgery claiming seq 100 would, if believed, advance the ROC to 1.
    const forged = tx.protectRtp(rtp(100));
    forged[forged.length - 1]! ^= 1;
    expect(rx.unprotectRtp(forged)).toEqual({ ok: false, error: 'auth' });
    // The next genuine packets (ROC 0) must still decrypt.
    for (let s = 65001; s < 65010; s++) expect(rx.unprotectRtp(tx.protectRtp(rtp(s))).ok).toBe(true);
  });

  it('keeps independent state per SSRC', () => {
    const { tx, rx } = pair();
    const a = tx.protectRtp(rtp(5, 1));
    const b = tx.protectRtp(rtp(5, 2));
    expect(rx.unprotectRtp(a).ok).toBe(true);
    expect(rx.unprotectRtp(b).ok).toBe(true);
    expect(rx.unprotectRtp(b)).toEqual({ ok: false, error: 'replay' });
  });

  it('rejects replayWindow below the RFC minimum', () => {
    const k = generateKeys('AES_CM_128_HMAC_SHA1_80');
    expect(() => new SrtpSession({ local: k, remote: k, replayWindow: 32 })).toThrow(RangeError);
  });
});

describe('RFC 3711 §3.4 SRTCP', () => {
  const sr = (ssrc = 0xabcdef01): Buffer => {
    const b = Buffer.alloc(28, 0x33);
    b[0] = 0x80; // V=2, RC=0
    b[1] = 200; // SR
    b.writeUInt16BE(6, 2); // length in words - 1
    b.writeUInt32BE(ssrc, 4);
    return b;
  };

  it('round-trips with E=1 and an incrementing 31-bit index', () => {
    for (const profile of PROFILES) {
      const { tx, rx } = pair(profile);
      for (let i = 0; i < 3; i++) {
        const w = tx.protectRtcp(sr());
        expect(w.length).toBe(28 + 4 + 10); // 80-bit tag for both suites
        expect(w.readUInt32BE(28)).toBe((0x80000000 | i) >>> 0);
        expectOk(rx.unprotectRtcp(w), sr());
      }
    }
  });

  it('rejects replays and bit flips', () => {
    const { tx, rx } = pair();
    const w = tx.protectRtcp(sr());
    const flipped = Buffer.from(w);
    flipped[10]! ^= 4;
    expect(rx.unprotectRtcp(flipped)).toEqual({ ok: false, error: 'auth' });
    expect(rx.unprotectRtcp(w).ok).toBe(true);
    expect(rx.unprotectRtcp(w)).toEqual({ ok: false, error: 'replay' });
    expect(rx.unprotectRtcp(Buffer.alloc(21))).toEqual({ ok: false, error: 'short' });
  });
});

describe('RFC 3711 §3.1 MKI', () => {
  it('carries the MKI between payload and tag and checks it on receipt', () => {
    const a: SrtpKeys = { ...generateKeys('AES_CM_128_HMAC_SHA1_80'), mki: Buffer.from([0, 0, 0, 1]) };
    const b = generateKeys('AES_CM_128_HMAC_SHA1_80');
    const tx = new SrtpSession({ local: a, remote: b });
    const rx = new SrtpSession({ local: b, remote: a });
    const plain = rtp(7);
    const w = tx.protectRtp(plain);
    expect(w.subarray(plain.length, plain.length + 4).toString('hex')).toBe('00000001');
    expectOk(rx.unprotectRtp(w), plain);
    const wrongMki = tx.protectRtp(rtp(8));
    wrongMki[plain.length + 3] = 2;
    expect(rx.unprotectRtp(wrongMki)).toEqual({ ok: false, error: 'auth' });
    expectOk(rx.unprotectRtcp(tx.protectRtcp(rtp(9).subarray(0, 20))), rtp(9).subarray(0, 20));
  });
});
