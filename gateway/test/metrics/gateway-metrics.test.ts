import { describe, expect, it } from 'vitest';
import type { ReceiveQuality } from '../../src/rtp/index.js';
import { GatewayMetrics, MAX_ERROR_CODES } from '../../src/metrics/gateway-metrics.js';

const q = (expected: number, lost: number, concealed: number, foreign = 0): ReceiveQuality => ({
  expected,
  lost,
  lossRatio: lost / expected,
  jitterMs: 12,
  concealedFrames: concealed,
  rttMs: undefined,
  oneWayDelayMs: 40,
  r: 90,
  mos: 4.3,
  foreignSourcePackets: foreign,
});

function metrics() {
  return new GatewayMetrics({
    activeCalls: () => 2,
    draining: () => true,
    pacingLatenessP99Ms: () => 2,
    records: () => ({ eventsWritten: 40, writeErrors: 1, droppedEvents: 0, writeMicros: 2_000, transactions: 39, backlog: 0 }),
  });
}

const value = (text: string, line: string): number => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  if (found === undefined) throw new Error(`no ${line} in\n${text}`);
  return Number(found.slice(line.length + 1));
};

describe('GatewayMetrics', () => {
  it('turns call events into counters and histograms; per-call snapshots add only what is new', async () => {
    const m = metrics();
    const ref = { recordId: 'r1', callId: 'c1' };
    m.onCallEvent(ref, { type: 'quality', at: 0, quality: q(250, 5, 5, 3) });
    m.onCallEvent(ref, { type: 'quality', at: 0, quality: q(500, 8, 9, 40) });
    m.onCallEvent(ref, { type: 'barge-in', at: 0, itemId: 'i', heardMs: 900, flushedMs: 100, reactionMs: 350 });
    m.onCallEvent(ref, { type: 'turn', at: 0, latencyMs: 800 });
    m.onCallEvent(ref, { type: 'realtime-reconnecting', at: 0, reason: 'x' });
    m.onCallEvent(ref, { type: 'hand-back', at: 0, outcome: 'transfer_to_human', reason: 'r', attributes: {}, ok: true, attempts: 1, error: undefined });
    m.onCallEvent(ref, { type: 'ended', at: 0, reason: 'handed-back', durationMs: 1000, quality: q(600, 10, 11, 41) });
    m.sipResponse(200, 'INVITE');
    m.sipResponse(503, 'OPTIONS');
    m.sipResponse(404, 'FROB');
    const text = await m.text();
    expect(value(text, 'gateway_rtp_packets_expected_total')).toBe(600);
    expect(value(text, 'gateway_rtp_packets_lost_total')).toBe(10);
    expect(value(text, 'gateway_concealed_frames_total')).toBe(11);
    expect(value(text, 'gateway_rtp_foreign_source_packets_total')).toBe(41);
    expect(value(text, 'gateway_barge_ins_total')).toBe(1);
    expect(value(text, 'gateway_barge_in_reaction_seconds_count')).toBe(1);
    expect(value(text, 'gateway_turn_latency_seconds_sum')).toBeCloseTo(0.8);
    expect(value(text, 'gateway_realtime_reconnects_total')).toBe(1);
    expect(value(text, 'gateway_hand_backs_total{outcome="transfer_to_human",result="ok"}')).toBe(1);
    expect(value(text, 'gateway_calls_total{outcome="handed-back"}')).toBe(1);
    expect(value(text, 'gateway_call_mos_count')).toBe(1);
    expect(value(text, 'gateway_sip_responses_total{code="503",method="OPTIONS"}')).toBe(1);
    expect(value(text, 'gateway_sip_responses_total{code="404",method="other"}')).toBe(1);
    expect(value(text, 'gateway_active_calls')).toBe(2);
    expect(value(text, 'gateway_draining')).toBe(1);
    expect(value(text, 'gateway_records_events_total')).toBe(40);
    expect(value(text, 'gateway_records_write_seconds_total')).toBeCloseTo(0.002);
  });

  it('caps the distinct Realtime error codes it labels', async () => {
    const m = metrics();
    for (let i = 0; i < MAX_ERROR_CODES + 10; i++) m.onCallEvent({ recordId: 'r', callId: 'c' }, { type: 'realtime-error', at: 0, code: `code_${i}`, message: 'm', fatal: false });
    m.onCallEvent({ recordId: 'r', callId: 'c' }, { type: 'realtime-error', at: 0, code: 'bad code with spaces', message: 'm', fatal: false });
    const lines = (await m.text()).split('\n').filter((l) => l.startsWith('gateway_realtime_errors_total{'));
    expect(lines).toHaveLength(MAX_ERROR_CODES + 1);
    expect(value(await m.text(), 'gateway_realtime_errors_total{code="other"}')).toBe(11);
  });
});

describe('gateway_sip_refused_total', () => {
  it('advances by what the SIP counters grew between scrapes, labelled from a closed table only', async () => {
    const stats: Record<string, number> = { 'udp.refused.not_allowed': 3, 'tls.handshake_timeout': 1, 'retransmit.rx.OPTIONS': 9 };
    const m = new GatewayMetrics({
      activeCalls: () => 0,
      draining: () => false,
      pacingLatenessP99Ms: () => 0,
      records: () => ({ eventsWritten: 0, writeErrors: 0, droppedEvents: 0, writeMicros: 0, transactions: 0, backlog: 0 }),
      sipStats: () => stats,
      sipTransactions: () => ({ server: 7, client: 1 }),
    });
    let text = await m.registry.metrics();
    expect(value(text, 'gateway_sip_transactions{side="server"}')).toBe(7);
    expect(value(text, 'gateway_sip_refused_total{transport="udp",reason="not_allowed"}')).toBe(3);
    expect(value(text, 'gateway_sip_refused_total{transport="tls",reason="handshake_timeout"}')).toBe(1);
    stats['udp.refused.not_allowed'] = 10;
    stats['reject.request_rate'] = 4;
    text = await m.registry.metrics();
    expect(value(text, 'gateway_sip_refused_total{transport="udp",reason="not_allowed"}')).toBe(10);
    expect(value(text, 'gateway_sip_refused_total{transport="any",reason="request_rate"}')).toBe(4);
    expect(text).not.toMatch(/retransmit/);
  });
});
