/**
 * A tiny SIP UAS + RTP endpoint for the caller's tests, built from the gateway's message layer on
 * a real UDP/TCP/TLS socket on 127.0.0.1. It answers INVITE with 100/180/200 and an SDP answer
 * (G.711, telephone-event, SDES-SRTP when offered), retransmits its 2xx over UDP until the ACK,
 * handles CANCEL (487), BYE, re-INVITE, UPDATE, INFO and OPTIONS, can challenge with digest, send
 * agent audio and hang up itself. It records everything, decrypting the caller's SRTP with the
 * keys from the offer.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { parse as parseSdp } from 'sdp-transform';
import {
  RtpHeaderView,
  SipHeaders,
  SrtpSession,
  StreamFramer,
  createResponse,
  digestResponse,
  formatChallenge,
  formatCryptoAttribute,
  g711Codec,
  generateKeys,
  newBranch,
  newTag,
  parseCryptoAttribute,
  parseDigestCredentials,
  parseMessage,
  parseNameAddr,
  parseUri,
  serializeMessage,
  writeRtpFixedHeader,
  isParseError,
  type DigestAlgorithm,
  type G711Name,
  type ParseResult,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from 'connect-realtime-gateway';
import type { TestCert } from './tls-cert.js';

export interface TestUasOptions {
  transport: 'udp' | 'tcp' | 'tls';
  cert?: TestCert;
  /** ms from 180 to the final response. Default 20. */
  ringMs?: number;
  /** Ring forever (CANCEL tests). */
  neverAnswer?: boolean;
  /** Final status instead of 200. */
  rejectWith?: number;
  /** Challenge INVITEs without valid credentials with 401, one WWW-Authenticate per algorithm. */
  challenge?: { username: string; password: string; realm: string; algorithms: DigestAlgorithm[] };
  /** T1 for our 2xx retransmissions, ms. Default 50. */
  t1Ms?: number;
  /** Send BYE this long after the ACK. */
  byeAfterMs?: number;
  /** Agent audio sent from this long after the ACK, 20 ms frames. */
  agentAudio?: { samples: Int16Array; startMs: number };
  /** Session-Expires value for our 200 (e.g. "2;refresher=uac"). */
  sessionExpires?: string;
  /** Leave telephone-event out of the answer. */
  noTelephoneEvent?: boolean;
  /** Answer plain RTP/AVP without a=crypto whatever was offered (a broken answerer). */
  plainAnswer?: boolean;
  /** Send a re-INVITE this long after the ACK: an offer with `direction`, or none (offer-less, §14.2). */
  reinvite?: { afterMs: number; direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' } | { afterMs: number; withoutSdp: true };
}

export interface UasRtp {
  t: number;
  seq: number;
  ts: number;
  pt: number;
  marker: boolean;
  ssrc: number;
  payload: Buffer;
}

export interface UasLogEntry {
  t: number;
  dir: 'in' | 'out';
  msg: SipMessage;
}

interface Dest {
  host: string;
  port: number;
}

interface Dialog {
  callId: string;
  localTag: string;
  invite: SipRequest;
  remoteTarget: string;
  dest: Dest;
  cseq: number;
}

const VERIFY_NC = '00000001';

export class TestUas {
  readonly o: TestUasOptions;
  readonly log: UasLogEntry[] = [];
  readonly rtp: UasRtp[] = [];
  readonly rtcpPackets: Buffer[] = [];
  /** performance.now() of each agent frame we sent. */
  readonly agentSent: Array<{ t: number; frame: number }> = [];
  readonly infoBodies: string[] = [];
  /** Directions offered in re-INVITEs. */
  readonly reofferDirections: string[] = [];
  readonly updates: SipRequest[] = [];
  srtpFailures = 0;
  ackCount = 0;
  twoHundredSends = 0;
  codec: G711Name = 'PCMU';
  payloadType = 0;
  telephoneEventPt: number | undefined;
  /** Resolves when a BYE exchange finished (whoever sent it). */
  readonly ended: Promise<'caller' | 'uas'>;
  address = '127.0.0.1';
  port = 0;
  rtpPort = 0;

  #endResolve!: (by: 'caller' | 'uas') => void;
  #udp: dgram.Socket | undefined;
  #server: net.Server | undefined;
  #conn: net.Socket | undefined;
  #rtpSock: dgram.Socket | undefined;
  #rtcpSock: dgram.Socket | undefined;
  #dialog: Dialog | undefined;
  #lastResponses = new Map<string, SipResponse>();
  #retransmit: NodeJS.Timeout | undefined;
  #timers = new Set<NodeJS.Timeout>();
  #srtp: SrtpSession | undefined;
  #callerMedia: Dest | undefined;
  #pendingInvite: SipRequest | undefined;
  #view = new RtpHeaderView();
  #closed = false;

  private constructor(o: TestUasOptions) {
    this.o = o;
    this.ended = new Promise((r) => (this.#endResolve = r));
  }

  static async start(o: TestUasOptions): Promise<TestUas> {
    const uas = new TestUas(o);
    await uas.#listen();
    return uas;
  }

  get target(): string {
    return `${this.address}:${this.port}`;
  }

  /** Messages of the log with this summary ("INVITE", "ACK", "200 BYE" …). */
  count(dir: 'in' | 'out', what: string): number {
    return this.log.filter((e) => e.dir === dir && summary(e.msg) === what).length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retransmit);
    for (const t of this.#timers) clearTimeout(t);
    this.#udp?.close();
    this.#conn?.destroy();
    this.#rtpSock?.close();
    this.#rtcpSock?.close();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
  }

  async #listen(): Promise<void> {
    this.#rtpSock = await bindUdp(0);
    this.rtpPort = this.#rtpSock.address().port;
    this.#rtcpSock = await bindUdp(0);
    this.#rtpSock.on('message', (b) => this.#onRtp(b));
    this.#rtcpSock.on('message', (b) => this.rtcpPackets.push(b));
    if (this.o.transport === 'udp') {
      const s = await bindUdp(0);
      this.#udp = s;
      this.port = s.address().port;
      s.on('message', (buf, r) => this.#onSip(parseMessage(buf), { host: r.address, port: r.port }));
      return;
    }
    const onConn = (c: net.Socket): void => {
      this.#conn = c;
      const framer = new StreamFramer();
      c.on('data', (d: Buffer) => {
        for (const r of framer.push(d)) this.#onSip(r, { host: c.remoteAddress ?? '', port: c.remotePort ?? 0 });
      });
      c.on('error', () => {});
    };
    const server =
      this.o.transport === 'tls'
        ? tls.createServer({ cert: this.o.cert?.cert, key: this.o.cert?.key }, onConn)
        : net.createServer(onConn);
    this.#server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.port = (server.address() as net.AddressInfo).port;
  }

  #send(m: SipMessage, to: Dest): void {
    if (this.#closed) return;
    this.log.push({ t: performance.now(), dir: 'out', msg: m });
    const bytes = serializeMessage(m);
    if (this.#udp !== undefined) this.#udp.send(bytes, to.port, to.host);
    else this.#conn?.write(bytes);
  }

  #reply(req: SipRequest, status: number, to: Dest, o: { headers?: Array<[string, string]>; sdp?: string; toTag?: string } = {}): SipResponse {
    const res = createResponse(req, status, {
      ...(o.toTag !== undefined ? { toTag: o.toTag } : {}),
      headers: o.headers ?? [],
      ...(o.sdp !== undefined ? { body: Buffer.from(o.sdp), contentType: 'application/sdp' } : {}),
    });
    this.#lastResponses.set(`${branchOf(req)}|${req.method}`, res);
    this.#send(res, to);
    return res;
  }

  #onSip(r: ParseResult, from: Dest): void {
    if (!r.ok || this.#closed) return;
    const m = r.value;
    this.log.push({ t: performance.now(), dir: 'in', msg: m });
    if (m.type === 'response') {
      return;
    }
    const key = `${branchOf(m)}|${m.method}`;
    const again = this.#lastResponses.get(key);
    if (again !== undefined && m.method !== 'ACK') {
      this.#send(again, from);
      return;
    }
    const d = this.#dialog;
    switch (m.method) {
      case 'INVITE':
        if (d !== undefined && m.headers.get('call-id') === d.callId && hasToTag(m)) this.#onReinvite(m, from);
        else this.#onInvite(m, from);
        return;
      case 'ACK':
        this.ackCount++;
        clearTimeout(this.#retransmit);
        this.#retransmit = undefined;
        if (d !== undefined && this.ackCount === 1 && this.#lastFinal === 200) this.#onConfirmed();
        return;
      case 'CANCEL': {
        this.#reply(m, 200, from);
        const inv = this.#pendingInvite;
        if (inv !== undefined) {
          this.#pendingInvite = undefined;
          this.#lastFinal = 487;
          this.#reply(inv, 487, from, { toTag: this.#tag });
        }
        return;
      }
      case 'BYE':
        this.#reply(m, 200, from);
        this.#endResolve('caller');
        return;
      case 'INFO':
        this.infoBodies.push(m.body.toString('utf8'));
        this.#reply(m, 200, from);
        return;
      case 'UPDATE': {
        this.updates.push(m);
        const se = m.headers.get('session-expires');
        this.#reply(m, 200, from, { headers: se === undefined ? [] : [['Session-Expires', se], ['Require', 'timer']] });
        return;
      }
      case 'OPTIONS':
        this.#reply(m, 200, from, { toTag: newTag() });
        return;
      default:
        this.#reply(m, 501, from);
    }
  }

  #tag = newTag();
  #lastFinal = 0;

  #onInvite(req: SipRequest, from: Dest): void {
    const ch = this.o.challenge;
    if (ch !== undefined && !this.#authorized(req, ch)) {
      const headers: Array<[string, string]> = ch.algorithms.map((algorithm) => [
        'WWW-Authenticate',
        formatChallenge({ realm: ch.realm, nonce: `n${newTag()}`, opaque: 'op', algorithm, stale: false }),
      ]);
      this.#reply(req, 401, from, { headers, toTag: newTag() });
      return;
    }
    const contact = req.headers.get('contact');
    const na = contact === undefined ? undefined : parseNameAddr(contact);
    const remoteTarget = na === undefined || isParseError(na) ? '' : `sip:${na.uri.user ?? ''}@${na.uri.host}:${na.uri.port ?? 5060}`;
    const uri = parseUri(remoteTarget);
    const dest = this.o.transport === 'udp' && !isParseError(uri) ? { host: uri.host, port: uri.port ?? 5060 } : from;
    this.#dialog = { callId: req.headers.get('call-id') ?? '', localTag: this.#tag, invite: req, remoteTarget, dest, cseq: 1 };
    this.#pendingInvite = req;
    this.#reply(req, 100, from);
    this.#later(10, () => {
      this.#reply(req, 180, from, { toTag: this.#tag });
      if (this.o.neverAnswer === true) return;
      this.#later(this.o.ringMs ?? 20, () => {
        if (this.#pendingInvite !== req) return;
        this.#pendingInvite = undefined;
        if (this.o.rejectWith !== undefined) {
          this.#lastFinal = this.o.rejectWith;
          this.#reply(req, this.o.rejectWith, from, { toTag: this.#tag });
          return;
        }
        const answer = this.#answer(req.body.toString('utf8'));
        const headers: Array<[string, string]> = [['Contact', `<sip:uas@127.0.0.1:${this.port}>`]];
        if (this.o.sessionExpires !== undefined) headers.push(['Session-Expires', this.o.sessionExpires], ['Require', 'timer']);
        this.#lastFinal = 200;
        const res = this.#reply(req, 200, from, { toTag: this.#tag, sdp: answer, headers });
        this.twoHundredSends++;
        if (this.o.transport === 'udp') this.#retransmitUntilAck(res, from, this.o.t1Ms ?? 50);
      });
    });
  }

  #retransmitUntilAck(res: SipResponse, to: Dest, interval: number): void {
    this.#retransmit = setTimeout(() => {
      if (this.#closed) return;
      this.#send(res, to);
      this.twoHundredSends++;
      if (interval < 2_000) this.#retransmitUntilAck(res, to, interval * 2);
    }, interval);
  }

  #authorized(req: SipRequest, ch: NonNullable<TestUasOptions['challenge']>): boolean {
    const auth = req.headers.get('authorization');
    const p = auth === undefined ? undefined : parseDigestCredentials(auth);
    if (p === undefined) return false;
    const algorithm = (p.get('algorithm') ?? 'MD5') as DigestAlgorithm;
    const expected = digestResponse({
      algorithm,
      username: ch.username,
      realm: ch.realm,
      password: ch.password,
      method: 'INVITE',
      uri: p.get('uri') ?? '',
      nonce: p.get('nonce') ?? '',
      nc: p.get('nc') ?? VERIFY_NC,
      cnonce: p.get('cnonce') ?? '',
      qop: 'auth',
    });
    return p.get('response') === expected && p.get('username') === ch.username;
  }

  /** SDP answer to the caller's offer; sets up SRTP and where to send media. */
  #answer(offerText: string, direction?: string): string {
    const offer = parseSdp(offerText);
    const m = offer.media.find((x) => x.type === 'audio');
    if (m === undefined) throw new Error('offer without audio');
    const ip = m.connection?.ip ?? offer.connection?.ip ?? '127.0.0.1';
    this.#callerMedia = { host: ip, port: m.port };
    const pts = String(m.payloads ?? '').split(' ').map(Number);
    const pcmu = pts.includes(0);
    this.codec = pcmu ? 'PCMU' : 'PCMA';
    this.payloadType = pcmu ? 0 : 8;
    const te = m.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event');
    this.telephoneEventPt = this.o.noTelephoneEvent === true ? undefined : te?.payload;
    const offered = m.direction ?? 'sendrecv';
    const dir = direction ?? (offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered);
    const lines = [
      'v=0',
      `o=uas 1 1 IN IP4 127.0.0.1`,
      's=test-uas',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.rtpPort} ${this.o.plainAnswer === true ? 'RTP/AVP' : m.protocol} ${this.payloadType}${this.telephoneEventPt !== undefined ? ` ${this.telephoneEventPt}` : ''}`,
      `a=rtpmap:${this.payloadType} ${this.codec}/8000`,
    ];
    if (this.telephoneEventPt !== undefined) lines.push(`a=rtpmap:${this.telephoneEventPt} telephone-event/8000`, `a=fmtp:${this.telephoneEventPt} 0-15`);
    lines.push('a=ptime:20', `a=${dir}`, `a=rtcp:${this.#rtcpSock!.address().port}`);
    if (/SAVP/.test(m.protocol) && this.o.plainAnswer !== true) {
      const c = m.crypto?.[0];
      if (c === undefined) throw new Error('SAVP offer without crypto');
      const parsed = parseCryptoAttribute(`${c.id} ${c.suite} ${c.config}`);
      if (!parsed.ok) throw new Error(parsed.error);
      const ours = generateKeys(parsed.value.profile);
      this.#srtp = new SrtpSession({ local: ours, remote: parsed.value.keys });
      this.callerKeys = parsed.value.keys;
      lines.push(`a=crypto:${formatCryptoAttribute(parsed.value.tag, ours)}`);
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /** The caller's sending keys from its offer (what we decrypt with). */
  callerKeys: ReturnType<typeof generateKeys> | undefined;

  #onReinvite(req: SipRequest, from: Dest): void {
    const sdp = parseSdp(req.body.toString('utf8'));
    this.reofferDirections.push(sdp.media[0]?.direction ?? 'sendrecv');
    const answer = this.#answer(req.body.toString('utf8'));
    const headers: Array<[string, string]> = [['Contact', `<sip:uas@127.0.0.1:${this.port}>`]];
    const se = req.headers.get('session-expires');
    if (se !== undefined) headers.push(['Session-Expires', se], ['Require', 'timer']);
    const res = this.#reply(req, 200, from, { sdp: answer, headers });
    if (this.o.transport === 'udp') this.#retransmitUntilAck(res, from, this.o.t1Ms ?? 50);
  }

  #onConfirmed(): void {
    const audio = this.o.agentAudio;
    if (audio !== undefined) this.#later(audio.startMs, () => this.#sendAudio(audio.samples));
    if (this.o.byeAfterMs !== undefined) this.#later(this.o.byeAfterMs, () => this.#sendBye());
    const re = this.o.reinvite;
    if (re !== undefined) this.#later(re.afterMs, () => this.#sendReinvite('direction' in re ? re.direction : undefined));
  }

  /** When our re-INVITE went out, and the caller's 2xx body to it. */
  reinviteSentAt: number | undefined;
  reinviteAnswer: string | undefined;

  #inDialogRequest(method: string, body?: string, cseq?: number): SipRequest {
    const d = this.#dialog!;
    const h = new SipHeaders();
    h.append('Via', `SIP/2.0/${this.o.transport.toUpperCase()} 127.0.0.1:${this.port};branch=${newBranch()}`);
    h.append('Max-Forwards', '70');
    h.append('From', `${d.invite.headers.get('to') ?? ''};tag=${d.localTag}`);
    h.append('To', d.invite.headers.get('from') ?? '');
    h.append('Call-ID', d.callId);
    h.append('CSeq', `${cseq ?? ++d.cseq} ${method}`);
    h.append('Contact', `<sip:uas@127.0.0.1:${this.port}>`);
    if (body !== undefined) h.append('Content-Type', 'application/sdp');
    return { type: 'request', method, uri: d.remoteTarget, version: 'SIP/2.0', headers: h, body: Buffer.from(body ?? '') };
  }

  #sendReinvite(direction: string | undefined): void {
    const d = this.#dialog;
    if (d === undefined) return;
    const offer = direction === undefined ? undefined : this.#answer(d.invite.body.toString('utf8'), direction).replace('o=uas 1 1', 'o=uas 1 2');
    const req = this.#inDialogRequest('INVITE', offer);
    this.reinviteSentAt = performance.now();
    this.#send(req, d.dest);
    const wait = (): void => {
      const res = this.log.find((e) => e.dir === 'in' && e.msg.type === 'response' && e.msg.status === 200 && e.msg.headers.get('cseq') === `${d.cseq} INVITE`);
      if (res === undefined) {
        this.#later(5, wait);
        return;
      }
      this.reinviteAnswer = res.msg.body.toString('utf8');
      // For an offer-less re-INVITE the caller offered in its 2xx; our answer goes in the ACK.
      const ackBody = offer === undefined ? this.#answer(this.reinviteAnswer, 'sendrecv') : undefined;
      this.#send(this.#inDialogRequest('ACK', ackBody, d.cseq), d.dest);
    };
    wait();
  }

  #sendAudio(samples: Int16Array): void {
    const codec = g711Codec(this.codec);
    const frames = Math.floor(samples.length / 160);
    const t0 = performance.now();
    const ssrc = 0x41474e54; // "AGNT"
    const packet = new Uint8Array(12 + 160);
    let i = 0;
    const tick = (): void => {
      if (this.#closed || this.#callerMedia === undefined) return;
      const now = performance.now();
      while (i < frames && t0 + i * 20 <= now) {
        writeRtpFixedHeader(packet, i === 0, this.payloadType, 5000 + i, 80_000 + i * 160, ssrc);
        codec.encode(samples.subarray(i * 160, i * 160 + 160), packet.subarray(12));
        const out = this.#srtp === undefined ? packet : this.#srtp.protectRtp(packet);
        this.#rtpSock!.send(out, this.#callerMedia.port, this.#callerMedia.host);
        this.agentSent.push({ t: performance.now(), frame: i });
        i++;
      }
      if (i < frames) this.#later(Math.max(0, t0 + i * 20 - performance.now()), tick);
    };
    tick();
  }

  #sendBye(): void {
    const d = this.#dialog;
    if (d === undefined) return;
    this.#send(this.#inDialogRequest('BYE'), d.dest);
    const wait = (): void => {
      if (this.log.some((e) => e.dir === 'in' && summary(e.msg) === '200 BYE')) this.#endResolve('uas');
      else this.#later(10, wait);
    };
    wait();
  }

  #onRtp(b: Buffer): void {
    const t = performance.now();
    let plain: Buffer = b;
    if (this.#srtp !== undefined) {
      const r = this.#srtp.unprotectRtp(b);
      if (!r.ok) {
        this.srtpFailures++;
        return;
      }
      plain = r.value;
    }
    if (this.#view.parse(plain) !== undefined) return;
    const v = this.#view;
    this.rtp.push({ t, seq: v.sequenceNumber, ts: v.timestamp, pt: v.payloadType, marker: v.marker, ssrc: v.ssrc, payload: Buffer.from(v.payload()) });
  }
}

export function summary(m: SipMessage): string {
  if (m.type === 'request') return m.method;
  return `${m.status} ${(m.headers.get('cseq') ?? '').trim().split(/\s+/)[1] ?? ''}`;
}

function branchOf(m: SipMessage): string {
  return /branch=([^;,\s]+)/.exec(m.headers.get('via') ?? '')?.[1] ?? '';
}

function hasToTag(m: SipRequest): boolean {
  return /;\s*tag=/.test(m.headers.get('to') ?? '');
}

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}
