/**
 * The routes of the operations HTTP server:
 *
 *   GET  /amazon-connect/health        200 ready / 503 not (draining, SIP not listening, store not
 *                                      writable, Realtime not reachable recently), with each check
 *   GET  /amazon-connect/sip-endpoint  what to configure on the connector (sip-endpoint.ts)
 *   POST /amazon-connect/callback      a signed event from the Connect side, recorded by contact id
 *   GET  /metrics                      Prometheus text format
 *   GET  /calls, /calls/:id            call records, behind a bearer token
 */
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { CallRecord, CallSummary } from '../store/call-record.js';
import type { StoreHealth } from '../store/sqlite-record-store.js';
import { CallbackVerifier, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './callback-signature.js';
import type { HttpRequest, HttpResult, Route } from './http-server.js';
import type { ReachabilityReport } from './realtime-reachability.js';
import { bearerToken, secretsEqual } from './secret-compare.js';
import type { SipEndpointDescription } from './sip-endpoint.js';

/** What the routes read and write; the gateway assembles it. */
export interface OpsContext {
  log: Logger;
  wallNow(): number;
  metrics: GatewayMetrics;
  sipEndpoint(): SipEndpointDescription;
  sipListening(): boolean;
  draining(): boolean;
  activeCalls(): number;
  realtime(): ReachabilityReport;
  records: RecordsAccess;
  /** Bearer token for /calls; undefined: those routes answer 404. */
  apiToken: string | undefined;
  /** HMAC secret for the callback; undefined: the route answers 404. */
  callbackSecret: string | undefined;
}

export interface RecordsAccess {
  health(): Promise<StoreHealth>;
  list(q: { limit: number; before?: number | undefined; contactId?: string | undefined }): Promise<CallSummary[]>;
  get(id: string): Promise<CallRecord | undefined>;
  recordCallback(contactId: string, event: string, data: Record<string, unknown>): Promise<void>;
}

const CONTACT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The callback body: which contact, what happened, and optional flat attributes. Unknown keys are refused. */
export const callbackSchema = z
  .object({
    contactId: z.string().regex(CONTACT_ID, 'contactId must be a Connect contact id'),
    event: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'event must be a name of letters, digits, . _ - (at most 64)'),
    attributes: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'attribute names are letters, digits, _ . - (at most 128)'), z.string().max(1024, 'attribute values are at most 1024 characters'))
      .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes')
      .optional(),
    note: z.string().max(2048).optional(),
  })
  .strict();

export function opsRoutes(ctx: OpsContext): Route[] {
  const verifier = ctx.callbackSecret === undefined ? undefined : new CallbackVerifier(ctx.callbackSecret, () => ctx.wallNow());
  return [
    { method: 'GET', path: '/amazon-connect/health', handler: () => health(ctx) },
    { method: 'GET', path: '/amazon-connect/sip-endpoint', handler: () => ({ status: 200, body: ctx.sipEndpoint() }) },
    { method: 'POST', path: '/amazon-connect/callback', handler: (req) => callback(ctx, verifier, req) },
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => ({ status: 200, headers: { 'Content-Type': ctx.metrics.contentType }, body: await ctx.metrics.text() }),
    },
    { method: 'GET', path: '/calls', handler: (req) => withToken(ctx, req, () => listCalls(ctx, req)) },
    { method: 'GET', path: '/calls/:id', handler: (req) => withToken(ctx, req, () => getCall(ctx, req)) },
  ];
}

async function health(ctx: OpsContext): Promise<HttpResult> {
  const store = await ctx.records.health();
  const realtime = ctx.realtime();
  const checks = {
    draining: ctx.draining(),
    sipListening: ctx.sipListening(),
    storeWritable: store.writable,
    realtimeReachable: realtime.reachable,
  };
  const ok = !checks.draining && checks.sipListening && checks.storeWritable && checks.realtimeReachable;
  return {
    status: ok ? 200 : 503,
    ...(checks.draining ? { headers: { 'Retry-After': '30' } } : {}),
    body: {
      status: ok ? 'ok' : checks.draining ? 'draining' : 'unavailable',
      checks,
      activeCalls: ctx.activeCalls(),
      store: store,
      realtime,
    },
  };
}

async function callback(ctx: OpsContext, verifier: CallbackVerifier | undefined, req: HttpRequest): Promise<HttpResult> {
  if (verifier === undefined) return { status: 404, body: { error: 'callbacks are not enabled (set CALLBACK_SECRET)' } };
  const verdict = verifier.verify(header(req, TIMESTAMP_HEADER), header(req, SIGNATURE_HEADER), req.body);
  if (!verdict.ok) {
    ctx.metrics.callback(verdict.error === 'replay' ? 'replay' : verdict.error === 'stale' ? 'stale' : verdict.error === 'busy' ? 'unavailable' : 'bad-signature');
    ctx.log.warn({ source: req.source, reason: verdict.error }, 'callback refused');
    if (verdict.error === 'replay') return { status: 409, body: { error: 'replayed callback (this signature was already accepted)' } };
    if (verdict.error === 'busy') return { status: 503, headers: { 'Retry-After': '5' }, body: { error: 'too many callbacks in the replay window' } };
    return { status: 401, body: { error: `callback signature ${verdict.error === 'stale' ? 'timestamp outside the allowed window' : verdict.error}` } };
  }
  const contentType = header(req, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    ctx.metrics.callback('invalid');
    return { status: 415, body: { error: 'Content-Type must be application/json' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(req.body.toString('utf8'));
  } catch {
    ctx.metrics.callback('invalid');
    return { status: 400, body: { error: 'body is not valid JSON' } };
  }
  const parsed = callbackSchema.safeParse(json);
  if (!parsed.success) {
    ctx.metrics.callback('invalid');
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.map(String).join('.') : 'body';
    const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : (issue?.message ?? 'invalid');
    return { status: 400, body: { error: `${field}: ${message}` } };
  }
  const { contactId, event, ...data } = parsed.data;
  try {
    await ctx.records.recordCallback(contactId, event, data);
  } catch (err) {
    ctx.metrics.callback('unavailable');
    ctx.log.error({ err, contactId }, 'callback could not be recorded');
    return { status: 503, headers: { 'Retry-After': '5' }, body: { error: 'the records store is not writable' } };
  }
  ctx.metrics.callback('recorded');
  const call = (await ctx.records.list({ limit: 1, contactId }))[0];
  ctx.log.info({ contactId, event, callId: call?.callId }, 'callback recorded');
  return { status: 202, body: { recorded: true, call: call ? { id: call.id, callId: call.callId } : null } };
}

async function withToken(ctx: OpsContext, req: HttpRequest, then: () => Promise<HttpResult>): Promise<HttpResult> {
  if (ctx.apiToken === undefined) return { status: 404, body: { error: 'the calls API is not enabled (set HTTP_API_TOKEN)' } };
  const token = bearerToken(header(req, 'authorization'));
  const challenge = { 'WWW-Authenticate': 'Bearer realm="calls"' };
  if (token === undefined) return { status: 401, headers: challenge, body: { error: 'a bearer token is required' } };
  if (!secretsEqual(token, ctx.apiToken)) {
    ctx.log.warn({ source: req.source }, 'calls API: wrong bearer token');
    return { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="calls", error="invalid_token"' }, body: { error: 'invalid bearer token' } };
  }
  return then();
}

async function listCalls(ctx: OpsContext, req: HttpRequest): Promise<HttpResult> {
  const q = req.query;
  const limitText = q.get('limit') ?? '50';
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) return { status: 400, body: { error: 'limit must be 1..500' } };
  let before: number | undefined;
  const beforeText = q.get('before');
  if (beforeText !== null) {
    before = /^\d{1,15}$/.test(beforeText) ? Number(beforeText) : Date.parse(beforeText);
    if (!Number.isFinite(before)) return { status: 400, body: { error: 'before must be an ISO-8601 time or epoch milliseconds' } };
  }
  const contactId = q.get('contactId') ?? undefined;
  if (contactId !== undefined && !CONTACT_ID.test(contactId)) return { status: 400, body: { error: 'contactId must be a Connect contact id' } };
  const calls = await ctx.records.list({ limit: Number(limitText), before, contactId });
  const last = calls.at(-1);
  return { status: 200, body: { calls, next: calls.length === Number(limitText) && last ? `?limit=${limitText}&before=${Date.parse(last.invitedAt)}` : null } };
}

async function getCall(ctx: OpsContext, req: HttpRequest): Promise<HttpResult> {
  const id = req.params.id ?? '';
  if (id.length > 256) return { status: 400, body: { error: 'id too long' } };
  const record = await ctx.records.get(id);
  return record ? { status: 200, body: record } : { status: 404, body: { error: 'no such call' } };
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
