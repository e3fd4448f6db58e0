/**
 * The writer with the REAL @aws-sdk/client-connect ConnectClient, its endpoint pointed at the lab's
 * fake Connect on 127.0.0.1: SigV4 signing, REST-JSON serialisation, error deserialisation and the
 * SDK retry middleware are the real ones; only the service is fake.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeConnect, type FakeConnectOptions, type FakeConnectServer } from '../../../lab/src/fake-connect/index.js';
import { ContactAttributesWriter, type ContactAttributesWriterOptions } from '../../src/connect/contact-attributes-writer.js';
import { createRootLogger } from '../../src/log.js';

const INSTANCE = '11111111-2222-4333-8444-555555555555';
const CONTACT = '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e';
const ACCESS_KEY = 'AKIAFAKECONNECTLAB01';
const SECRET_KEY = 'fake-secret-key-NEVER-LOGGED-0123456789';
const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
/** Zero jitter: retries are immediate, so these tests spend no time in backoff. */
const noJitter = { random: () => 0 };

let fake: FakeConnectServer | undefined;
let writer: ContactAttributesWriter | undefined;

beforeAll(() => {
  // Belt and braces: nothing in this file may reach the EC2 metadata service (169.254.169.254).
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(async () => {
  writer?.close();
  writer = undefined;
  await fake?.close();
  fake = undefined;
});

async function setup(fakeOpts: Partial<FakeConnectOptions> = {}, writerOpts: Partial<ContactAttributesWriterOptions> = {}): Promise<{ fake: FakeConnectServer; writer: ContactAttributesWriter }> {
  fake = await startFakeConnect({ host: '127.0.0.1', port: 0, ...fakeOpts });
  writer = new ContactAttributesWriter({ region: 'us-east-1', endpoint: fake.url, credentials, retry: noJitter, ...writerOpts });
  return { fake, writer };
}

const update = { instanceId: INSTANCE, initialContactId: CONTACT, attributes: { ai_outcome: 'transfer_to_human', ai_summary: 'Wants a refund.' } };

describe('UpdateContactAttributes through the real ConnectClient', () => {
  it('POSTs /contact/attributes with the REST-JSON body and a SigV4 Authorization scoped to connect', async () => {
    const { fake, writer } = await setup();
    const result = await writer.update(update);
    expect(result).toEqual({ ok: true, value: { attempts: 1 } });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/contact/attributes');
    expect(req?.body).toEqual({ InstanceId: INSTANCE, InitialContactId: CONTACT, Attributes: update.attributes });
    expect(req?.sigv4).toMatchObject({ accessKeyId: ACCESS_KEY, region: 'us-east-1', service: 'connect' });
    expect(req?.sigv4?.signedHeaders).toContain('host');
    expect(req?.headers['content-type']).toBe('application/json');
    // The record carries no secret: no Authorization header, no secret key anywhere.
    expect(req?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(fake.requests)).not.toContain(SECRET_KEY);
    expect(fake.contactAttributes(CONTACT, INSTANCE)).toEqual(update.attributes);
  });

  it('merges successive updates of one contact, as Connect does', async () => {
    const { fake, writer } = await setup();
    await writer.update(update);
    await writer.update({ ...update, attributes: { ai_summary: 'Refund approved.', ticket: 'T-42' } });
    expect(fake.contactAttributes(CONTACT)).toEqual({ ai_outcome: 'transfer_to_human', ai_summary: 'Refund approved.', ticket: 'T-42' });
  });

  it('takes credentials from the SDK default chain (environment variables) when none are given', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT1';
    process.env.AWS_SECRET_ACCESS_KEY = SECRET_KEY;
    try {
      fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
      writer = new ContactAttributesWriter({ region: 'eu-central-1', endpoint: fake.url, retry: noJitter });
      expect(await writer.update(update)).toEqual({ ok: true, value: { attempts: 1 } });
      expect(fake.requests[0]?.sigv4).toMatchObject({ accessKeyId: 'AKIAFROMENVIRONMENT1', region: 'eu-central-1' });
    } finally {
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });

  it('reports CONNECT_ERR_CREDENTIALS when the default chain finds nothing (no request is sent)', async () => {
    const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
    const saved = names.map((n) => [n, process.env[n]] as const);
    for (const n of names) delete process.env[n];
    // Empty credential files, and IMDS disabled (beforeAll): the chain ends without any network I/O.
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
    process.env.AWS_CONFIG_FILE = '/dev/null';
    try {
      fake = await startFakeConnect({ host: '127.0.0.1', port: 0 });
      writer = new ContactAttributesWriter({ region: 'us-east-1', endpoint: fake.url, retry: noJitter });
      const result = await writer.update(update);
      expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_CREDENTIALS', retryable: false } });
      expect(fake.requests).toHaveLength(0);
    } finally {
      for (const [n, v] of saved) restoreEnv(n, v);
    }
  });

  it('signs for the region of the update when it names one', async () => {
    const { fake, writer } = await setup();
    await writer.update({ ...update, region: 'ap-southeast-2' });
    expect(fake.requests[0]?.sigv4?.region).toBe('ap-southeast-2');
  });
});

describe('retries (SDK retry middleware driving BoundedRetryStrategy)', () => {
  it('retries on 429 ThrottlingException, then succeeds', async () => {
    const { fake, writer } = await setup({ failures: { throttles: 2 } }, { maxAttempts: 3 });
    const result = await writer.update(update);
    expect(result).toEqual({ ok: true, value: { attempts: 3 } });
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    // The SDK marks retries in amz-sdk-request.
    expect(fake.requests.map((r) => r.headers['amz-sdk-request'])).toEqual(['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
  });

  it('retries on 500 InternalServiceException, then succeeds', async () => {
    const { fake, writer } = await setup({ failures: { internalErrors: 1 } });
    expect(await writer.update(update)).toEqual({ ok: true, value: { attempts: 2 } });
    expect(fake.requests.map((r) => r.errorType ?? 'ok')).toEqual(['InternalServiceException', 'ok']);
  });

  it('gives up after maxAttempts with a retryable CONNECT_ERR_THROTTLED', async () => {
    const { fake, writer } = await setup({ failures: { throttles: 10 } }, { maxAttempts: 3 });
    const result = await writer.update(update);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'CONNECT_ERR_THROTTLED', retryable: true, httpStatus: 429, awsErrorName: 'ThrottlingException', attempts: 3 });
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry 400 InvalidParameterException (not retryable)', async () => {
    // A contact id that is not a UUID passes our local limits but the fake rejects it.
    const { fake, writer } = await setup();
    const result = await writer.update({ ...update, initialContactId: 'not-a-contact' });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REJECTED', retryable: false, httpStatus: 400, awsErrorName: 'InvalidParameterException' } });
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 404 ResourceNotFoundException for an unknown contact to CONNECT_ERR_NOT_FOUND', async () => {
    const { writer } = await setup({ contacts: ['00000000-0000-4000-8000-000000000000'] });
    const result = await writer.update(update);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NOT_FOUND', retryable: false, httpStatus: 404 } });
    if (!result.ok) expect(result.error.message).toContain('Contact not found');
  });

  it('maps 404 for an unknown instance the same way', async () => {
    const { writer } = await setup({ instances: ['99999999-2222-4333-8444-555555555555'] });
    expect(await writer.update(update)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NOT_FOUND' } });
  });
});

describe('timeouts and aborts', () => {
  it('an attempt that outlives attemptTimeoutMs is retried and finally reported as CONNECT_ERR_TIMEOUT', async () => {
    const { fake, writer } = await setup({ failures: { delayMs: 5_000 } }, { maxAttempts: 2, attemptTimeoutMs: 150, totalTimeoutMs: 4_000 });
    const result = await writer.update(update);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_TIMEOUT', retryable: true, attempts: 2 } });
    expect(fake.requests).toHaveLength(2);
  });

  it('the overall deadline ends the write even when attempts have time left', async () => {
    const { writer } = await setup({ failures: { delayMs: 5_000 } }, { maxAttempts: 3, attemptTimeoutMs: 3_000, totalTimeoutMs: 200 });
    const result = await writer.update(update);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_TIMEOUT', retryable: true } });
    if (!result.ok) expect(result.error.message).toContain('200 ms deadline');
  });

  it("the caller's AbortSignal ends the write with CONNECT_ERR_ABORTED", async () => {
    const { writer } = await setup({ failures: { delayMs: 5_000 } }, { attemptTimeoutMs: 3_000 });
    const controller = new AbortController();
    const pending = writer.update(update, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_ABORTED', retryable: false } });
  });

  it('an already aborted signal sends nothing', async () => {
    const { fake, writer } = await setup();
    expect(await writer.update(update, { signal: AbortSignal.abort() })).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_ABORTED' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('a refused connection is CONNECT_ERR_NETWORK (retryable), after the allowed attempts', async () => {
    const { fake, writer } = await setup({}, { maxAttempts: 2 });
    const url = fake.url;
    await fake.close();
    writer.close();
    const w = new ContactAttributesWriter({ region: 'us-east-1', endpoint: url, credentials, retry: noJitter, maxAttempts: 2 });
    try {
      const result = await w.update(update);
      expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NETWORK', retryable: true } });
    } finally {
      w.close();
    }
  });
});

describe('local validation (nothing is sent)', () => {
  it.each([
    ['a key with a dot', { 'ai.outcome': 'x' }, "may contain only letters, digits, '-' and '_'"],
    ['an empty map', {}, 'at least one attribute'],
    ['more than 32 KB', { big: 'x'.repeat(32_768) }, '32768-byte Connect limit'],
  ])('rejects %s with CONNECT_ERR_INVALID_REQUEST', async (_label, attributes, message) => {
    const { fake, writer } = await setup();
    const result = await writer.update({ ...update, attributes });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_INVALID_REQUEST', retryable: false } });
    if (!result.ok) expect(result.error.message).toContain(message);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects a region that is not an AWS region name', async () => {
    const { writer } = await setup();
    expect(await writer.update({ ...update, region: 'moon-base' })).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_INVALID_REQUEST' } });
  });

  it('reports CONNECT_ERR_NO_TARGET without any region', async () => {
    const w = new ContactAttributesWriter({ credentials });
    expect(await w.update(update)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NO_TARGET' } });
    w.close();
  });

  it('answers CONNECT_ERR_ABORTED after close()', async () => {
    const { writer } = await setup();
    writer.close();
    writer.close();
    expect(await writer.update(update)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_ABORTED' } });
  });
});

describe('logging', () => {
  it('logs attribute names and sizes, never values or credentials', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createRootLogger('debug', sink);
    const { writer } = await setup({ failures: { throttles: 5 } }, { logger, maxAttempts: 1 });
    await writer.update({ ...update, attributes: { ai_summary: 'caller PIN is 4321' } });
    fake?.setFailures({});
    await writer.update({ ...update, attributes: { ai_summary: 'caller PIN is 4321' } });
    const text = lines.join('');
    expect(text).toContain('ai_summary');
    expect(text).toContain('contact attributes written');
    expect(text).toContain('CONNECT_ERR_THROTTLED');
    expect(text).not.toContain('4321');
    expect(text).not.toContain(SECRET_KEY);
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
