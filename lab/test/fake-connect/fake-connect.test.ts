/**
 * The fake Connect API on the wire, driven with plain HTTP (no SDK) to pin down what it accepts and
 * how it answers. The SDK round trip is covered in gateway/test/connect/contact-attributes-writer.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseFakeConnectCli, parseSigV4Authorization, startFakeConnect, type FakeConnectServer } from '../../src/fake-connect/index.js';

const INSTANCE = '11111111-2222-4333-8444-555555555555';
const CONTACT = '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e';
const SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const AUTH = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260901/us-east-1/connect/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${SIGNATURE}`;
const BODY = { InstanceId: INSTANCE, InitialContactId: CONTACT, Attributes: { ai_outcome: 'completed' } };

let fake: FakeConnectServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function post(s: FakeConnectServer, body: unknown, headers: Record<string, string> = { authorization: AUTH, 'x-amz-date': '20260901T120000Z' }, path = '/contact/attributes') {
  const res = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
}

describe('SigV4 Authorization header (shape only)', () => {
  it('reads the credential scope and signed headers of an SDK-style header', () => {
    expect(parseSigV4Authorization(AUTH)).toEqual({
      ok: true,
      auth: { accessKeyId: 'AKIDEXAMPLE', date: '20260901', region: 'us-east-1', service: 'connect', signedHeaders: ['content-type', 'host', 'x-amz-date'] },
    });
  });

  it.each([
    ['Bearer abc', 'must start with AWS4-HMAC-SHA256'],
    ['AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=' + SIGNATURE, 'Credential must be'],
    ['AWS4-HMAC-SHA256 Credential=AKID/20260901/us-east-1/connect/aws4_request, SignedHeaders=Host;X-Amz-Date, Signature=' + SIGNATURE, 'SignedHeaders must be'],
    ['AWS4-HMAC-SHA256 Credential=AKID/20260901/us-east-1/connect/aws4_request, SignedHeaders=x-amz-date, Signature=' + SIGNATURE, 'must include host'],
    ['AWS4-HMAC-SHA256 Credential=AKID/20260901/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=abc', 'Signature must be 64'],
    ['AWS4-HMAC-SHA256 Credential', "without '='"],
  ])('rejects %s', (header, reason) => {
    const r = parseSigV4Authorization(header);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('fake Connect: POST /contact/attributes', () => {
  it('answers 200 {} and stores the attributes', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
    expect(await post(fake, BODY)).toEqual({ status: 200, errorType: null, body: {} });
    expect(fake.contactAttributes(CONTACT)).toEqual({ ai_outcome: 'completed' });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/contact/attributes', status: 200, body: BODY });
  });

  it.each([
    ['no Authorization', { 'x-amz-date': '20260901T120000Z' }, 403, 'MissingAuthenticationTokenException'],
    ['a malformed Authorization', { authorization: 'Basic dXNlcjpwYXNz', 'x-amz-date': '20260901T120000Z' }, 403, 'IncompleteSignatureException'],
    ['a scope for another service', { authorization: AUTH.replace('/connect/', '/s3/'), 'x-amz-date': '20260901T120000Z' }, 403, 'InvalidSignatureException'],
    ['no X-Amz-Date', { authorization: AUTH }, 403, 'IncompleteSignatureException'],
  ])('requires SigV4: %s → %i %s', async (_label, headers, status, errorType) => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
    const r = await post(fake, BODY, headers);
    expect(r.status).toBe(status);
    expect(r.errorType).toBe(errorType);
    expect(typeof r.body.Message).toBe('string');
    expect(fake.contactAttributes(CONTACT)).toBeUndefined();
  });

  it.each([
    ['a body that is not JSON', '{nope', 400, 'SerializationException'],
    ['a missing InstanceId', { ...BODY, InstanceId: undefined }, 400, 'InvalidParameterException'],
    ['Attributes that are not a map', { ...BODY, Attributes: ['a'] }, 400, 'InvalidParameterException'],
    ['an attribute key with a dot', { ...BODY, Attributes: { 'a.b': 'x' } }, 400, 'InvalidParameterException'],
    ['a non-string value', { ...BODY, Attributes: { a: 1 } }, 400, 'InvalidParameterException'],
    ['more than 32 KB of attributes', { ...BODY, Attributes: { a: 'x'.repeat(33_000) } }, 400, 'InvalidParameterException'],
    ['a contact id that is not a UUID', { ...BODY, InitialContactId: 'abc' }, 400, 'InvalidParameterException'],
    ['a body over 128 KB', { ...BODY, Attributes: { a: 'x'.repeat(140_000) } }, 413, 'RequestEntityTooLargeException'],
  ])('rejects %s → %i %s', async (_label, body, status, errorType) => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
    const r = await post(fake, body);
    expect([r.status, r.errorType]).toEqual([status, errorType]);
  });

  it('answers 404 ResourceNotFoundException for unknown instances and contacts when they are listed', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0, instances: [INSTANCE], contacts: [CONTACT] });
    expect((await post(fake, BODY)).status).toBe(200);
    const otherContact = await post(fake, { ...BODY, InitialContactId: '00000000-0000-4000-8000-000000000000' });
    expect([otherContact.status, otherContact.errorType]).toEqual([404, 'ResourceNotFoundException']);
    const otherInstance = await post(fake, { ...BODY, InstanceId: 'other' });
    expect([otherInstance.status, otherInstance.errorType]).toEqual([404, 'ResourceNotFoundException']);
  });

  it('injects 500s, then 429s, for the first requests, and setFailures() starts over', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0, failures: { internalErrors: 1, throttles: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(fake, BODY)).status);
    expect(statuses).toEqual([500, 429, 429, 200]);
    expect(fake.requests.map((r) => r.errorType ?? 'ok')).toEqual(['InternalServiceException', 'ThrottlingException', 'ThrottlingException', 'ok']);
    fake.setFailures({ throttles: 1 });
    expect((await post(fake, BODY)).status).toBe(429);
    expect((await post(fake, BODY)).status).toBe(200);
  });

  it('unknown paths answer 404 UnknownOperationException; GET on the operation answers 405', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
    expect((await post(fake, BODY, undefined, '/contact/nope')).errorType).toBe('UnknownOperationException');
    const res = await fetch(`${fake.url}/contact/attributes`);
    expect(res.status).toBe(405);
    await res.arrayBuffer();
  });

  it('exposes records and stored attributes over GET /_fake/* for out-of-process lab checks, without secrets', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
    await post(fake, BODY, { authorization: AUTH, 'x-amz-date': '20260901T120000Z', 'x-amz-security-token': 'SESSION-TOKEN-SECRET' });
    const records = (await (await fetch(`${fake.url}/_fake/requests`)).json()) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 200, sigv4: { service: 'connect' }, body: BODY });
    expect(JSON.stringify(records)).not.toContain(SIGNATURE);
    expect(JSON.stringify(records)).not.toContain('SESSION-TOKEN-SECRET');
    const contacts = await (await fetch(`${fake.url}/_fake/contacts`)).json();
    expect(contacts).toEqual({ [`${INSTANCE}/${CONTACT}`]: { ai_outcome: 'completed' } });
  });

  it('close() ends an injected delay instead of leaving it pending, and is idempotent', async () => {
    fake = await startFakeConnect({ host: '127.0.0.1', port: 0, failures: { delayMs: 60_000 } });
    const pending = post(fake, BODY).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([fake.close(), fake.close()]);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('fake-connect CLI flags', () => {
  it('defaults to 127.0.0.1:8090 with no failures', () => {
    expect(parseFakeConnectCli([], {})).toEqual({ host: '127.0.0.1', port: 8090, failures: {} });
  });

  it('reads every flag; env fills host and port', () => {
    expect(
      parseFakeConnectCli(['--internal-errors', '1', '--throttles', '2', '--delay-ms', '300', '--instance', 'i-1', '--contact', 'c-1', '--contact', 'c-2'], {
        FAKE_CONNECT_HOST: '127.0.0.2',
        FAKE_CONNECT_PORT: '9000',
      }),
    ).toEqual({ host: '127.0.0.2', port: 9000, failures: { internalErrors: 1, throttles: 2, delayMs: 300 }, instances: ['i-1'], contacts: ['c-1', 'c-2'] });
  });

  it.each([
    [['--port', 'http'], "--port must be 0..65535, got 'http'"],
    [['--port', '70000'], '--port must be 0..65535'],
    [['--throttles=-1'], '--throttles must be an integer'],
    [['--throttles', '-1'], "Option '--throttles' argument is ambiguous."],
    [['--delay-ms', '1e3'], '--delay-ms must be an integer'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['positional'], 'Unexpected argument'],
  ])('%j → one-line usage error', (argv, message) => {
    expect(() => parseFakeConnectCli(argv, {})).toThrow(message);
    try {
      parseFakeConnectCli(argv, {});
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
