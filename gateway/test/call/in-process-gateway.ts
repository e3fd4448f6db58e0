/**
 * A whole gateway in-process: SIP over MemoryTransport, RTP over a MemoryDatagramNetwork, a
 * ManualClock for every timer (SIP, pacer, jitter buffer, RTCP), a scripted Realtime backend and a
 * recording Connect writer. `Phone` is the caller: a SIP UAC injecting requests and reading what the
 * gateway sent, and an RTP endpoint on the memory network. Nothing here opens a socket or a process.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { loadAgentDefinition, type AgentDefinition } from '../../src/agent/index.js';
import { encodeMulaw } from '../../src/audio/index.js';
import { ManualClock } from '../../src/clock.js';
import type { CallEvent, CallRef } from '../../src/call/call-observer.js';
import { parseEnv } from '../../src/config/env.js';
import type { ContactAttributesUpdate, ContactAttributesUpdater, ConnectResult } from '../../src/connect/index.js';
import { Gateway } from '../../src/gateway.js';
import { createRootLogger } from '../../src/log.js';
import type { RealtimeBackend, RealtimeBackendFactory, RealtimeConnectOptions, RealtimeSessionConfig } from '../../src/realtime/backend.js';
import { isRtpWireError, MemoryDatagramNetwork, parseRtp, serializeRtp, type DatagramSocket, type RtpPacket, type WireDatagram } from '../../src/rtp/index.js';
import { MemoryTransport } from '../../src/sip/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/index.js';
import { buildRequest, parse, respondTo, toTagOf, type RequestSpec } from '../sip/helpers/harness.js';
import { FakeBackend } from './fakes.js';

export const GATEWAY_IP = '127.0.0.1';
export const PHONE_IP = '127.0.0.2';
export const PHONE_SIP = { address: PHONE_IP, port: 5070 } as const;
export const PHONE_RTP_PORT = 40000;
const PT_PCMU = 0;

/** Connect's context headers: the hand-back target (instance, initial contact, region) comes from them. */
export const CONNECT_HEADERS: Array<[string, string]> = [
  ['X-Amzn-ConnectContactId', '0f5c3e2a-6b1d-4c8e-9a7f-2d4b6e8f0a1c'],
  ['X-Amzn-ConnectInitialContactId', '7a9b1c2d-3e4f-4a5b-8c6d-9e0f1a2b3c4d'],
  ['X-Amzn-SourceAccount', '123456789012'],
  ['X-Amzn-SourceArn', 'arn:aws:connect:us-east-1:123456789012:instance/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/contact/0f5c3e2a-6b1d-4c8e-9a7f-2d4b6e8f0a1c'],
];

export function offerSdp(direction: 'sendrecv' | 'sendonly' = 'sendrecv', version = 1): string {
  return [
    'v=0',
    `o=caller 1 ${version} IN IP4 ${PHONE_IP}`,
    's=-',
    `c=IN IP4 ${PHONE_IP}`,
    't=0 0',
    `m=audio ${PHONE_RTP_PORT} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/** A backend whose connect the test scripts, and which says 'closed' when closed (as real ones do). */
export class ScriptedBackend extends FakeBackend {
  config: RealtimeSessionConfig | undefined;
  closed = false;
  readonly #mode: ConnectMode;

  constructor(mode: ConnectMode) {
    super();
    this.#mode = mode;
  }

  override connect(config?: RealtimeSessionConfig, opts?: RealtimeConnectOptions): Promise<void> {
    this.config = config;
    if (this.#mode === 'ok') return Promise.resolve();
    if (this.#mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED (scripted)'));
    // 'hang': only the call's abort (teardown) ends the wait, as with a real connect timeout.
    return new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
  }

  override close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.emit('state', { state: 'closed', reason: 'closed by the call' });
    }
    return Promise.resolve();
  }
}

export type ConnectMode = 'ok' | 'fail' | 'hang';

export class ScriptedRealtime implements RealtimeBackendFactory {
  readonly provider = 'scripted';
  readonly backends: ScriptedBackend[] = [];
  connect: ConnectMode = 'ok';

  create(): RealtimeBackend {
    const b = new ScriptedBackend(this.connect);
    this.backends.push(b);
    return b;
  }

  get last(): ScriptedBackend {
    const b = this.backends.at(-1);
    if (b === undefined) throw new Error('no backend was created');
    return b;
  }
}

/** Records every hand-back write, with what the SIP transport had sent by then. */
export class RecordingConnect implements ContactAttributesUpdater {
  readonly writes: Array<{ update: ContactAttributesUpdate; sipMessagesSentBefore: number }> = [];
  readonly #sip: MemoryTransport;

  constructor(sip: MemoryTransport) {
    this.#sip = sip;
  }

  update(update: ContactAttributesUpdate): Promise<ConnectResult> {
    this.writes.push({ update, sipMessagesSentBefore: this.#sip.sent.length });
    return Promise.resolve({ ok: true, value: { attempts: 1 } });
  }
}

export interface InProcessGateway {
  gateway: Gateway;
  clock: ManualClock;
  network: MemoryDatagramNetwork;
  sip: MemoryTransport;
  realtime: ScriptedRealtime;
  connect: RecordingConnect;
  agent: AgentDefinition;
  /** Every JSON log line the gateway wrote. */
  logs: Array<Record<string, unknown>>;
  /** Every call event the gateway's observers saw (what the records and metrics get). */
  events: Array<{ ref: CallRef; event: CallEvent }>;
  /** Lets the transports' and sockets' queued deliveries run (event-loop turns, no timers). */
  settle(): Promise<void>;
  /** Moves time on in 20 ms steps, letting deliveries run after each step (media flows both ways). */
  run(ms: number): Promise<void>;
  phone(): Promise<Phone>;
  /** A phone whose call is answered: INVITE, the gateway's answer, ACK, each delivered. */
  answeredPhone(): Promise<Phone>;
}

export async function startGateway(opts: { agent?: (def: AgentDefinition) => AgentDefinition; env?: Record<string, string> } = {}): Promise<InProcessGateway> {
  const clock = new ManualClock(0);
  const network = new MemoryDatagramNetwork({ clock });
  const sip = new MemoryTransport({ address: GATEWAY_IP, port: 5060 });
  const realtime = new ScriptedRealtime();
  const connect = new RecordingConnect(sip);
  const loaded = await loadAgentDefinition(undefined, { env: {} });
  if (!loaded.ok) throw new Error(`built-in agent did not load: ${loaded.error.join('; ')}`);
  const agent = opts.agent ? opts.agent(loaded.value.definition) : loaded.value.definition;
  const logs: Array<Record<string, unknown>> = [];
  const events: InProcessGateway['events'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const env = parseEnv({
    AMAZON_CONNECT_SIP_HOST: GATEWAY_IP,
    SIP_ALLOW_FROM: '127.0.0.0/8',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    RTP_PORT_MIN: '30000',
    RTP_PORT_MAX: '30099',
    LOG_LEVEL: 'info',
    // The call records in memory (no HTTP listener and no reachability socket: see Gateway.start below).
    RECORDS_PATH: ':memory:',
    ...opts.env,
  });
  const gateway = await Gateway.start(env, createRootLogger('info', sink), {
    clock,
    realtime,
    sipTransports: [sip],
    mediaSockets: network,
    agent,
    contactAttributes: connect,
    connectEnv: { AMAZON_CONNECT_INSTANCE_ID: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', AWS_REGION: 'us-east-1', ...opts.env },
    callObservers: [{ onCallEvent: (ref, event) => events.push({ ref, event }) }],
    realtimeProbe: () => Promise.resolve(undefined),
    serveHttp: false,
  });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 8; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const h: InProcessGateway = {
    gateway,
    clock,
    network,
    sip,
    realtime,
    connect,
    agent,
    logs,
    events,
    settle,
    run: async (ms) => {
      for (let t = 0; t < ms; t += 20) {
        clock.advance(Math.min(20, ms - t));
        await settle();
      }
    },
    phone: () => Phone.open(h),
    answeredPhone: async () => {
      const phone = await Phone.open(h);
      phone.invite();
      await h.settle();
      phone.ack();
      await h.settle();
      return phone;
    },
  };
  return h;
}

/** The caller: a SIP UAC over the gateway's MemoryTransport and an RTP endpoint on the memory network. */
export class Phone {
  readonly #h: InProcessGateway;
  readonly #rtp: DatagramSocket;
  #cursor = 0;
  #cseq = 1;
  #branch = 0;
  toTag = '';
  /** The gateway's RTP port, from its SDP. */
  gatewayRtpPort = 0;
  /** Requests the gateway sent us (BYE…), answered 200 automatically. */
  readonly requests: SipRequest[] = [];
  readonly responses: SipResponse[] = [];
  #seq = 100;
  #ts = 8000;

  private constructor(h: InProcessGateway, rtp: DatagramSocket) {
    this.#h = h;
    this.#rtp = rtp;
    rtp.listen({ message: () => undefined, error: () => undefined });
  }

  static async open(h: InProcessGateway): Promise<Phone> {
    return new Phone(h, await h.network.bind(PHONE_IP, PHONE_RTP_PORT));
  }

  #send(spec: Partial<RequestSpec> & { method: string }): void {
    const text = buildRequest({ branch: `z9hG4bK-phone-${++this.#branch}`, ...spec }, PHONE_SIP);
    this.#h.sip.inject(text, PHONE_SIP);
  }

  /** Reads what the gateway sent since the last read; answers its requests with 200. */
  read(): SipMessage[] {
    const out = this.#h.sip.sent.slice(this.#cursor).map((p) => parse(p.data));
    this.#cursor = this.#h.sip.sent.length;
    for (const m of out) {
      if (m.type === 'response') {
        this.responses.push(m);
        continue;
      }
      this.requests.push(m);
      if (m.method !== 'ACK') this.#h.sip.inject(respondTo(m, 200, { reason: 'OK' }), PHONE_SIP);
    }
    return out;
  }

  /** The last response with `status` to `method` read so far. */
  response(status: number, method = 'INVITE'): SipResponse | undefined {
    this.read();
    return this.responses.filter((r) => r.status === status && (r.headers.get('CSeq') ?? '').endsWith(method)).at(-1);
  }

  invite(headers: Array<[string, string]> = CONNECT_HEADERS, sdp = offerSdp()): void {
    this.#send({ method: 'INVITE', body: sdp, headers: [['Supported', 'timer'], ...headers], cseq: this.#cseq });
  }

  /** Reads the 200 OK to the current INVITE, ACKs it and remembers the gateway's tag and RTP port. */
  ack(): SipResponse {
    const ok = this.response(200, 'INVITE');
    if (ok === undefined) throw new Error(`no 200 OK to the INVITE; the gateway sent: ${this.#h.sip.sent.map((p) => p.data.toString().split('\r\n')[0]).join(' | ')}`);
    this.toTag = toTagOf(ok) ?? '';
    const port = /^m=audio (\d+)/m.exec(ok.body.toString('utf8'))?.[1];
    this.gatewayRtpPort = Number(port);
    this.#send({ method: 'ACK', toTag: this.toTag, cseq: this.#cseq });
    return ok;
  }

  cancel(): void {
    this.#send({ method: 'CANCEL', cseq: this.#cseq, branch: `z9hG4bK-phone-${this.#branch}` });
  }

  reInvite(sdp: string): void {
    this.#cseq++;
    this.#send({ method: 'INVITE', toTag: this.toTag, body: sdp, cseq: this.#cseq });
  }

  bye(): void {
    this.#cseq++;
    this.#send({ method: 'BYE', toTag: this.toTag, cseq: this.#cseq });
  }

  /** One 20 ms PCMU packet to the gateway. */
  sendRtp(payload: Uint8Array, marker = false): void {
    const pkt = serializeRtp({ marker, payloadType: PT_PCMU, sequenceNumber: this.#seq++ & 0xffff, timestamp: this.#ts >>> 0, ssrc: 0x5eed, csrc: [], extension: undefined, payload, paddingLength: 0 });
    this.#ts += 160;
    this.#rtp.send(pkt, 0, pkt.length, this.gatewayRtpPort, GATEWAY_IP);
  }

  /** RTP the gateway sent to the phone (with the time it left), from the network's wire log. */
  received(): Array<{ at: number; packet: RtpPacket; wire: WireDatagram }> {
    return this.#h.network
      .between({ address: GATEWAY_IP, port: this.gatewayRtpPort }, { address: PHONE_IP, port: PHONE_RTP_PORT })
      .map((wire) => ({ at: wire.at, packet: parseRtp(wire.bytes), wire }))
      .filter((r): r is { at: number; packet: RtpPacket; wire: WireDatagram } => !isRtpWireError(r.packet));
  }
}

/** `frames` distinct 20 ms PCMU payloads (a tone whose level steps per frame: no two frames equal). */
export function callerSpeech(frames: number): Uint8Array[] {
  return Array.from({ length: frames }, (_, k) => {
    const pcm = new Int16Array(160);
    for (let i = 0; i < 160; i++) pcm[i] = Math.round((2000 + 300 * k) * Math.sin((2 * Math.PI * 440 * (k * 160 + i)) / 8000));
    const out = new Uint8Array(160);
    encodeMulaw(pcm, out);
    return out;
  });
}

/** `ms` of agent speech as PCMU (never the silence byte), as Realtime would stream it. */
export function agentSpeech(ms: number): Buffer {
  const n = ms * 8;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
  const out = Buffer.alloc(n);
  encodeMulaw(pcm, out);
  return out;
}

/** True for a payload of PCMU digital silence (what the gateway sends while the agent is quiet). */
export function isSilence(payload: Uint8Array): boolean {
  return payload.every((b) => b === 0xff);
}

/** The one "call ended" log line. */
export function endedLine(h: InProcessGateway): Record<string, unknown> {
  const lines = h.logs.filter((l) => l.msg === 'call ended');
  expect(lines).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

/** Everything a finished call held is released: in the summary line, the gateway and the network. */
export function expectReleased(h: InProcessGateway): void {
  expect(endedLine(h).resources).toEqual({ activeCalls: 0, rtpPortsInUse: 0, mediaStreams: 0, callTimers: 0 });
  expect(h.gateway.resources()).toMatchObject({ activeCalls: 0, rtpPortsInUse: 0, mediaStreams: 0 });
  expect(h.network.boundSockets).toBe(1); // the phone's own RTP socket
}
