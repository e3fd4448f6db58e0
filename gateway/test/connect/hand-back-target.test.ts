import { describe, expect, it } from 'vitest';
import type { ConnectCallContext } from '../../src/connect/context.js';
import { readConnectApiConfig } from '../../src/connect/connect-api-config.js';
import { handBackContact } from '../../src/connect/hand-back.js';
import { resolveHandBackTarget } from '../../src/connect/hand-back-target.js';
import { ContactAttributesWriter } from '../../src/connect/contact-attributes-writer.js';

const INSTANCE = '11111111-2222-4333-8444-555555555555';
const OTHER_INSTANCE = '99999999-2222-4333-8444-555555555555';
const CONTACT = '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e';
const INITIAL = '0f0e0d0c-0b0a-4908-8706-050403020100';

const context = (over: Partial<ConnectCallContext> = {}): ConnectCallContext => ({
  headers: {},
  contactId: CONTACT,
  sourceArn: `arn:aws:connect:eu-west-2:123456789012:instance/${INSTANCE}/contact/${CONTACT}`,
  instanceId: INSTANCE,
  region: 'eu-west-2',
  ...over,
});

describe('resolveHandBackTarget', () => {
  it('takes instance and region from X-Amzn-SourceArn, and the contact id as the initial contact', () => {
    expect(resolveHandBackTarget(context(), {})).toEqual({ ok: true, value: { instanceId: INSTANCE, initialContactId: CONTACT, region: 'eu-west-2' } });
  });

  it('prefers X-Amzn-ConnectInitialContactId for UpdateContactAttributes', () => {
    const r = resolveHandBackTarget(context({ initialContactId: INITIAL }), {});
    expect(r.ok && r.value.initialContactId).toBe(INITIAL);
  });

  it('a configured instance wins; the ARN region still applies when the ARN names that instance', () => {
    expect(resolveHandBackTarget(context(), { instanceId: INSTANCE, region: 'us-east-1' })).toMatchObject({ ok: true, value: { instanceId: INSTANCE, region: 'eu-west-2' } });
    expect(resolveHandBackTarget(context(), { instanceId: OTHER_INSTANCE, region: 'us-east-1' })).toMatchObject({ ok: true, value: { instanceId: OTHER_INSTANCE, region: 'us-east-1' } });
  });

  it('falls back to X-Amzn-TargetArn when SourceArn gave nothing', () => {
    const ctx: ConnectCallContext = { headers: {}, contactId: CONTACT, targetArn: `arn:aws:connect:ap-northeast-1:123456789012:instance/${INSTANCE}` };
    expect(resolveHandBackTarget(ctx, {})).toEqual({ ok: true, value: { instanceId: INSTANCE, initialContactId: CONTACT, region: 'ap-northeast-1' } });
  });

  it.each([
    ['no instance anywhere', { headers: {}, contactId: CONTACT }, {}, 'no Connect instance id'],
    ['no contact id', { headers: {}, instanceId: INSTANCE, region: 'us-east-1' }, {}, 'no contact id'],
    ['no region', { headers: {}, contactId: CONTACT }, { instanceId: INSTANCE }, 'no AWS region'],
  ])('CONNECT_ERR_NO_TARGET with %s', (_label, ctx, cfg, message) => {
    const r = resolveHandBackTarget(ctx as ConnectCallContext, cfg);
    expect(r).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NO_TARGET', retryable: false } });
    if (!r.ok) expect(r.error.message).toContain(message);
  });
});

describe('handBackContact', () => {
  it('reports a missing target without calling Connect, still returning the attributes it built', async () => {
    const writer = new ContactAttributesWriter({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    const report = await handBackContact(writer, { headers: {} }, {}, { outcome: 'ai_unavailable', summary: '', reason: 'realtime down', at: 0 });
    expect(report.result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NO_TARGET' } });
    expect(report.attributes).toMatchObject({ ai_outcome: 'ai_unavailable', ai_reason: 'realtime down', ai_handback_at: '1970-01-01T00:00:00.000Z' });
    expect(report.target).toBeUndefined();
    writer.close();
  });
});

describe('readConnectApiConfig', () => {
  it('defaults: no region, no endpoint, 3 attempts, 1500 ms per attempt, 4000 ms in all', () => {
    expect(readConnectApiConfig({})).toEqual({ ok: true, value: { maxAttempts: 3, attemptTimeoutMs: 1500, totalTimeoutMs: 4000 } });
  });

  it('reads every variable', () => {
    const r = readConnectApiConfig({
      AWS_REGION: 'eu-central-1',
      AMAZON_CONNECT_ENDPOINT: 'http://127.0.0.1:8090',
      AMAZON_CONNECT_INSTANCE_ID: INSTANCE,
      AMAZON_CONNECT_MAX_ATTEMPTS: '5',
      AMAZON_CONNECT_ATTEMPT_TIMEOUT_MS: '800',
      AMAZON_CONNECT_TIMEOUT_MS: '3000',
    });
    expect(r).toEqual({
      ok: true,
      value: { region: 'eu-central-1', endpoint: 'http://127.0.0.1:8090', instanceId: INSTANCE, maxAttempts: 5, attemptTimeoutMs: 800, totalTimeoutMs: 3000 },
    });
  });

  it('accepts an instance ARN, taking its region when AWS_REGION is unset', () => {
    const r = readConnectApiConfig({ AMAZON_CONNECT_INSTANCE_ID: `arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE}` });
    expect(r).toMatchObject({ ok: true, value: { instanceId: INSTANCE, region: 'us-west-2' } });
  });

  it('reports each bad variable on its own line, naming it', () => {
    const r = readConnectApiConfig({ AWS_REGION: 'Virginia', AMAZON_CONNECT_ENDPOINT: 'ftp://x', AMAZON_CONNECT_INSTANCE_ID: 'has space', AMAZON_CONNECT_MAX_ATTEMPTS: '0', AMAZON_CONNECT_TIMEOUT_MS: 'soon' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((p) => p.split(':')[0])).toEqual([
      'AMAZON_CONNECT_MAX_ATTEMPTS',
      'AMAZON_CONNECT_TIMEOUT_MS',
      'AWS_REGION',
      'AMAZON_CONNECT_ENDPOINT',
      'AMAZON_CONNECT_INSTANCE_ID',
    ]);
  });
});
