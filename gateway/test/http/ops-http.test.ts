/**
 * Every route of the operations HTTP server against a real store and real metrics, on 127.0.0.1 port
 * 0: health and its checks, the SIP endpoint, the signed callback (good, bad, stale, replayed,
 * malformed, oversized), metrics, and the call records behind their bearer token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { signCallback } from '../../src/http/callback-signature.js';
import { OpsHttpServer } from '../../src/http/http-server.js';
import { opsRoutes, type OpsContext } from '../../src/http/ops-routes.js';
import type { ReachabilityReport } from '../../src/http/realtime-reachability.js';
import { describeSipEndpoint } from '../../src/http/sip-endpoint.js';
import { createRootLogger } from '../../src/log.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { SqliteRecordStore } from '../../src/store/sqlite-record-store.js';

const log = createRootLogger('silent');
const TOKEN = 'test-token-0123456789abcdef';
const SECRET = 'callback-secret-0123456789abcdef0123456789';

describe('operations HTTP surface', () => {
  let dir: string;
  let store: SqliteRecordStore;
  let server: OpsHttpServer;
  let base: string;
  let clock: ManualClock;
  const state = { draining: false, sipListening: true, realtime: { reachable: true, via: 'probe', ageMs: 10, detail: undefined } as ReachabilityReport };

  async function start(overrides: Partial<OpsContext> = {}, limits = {}): Promise<void> {
    const metrics = new GatewayMetrics({
      activeCalls: () => 3,
      draining: () => state.draining,
      pacingLatenessP99Ms: () => 1.5,
      records: () => store.stats(),
    });
    const ctx: OpsContext = {
      log,
      wallNow: () => clock.wallNow(),
      metrics,
      sipEndpoint: () =>
        describeSipEndpoint({
          publicAddress: '203.0.113.10',
          user: 'ai-agent',
          domain: '203.0.113.10',
          ports: { udp: 5060, tcp: 5060, tls: 5061 },
          codecs: ['PCMU', 'PCMA'],
          srtp: 'required',
          rtpPorts: { min: 10000, max: 20000 },
          allowFrom: ['3.80.16.0/23'],
          digestAuth: false,
        }),
      sipListening: () => state.sipListening,
      draining: () => state.draining,
      activeCalls: () => 3,
      realtime: () => state.realtime,
      records: store,
      apiToken: TOKEN,
      callbackSecret: SECRET,
      ...overrides,
    };
    server = new OpsHttpServer(opsRoutes(ctx), log, limits);
    const addr = await server.listen('127.0.0.1', 0);
    base = `http://127.0.0.1:${addr.port}`;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ops-http-'));
    clock = new ManualClock(0, Date.now());
    store = await SqliteRecordStore.open({ path: join(dir, 'r.db'), logger: log, retentionDays: 30 });
    state.draining = false;
    state.sipListening = true;
    state.realtime = { reachable: true, via: 'probe', ageMs: 10, detail: undefined };
  });
  afterEach(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signed = (body: string, ts = Math.floor(clock.wallNow() / 1000), secret = SECRET) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gateway-timestamp': String(ts), 'x-gateway-signature': signCallback(secret, ts, body) },
    body,
  });

  describe('GET /amazon-connect/health', () => {
    it('is 200 with every check when ready', async () => {
      await start();
      const res = await fetch(`${base}/amazon-connect/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        checks: { draining: false, sipListening: true, storeWritable: true, realtimeReachable: true },
        activeCalls: 3,
        store: { writable: true, backlog: 0 },
      });
    });

    it.each([
      ['draining', () => (state.draining = true), 'draining'],
      ['SIP not listening', () => (state.sipListening = false), 'unavailable'],
      ['Realtime unreachable', () => (state.realtime = { reachable: false, via: 'probe', ageMs: 5, detail: 'ECONNREFUSED' }), 'unavailable'],
    ])('is 503 when %s', async (_what, make, status) => {
      await start();
      make();
      const res = await fetch(`${base}/amazon-connect/health`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { status: string }).status).toBe(status);
    });

    it('is 503 when the store no longer takes writes', async () => {
      await start();
      await store.close();
      const res = await fetch(`${base}/amazon-connect/health`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: { storeWritable: boolean } }).checks.storeWritable).toBe(false);
    });

    it('answers HEAD without a body, and 405 with Allow for another method', async () => {
      await start();
      const head = await fetch(`${base}/amazon-connect/health`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const post = await fetch(`${base}/amazon-connect/health`, { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET');
      expect((await fetch(`${base}/nothing/here`)).status).toBe(404);
    });
  });

  it('GET /amazon-connect/sip-endpoint names the connector routes, URIs, codecs and SRTP policy', async () => {
    await start();
    const res = await fetch(`${base}/amazon-connect/sip-endpoint`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      publicAddress: '203.0.113.10',
      sipUris: ['sip:ai-agent@203.0.113.10:5060;transport=udp', 'sip:ai-agent@203.0.113.10:5060;transport=tcp', 'sips:ai-agent@203.0.113.10:5061;transport=tls'],
      connectorRoutes: [{ host: '203.0.113.10', port: 5061, protocol: 'TCP', priority: 1, weight: 1 }],
      encryption: 'required',
      codecs: ['PCMU', 'PCMA'],
      srtp: 'required',
      rtp: { protocol: 'UDP', portMin: 10000, portMax: 20000 },
    });
  });

  describe('POST /amazon-connect/callback', () => {
    const body = JSON.stringify({ contactId: 'c-1', event: 'flow.resumed', attributes: { branch: 'queue' } });

    it('records a signed event against the call with that contact id', async () => {
      await start();
      store.onCallEvent(
        { recordId: 'r-1', callId: 'call-1' },
        { type: 'offered', at: clock.wallNow(), from: undefined, to: undefined, source: 'udp:1.2.3.4:5060', contactId: 'c-1', initialContactId: undefined, instanceId: undefined },
      );
      await store.flushed();
      const res = await fetch(`${base}/amazon-connect/callback`, signed(body));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ recorded: true, call: { id: 'r-1', callId: 'call-1' } });
      expect((await store.get('r-1'))!.callbacks).toMatchObject([{ contactId: 'c-1', event: 'flow.resumed', data: { attributes: { branch: 'queue' } } }]);
    });

    it('refuses a replay of an accepted request (409), even with the same valid signature', async () => {
      await start();
      const req = signed(body);
      expect((await fetch(`${base}/amazon-connect/callback`, req)).status).toBe(202);
      const again = await fetch(`${base}/amazon-connect/callback`, req);
      expect(again.status).toBe(409);
      expect(await store.list({ limit: 10 })).toHaveLength(0);
    });

    it.each([
      ['no signature headers', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body })],
      ['a wrong secret', () => signed(body, undefined, 'another-secret-0123456789abcdef0123456789')],
      ['a body changed after signing', () => ({ ...signed(body), body: body.replace('queue', 'agent') })],
      ['a malformed signature', () => ({ ...signed(body), headers: { ...signed(body).headers, 'x-gateway-signature': 'md5=abc' } })],
      ['a timestamp 10 minutes old', () => signed(body, Math.floor(clock.wallNow() / 1000) - 600)],
      ['a timestamp 10 minutes ahead', () => signed(body, Math.floor(clock.wallNow() / 1000) + 600)],
    ])('refuses %s with 401', async (_what, make) => {
      await start();
      const res = await fetch(`${base}/amazon-connect/callback`, make());
      expect(res.status).toBe(401);
    });

    it('refuses malformed JSON (400), a wrong content type (415), schema violations (400 naming the field)', async () => {
      await start();
      expect((await fetch(`${base}/amazon-connect/callback`, signed('{"contactId": "c-1",'))).status).toBe(400);
      const text = signed(body);
      expect((await fetch(`${base}/amazon-connect/callback`, { ...text, headers: { ...text.headers, 'content-type': 'text/plain' } })).status).toBe(415);
      const unknown = await fetch(`${base}/amazon-connect/callback`, signed(JSON.stringify({ contactId: 'c-1', event: 'x', admin: true })));
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: string }).error).toBe('body: unknown field "admin"');
      const badId = await fetch(`${base}/amazon-connect/callback`, signed(JSON.stringify({ contactId: '../etc', event: 'x' })));
      expect(((await badId.json()) as { error: string }).error).toMatch(/^contactId: /);
    });

    it('refuses a body over the limit with 413 before reading it', async () => {
      await start({}, { maxBodyBytes: 1024 });
      const big = JSON.stringify({ contactId: 'c-1', event: 'x', note: 'y'.repeat(2000) });
      const res = await fetch(`${base}/amazon-connect/callback`, signed(big));
      expect(res.status).toBe(413);
    });

    it('is 404 when no secret is configured', async () => {
      await start({ callbackSecret: undefined });
      expect((await fetch(`${base}/amazon-connect/callback`, signed(body))).status).toBe(404);
    });
  });

  it('GET /metrics serves the Prometheus text with the gateway metrics and event-loop lag', async () => {
    await start();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'gateway_active_calls 3',
      'gateway_draining 0',
      'gateway_calls_total',
      'gateway_sip_responses_total',
      'gateway_rtp_packets_lost_total',
      'gateway_rtp_jitter_seconds_bucket',
      'gateway_concealed_frames_total',
      'gateway_barge_ins_total',
      'gateway_barge_in_reaction_seconds_bucket',
      'gateway_turn_latency_seconds_bucket',
      'gateway_realtime_errors_total',
      'gateway_realtime_reconnects_total',
      'gateway_hand_backs_total',
      'gateway_records_events_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text).toContain(name);
    }
  });

  describe('GET /calls and /calls/:id', () => {
    beforeEach(async () => {
      const at = clock.wallNow();
      const ref = { recordId: 'rec-1', callId: 'abc@host' };
      store.onCallEvent(ref, { type: 'offered', at, from: '+1555', to: '+1666', source: 'udp:1.2.3.4:5060', contactId: 'c-9', initialContactId: undefined, instanceId: undefined });
      store.onCallEvent(ref, { type: 'transcript', at: at + 1, role: 'user', text: 'hello', itemId: 'i' });
      await store.flushed();
    });

    it('needs the bearer token: none is 401 with a challenge, a wrong one 401 invalid_token', async () => {
      await start();
      const none = await fetch(`${base}/calls`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="calls"');
      const wrong = await fetch(`${base}/calls/rec-1`, { headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/invalid_token/);
      const basic = await fetch(`${base}/calls`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
      expect(basic.status).toBe(401);
    });

    it('lists calls and returns one with its transcript, by record id or SIP Call-ID', async () => {
      await start();
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      const list = await fetch(`${base}/calls?limit=10&contactId=c-9`, auth);
      expect(list.status).toBe(200);
      expect(((await list.json()) as { calls: Array<{ id: string }> }).calls.map((c) => c.id)).toEqual(['rec-1']);
      const one = await fetch(`${base}/calls/rec-1`, auth);
      expect(((await one.json()) as { transcript: unknown[] }).transcript).toMatchObject([{ role: 'user', text: 'hello' }]);
      expect((await fetch(`${base}/calls/${encodeURIComponent('abc@host')}`, auth)).status).toBe(200);
      expect((await fetch(`${base}/calls/missing`, auth)).status).toBe(404);
      expect((await fetch(`${base}/calls?limit=0`, auth)).status).toBe(400);
      expect((await fetch(`${base}/calls?before=yesterday`, auth)).status).toBe(400);
      expect((await fetch(`${base}/calls/%E0%A4%A`, auth)).status).toBe(404);
    });

    it('is 404 when no token is configured', async () => {
      await start({ apiToken: undefined });
      expect((await fetch(`${base}/calls`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    });
  });

  describe('bounds', () => {
    it('answers oversized headers with 431 and garbage with 400, and keeps serving', async () => {
      await start({}, { maxHeaderBytes: 2048 });
      const status = await rawStatus(base, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
      expect(status).toBe(431);
      expect(await rawStatus(base, 'NOT HTTP AT ALL\r\n\r\n')).toBe(400);
      expect((await fetch(`${base}/amazon-connect/health`)).status).toBe(200);
    });

    it('closes connections beyond the per-source cap', async () => {
      await start({}, { maxConnectionsPerSource: 2 });
      const port = Number(new URL(base).port);
      const open = await Promise.all([0, 1].map(() => openSocket(port)));
      const third = await openSocket(port);
      const closed = await new Promise<boolean>((resolve) => {
        third.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 1000);
      });
      expect(closed).toBe(true);
      for (const s of open) s.destroy();
    });

    it('turns a throwing handler into a 500 and keeps serving', async () => {
      const failing = new OpsHttpServer([{ method: 'GET', path: '/boom', handler: () => { throw new Error('boom'); } }], log);
      const addr = await failing.listen('127.0.0.1', 0);
      expect((await fetch(`http://127.0.0.1:${addr.port}/boom`)).status).toBe(500);
      expect((await fetch(`http://127.0.0.1:${addr.port}/boom`)).status).toBe(500);
      await failing.close();
      await start();
    });
  });
});

function rawStatus(base: string, raw: string): Promise<number> {
  const port = Number(new URL(base).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(raw));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

function openSocket(port: number): Promise<import('node:net').Socket> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => undefined);
  });
}

