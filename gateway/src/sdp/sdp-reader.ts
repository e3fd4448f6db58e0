import { parse, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { err, ok, type Result } from '../result.js';
import { sdpFailure, type SdpFailure } from './errors.js';
import { staticPayloadType } from './static-payload-types.js';
import type { MediaDirection } from './types.js';
import { describeError } from '../describe-error.js';

/**
 * Reads a remote SDP (RFC 4566) into the few facts negotiation needs, rejecting structurally broken
 * input with 400 and a reason naming the line. sdp-transform parses the attributes; the lines it
 * silently drops or mangles (m=, c=, and a=crypto, whose session parameters it truncates) are read
 * here directly so a bad one is reported rather than ignored.
 */

/** Larger bodies are refused before parsing (a SIP INVITE's SDP is well under 4 KiB). */
export const MAX_SDP_BYTES = 64 * 1024;
/** More m= lines than this is not a phone call. */
export const MAX_MEDIA_SECTIONS = 32;

export interface OfferedFormat {
  payloadType: number;
  /** From a=rtpmap, else the RFC 3551 static table; "" when neither knows the PT. */
  name: string;
  clockRate: number;
  channels: number;
}

export interface ConnectionData {
  ipVer: 4 | 6;
  /** As written (may be a host name or carry a multicast /ttl; the caller decides). */
  address: string;
}

export interface MediaSection {
  /** m= line order, from 0. */
  index: number;
  /** 1-based line number of the m= line, for messages. */
  line: number;
  type: string;
  port: number;
  /** Transport protocol as written, e.g. "RTP/AVP". */
  proto: string;
  /** The fmt list as written. */
  formats: string[];
  /** Media-level c=, else session-level. */
  connection?: ConnectionData;
  /** Media-level direction, else session-level, else sendrecv (RFC 3264 §5.1). */
  direction: MediaDirection;
  /** RTP payload formats in offer order (empty for non-RTP transports). */
  rtpFormats: OfferedFormat[];
  /** a=crypto values, raw (after "a=crypto:"). */
  cryptoLines: string[];
  /** a=fingerprint at media or session level: a DTLS-SRTP offer. */
  hasFingerprint: boolean;
  rtcpMux: boolean;
  rtcp?: { port: number; address?: string };
  ptime?: number;
  maxptime?: number;
}

export interface RemoteSdp {
  origin: { username: string; sessionId: string; sessionVersion: string };
  media: MediaSection[];
}

const LINE_RE = /^[a-z]=/;
const ORIGIN_RE = /^o=(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\s*$/;
const MEDIA_RE = /^m=(\S+) (\S+) (\S+)((?: +\S+)*)\s*$/;
const CONNECTION_RE = /^c=IN IP([46]) (\S+)\s*$/;
const PORT_RE = /^\d{1,5}$/;
const PT_RE = /^\d{1,3}$/;
const MAX_PORT = 65535;
const MAX_PT = 127;
const RTP_PROTO_RE = /RTP\//i;

interface RawSection {
  line: number;
  type: string;
  port: number;
  proto: string;
  formats: string[];
  connection?: ConnectionData;
  crypto: string[];
}

function quote(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line);
}

/** Never throws: any input yields either the facts or a 400 naming the problem. */
export function readSdp(text: string): Result<RemoteSdp, SdpFailure> {
  if (text.length > MAX_SDP_BYTES) return err(sdpFailure('SDP_ERR_TOO_LARGE', `SDP body of ${text.length} bytes exceeds ${MAX_SDP_BYTES}`));
  const lines = text.split(/\r\n|\r|\n/);
  let firstSeen = false;
  let origin: RemoteSdp['origin'] | undefined;
  let sessionConnection: ConnectionData | undefined;
  const sections: RawSection[] = [];

  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    if (line.trim() === '') continue;
    if (!LINE_RE.test(line)) return err(sdpFailure('SDP_ERR_SYNTAX', `SDP line ${n} is not <type>=<value>: ${quote(line)}`));
    if (!firstSeen) {
      firstSeen = true;
      if (line.trimEnd() !== 'v=0') return err(sdpFailure('SDP_ERR_VERSION', `SDP must start with v=0, got ${quote(line)}`));
      continue;
    }
    const current = sections.at(-1);
    switch (line[0]) {
      case 'o': {
        const m = ORIGIN_RE.exec(line);
        if (!m || current) return err(sdpFailure('SDP_ERR_ORIGIN', `malformed o= line ${n}: ${quote(line)}`));
        origin = { username: m[1]!, sessionId: m[2]!, sessionVersion: m[3]! };
        break;
      }
      case 'm': {
        if (sections.length >= MAX_MEDIA_SECTIONS) {
          return err(sdpFailure('SDP_ERR_MEDIA_LINE', `more than ${MAX_MEDIA_SECTIONS} m= lines`));
        }
        const m = MEDIA_RE.exec(line);
        if (!m) return err(sdpFailure('SDP_ERR_MEDIA_LINE', `malformed m= line ${n}: ${quote(line)}`));
        const [, type, portText, proto, fmtText] = m as unknown as [string, string, string, string, string];
        if (!PORT_RE.test(portText) || Number(portText) > MAX_PORT) {
          return err(sdpFailure('SDP_ERR_PORT', `bad port "${portText}" in m= line ${n}`));
        }
        const formats = fmtText.trim() === '' ? [] : fmtText.trim().split(/ +/);
        if (formats.length === 0) return err(sdpFailure('SDP_ERR_MEDIA_LINE', `m= line ${n} lists no formats`));
        if (RTP_PROTO_RE.test(proto)) {
          const bad = formats.find((f) => !PT_RE.test(f) || Number(f) > MAX_PT);
          if (bad !== undefined) return err(sdpFailure('SDP_ERR_PAYLOAD_TYPE', `bad RTP payload type "${bad}" in m= line ${n}`));
        }
        sections.push({ line: n, type, port: Number(portText), proto, formats, crypto: [] });
        break;
      }
      case 'c': {
        const m = CONNECTION_RE.exec(line);
        if (!m) return err(sdpFailure('SDP_ERR_CONNECTION', `malformed c= line ${n}: ${quote(line)}`));
        const c: ConnectionData = { ipVer: m[1] === '6' ? 6 : 4, address: m[2]! };
        if (current) current.connection = c;
        else sessionConnection = c;
        break;
      }
      case 'a':
        if (current && line.startsWith('a=crypto:')) current.crypto.push(line.slice('a=crypto:'.length).trim());
        break;
      default:
        break;
    }
  }
  if (!firstSeen) return err(sdpFailure('SDP_ERR_EMPTY', 'empty SDP body'));
  if (!origin) return err(sdpFailure('SDP_ERR_ORIGIN', 'missing o= line'));

  let parsed: SessionDescription;
  try {
    parsed = parse(text);
  } catch (e) {
    return err(sdpFailure('SDP_ERR_SYNTAX', `unparseable SDP: ${describeError(e)}`));
  }
  if (parsed.media.length !== sections.length) {
    return err(sdpFailure('SDP_ERR_SYNTAX', 'unparseable SDP: m= sections could not be matched'));
  }

  const media: MediaSection[] = [];
  for (const [index, raw] of sections.entries()) {
    const pm = parsed.media[index]!;
    const connection = raw.connection ?? sessionConnection;
    if (raw.port !== 0 && connection === undefined) {
      return err(sdpFailure('SDP_ERR_CONNECTION', `missing c= line for the ${raw.type} stream (m= line ${raw.line})`));
    }
    const rtcp = readRtcp(pm, raw.line);
    if (typeof rtcp === 'string') return err(sdpFailure('SDP_ERR_PORT', rtcp));
    const section: MediaSection = {
      index,
      line: raw.line,
      type: raw.type,
      port: raw.port,
      proto: raw.proto,
      formats: raw.formats,
      direction: pm.direction ?? parsed.direction ?? 'sendrecv',
      rtpFormats: RTP_PROTO_RE.test(raw.proto) ? describeFormats(raw.formats, pm) : [],
      cryptoLines: raw.crypto,
      hasFingerprint: pm.fingerprint !== undefined || parsed.fingerprint !== undefined,
      rtcpMux: pm.rtcpMux !== undefined,
    };
    if (connection) section.connection = connection;
    if (rtcp) section.rtcp = rtcp;
    const ptime = positiveNumber(pm.ptime);
    if (ptime !== undefined) section.ptime = ptime;
    const maxptime = positiveNumber(pm.maxptime);
    if (maxptime !== undefined) section.maxptime = maxptime;
    media.push(section);
  }
  return ok({ origin, media });
}

function positiveNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** a=rtcp (RFC 3605): port and optional address; a bad port is a 400. */
function readRtcp(pm: MediaDescription, line: number): { port: number; address?: string } | string | undefined {
  if (pm.rtcp === undefined) return undefined;
  const port = Number(pm.rtcp.port);
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) return `bad a=rtcp port "${String(pm.rtcp.port)}" (m= line ${line})`;
  return pm.rtcp.address ? { port, address: pm.rtcp.address } : { port };
}

/** Names each offered payload type from a=rtpmap, falling back on the static table. */
function describeFormats(formats: readonly string[], pm: MediaDescription): OfferedFormat[] {
  return formats.map((f) => {
    const pt = Number(f);
    const map = pm.rtp.find((r) => Number(r.payload) === pt);
    if (map && typeof map.codec === 'string' && map.codec !== '') {
      const rate = Number(map.rate);
      const channels = Number(map.encoding ?? 1);
      return {
        payloadType: pt,
        name: map.codec,
        clockRate: Number.isFinite(rate) ? rate : 0,
        channels: Number.isFinite(channels) && channels > 0 ? channels : 1,
      };
    }
    const known = staticPayloadType(pt);
    return known ? { payloadType: pt, ...known } : { payloadType: pt, name: '', clockRate: 0, channels: 1 };
  });
}
