/**
 * The gateway's Prometheus metrics (prom-client), in their own registry, served at GET /metrics.
 * Calls feed them as a CallObserver; the SIP server's responses, the store's write figures, the
 * pacer and the drain state are read when scraped. Labels are bounded: end reasons, hand-back
 * outcomes and SIP methods are closed sets, status codes are 100–699, and Realtime error codes are
 * capped at MAX_ERROR_CODES distinct values (the rest count as `other`).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallEvent, CallObserver, CallRef } from '../call/call-observer.js';
import { registerSipRefusals } from './sip-protection.js';

export const MAX_ERROR_CODES = 32;
const SIP_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'UPDATE', 'INFO', 'PRACK', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'REGISTER']);

/** What the metrics read from the rest of the gateway when scraped. */
export interface MetricsSources {
  activeCalls(): number;
  draining(): boolean;
  /** The shared pacer's send lateness p99 over its window, ms. */
  pacingLatenessP99Ms(): number;
  records(): { eventsWritten: number; writeErrors: number; droppedEvents: number; writeMicros: number; transactions: number; backlog: number };
  /** The SIP server's named counters (SipServer.stats()); absent: no SIP refusal metrics. */
  sipStats?(): Record<string, number>;
  /** Live SIP transactions (SipServer.transactions()); absent: no gauge. */
  sipTransactions?(): { server: number; client: number };
}

interface PerCall {
  expected: number;
  lost: number;
  concealed: number;
  foreign: number;
}

export class GatewayMetrics implements CallObserver {
  readonly registry = new Registry();
  readonly #perCall = new Map<string, PerCall>();
  readonly #errorCodes = new Set<string>();
  readonly #calls: Counter<'outcome'>;
  readonly #sipResponses: Counter<'code' | 'method'>;
  readonly #rtpExpected: Counter;
  readonly #rtpLost: Counter;
  readonly #jitter: Histogram;
  readonly #concealed: Counter;
  readonly #foreignSource: Counter;
  readonly #mos: Histogram;
  readonly #bargeIns: Counter;
  readonly #bargeInReaction: Histogram;
  readonly #turnLatency: Histogram;
  readonly #realtimeErrors: Counter<'code'>;
  readonly #realtimeReconnects: Counter;
  readonly #realtimeUnavailable: Counter;
  readonly #realtimeConnect: Histogram;
  readonly #handBacks: Counter<'outcome' | 'result'>;
  readonly #toolCalls: Counter<'result'>;
  readonly #callbacks: Counter<'result'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    if (sources.sipStats !== undefined) registerSipRefusals(this.registry, sources.sipStats);
    const sipTransactions = sources.sipTransactions;
    if (sipTransactions !== undefined) {
      new Gauge({
        name: 'gateway_sip_transactions',
        help: 'Live SIP transactions, by side (server: requests we answer, kept 32 s after the answer over UDP).',
        labelNames: ['side'],
        registers,
        collect() {
          const n = sipTransactions();
          this.set({ side: 'server' }, n.server);
          this.set({ side: 'client' }, n.client);
        },
      });
    }
    new Gauge({ name: 'gateway_active_calls', help: 'Calls in progress (ringing or answered).', registers, collect() { this.set(sources.activeCalls()); } });
    new Gauge({ name: 'gateway_draining', help: '1 while the gateway drains (SIGTERM): new calls get 503.', registers, collect() { this.set(sources.draining() ? 1 : 0); } });
    new Gauge({
      name: 'gateway_media_send_lateness_p99_seconds',
      help: 'How late the shared pacer sent RTP packets, 99th percentile over its recent window.',
      registers,
      collect() {
        this.set(sources.pacingLatenessP99Ms() / 1000);
      },
    });
    this.#calls = new Counter({ name: 'gateway_calls_total', help: 'Calls ended, by end reason.', labelNames: ['outcome'], registers });
    this.#sipResponses = new Counter({ name: 'gateway_sip_responses_total', help: 'SIP responses sent (first transmissions), by status code and method.', labelNames: ['code', 'method'], registers });
    this.#rtpExpected = new Counter({ name: 'gateway_rtp_packets_expected_total', help: 'Caller RTP packets expected (RFC 3550 A.3).', registers });
    this.#rtpLost = new Counter({ name: 'gateway_rtp_packets_lost_total', help: 'Caller RTP packets lost before reaching the gateway (RFC 3550 A.3).', registers });
    this.#jitter = new Histogram({
      name: 'gateway_rtp_jitter_seconds',
      help: 'Interarrival jitter of caller streams (RFC 3550), sampled per call every few seconds.',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16],
      registers,
    });
    this.#concealed = new Counter({ name: 'gateway_concealed_frames_total', help: 'Caller frames filled by packet-loss concealment.', registers });
    this.#foreignSource = new Counter({
      name: 'gateway_rtp_foreign_source_packets_total',
      help: "RTP/RTCP packets on a call's ports from a source other than the peer's (RTP_SOURCE_POLICY): dropped, never answered.",
      registers,
    });
    this.#mos = new Histogram({ name: 'gateway_call_mos', help: 'E-model (ITU-T G.107) MOS estimate of the caller stream, per ended call.', buckets: [2.5, 3, 3.5, 3.8, 4, 4.2, 4.4], registers });
    this.#bargeIns = new Counter({ name: 'gateway_barge_ins_total', help: 'Times the caller interrupted the agent (agent audio stopped).', registers });
    this.#bargeInReaction = new Histogram({
      name: 'gateway_barge_in_reaction_seconds',
      help: "From the caller's speech onset to the agent's audio stopping (caller-audio time: includes VAD and network).",
      buckets: [0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.2, 2],
      registers,
    });
    this.#turnLatency = new Histogram({
      name: 'gateway_turn_latency_seconds',
      help: "From the end of the caller's speech to the answer's first audio leaving (caller-audio time).",
      buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5],
      registers,
    });
    this.#realtimeErrors = new Counter({ name: 'gateway_realtime_errors_total', help: 'Realtime error events, by code.', labelNames: ['code'], registers });
    this.#realtimeReconnects = new Counter({ name: 'gateway_realtime_reconnects_total', help: 'Realtime sockets lost mid-call (a reconnect started).', registers });
    this.#realtimeUnavailable = new Counter({ name: 'gateway_realtime_unavailable_total', help: 'Calls whose Realtime session could not be opened.', registers });
    this.#realtimeConnect = new Histogram({ name: 'gateway_realtime_connect_seconds', help: 'Time to a ready Realtime session while the phone rings.', buckets: [0.1, 0.25, 0.5, 1, 2, 4], registers });
    this.#handBacks = new Counter({ name: 'gateway_hand_backs_total', help: 'Hand-backs to Connect (UpdateContactAttributes, then BYE), by outcome and result.', labelNames: ['outcome', 'result'], registers });
    this.#toolCalls = new Counter({ name: 'gateway_tool_calls_total', help: 'Tool calls run for the model, by result.', labelNames: ['result'], registers });
    this.#callbacks = new Counter({ name: 'gateway_connect_callbacks_total', help: 'POST /amazon-connect/callback requests, by result.', labelNames: ['result'], registers });
    const records = () => sources.records();
    new Counter({ name: 'gateway_records_events_total', help: 'Call events committed to the records store.', registers, collect() { this.reset(); this.inc(records().eventsWritten); } });
    new Counter({ name: 'gateway_records_write_errors_total', help: 'Failed records transactions (retried).', registers, collect() { this.reset(); this.inc(records().writeErrors); } });
    new Counter({ name: 'gateway_records_dropped_events_total', help: 'Events dropped because the backlog of unwritable events was full.', registers, collect() { this.reset(); this.inc(records().droppedEvents); } });
    new Counter({ name: 'gateway_records_write_seconds_total', help: 'Event-loop time spent committing call events.', registers, collect() { this.reset(); this.inc(records().writeMicros / 1e6); } });
    new Counter({ name: 'gateway_records_transactions_total', help: 'Records transactions committed.', registers, collect() { this.reset(); this.inc(records().transactions); } });
    new Gauge({ name: 'gateway_records_backlog', help: 'Call events waiting to be written (the store refuses writes).', registers, collect() { this.set(records().backlog); } });
  }

  /** A SIP response left (first transmission; retransmissions are the transaction layer's). */
  sipResponse(status: number, method: string): void {
    const code = status >= 100 && status <= 699 ? String(status) : 'invalid';
    this.#sipResponses.inc({ code, method: SIP_METHODS.has(method) ? method : 'other' });
  }

  callback(result: 'recorded' | 'bad-signature' | 'replay' | 'stale' | 'invalid' | 'unavailable'): void {
    this.#callbacks.inc({ result });
  }

  onCallEvent(ref: CallRef, e: CallEvent): void {
    switch (e.type) {
      case 'realtime-ready':
        this.#realtimeConnect.observe(e.connectMs / 1000);
        return;
      case 'realtime-unavailable':
        this.#realtimeUnavailable.inc();
        return;
      case 'quality':
        this.#quality(ref.recordId, e.quality);
        this.#jitter.observe(e.quality.jitterMs / 1000);
        return;
      case 'barge-in':
        this.#bargeIns.inc();
        if (e.reactionMs !== undefined) this.#bargeInReaction.observe(e.reactionMs / 1000);
        return;
      case 'turn':
        this.#turnLatency.observe(e.latencyMs / 1000);
        return;
      case 'realtime-error':
        this.#realtimeErrors.inc({ code: this.#errorCode(e.code) });
        return;
      case 'realtime-reconnecting':
        this.#realtimeReconnects.inc();
        return;
      case 'tool-result':
        this.#toolCalls.inc({ result: e.ok ? 'ok' : 'failed' });
        return;
      case 'hand-back':
        this.#handBacks.inc({ outcome: e.outcome, result: e.ok ? 'ok' : 'failed' });
        return;
      case 'ended':
        if (e.quality) {
          this.#quality(ref.recordId, e.quality);
          this.#mos.observe(e.quality.mos);
        }
        this.#perCall.delete(ref.recordId);
        this.#calls.inc({ outcome: e.reason });
        return;
      default:
        return;
    }
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counters take what a call's snapshot added since its last one. */
  #quality(recordId: string, q: { expected: number; lost: number; concealedFrames: number; foreignSourcePackets: number }): void {
    const last = this.#perCall.get(recordId) ?? { expected: 0, lost: 0, concealed: 0, foreign: 0 };
    this.#rtpExpected.inc(Math.max(0, q.expected - last.expected));
    this.#rtpLost.inc(Math.max(0, q.lost - last.lost));
    this.#concealed.inc(Math.max(0, q.concealedFrames - last.concealed));
    this.#foreignSource.inc(Math.max(0, q.foreignSourcePackets - last.foreign));
    this.#perCall.set(recordId, {
      expected: Math.max(last.expected, q.expected),
      lost: Math.max(last.lost, q.lost),
      concealed: Math.max(last.concealed, q.concealedFrames),
      foreign: Math.max(last.foreign, q.foreignSourcePackets),
    });
  }

  #errorCode(code: string | undefined): string {
    const c = code ?? 'none';
    if (this.#errorCodes.has(c)) return c;
    if (this.#errorCodes.size >= MAX_ERROR_CODES || !/^[a-z0-9_.-]{1,64}$/i.test(c)) return 'other';
    this.#errorCodes.add(c);
    return c;
  }
}
