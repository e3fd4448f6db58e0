/**
 * The pieces of the media attacks (issue 9 items 1-2) on loopback: a bare UDP endpoint that counts
 * what reaches it, a minimal SIP UAC (INVITE with an SDP naming any media address, ACK, BYE, and
 * 200 to the gateway's BYE), and a paced RTP sender. Every address is checked to be in 127.0.0.0/8.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseMessage, serializeRtp, type SipMessage } from 'connect-realtime-gateway';
import { requireLoopback } from '../../../src/conformance/wire/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A UDP socket on its own loopback address that records every datagram it receives. */
export class UdpBox {
  readonly received: Array<{ at: number; bytes: Buffer; fromPort: number }> = [];
  readonly #socket: Socket;
  readonly host: string;
  port = 0;

  private constructor(host: string) {
    this.host = requireLoopback(host, 'udp box');
    this.#socket = createSocket('udp4');
    this.#socket.on('message', (bytes, rinfo) => this.received.push({ at: performance.now(), bytes, fromPort: rinfo.port }));
  }

  static async open(host: string, port = 0): Promise<UdpBox> {
    const box = new UdpBox(host);
    await new Promise<void>((resolve, reject) => {
      box.#socket.once('error', reject);
      box.#socket.bind(port, host, () => resolve());
    });
    box.port = box.#socket.address().port;
    return box;
  }

  send(bytes: Uint8Array, port: number, host: string): void {
    this.#socket.send(bytes, port, requireLoopback(host, 'destination'));
  }

  get bytesReceived(): number {
    return this.received.reduce((n, d) => n + d.bytes.length, 0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** One RTP source: an SSRC, a running sequence number and timestamp, one payload per packet. */
export class RtpSource {
  #seq: number;
  #ts: number;
  constructor(
    readonly ssrc: number,
    firstSeq = 1000,
  ) {
    this.#seq = firstSeq;
    this.#ts = firstSeq * 160;
  }
  next(payload: Uint8Array, payloadType = 0): Uint8Array {
    const bytes = serializeRtp({ marker: false, payloadType, sequenceNumber: this.#seq & 0xffff, timestamp: this.#ts >>> 0, ssrc: this.ssrc, csrc: [], extension: undefined, payload, paddingLength: 0 });
    this.#seq++;
    this.#ts += 160;
    return bytes;
  }
}

/** Sends `count` packets every `everyMs` from `box` to each of `ports` on `host` (bounded). */
export async function spray(box: UdpBox, host: string, ports: readonly number[], source: RtpSource, payload: Uint8Array, count: number, everyMs = 20): Promise<void> {
  for (let i = 0; i < count; i++) {
    const pkt = source.next(payload);
    for (const port of ports) box.send(pkt, port, host);
    await sleep(everyMs);
  }
}

/** A constant µ-law frame (160 bytes): a byte no G.711 encoder of real speech repeats 160 times. */
export function constantFrame(byte: number): Uint8Array {
  return new Uint8Array(160).fill(byte);
}

/**
 * How many 20 ms frames of the constant `byte` are in `audio`: the bytes in runs of at least
 * `minRun` equal bytes, over 160 (the model's audio arrives in chunks that need not be frame-aligned).
 */
export function framesOf(audio: Uint8Array, byte: number, minRun = 80): number {
  let bytes = 0;
  let run = 0;
  for (const b of audio) {
    if (b === byte) run++;
    else {
      if (run >= minRun) bytes += run;
      run = 0;
    }
  }
  if (run >= minRun) bytes += run;
  return Math.round(bytes / 160);
}

export interface UacOptions {
  /** The UAC's own loopback address (SIP and, by default, media). */
  host: string;
  gateway: { host: string; port: number };
  /** The c=/m= of the offer: where the gateway is told to send media. */
  media: { address: string; port: number };
  rtcpMux?: boolean;
}

/** A minimal SIP UAC over UDP: enough of RFC 3261 for one call, no retransmission of its own. */
export class SipUac {
  readonly messages: SipMessage[] = [];
  readonly #sip: UdpBox;
  readonly #opts: UacOptions;
  readonly #callId: string;
  readonly #tag = `t${Math.floor(Math.random() * 1e9)}`;
  #toTag = '';
  #remoteTarget = '';
  #branch = 0;
  gatewayRtpPort = 0;
  /** Size of the INVITE datagram (the attacker's cost in a reflection). */
  inviteBytes = 0;

  private constructor(sip: UdpBox, opts: UacOptions) {
    this.#sip = sip;
    this.#opts = opts;
    this.#callId = `media-attack-${Math.floor(Math.random() * 1e9)}@${opts.host}`;
  }

  static async open(opts: UacOptions): Promise<SipUac> {
    const uac = new SipUac(await UdpBox.open(opts.host), opts);
    return uac;
  }

  get callId(): string {
    return this.#callId;
  }

  /** Sends the INVITE and waits for the 200 OK (reads the gateway's RTP port from its SDP). */
  async invite(timeoutMs = 10_000): Promise<void> {
    const { host, media } = this.#opts;
    const sdp = [
      'v=0',
      `o=- 1 1 IN IP4 ${host}`,
      's=-',
      `c=IN IP4 ${media.address}`,
      't=0 0',
      `m=audio ${media.port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      ...(this.#opts.rtcpMux ? ['a=rtcp-mux'] : []),
      'a=sendrecv',
      '',
    ].join('\r\n');
    this.#send('INVITE', 1, `sip:agent@${this.#opts.gateway.host}:${this.#opts.gateway.port}`, sdp);
    const ok = await this.#await((m) => m.type === 'response' && m.status === 200, timeoutMs, '200 OK');
    if (ok.type !== 'response') throw new Error('unreachable');
    this.#toTag = /;tag=([^;>\s]+)/.exec(ok.headers.get('To') ?? '')?.[1] ?? '';
    this.#remoteTarget = /<([^>]+)>/.exec(ok.headers.get('Contact') ?? '')?.[1] ?? `sip:agent@${this.#opts.gateway.host}:${this.#opts.gateway.port}`;
    this.gatewayRtpPort = Number(/^m=audio (\d+)/m.exec(ok.body.toString('latin1'))?.[1]);
  }

  ack(): void {
    this.#send('ACK', 1, this.#remoteTarget);
  }

  async bye(timeoutMs = 5_000): Promise<void> {
    this.#send('BYE', 2, this.#remoteTarget);
    await this.#await((m) => m.type === 'response' && m.status === 200 && (m.headers.get('CSeq') ?? '').endsWith('BYE'), timeoutMs, '200 to BYE').catch(() => undefined);
  }

  /** Whether the gateway sent a BYE (it was answered with 200). */
  get byeReceived(): SipMessage | undefined {
    return this.messages.find((m) => m.type === 'request' && m.method === 'BYE');
  }

  async waitForBye(timeoutMs: number): Promise<SipMessage> {
    return this.#await((m) => m.type === 'request' && m.method === 'BYE', timeoutMs, 'BYE from the gateway');
  }

  close(): Promise<void> {
    return this.#sip.close();
  }

  #send(method: string, cseq: number, uri: string, sdp?: string): void {
    const { host, gateway } = this.#opts;
    const lines = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${host}:${this.#sip.port};branch=z9hG4bK-ma-${++this.#branch}-${Math.floor(Math.random() * 1e9)};rport`,
      'Max-Forwards: 70',
      `From: <sip:caller@${host}>;tag=${this.#tag}`,
      `To: <sip:agent@${gateway.host}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`,
      `Call-ID: ${this.#callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@${host}:${this.#sip.port}>`,
      ...(sdp ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(sdp ?? '')}`,
      '',
      sdp ?? '',
    ];
    const bytes = Buffer.from(lines.join('\r\n'), 'latin1');
    if (method === 'INVITE') this.inviteBytes = bytes.length;
    this.#sip.send(bytes, gateway.port, gateway.host);
  }

  async #await(match: (m: SipMessage) => boolean, timeoutMs: number, what: string): Promise<SipMessage> {
    const deadline = performance.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.#sip.received.length; seen++) {
        const parsed = parseMessage((this.#sip.received[seen] as { bytes: Buffer }).bytes);
        if (!parsed.ok) continue;
        const m = parsed.value;
        this.messages.push(m);
        if (m.type === 'request' && m.method !== 'ACK') this.#answer(m);
      }
      const found = this.messages.find(match);
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** 200 OK to a request of the gateway (its BYE), echoing the dialog headers. */
  #answer(req: SipMessage): void {
    if (req.type !== 'request') return;
    const h = (name: string): string => req.headers.get(name) ?? '';
    const via = req.headers.getAll('Via');
    const lines = ['SIP/2.0 200 OK', ...via.map((v) => `Via: ${v}`), `From: ${h('From')}`, `To: ${h('To')}`, `Call-ID: ${h('Call-ID')}`, `CSeq: ${h('CSeq')}`, 'Content-Length: 0', '', ''];
    this.#sip.send(Buffer.from(lines.join('\r\n'), 'latin1'), this.#opts.gateway.port, this.#opts.gateway.host);
  }
}
