/**
 * The lab's fake Amazon Connect API: just UpdateContactAttributes, on the wire exactly as the real
 * SDK sends it (REST-JSON, `POST /contact/attributes`, body `{InstanceId, InitialContactId,
 * Attributes}`, SigV4-signed) and answering with the error shapes the SDK deserialises
 * (`x-amzn-ErrorType` header, `{"Message": ...}` body). Point AMAZON_CONNECT_ENDPOINT at `url`.
 *
 * - Auth: a SigV4 Authorization header and X-Amz-Date are required; their format is checked, the
 *   signature is not (the fake has no secret key).
 * - Records every request (time, method, path, headers without Authorization or session token, body,
 *   answer) and keeps the merged attributes per contact, for lab checks — in process through
 *   `requests`/`contactAttributes()`, out of process through `GET /_fake/requests` and
 *   `GET /_fake/contacts`.
 * - Failure injection: the first N operation requests answer 500 InternalServiceException, the next M
 *   answer 429 ThrottlingException; every answer can be delayed; instances and contacts can be made
 *   known so that others answer 404 ResourceNotFoundException.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UpdateContactAttributesRequest, UpdateContactAttributesResponse } from '@aws-sdk/client-connect';
import { systemClock, type Clock, type TimerId, type Logger } from 'connect-realtime-gateway';
import { parseSigV4Authorization, type SigV4Authorization } from './sigv4.js';

export interface FakeConnectFailures {
  /** The first N operation requests answer 500 InternalServiceException. */
  internalErrors?: number;
  /** The N requests after those answer 429 ThrottlingException. */
  throttles?: number;
  /** Every operation answer waits this long first, ms. */
  delayMs?: number;
}

export interface FakeConnectOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  failures?: FakeConnectFailures;
  /** When given, other instance ids answer 404 ResourceNotFoundException. */
  instances?: readonly string[];
  /** When given, other initial contact ids answer 404 ResourceNotFoundException. */
  contacts?: readonly string[];
  clock?: Clock;
  logger?: Logger;
}

export interface FakeConnectRecord {
  /** Wall-clock ms when the request arrived. */
  at: number;
  method: string;
  path: string;
  /** Lower-case names; Authorization and X-Amz-Security-Token are left out. */
  headers: Record<string, string>;
  /** The parsed SigV4 scope (no signature), when the header had the right shape. */
  sigv4?: SigV4Authorization;
  /** The operation body when it parsed as JSON. */
  body?: UpdateContactAttributesRequest;
  status: number;
  /** The error shape name of an error answer (e.g. ThrottlingException). */
  errorType?: string;
}

export interface FakeConnectServer {
  /** Base URL for AMAZON_CONNECT_ENDPOINT, e.g. http://127.0.0.1:8090. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly FakeConnectRecord[];
  /** The attributes stored for a contact (merged over every successful update), if any. */
  contactAttributes(initialContactId: string, instanceId?: string): Record<string, string> | undefined;
  /** Replaces the failure plan; the request counter starts again from zero. */
  setFailures(failures: FakeConnectFailures): void;
  close(): Promise<void>;
}

export const UPDATE_CONTACT_ATTRIBUTES_PATH = '/contact/attributes';
/** Connect's own request limit is far above what one attribute update needs; this keeps memory bounded. */
export const MAX_BODY_BYTES = 128 * 1024;
/** Records kept; older ones are dropped so a long lab run cannot grow without bound. */
export const MAX_RECORDS = 10_000;
const MAX_ATTRIBUTES_BYTES = 32_768;
const KEY = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-amz-security-token']);

interface Answer {
  status: number;
  errorType?: string;
  message?: string;
}

export async function startFakeConnect(opts: FakeConnectOptions): Promise<FakeConnectServer> {
  const clock = opts.clock ?? systemClock;
  const records: FakeConnectRecord[] = [];
  const store = new Map<string, Record<string, string>>();
  const instances = opts.instances === undefined ? undefined : new Set(opts.instances);
  const contacts = opts.contacts === undefined ? undefined : new Set(opts.contacts);
  let failures: FakeConnectFailures = { ...opts.failures };
  let operationCount = 0;

  const storeKey = (instanceId: string, contactId: string): string => `${instanceId}/${contactId}`;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      opts.logger?.error({ err }, 'fake-connect: handler failed');
      if (!res.headersSent) sendError(res, { status: 500, errorType: 'InternalServiceException', message: 'fake-connect internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: FakeConnectRecord = { at: clock.wallNow(), method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: safeHeaders(req), status: 0 };
    const body = await readBody(req);
    if (req.method === 'GET' && record.path.startsWith('/_fake/')) {
      inspect(record.path, res);
      return;
    }
    remember(record);
    const answer = await operate(req, record, body);
    record.status = answer.status;
    if (answer.errorType !== undefined) record.errorType = answer.errorType;
    opts.logger?.debug({ path: record.path, status: answer.status, errorType: answer.errorType }, 'fake-connect request');
    if (answer.status === 200) {
      const out: UpdateContactAttributesResponse = {};
      send(res, 200, out);
    } else sendError(res, answer);
  }

  async function operate(req: IncomingMessage, record: FakeConnectRecord, body: Buffer | undefined): Promise<Answer> {
    if (record.path !== UPDATE_CONTACT_ATTRIBUTES_PATH) return { status: 404, errorType: 'UnknownOperationException', message: `no operation at ${record.method} ${record.path}` };
    if (req.method !== 'POST') return { status: 405, errorType: 'UnknownOperationException', message: `${record.method} not allowed on ${record.path}` };
    if (body === undefined) return { status: 413, errorType: 'RequestEntityTooLargeException', message: `body larger than ${MAX_BODY_BYTES} bytes` };

    const authorization = req.headers.authorization;
    if (authorization === undefined) return { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    const sig = parseSigV4Authorization(authorization);
    if (!sig.ok) return { status: 403, errorType: 'IncompleteSignatureException', message: sig.reason };
    record.sigv4 = sig.auth;
    if (sig.auth.service !== 'connect') return { status: 403, errorType: 'InvalidSignatureException', message: `Credential should be scoped to correct service: 'connect', not '${sig.auth.service}'` };
    if (req.headers['x-amz-date'] === undefined) return { status: 403, errorType: 'IncompleteSignatureException', message: 'X-Amz-Date header is required' };

    const n = operationCount++;
    if ((failures.delayMs ?? 0) > 0) await sleep(failures.delayMs ?? 0);
    const internal = failures.internalErrors ?? 0;
    if (n < internal) return { status: 500, errorType: 'InternalServiceException', message: `injected failure ${n + 1} of ${internal}` };
    if (n < internal + (failures.throttles ?? 0)) return { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' };

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, errorType: 'SerializationException', message: 'body is not JSON' };
    }
    const request = parsed as Partial<Record<keyof UpdateContactAttributesRequest, unknown>>;
    if (typeof parsed === 'object' && parsed !== null) record.body = parsed as UpdateContactAttributesRequest;
    const problem = validate(request);
    if (problem !== undefined) return { status: 400, errorType: 'InvalidParameterException', message: problem };
    const instanceId = request.InstanceId as string;
    const contactId = request.InitialContactId as string;
    if (instances !== undefined && !instances.has(instanceId)) return { status: 404, errorType: 'ResourceNotFoundException', message: `Instance not found: ${instanceId}` };
    if (!UUID.test(contactId)) return { status: 400, errorType: 'InvalidParameterException', message: 'InitialContactId is not a valid contact id' };
    if (contacts !== undefined && !contacts.has(contactId)) return { status: 404, errorType: 'ResourceNotFoundException', message: `Contact not found: ${contactId}` };
    const key = storeKey(instanceId, contactId);
    store.set(key, { ...store.get(key), ...(request.Attributes as Record<string, string>) });
    return { status: 200 };
  }

  function inspect(path: string, res: ServerResponse): void {
    if (path === '/_fake/requests') send(res, 200, records);
    else if (path === '/_fake/contacts') send(res, 200, Object.fromEntries(store));
    else sendError(res, { status: 404, errorType: 'UnknownOperationException', message: `no fake inspection route ${path}` });
  }

  function remember(record: FakeConnectRecord): void {
    if (records.length >= MAX_RECORDS) records.shift();
    records.push(record);
  }

  // Injected delays, so close() can end them instead of leaving timers behind.
  const sleeping = new Map<TimerId, () => void>();
  async function sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const id = clock.setTimeout(() => {
        sleeping.delete(id);
        resolve();
      }, ms);
      sleeping.set(id, resolve);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    requests: records,
    contactAttributes: (contactId, instanceId) => {
      if (instanceId !== undefined) return store.get(storeKey(instanceId, contactId));
      for (const [key, attributes] of store) if (key.endsWith(`/${contactId}`)) return attributes;
      return undefined;
    },
    setFailures: (next) => {
      failures = { ...next };
      operationCount = 0;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const [id, wake] of sleeping) {
          clock.clearTimeout(id);
          wake();
        }
        sleeping.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The service's own checks, written apart from gateway/src/connect/attribute-limits.ts on purpose: a
 * fake that shared the client's checker would agree with it by construction.
 */
function validate(request: Partial<Record<keyof UpdateContactAttributesRequest, unknown>>): string | undefined {
  if (typeof request.InstanceId !== 'string' || request.InstanceId.length < 1 || request.InstanceId.length > 100) return 'InstanceId must be a string of 1..100 characters';
  if (typeof request.InitialContactId !== 'string' || request.InitialContactId.length < 1 || request.InitialContactId.length > 256) {
    return 'InitialContactId must be a string of 1..256 characters';
  }
  const attributes = request.Attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return 'Attributes must be a map of strings';
  let bytes = 0;
  for (const [k, v] of Object.entries(attributes)) {
    if (!KEY.test(k)) return `Attribute key ${JSON.stringify(k.slice(0, 64))} may contain only alphanumeric, dash and underscore characters`;
    if (typeof v !== 'string') return `Attribute ${k} must be a string`;
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > MAX_ATTRIBUTES_BYTES) return `Attributes exceed ${MAX_ATTRIBUTES_BYTES} bytes`;
  return undefined;
}

/** The body, or undefined when it exceeds MAX_BODY_BYTES (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buf);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function safeHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (SECRET_HEADERS.has(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': randomUUID() });
  res.end(text);
}

/** The REST-JSON error shape the SDK reads: type in x-amzn-ErrorType, `Message` member in the body. */
function sendError(res: ServerResponse, answer: Answer): void {
  const text = JSON.stringify({ Message: answer.message ?? '' });
  res.writeHead(answer.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(answer.errorType !== undefined ? { 'x-amzn-ErrorType': answer.errorType } : {}),
  });
  res.end(text);
}
