import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { EchoProfile } from './echo-path.js';
import type { ImpairmentProfile } from './impairment.js';
import { MediaRelay, type Direction, type Endpoint } from './media-relay.js';

/**
 * A SIP application-level gateway for the lab, in the style of what a NAT box or SBC does: it forwards
 * SIP datagrams between callers and the gateway unchanged except for SDP connection addresses, Contact
 * and Content-Length, so that all media flows through a per-call MediaRelay (the wire tap and
 * impairment point). UDP only; TCP/TLS scenarios talk to the gateway directly.
 */
export interface SipRecord {
  t: number;
  dir: Direction;
  firstLine: string;
  callId?: string;
  cseq?: string;
  raw: string;
}

/** What the ALG needs of a per-call media relay (the lab's MediaRelay, or a load run's metered one). */
export interface CallRelay {
  /** Port the gateway should send to (put into the caller's SDP). */
  readonly gatewayFacingPort: number;
  /** Port the caller should send to (put into the gateway's SDP). */
  readonly callerFacingPort: number;
  callerMedia?: Endpoint;
  gatewayMedia?: Endpoint;
  close(): void;
}

export interface SipAlgOptions {
  host: string; // address the ALG listens on and relays media from, e.g. 127.0.0.2
  port: number; // SIP port callers send to
  gateway: Endpoint; // the gateway's SIP address
  impairment?: Partial<Record<Direction, ImpairmentProfile>>;
  seed?: number;
  /** Leak the caller's received audio back into its sent audio (acoustic/hybrid echo). */
  echo?: EchoProfile;
  /**
   * Leave SDP as it is, so media flows straight between caller and gateway (a load run that
   * captures the wire instead of relaying it); the call's relay only learns both media endpoints.
   */
  directMedia?: boolean;
}

export class SipAlg<R extends CallRelay = MediaRelay> {
  readonly records: SipRecord[] = [];
  readonly relays = new Map<string, R>();
  readonly origin = performance.now();
  readonly #opts: SipAlgOptions;
  #callerSock!: Socket; // faces callers (and receives requests the gateway sends to our Contact)
  #gatewaySock!: Socket; // faces the gateway
  readonly #callers = new Map<string, Endpoint>(); // Call-ID → caller's SIP address
  #gatewaySockPort = 0;
  #queue: Promise<void> = Promise.resolve();

  readonly #createRelay: (callId: string, origin: number) => Promise<R>;

  /** `createRelay` replaces the default MediaRelay (recording, impairing) with another relay. */
  constructor(opts: SipAlgOptions, createRelay?: (callId: string, origin: number) => Promise<R>) {
    this.#opts = opts;
    this.#createRelay =
      createRelay ??
      // Without a factory R is the default type parameter, MediaRelay.
      (async (_callId, origin) =>
        (await MediaRelay.create(opts.host, origin, opts.impairment ?? {}, opts.seed ?? 1, opts.echo)) as unknown as R);
  }

  async start(): Promise<void> {
    this.#callerSock = createSocket('udp4');
    this.#gatewaySock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      this.#callerSock.once('error', reject);
      this.#callerSock.bind(this.#opts.port, this.#opts.host, () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      this.#gatewaySock.once('error', reject);
      this.#gatewaySock.bind(0, this.#opts.host, () => resolve());
    });
    this.#gatewaySockPort = this.#gatewaySock.address().port;
    // Messages are handled one at a time, in arrival order, because SDP rewriting may await a relay.
    const enqueue = (msg: Buffer, rinfo: RemoteInfo, via: 'caller' | 'gateway') => {
      this.#queue = this.#queue.then(() => this.#handle(msg, rinfo, via)).catch(() => undefined);
    };
    this.#callerSock.on('message', (msg, rinfo) => enqueue(msg, rinfo, 'caller'));
    this.#gatewaySock.on('message', (msg, rinfo) => enqueue(msg, rinfo, 'gateway'));
  }

  get address(): Endpoint {
    return { address: this.#opts.host, port: this.#opts.port };
  }

  relayFor(callId: string): R | undefined {
    return this.relays.get(callId);
  }

  async #handle(msg: Buffer, rinfo: RemoteInfo, via: 'caller' | 'gateway'): Promise<void> {
    const text = msg.toString('latin1');
    const fromGateway = via === 'gateway' || (rinfo.address === this.#opts.gateway.address && rinfo.port === this.#opts.gateway.port);
    const dir: Direction = fromGateway ? 'toCaller' : 'toGateway';
    const parsed = splitMessage(text);
    const callId = parsed ? headerValue(parsed.head, 'call-id', 'i') : undefined;
    const record: SipRecord = { t: performance.now() - this.origin, dir, firstLine: text.slice(0, text.indexOf('\r\n')), raw: text };
    if (callId !== undefined) record.callId = callId;
    const cseq = parsed ? headerValue(parsed.head, 'cseq') : undefined;
    if (cseq !== undefined) record.cseq = cseq;
    this.records.push(record);
    if (!parsed || callId === undefined) return;

    let { head, body } = parsed;
    if (dir === 'toGateway') this.#callers.set(callId, { address: rinfo.address, port: rinfo.port });
    if (/^content-type\s*:\s*application\/sdp/im.test(head) || /^c\s*:\s*application\/sdp/im.test(head)) {
      const relay = await this.#relay(callId);
      const via = this.#opts.directMedia ? undefined : { address: this.#opts.host, port: dir === 'toGateway' ? relay.gatewayFacingPort : relay.callerFacingPort };
      body = rewriteSdp(body, via, (ep) => {
        if (dir === 'toGateway') relay.callerMedia = ep;
        else relay.gatewayMedia = ep;
      });
    }
    // Both sides must send their in-dialog requests (ACK, BYE, refreshes) through us too.
    head = rewriteContact(head, this.#opts.host, this.#opts.port);
    head = setContentLength(head, Buffer.byteLength(body, 'latin1'));
    const out = Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');
    if (dir === 'toGateway') {
      this.#gatewaySock.send(out, this.#opts.gateway.port, this.#opts.gateway.address);
    } else {
      const caller = this.#callers.get(callId);
      if (caller) this.#callerSock.send(out, caller.port, caller.address);
    }
  }

  async #relay(callId: string): Promise<R> {
    let relay = this.relays.get(callId);
    if (!relay) {
      relay = await this.#createRelay(callId, this.origin);
      this.relays.set(callId, relay);
    }
    return relay;
  }

  /** Port the ALG uses towards the gateway (requests arrive at the gateway from here). */
  get gatewayFacingPort(): number {
    return this.#gatewaySockPort;
  }

  async stop(): Promise<void> {
    await this.#queue;
    for (const r of this.relays.values()) r.close();
    for (const s of [this.#callerSock, this.#gatewaySock]) {
      try {
        s.close();
      } catch {
        // not started
      }
    }
  }
}

function splitMessage(text: string): { head: string; body: string } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return { head: text.slice(0, end), body: text.slice(end + 4) };
}

function headerValue(head: string, name: string, compact?: string): string | undefined {
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const n = line.slice(0, colon).trim().toLowerCase();
    if (n === name || (compact !== undefined && n === compact)) return line.slice(colon + 1).trim();
  }
  return undefined;
}

function setContentLength(head: string, length: number): string {
  const lines = head.split('\r\n').filter((l) => !/^(content-length|l)\s*:/i.test(l));
  lines.push(`Content-Length: ${length}`);
  return lines.join('\r\n');
}

function rewriteContact(head: string, host: string, port: number): string {
  return head
    .split('\r\n')
    .map((l) => (/^(contact|m)\s*:/i.test(l) ? l.replace(/(sips?:(?:[^@>;\s]+@)?)([^;>\s]+)/i, `$1${host}:${port}`) : l))
    .join('\r\n');
}

/** Points the SDP's connection address and first audio port at the relay (`via`; none: unchanged); reports the original. */
export function rewriteSdp(body: string, via: Endpoint | undefined, original: (ep: Endpoint) => void): string {
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body.split(eol);
  let address: string | undefined;
  let mediaPort: number | undefined;
  let audioDone = false;
  const out = lines.map((line) => {
    const c = /^c=IN IP[46] (\S+)/.exec(line);
    if (c) {
      address ??= c[1];
      return via ? `c=IN IP4 ${via.address}` : line;
    }
    const m = /^m=audio (\d+)(.*)$/.exec(line);
    if (m && !audioDone) {
      audioDone = true;
      mediaPort = Number(m[1]);
      return via ? `m=audio ${via.port}${m[2]}` : line;
    }
    return line;
  });
  if (address !== undefined && mediaPort !== undefined) original({ address, port: mediaPort });
  return out.join(eol);
}
