import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { err, ok, type Result } from '../../result.js';
import type { SipRequest } from '../message/index.js';
import { digestResponse, formatChallenge, parseDigestCredentials, type DigestAlgorithm } from './digest.js';
import { DEFAULT_NONCE_TTL_MS, NonceCounter, NonceIssuer } from './nonce.js';

export interface DigestAuthOptions {
  realm: string;
  username: string;
  password: string;
  /** Offered in this order; default SHA-256 then MD5 (RFC 8760 §2.4: strongest first). */
  algorithms?: DigestAlgorithm[];
  nonceTtlMs?: number;
}

/** Why a request was challenged; counted in stats as `auth.<reason>`. */
export type AuthFailure =
  | 'missing'
  | 'malformed'
  | 'wrong-realm'
  | 'unknown-user'
  | 'bad-algorithm'
  | 'bad-qop'
  | 'wrong-uri'
  | 'wrong-opaque'
  | 'bad-nonce'
  | 'stale-nonce'
  | 'bad-response'
  | 'replay';

/** A refused request: why (for logs and metrics) and the 401 with fresh WWW-Authenticate challenges. */
export interface AuthChallenge {
  failure: AuthFailure;
  status: 401;
  headers: Array<[string, string]>;
}

/** The authenticated username, or the challenge to answer with. */
export type AuthResult = Result<string, AuthChallenge>;

const NC = /^[0-9a-fA-F]{8}$/;

/**
 * UAS digest authentication (RFC 3261 §22.2, §22.4; RFC 7616; RFC 8760). Challenges carry one
 * WWW-Authenticate per configured algorithm, qop="auth", a server-wide opaque, and stale=TRUE when
 * the credentials were right but the nonce had expired (so the UAC retries without asking a human).
 */
export class DigestAuthenticator {
  readonly #opts: Required<Omit<DigestAuthOptions, 'nonceTtlMs'>>;
  readonly #issuer: NonceIssuer;
  readonly #counter = new NonceCounter();
  readonly #opaque = randomBytes(18).toString('base64url');
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(clock: Clock, opts: DigestAuthOptions) {
    const algorithms = opts.algorithms ?? ['SHA-256', 'MD5'];
    if (algorithms.length === 0) throw new RangeError('auth.algorithms must not be empty');
    for (const a of algorithms) {
      if (a !== 'SHA-256' && a !== 'MD5') throw new RangeError(`auth.algorithms: unsupported algorithm ${String(a)}`);
    }
    if (opts.realm === '' || opts.username === '') throw new RangeError('auth.realm and auth.username must be non-empty');
    this.#opts = { realm: opts.realm, username: opts.username, password: opts.password, algorithms };
    this.#clock = clock;
    this.#ttlMs = opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS;
    this.#issuer = new NonceIssuer(clock, this.#ttlMs);
  }

  check(req: SipRequest): AuthResult {
    this.#counter.prune(this.#clock.wallNow() - this.#ttlMs);
    const values = req.headers.getAll('Authorization');
    if (values.length === 0) return this.#challenge('missing', false);
    // A UAC may send credentials for several realms (RFC 3261 §22.4); use the one for ours.
    let params: Map<string, string> | undefined;
    for (const v of values) {
      const p = parseDigestCredentials(v);
      if (p !== undefined && p.get('realm') === this.#opts.realm) {
        params = p;
        break;
      }
      params ??= p;
    }
    if (params === undefined) return this.#challenge('malformed', false);
    const username = params.get('username');
    const nonce = params.get('nonce');
    const uri = params.get('uri');
    const response = params.get('response');
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return this.#challenge('malformed', false);
    }
    if (params.get('realm') !== this.#opts.realm) return this.#challenge('wrong-realm', false);
    const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
    const alg = this.#opts.algorithms.find((a) => a === algorithm);
    if (alg === undefined) return this.#challenge('bad-algorithm', false);
    const qop = params.get('qop');
    const nc = params.get('nc');
    const cnonce = params.get('cnonce');
    if (qop !== 'auth' || nc === undefined || !NC.test(nc) || cnonce === undefined || cnonce === '') {
      return this.#challenge('bad-qop', false);
    }
    if (params.get('opaque') !== this.#opaque) return this.#challenge('wrong-opaque', false);
    // RFC 3261 §22.4 / RFC 7616 §3.4.6: the digested uri must be the Request-URI itself.
    if (uri !== req.uri) return this.#challenge('wrong-uri', false);
    const nonceState = this.#issuer.check(nonce);
    if (nonceState.status === 'invalid') return this.#challenge('bad-nonce', false);
    const expected = digestResponse({
      algorithm: alg,
      username: this.#opts.username,
      realm: this.#opts.realm,
      password: this.#opts.password,
      method: req.method,
      uri,
      nonce,
      nc,
      cnonce,
      qop: 'auth',
    });
    const userOk = safeEqual(username, this.#opts.username);
    const responseOk = safeEqual(response.toLowerCase(), expected);
    if (!userOk) return this.#challenge('unknown-user', false);
    if (!responseOk) return this.#challenge('bad-response', false);
    // Only right credentials learn that the nonce merely aged out (RFC 7616 §3.3 "stale").
    if (nonceState.status === 'stale') return this.#challenge('stale-nonce', true);
    const counted = this.#counter.accept(nonce, nonceState.issuedAt, Number.parseInt(nc, 16));
    if (counted === 'forgotten') return this.#challenge('stale-nonce', true);
    if (counted === 'replay') return this.#challenge('replay', false);
    return ok(username);
  }

  #challenge(failure: AuthFailure, stale: boolean): AuthResult {
    const nonce = this.#issuer.issue();
    const headers: Array<[string, string]> = this.#opts.algorithms.map((algorithm) => [
      'WWW-Authenticate',
      formatChallenge({ realm: this.#opts.realm, nonce, opaque: this.#opaque, algorithm, stale }),
    ]);
    return err({ failure, status: 401, headers });
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
