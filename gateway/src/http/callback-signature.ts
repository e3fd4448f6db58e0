/**
 * Authentication of POST /amazon-connect/callback: the sender (e.g. a Lambda in the Connect flow)
 * signs `<timestamp>.<raw body>` with HMAC-SHA256 under the shared CALLBACK_SECRET and sends
 *
 *   X-Gateway-Timestamp: <Unix seconds>
 *   X-Gateway-Signature: sha256=<hex digest>
 *
 * A timestamp more than TOLERANCE_S away from the gateway's clock is refused (stale), a signature
 * already accepted within that window is refused (replay), and the digest is compared in constant
 * time. The replay memory is bounded: when full of live entries it refuses new callbacks (busy)
 * rather than forget one that could still be replayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../result.js';

export const TOLERANCE_S = 300;
export const MAX_REMEMBERED = 10_000;
export const TIMESTAMP_HEADER = 'x-gateway-timestamp';
export const SIGNATURE_HEADER = 'x-gateway-signature';

export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'bad-signature' | 'replay' | 'busy';
/** The one result shape: ok, or why the request is refused. */
export type SignatureVerdict = Result<void, SignatureRefusal>;

/** The header value a sender puts in X-Gateway-Signature (also what the lab and tests sign with). */
export function signCallback(secret: string, timestampS: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest('hex')}`;
}

export class CallbackVerifier {
  readonly #secret: string;
  readonly #nowMs: () => number;
  /** Accepted signatures → when they stop mattering (their timestamp leaves the window), ms. */
  readonly #seen = new Map<string, number>();

  constructor(secret: string, nowMs: () => number) {
    this.#secret = secret;
    this.#nowMs = nowMs;
  }

  verify(timestampHeader: string | undefined, signatureHeader: string | undefined, body: Buffer): SignatureVerdict {
    if (timestampHeader === undefined || signatureHeader === undefined) return err('missing');
    if (!/^\d{1,12}$/.test(timestampHeader)) return err('malformed');
    const signature = signatureHeader.trim();
    if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) return err('malformed');
    const timestampS = Number(timestampHeader);
    const now = this.#nowMs();
    if (Math.abs(now / 1000 - timestampS) > TOLERANCE_S) return err('stale');
    const expected = createHmac('sha256', this.#secret).update(`${timestampS}.`).update(body).digest();
    const given = Buffer.from(signature.slice('sha256='.length), 'hex');
    if (!timingSafeEqual(given, expected)) return err('bad-signature');
    const key = expected.toString('hex');
    this.#forgetExpired(now);
    if (this.#seen.has(key)) return err('replay');
    if (this.#seen.size >= MAX_REMEMBERED) return err('busy');
    this.#seen.set(key, (timestampS + TOLERANCE_S) * 1000);
    return ok(undefined);
  }

  #forgetExpired(now: number): void {
    // Insertion order is roughly expiry order; stop at the first entry still live.
    for (const [key, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(key);
    }
  }
}
