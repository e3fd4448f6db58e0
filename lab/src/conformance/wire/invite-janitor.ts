/**
 * Cleans up after every INVITE a wire suite sends, as a well-behaved UAC would, so the gateway ends
 * each run with no call and no transaction waiting for us:
 *  - a non-2xx final response is acknowledged (RFC 3261 §17.1.1.3; else the gateway retransmits it
 *    until Timer H);
 *  - a 2xx is acknowledged (§13.2.2.4) and the dialog is ended with BYE (§15.1.1);
 *  - a request the gateway sends us (a BYE, say) is answered 200.
 * It reacts to the datagrams of every UdpPeer it watches (a reply may land on another socket than
 * the one that sent the INVITE, when the Via sends it elsewhere), answers from the socket the
 * datagram arrived on, and never throws on what it receives.
 */
import { createResponse, isParseError, newTag, parseCSeq, parseMessage, serializeMessage, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import type { Endpoint } from './loopback.js';
import { ackForFailure, ackForSuccess, byeForSuccess, type BuildResult } from './uac-requests.js';
import { responseOf, type Datagram, type UdpPeer } from './udp-peer.js';

export interface JanitorCounts {
  acksForFailure: number;
  acksForSuccess: number;
  byesSent: number;
  byesAnswered: number;
  /** Final status of each BYE we sent, in arrival order (200 unless the gateway lost the dialog). */
  byeStatuses: number[];
  requestsAnswered: number;
  /**
   * Final responses to INVITEs not tracked (unparseable, or without the headers a transaction
   * needs): the gateway answered those statelessly, no ACK is owed.
   */
  untrackedFinals: number;
  /** Why an owed ACK or BYE could not be built or sent (at most 50 kept). */
  problems: string[];
}

interface Tracked {
  invite: SipRequest;
  byeSent?: boolean;
  byeAnswered?: boolean;
}

/** Problems kept for the report; more would only repeat themselves. */
const MAX_PROBLEMS = 50;

export class InviteJanitor {
  readonly counts: JanitorCounts = { acksForFailure: 0, acksForSuccess: 0, byesSent: 0, byesAnswered: 0, byeStatuses: [], requestsAnswered: 0, untrackedFinals: 0, problems: [] };
  readonly #gateway: Endpoint;
  readonly #invites = new Map<string, Tracked>();
  readonly #offs: Array<() => void> = [];

  /** Watches `peers` (more can be added with watch()). */
  constructor(gateway: Endpoint, ...peers: UdpPeer[]) {
    this.#gateway = gateway;
    for (const p of peers) this.watch(p);
  }

  watch(peer: UdpPeer): void {
    this.#offs.push(peer.onDatagram((d) => this.#onDatagram(d, peer)));
  }

  /** Registers an INVITE about to be sent (its bytes as sent). Returns it parsed, or undefined when untracked. */
  track(inviteBytes: Buffer): SipRequest | undefined {
    const parsed = parseMessage(inviteBytes);
    if (!parsed.ok || parsed.value.type !== 'request' || parsed.value.method !== 'INVITE') return undefined;
    const h = parsed.value.headers;
    const cseq = parseCSeq(h.get('CSeq') ?? '');
    const callId = h.get('Call-ID');
    // Without these the server cannot build a transaction (RFC 3261 §8.1.1): its answer is
    // stateless and owes no ACK, so there is nothing to track.
    if (isParseError(cseq) || callId === undefined || !h.has('From') || !h.has('To') || !h.has('Via')) return undefined;
    this.#invites.set(keyOf(callId, cseq.seq), { invite: parsed.value });
    return parsed.value;
  }

  /** BYEs sent and not yet answered with a final response. */
  get openByes(): number {
    let n = 0;
    for (const t of this.#invites.values()) if (t.byeSent === true && !t.byeAnswered) n++;
    return n;
  }

  /** Waits until every BYE we sent was answered; false if some were not within `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.openByes > 0) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise((r) => setTimeout(r, Math.min(left, 20)));
    }
    return true;
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#offs.length = 0;
  }

  #onDatagram(d: Datagram, peer: UdpPeer): void {
    if (!d.parsed.ok) return;
    const msg = d.parsed.value;
    if (msg.type === 'request') {
      this.#answer(msg, d.from, peer);
      return;
    }
    const res = responseOf(d);
    if (res === undefined || res.status < 200) return;
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    const callId = res.headers.get('Call-ID');
    if (isParseError(cseq) || callId === undefined) return;
    if (cseq.method === 'BYE') {
      const t = this.#invites.get(keyOf(callId, cseq.seq - 1));
      if (t !== undefined && t.byeSent === true && !t.byeAnswered) {
        t.byeAnswered = true;
        this.counts.byesAnswered++;
        this.counts.byeStatuses.push(res.status);
      }
      return;
    }
    if (cseq.method !== 'INVITE') return;
    const key = keyOf(callId, cseq.seq);
    const tracked = this.#invites.get(key);
    if (tracked === undefined) {
      this.counts.untrackedFinals++;
      return;
    }
    if (res.status >= 300) {
      if (this.#send(ackForFailure(tracked.invite, res), peer)) this.counts.acksForFailure++;
      return;
    }
    // Every 2xx retransmission is acknowledged again; the dialog is ended once.
    if (this.#send(ackForSuccess(tracked.invite, res, peer.local), peer)) this.counts.acksForSuccess++;
    if (tracked.byeSent !== true && this.#send(byeForSuccess(tracked.invite, res, peer.local), peer)) {
      tracked.byeSent = true;
      this.counts.byesSent++;
    }
  }

  #answer(req: SipRequest, from: Endpoint, peer: UdpPeer): void {
    if (req.method === 'ACK') return;
    const res: SipResponse = createResponse(req, 200, { toTag: newTag() });
    peer.send(serializeMessage(res), from).catch(() => undefined);
    this.counts.requestsAnswered++;
  }

  #send(built: BuildResult, peer: UdpPeer): boolean {
    if (!built.ok) {
      this.#problem(built.reason);
      return false;
    }
    peer.send(serializeMessage(built.request), this.#gateway).catch((err: unknown) => this.#problem(String(err)));
    return true;
  }

  #problem(reason: string): void {
    if (this.counts.problems.length < MAX_PROBLEMS) this.counts.problems.push(reason);
  }
}

/** An INVITE and its responses meet on Call-ID and CSeq number (our BYE uses the number + 1). */
function keyOf(callId: string, seq: number): string {
  return `${callId.trim()}|${seq}`;
}
