/**
 * One request/response exchange over UDP as the RFC 4475 wire suite needs it: send the bytes as
 * one datagram, then collect what comes back on that socket — until a final response and a quiet
 * spell after it (a second, different final would show up there), or until the window closes
 * without one (a 'drop').
 */
import type { Endpoint } from './loopback.js';
import { OWN_BRANCH_PREFIX } from './uac-requests.js';
import { statusOf, type Datagram, type UdpPeer } from './udp-peer.js';

export interface ExchangeOptions {
  /** How long to wait for a final response, ms. */
  finalWithinMs: number;
  /** After the first final, how long without any datagram ends the exchange, ms. */
  quietMs: number;
}

export interface ExchangeResult {
  /** Every datagram the socket received during the exchange, requests and replies to ours included. */
  datagrams: Datagram[];
  /** Responses to the sent request (replies to the janitor's ACK/BYE left out), arrival order. */
  responses: Datagram[];
  /** Status of each distinct response, arrival order (a retransmission, byte-identical, counts once). */
  statuses: number[];
  /** The final (>= 200) ones among them: exactly one is owed to a request, none to a response. */
  finals: number[];
  /** Datagrams without a SIP/2.0 status line (requests from the gateway, or garbage). */
  nonResponses: number;
}

/**
 * True for a response to a request we built ourselves (the janitor's BYE, a probe's OPTIONS): its
 * first Via line carries our branch prefix. Read from the raw bytes, since replies to corpus
 * messages may not parse.
 */
export function isReplyToUs(d: Datagram): boolean {
  const via = /\r\n(?:Via|v)[ \t]*:([^\r\n]*)/i.exec(d.bytes.toString('latin1'));
  return via?.[1] !== undefined && via[1].includes(`branch=${OWN_BRANCH_PREFIX}`);
}

export async function exchange(peer: UdpPeer, bytes: Buffer, to: Endpoint, opts: ExchangeOptions): Promise<ExchangeResult> {
  const from = peer.received.length;
  const isOurFinal = (d: Datagram): boolean => {
    const status = statusOf(d);
    return status !== undefined && status >= 200 && !isReplyToUs(d);
  };
  await peer.send(bytes, to);
  const final = await peer.waitFor(isOurFinal, opts.finalWithinMs, from);
  if (final !== undefined) await peer.quiet(opts.quietMs, opts.finalWithinMs);
  const datagrams = peer.received.slice(from);
  const responses: Datagram[] = [];
  const statuses: number[] = [];
  const seen = new Set<string>();
  let nonResponses = 0;
  for (const d of datagrams) {
    const status = statusOf(d);
    if (status === undefined) {
      nonResponses++;
      continue;
    }
    if (isReplyToUs(d)) continue;
    responses.push(d);
    const text = d.bytes.toString('latin1');
    if (seen.has(text)) continue;
    seen.add(text);
    statuses.push(status);
  }
  return { datagrams, responses, statuses, finals: statuses.filter((s) => s >= 200), nonResponses };
}
