/**
 * Reading the far end's SDP (an answer to our offer, or an offer in its re-INVITE/UPDATE): the
 * first audio m= line, where to send RTP and RTCP, its formats in preference order, the direction,
 * and the a=crypto lines that parse. Never throws: junk is an { error }.
 */
import { parse, type SessionDescription } from 'sdp-transform';
import { type CryptoAttribute, describeError, parseCryptoAttribute } from 'connect-realtime-gateway';
import type { MediaDirection } from '../script.js';

export interface RemoteFormat {
  payloadType: number;
  /** Encoding name as written in a=rtpmap (or the RFC 3551 static name). */
  name: string;
  clockRate: number;
}

export interface RemoteMedia {
  address: string;
  port: number;
  rtcpAddress: string;
  rtcpPort: number;
  rtcpMux: boolean;
  proto: string;
  /** RTP/SAVP (or SAVPF): SDES-SRTP. */
  secure: boolean;
  /** As written (default sendrecv); the legacy c=0.0.0.0 hold reads as inactive. */
  direction: MediaDirection;
  /** In m= order (the sender's preference). */
  formats: RemoteFormat[];
  cryptos: CryptoAttribute[];
  /** Why some a=crypto lines were unusable. */
  cryptoProblems: string[];
  ptime: number | undefined;
}

/** RFC 3551 Table 4 names for static payload types a peer may list without a=rtpmap. */
const STATIC: Readonly<Record<number, [string, number]>> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  18: ['G729', 8000],
};

export function readRemoteSdp(body: Buffer): RemoteMedia | { error: string } {
  if (body.length === 0) return { error: 'no SDP body' };
  let session: SessionDescription;
  try {
    session = parse(body.toString('utf8'));
  } catch (err) {
    return { error: `SDP does not parse: ${describeError(err)}` };
  }
  const m = (session.media ?? []).find((x) => x.type === 'audio' && x.port !== 0);
  if (m === undefined) return { error: 'no active audio m= line' };
  const address = m.connection?.ip ?? session.connection?.ip;
  if (address === undefined) return { error: 'no c= line for the audio stream' };
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65_535) return { error: `bad audio port ${String(m.port)}` };

  const formats: RemoteFormat[] = [];
  for (const token of String(m.payloads ?? '').trim().split(/\s+/)) {
    const pt = Number(token);
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) continue;
    const map = m.rtp.find((r) => r.payload === pt);
    const stat = STATIC[pt];
    if (map !== undefined) formats.push({ payloadType: pt, name: map.codec, clockRate: map.rate ?? 8000 });
    else if (stat !== undefined) formats.push({ payloadType: pt, name: stat[0], clockRate: stat[1] });
  }

  const cryptos: CryptoAttribute[] = [];
  const cryptoProblems: string[] = [];
  for (const c of m.crypto ?? []) {
    const text = `${c.id} ${c.suite} ${c.config}${c.sessionConfig !== undefined ? ` ${c.sessionConfig}` : ''}`;
    const parsed = parseCryptoAttribute(text);
    if (parsed.ok) cryptos.push(parsed.value);
    else cryptoProblems.push(parsed.error);
  }

  const rtcpMux = m.rtcpMux !== undefined;
  const rtcpPort = m.rtcp?.port ?? (rtcpMux ? m.port : m.port + 1);
  const written = m.direction ?? session.direction ?? 'sendrecv';
  const direction: MediaDirection = address === '0.0.0.0' ? 'inactive' : written;
  return {
    address,
    port: m.port,
    rtcpAddress: m.rtcp?.address ?? address,
    // 0 = nowhere to send RTCP (a junk a=rtcp, or RTP on port 65535 without rtcp-mux).
    rtcpPort: Number.isInteger(rtcpPort) && rtcpPort >= 1 && rtcpPort <= 65_535 ? rtcpPort : 0,
    rtcpMux,
    proto: m.protocol,
    secure: /^RTP\/SAVP/i.test(m.protocol),
    direction,
    formats,
    cryptos,
    cryptoProblems,
    ptime: m.ptime,
  };
}
