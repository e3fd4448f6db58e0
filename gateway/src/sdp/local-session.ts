import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { write, type MediaDescription, type SessionDescription } from 'sdp-transform';

export interface LocalSdpSessionOptions {
  /** o= sess-id (digits). Default: random. */
  sessionId?: string;
  /** o= username. Default "-" (RFC 4566 §5.2: no user ids). */
  username?: string;
  /** s= line. Default "-". */
  sessionName?: string;
}

/** What changes between versions of our SDP: everything but the o= line. */
export interface LocalSdpBody {
  /** Our advertised address (c= and o=). */
  address: string;
  /** m= sections in sdp-transform form, in m= line order. */
  media: MediaDescription[];
}

const MAX_RANDOM_SESSION_ID = 2 ** 47;

/**
 * The o= line state of one dialog (RFC 3264 §8, RFC 4566 §5.2). The session id stays fixed for
 * the dialog; the version is incremented only when the SDP we send differs from the previous SDP we
 * sent, so a session refresh (re-INVITE/UPDATE with unchanged media) repeats our SDP byte for byte.
 */
export class LocalSdpSession {
  readonly sessionId: string;
  readonly username: string;
  readonly sessionName: string;
  #version = 1;
  #lastBody: string | undefined;
  #lastSdp: string | undefined;

  constructor(opts: LocalSdpSessionOptions = {}) {
    const id = opts.sessionId ?? String(randomInt(1, MAX_RANDOM_SESSION_ID));
    if (!/^\d{1,20}$/.test(id)) throw new RangeError(`sessionId "${id}" must be 1-20 digits`);
    const username = opts.username ?? '-';
    if (!/^\S+$/.test(username)) throw new RangeError(`username "${username}" must be one non-space token`);
    const sessionName = opts.sessionName ?? '-';
    if (sessionName.length === 0 || /[\r\n]/.test(sessionName)) throw new RangeError('sessionName must be one non-empty line');
    this.sessionId = id;
    this.username = username;
    this.sessionName = sessionName;
  }

  /** o= version of the last SDP rendered (1 before and at the first render). */
  get version(): number {
    return this.#version;
  }

  /** The last SDP rendered, if any. */
  get lastSdp(): string | undefined {
    return this.#lastSdp;
  }

  /** Writes our SDP; bumps the o= version iff the body differs from the last one rendered. */
  render(body: LocalSdpBody): string {
    const ipVer = isIP(body.address);
    if (ipVer === 0) throw new RangeError(`local address "${body.address}" is not an IP literal`);
    const description = (version: number): SessionDescription => ({
      version: 0,
      origin: {
        username: this.username,
        sessionId: this.sessionId,
        sessionVersion: version,
        netType: 'IN',
        ipVer,
        address: body.address,
      },
      name: this.sessionName,
      connection: { version: ipVer, ip: body.address },
      timing: { start: 0, stop: 0 },
      // sdp-transform's writer fills defaults into what it is given: hand it copies.
      media: body.media.map((m) => ({ ...m })),
    });
    const withoutOrigin = write(description(0)).replace(/^o=[^\r\n]*\r\n/m, '');
    if (this.#lastBody !== undefined && withoutOrigin !== this.#lastBody) this.#version++;
    this.#lastBody = withoutOrigin;
    this.#lastSdp = write(description(this.#version));
    return this.#lastSdp;
  }
}
