/** Small synthetic Evidence builders for the runner's checks: one record type per helper. */
import type { RtpRecord } from '../../../src/netem/media-relay.js';
import type { SipRecord } from '../../../src/netem/sip-alg.js';
import type { Evidence, RealtimeEvidence } from '../../../src/runner/evidence.js';
import type { GatewayLogLine } from '../../../src/runner/gateway-process.js';

export interface EvidenceParts {
  root?: string;
  caller?: Partial<Evidence['caller']>;
  sip?: SipRecord[];
  rtp?: RtpRecord[];
  realtime?: Partial<RealtimeEvidence>;
  connect?: Evidence['connect'];
  logs?: GatewayLogLine[];
  socketsBefore?: number;
  socketsAfter?: number;
}

/** An Evidence with every source empty except what the test gives. */
export function evidence(parts: EvidenceParts = {}): Evidence {
  return {
    root: parts.root ?? '/nonexistent',
    caller: { exitCode: 0, detail: '', sentPayload: Buffer.alloc(0), sentPackets: 0, ...parts.caller },
    sip: parts.sip ?? [],
    rtp: parts.rtp ?? [],
    realtime: {
      receivedAudio: Buffer.alloc(0),
      sentAudio: [],
      sentReference8k: [],
      speechStartedAt: [],
      functionCallsAt: [],
      connections: [],
      clientEvents: [],
      errorsSent: [],
      responses: [],
      truncates: [],
      deletedItems: [],
      itemAudioMs: {},
      ...parts.realtime,
    },
    connect: parts.connect ?? [],
    gateway: {
      logs: parts.logs ?? [],
      ...(parts.socketsBefore !== undefined ? { socketsBefore: parts.socketsBefore } : {}),
      ...(parts.socketsAfter !== undefined ? { socketsAfter: parts.socketsAfter } : {}),
    },
  };
}

/** A SIP message as the ALG records it; `headers` are extra header lines after CSeq. */
export function sipRecord(t: number, dir: SipRecord['dir'], firstLine: string, cseq?: string, headers: string[] = []): SipRecord {
  const raw = [firstLine, 'Call-ID: c1@lab', ...(cseq !== undefined ? [`CSeq: ${cseq}`] : []), ...headers, 'Content-Length: 0', '', ''].join('\r\n');
  return { t, dir, firstLine, callId: 'c1@lab', ...(cseq !== undefined ? { cseq } : {}), raw };
}

/** One forwarded PCMU RTP packet record (fate and pt can be overridden). */
export function rtpRecord(t: number, dir: RtpRecord['dir'], seq: number, payload: Buffer | undefined, over: Partial<RtpRecord> = {}): RtpRecord {
  return {
    t,
    dir,
    rtcp: false,
    fate: 'forwarded',
    length: 12 + (payload?.length ?? 0),
    pt: 0,
    seq,
    ts: seq * 160,
    ssrc: 0x1234,
    marker: false,
    ...(payload ? { payload } : {}),
    ...over,
  };
}

/** A 160-byte frame whose bytes all equal `fill`: distinct frames for byte-exact matching. */
export function frameOf(fill: number): Buffer {
  return Buffer.alloc(160, fill);
}

/** `n` distinct 160-byte frames concatenated (frame k is filled with `base + k`). */
export function frames(n: number, base: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, k) => frameOf((base + k) & 0xff)));
}

export function logLine(msg: string, fields: Record<string, unknown> = {}): GatewayLogLine {
  return { level: 30, time: 0, msg, ...fields };
}
