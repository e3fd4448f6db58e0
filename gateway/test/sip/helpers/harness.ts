import { pino } from 'pino';
import { ManualClock } from '../../../src/clock.js';
import { SipServer, MemoryTransport, type IncomingCall, type SipServerOptions, type TransportKind } from '../../../src/sip/index.js';
import { isParseError, parseMessage, parseNameAddr, parseVia, type SipMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.js';

export const silentLogger = pino({ level: 'silent' });

/** The UAC under test's address. Everything stays in memory; the address is loopback anyway. */
export const UAC = { address: '127.0.0.2', port: 5070 } as const;
export const SERVER_ADDR = { address: '127.0.0.1', port: 5060 } as const;

export const OFFER_SDP = [
  'v=0',
  'o=caller 1 1 IN IP4 127.0.0.2',
  's=-',
  'c=IN IP4 127.0.0.2',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  '',
].join('\r\n');

export const ANSWER_SDP = OFFER_SDP.replace('o=caller', 'o=gateway').replace(/127\.0\.0\.2/g, '127.0.0.1').replace('40000', '30000');

export interface RequestSpec {
  method: string;
  uri?: string;
  branch?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  cseqMethod?: string;
  body?: string;
  contentType?: string;
  headers?: Array<[string, string]>;
  via?: string;
  contact?: string | null;
}

/** Builds request text with a correct Content-Length. */
export function buildRequest(spec: RequestSpec, from: { address: string; port: number } = UAC, kind: TransportKind = 'udp'): string {
  const body = spec.body ?? '';
  const lines = [
    `${spec.method} ${spec.uri ?? 'sip:agent@127.0.0.1:5060'} SIP/2.0`,
    `Via: ${spec.via ?? `SIP/2.0/${kind.toUpperCase()} ${from.address}:${from.port};branch=${spec.branch ?? 'z9hG4bK-b1'};rport`}`,
    'Max-Forwards: 70',
    `From: "Caller" <sip:+15551230000@${from.address}>;tag=${spec.fromTag ?? 'from1'}`,
    `To: <sip:agent@127.0.0.1>${spec.toTag !== undefined ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId ?? 'call-1@127.0.0.2'}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? spec.method}`,
  ];
  if (spec.contact !== null) lines.push(`Contact: ${spec.contact ?? `<sip:+15551230000@${from.address}:${from.port}>`}`);
  for (const [n, v] of spec.headers ?? []) lines.push(`${n}: ${v}`);
  if (body.length > 0) lines.push(`Content-Type: ${spec.contentType ?? 'application/sdp'}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function parse(data: Buffer): SipMessage {
  const r = parseMessage(data);
  if (!r.ok) throw new Error(`test harness: server sent unparseable bytes: ${r.error.reason}\n${data.toString()}`);
  return r.value;
}

export interface Harness {
  server: SipServer;
  clock: ManualClock;
  transport: MemoryTransport;
  calls: IncomingCall[];
  /** Injects a request (or raw text) as if from `from`. */
  send(text: string, from?: { address: string; port: number; connectionId?: string }): void;
  /** Every message sent since the last take(), parsed. */
  take(): SipMessage[];
  /** Responses only, since the last take(). */
  takeResponses(): SipResponse[];
  /** Requests only (BYE, re-INVITE, UPDATE, ACK we sent), since the last take(). */
  takeRequests(): SipRequest[];
  sentCount(): number;
}

export async function startHarness(opts: Partial<SipServerOptions> & { kind?: TransportKind } = {}): Promise<Harness> {
  const clock = new ManualClock();
  const { kind, ...rest } = opts;
  const transport = new MemoryTransport({ kind: kind ?? 'udp', address: SERVER_ADDR.address, port: SERVER_ADDR.port });
  const server = new SipServer({ clock, logger: silentLogger, transports: [transport], ...rest });
  const calls: IncomingCall[] = [];
  server.on('invite', (call) => calls.push(call));
  await server.start();
  let cursor = 0;
  const take = (): SipMessage[] => {
    const out = transport.sent.slice(cursor).map((p) => parse(p.data));
    cursor = transport.sent.length;
    return out;
  };
  return {
    server,
    clock,
    transport,
    calls,
    send: (text, from = UAC) => transport.inject(text, from),
    take,
    takeResponses: () => take().filter((m): m is SipResponse => m.type === 'response'),
    takeRequests: () => take().filter((m): m is SipRequest => m.type === 'request'),
    sentCount: () => transport.sent.length,
  };
}

/** Lets every pending promise callback run (transport sends are promises); not a timing wait. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function toTagOf(msg: SipMessage): string | undefined {
  const na = parseNameAddr(msg.headers.get('To') ?? '');
  if (isParseError(na)) return undefined;
  const t = na.params.get('tag');
  return t === null ? undefined : t;
}

export function topBranch(msg: SipMessage): string | undefined {
  const v = parseVia(msg.headers.get('Via') ?? '');
  if (isParseError(v)) return undefined;
  const b = v[0]?.params.get('branch');
  return b === null ? undefined : b;
}

export function cseqOf(msg: SipMessage): { seq: number; method: string } {
  const [seq = '0', method = ''] = (msg.headers.get('CSeq') ?? '').trim().split(/\s+/);
  return { seq: Number(seq), method };
}

/** A response to `req` as the UAC would send it (same Via, From, To(+tag), Call-ID, CSeq). */
export function respondTo(req: SipRequest, status: number, opts: { headers?: Array<[string, string]>; body?: string; reason?: string } = {}): string {
  const lines = [`SIP/2.0 ${status} ${opts.reason ?? 'Whatever'}`];
  for (const v of req.headers.getAll('Via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${req.headers.get('From') ?? ''}`);
  lines.push(`To: ${req.headers.get('To') ?? ''}`);
  lines.push(`Call-ID: ${req.headers.get('Call-ID') ?? ''}`);
  lines.push(`CSeq: ${req.headers.get('CSeq') ?? ''}`);
  for (const [n, v] of opts.headers ?? []) lines.push(`${n}: ${v}`);
  const body = opts.body ?? '';
  if (body.length > 0) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Drives an INVITE to a confirmed dialog: INVITE → accept → ACK. Returns the dialog and 200. */
export async function establish(h: Harness, invite: Partial<RequestSpec> = {}, acceptHeaders: Array<[string, string]> = []) {
  h.send(buildRequest({ method: 'INVITE', body: OFFER_SDP, headers: [['Supported', 'timer'], ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS']], ...invite }));
  const call = h.calls.at(-1);
  if (call === undefined) throw new Error('no call');
  const accepted = call.accept(ANSWER_SDP, { headers: acceptHeaders });
  const ok = h.takeResponses().find((r) => r.status === 200);
  if (ok === undefined) throw new Error('no 200');
  const toTag = toTagOf(ok) ?? '';
  h.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack1', toTag, cseq: invite.cseq ?? 1, ...pick(invite, ['callId', 'fromTag']) }));
  const dialog = await accepted;
  return { call, dialog, ok, toTag };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
