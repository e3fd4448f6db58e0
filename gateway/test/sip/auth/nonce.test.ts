import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { NonceCounter, NonceIssuer } from '../../../src/sip/auth/nonce.js';

describe('RFC 7616 §3.3 stateless HMAC nonces', () => {
  it('a fresh nonce is valid, becomes stale after the TTL, and is bound to the secret', () => {
    const clock = new ManualClock();
    const issuer = new NonceIssuer(clock, 1_000, Buffer.alloc(32, 1));
    const nonce = issuer.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issuer.check(nonce).status).toBe('valid');
    clock.advance(1_000);
    expect(issuer.check(nonce).status).toBe('valid');
    clock.advance(1);
    expect(issuer.check(nonce).status).toBe('stale');
    const other = new NonceIssuer(clock, 1_000, Buffer.alloc(32, 2));
    expect(other.check(nonce).status).toBe('invalid');
  });

  it('a nonce with any byte flipped is invalid', () => {
    const clock = new ManualClock();
    const issuer = new NonceIssuer(clock, 60_000);
    const raw = Buffer.from(issuer.issue(), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const tampered = Buffer.from(raw);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(issuer.check(tampered.toString('base64url')).status).toBe('invalid');
    }
    expect(issuer.check('not a nonce!').status).toBe('invalid');
    expect(issuer.check('').status).toBe('invalid');
  });
});

describe('RFC 7616 §3.4.5 nonce-count replay protection', () => {
  it('accepts strictly increasing nc per nonce and refuses repeats', () => {
    const c = new NonceCounter();
    expect(c.accept('n1', 100, 1)).toBe('ok');
    expect(c.accept('n1', 100, 1)).toBe('replay');
    expect(c.accept('n1', 100, 3)).toBe('ok');
    expect(c.accept('n1', 100, 2)).toBe('replay');
    expect(c.accept('n2', 100, 1)).toBe('ok');
    expect(c.accept('n3', 100, 0)).toBe('replay');
  });

  it('forgetting a nonce (bounded table) never re-opens it: older nonces become "forgotten"', () => {
    const c = new NonceCounter(2);
    expect(c.accept('a', 10, 1)).toBe('ok');
    expect(c.accept('b', 20, 1)).toBe('ok');
    expect(c.accept('c', 30, 1)).toBe('ok'); // evicts a (issued at 10)
    expect(c.size).toBe(2);
    expect(c.accept('a', 10, 1)).toBe('forgotten');
    expect(c.accept('z', 5, 1)).toBe('forgotten'); // issued before the forgotten one
    expect(c.accept('d', 40, 1)).toBe('ok');
  });
});
