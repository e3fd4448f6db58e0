/** The load run's bookkeeping: SIP call counts, SIPp's statistics, the gateway's loss account, the spec. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gatewayLoss, gatewayPacing } from '../../src/load/gateway-accounting.js';
import { loadLoadScenario } from '../../src/load/load-spec.js';
import { scenarioKind } from '../../src/runner/scenario-file.js';
import { ProgressLine } from '../../src/load/progress-line.js';
import { SipCallCounter } from '../../src/load/sip-counter.js';
import { lastSippStats } from '../../src/load/sipp-stats.js';
import type { SipRecord } from '../../src/netem/sip-alg.js';
import type { GatewayLogLine } from '../../src/runner/gateway-process.js';
import { repoRoot } from '../../src/repo-root.js';

const rec = (dir: SipRecord['dir'], firstLine: string, callId: string, cseq: string): SipRecord => ({ t: 0, dir, firstLine, callId, cseq, raw: '' });

describe('SipCallCounter', () => {
  it('counts calls by Call-ID from the SIP the tap saw, reading each record once', () => {
    const c = new SipCallCounter();
    const records: SipRecord[] = [
      rec('toGateway', 'INVITE sip:a@x SIP/2.0', 'c1', '1 INVITE'),
      rec('toGateway', 'INVITE sip:a@x SIP/2.0', 'c1', '1 INVITE'), // retransmission
      rec('toCaller', 'SIP/2.0 200 OK', 'c1', '1 INVITE'),
      rec('toGateway', 'INVITE sip:a@x SIP/2.0', 'c2', '1 INVITE'),
      rec('toCaller', 'SIP/2.0 503 Service Unavailable', 'c2', '1 INVITE'),
      rec('toGateway', 'INVITE sip:a@x SIP/2.0', 'c3', '1 INVITE'),
      rec('toCaller', 'SIP/2.0 200 OK', 'c3', '1 INVITE'),
    ];
    expect(c.update(records)).toMatchObject({ invited: 3, answered: 2, rejected: 1, active: 2 });
    records.push(rec('toGateway', 'BYE sip:a@x SIP/2.0', 'c1', '2 BYE'), rec('toCaller', 'SIP/2.0 200 OK', 'c1', '2 BYE'));
    records.push(rec('toCaller', 'BYE sip:b@y SIP/2.0', 'c3', '1 BYE'));
    expect(c.update(records)).toEqual({ invited: 3, answered: 2, rejected: 1, callerByes: 1, byesAnswered: 1, gatewayByes: 1, active: 0 });
  });
});

describe('SIPp -trace_stat', () => {
  it('reads the cumulative counts of the last line, by column name', () => {
    const csv = 'StartTime;TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);\n' + '0;10;10;0;0;0;0;\n' + '1;100;3;40;97;0;0;\n';
    expect(lastSippStats(csv)).toEqual({ created: 100, successful: 97, failed: 0, current: 3 });
    expect(lastSippStats('StartTime;TotalCallCreated\n')).toBeUndefined();
    expect(lastSippStats('a;b\n1;2\n')).toBeUndefined();
  });
});

describe('RTP lost inside the gateway', () => {
  const ended = (callId: string, over: Record<string, unknown> = {}): GatewayLogLine => ({
    level: 30,
    time: 0,
    msg: 'call ended',
    callId,
    media: { received: { packets: 500 }, sent: { packets: 600, socketErrors: 0 }, jitterBuffer: { lateDrops: 0, overflowDrops: 0, concealedFrames: 0 }, playout: { overflowBytes: 0 } },
    realtime: { droppedAudioBytes: 0 },
    pacing: { count: 600, p99Ms: 2, maxMs: 9 },
    ...over,
  });
  const tap = (callId: string, toGateway = 500, toCaller = 600) => ({ callId, toGateway, toCaller, rtcp: 0, unrouted: 0, sendErrors: 0 });

  it('is zero when every packet the tap delivered became audio and nothing was dropped', () => {
    expect(gatewayLoss([ended('a'), ended('b')], [tap('a'), tap('b')]).total).toBe(0);
  });

  it('adds socket overflow, jitter-buffer, Realtime and playout drops, and send errors', () => {
    const logs = [
      ended('a', { media: { received: { packets: 497 }, sent: { packets: 600, socketErrors: 1 }, jitterBuffer: { lateDrops: 2, overflowDrops: 1, concealedFrames: 3 }, playout: { overflowBytes: 320 } } }),
      ended('b', { realtime: { droppedAudioBytes: 161 } }),
    ];
    const loss = gatewayLoss(logs, [tap('a'), tap('b', 500, 590)]);
    expect(loss).toMatchObject({ notReceived: 3, jitterBufferDrops: 3, notSentToRealtime: 2, playoutDrops: 2, sendErrors: 1, concealed: 3, tapMissed: 10 });
    expect(loss.total).toBe(11);
  });

  it('counts calls the gateway never summarised', () => {
    expect(gatewayLoss([ended('a')], [tap('a'), tap('ghost')]).callsWithoutSummary).toBe(1);
  });

  it("reports the gateway's worst per-call pacing", () => {
    expect(gatewayPacing([ended('a'), ended('b', { pacing: { count: 10, p99Ms: 7, maxMs: 30 } })])).toEqual({ calls: 2, worstP99Ms: 7, worstMaxMs: 30 });
  });
});

describe('load scenario files', () => {
  const root = repoRoot();

  function withFile(doc: unknown): { root: string; name: string } {
    const dir = mkdtempSync(join(tmpdir(), 'load-spec-'));
    mkdirSync(join(dir, 'scenarios'));
    mkdirSync(join(dir, 'fixtures'));
    writeFileSync(join(dir, 'fixtures', 'a.wav'), '');
    writeFileSync(join(dir, 'scenarios', 'load-x.yaml'), typeof doc === 'string' ? doc : stringify(doc));
    return { root: dir, name: 'load-x' };
  }
  const base = (): Record<string, unknown> => ({
    name: 'load-x',
    description: 'd',
    suite: 'test',
    load: { calls: 10, concurrent: 10, ratePerS: 5, holdMs: 5000, audio: 'fixtures/a.wav' },
    realtime: { turns: [] },
    thresholds: { wirePacingP99Ms: 10, eventLoopLagP99Ms: 10 },
  });
  const errorOf = (doc: unknown): string => {
    const f = withFile(doc);
    try {
      loadLoadScenario(f.root, f.name);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it('the shipped load runs load, and are told apart from call scenarios', () => {
    for (const n of ['load-100', 'load-300', 'load-500']) {
      expect(scenarioKind(root, n)).toBe('load');
      expect(loadLoadScenario(root, n).name).toBe(n);
    }
    expect(loadLoadScenario(root, 'load-100').suite).toBe('test');
    expect(scenarioKind(root, 'happy-path')).toBe('call');
  });

  it('names the field in one line', () => {
    expect(errorOf({ ...base(), extra: 1 })).toBe('scenarios/load-x.yaml: unknown field "extra"');
    expect(errorOf({ ...base(), load: { ...(base().load as object), concurrent: 20 } })).toBe('scenarios/load-x.yaml: load.concurrent: must be <= load.calls (10)');
    expect(errorOf({ ...base(), load: { ...(base().load as object), ratePerS: 1 } })).toBe(
      'scenarios/load-x.yaml: load.holdMs: too short to reach 10 calls at 1/s (at most 5 up at once)',
    );
    expect(errorOf({ ...base(), load: { ...(base().load as object), audio: 'fixtures/none.wav' } })).toBe('scenarios/load-x.yaml: load.audio: file not found: fixtures/none.wav');
    expect(errorOf({ ...base(), gateway: { cpus: 'zero' } })).toMatch(/^scenarios\/load-x\.yaml: gateway\.cpus: a CPU list/);
    expect(errorOf({ ...base(), thresholds: {} })).toMatch(/^scenarios\/load-x\.yaml: thresholds\.wirePacingP99Ms: /);
    // The thresholds are the load checks' parameters: a misspelt one is refused, not ignored.
    expect(errorOf({ ...base(), thresholds: { wirePacingP99Ms: 10, eventLoopLagP99Ms: 10, callsFailedMax: 1 } })).toBe('scenarios/load-x.yaml: thresholds: unknown field "callsFailedMax"');
  });
});

describe('ProgressLine', () => {
  function sink(isTTY: boolean): { out: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
    let text = '';
    const out = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) }) as Writable & { isTTY?: boolean; columns?: number };
    out.isTTY = isTTY;
    out.columns = 40;
    return { out, text: () => text };
  }

  it('rewrites one line on a terminal, cut to its width', () => {
    const s = sink(true);
    const p = new ProgressLine(s.out);
    p.update('a'.repeat(60));
    p.update('second');
    p.done();
    expect(s.text()).toBe(`\r${'a'.repeat(39)}\x1b[K\rsecond\x1b[K\n`);
  });

  it('prints whole lines on a pipe, at most every pipeEveryMs', () => {
    const s = sink(false);
    const p = new ProgressLine(s.out, 5_000);
    p.update('t0', 0);
    p.update('t1', 1_000);
    p.update('t6', 6_000);
    p.done();
    expect(s.text()).toBe('t0\nt6\n');
  });
});
