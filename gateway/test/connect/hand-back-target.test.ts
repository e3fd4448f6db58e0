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

const ONLY = { instances: [{ instanceId: INSTANCE }] };
const FOREIGN_ARN = `arn:aws:connect:ap-southeast-2:210987654321:instance/${OTHER_INSTANCE}/contact/${CONTACT}`;

describe('resolveHandBackTarget', () => {
  it('writes nowhere when no instance is configured, whatever X-Amzn-SourceArn names', () => {
    expect(resolveHandBackTarget(context(), { instances: [] })).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NOT_CONFIGURED' } });
    expect(resolveHandBackTarget(context({ sourceArn: FOREIGN_ARN }), { instances: [] })).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NOT_CONFIGURED' } });
  });

  it('takes the region from X-Amzn-SourceArn when it names the configured instance, and the contact id as the initial contact', () => {
    expect(resolveHandBackTarget(context(), { ...ONLY, region: 'us-east-1' })).toEqual({ ok: true, value: { instanceId: INSTANCE, initialContactId: CONTACT, region: 'eu-west-2' } });
  });

  it('prefers X-Amzn-ConnectInitialContactId for UpdateContactAttributes', () => {
    const r = resolveHandBackTarget(context({ initialContactId: INITIAL }), ONLY);
    expect(r.ok && r.value.initialContactId).toBe(INITIAL);
  });

  it('refuses a contact ARN naming another instance, region or account (confused deputy)', () => {
    const foreign = resolveHandBackTarget(context({ sourceArn: FOREIGN_ARN }), { ...ONLY, region: 'us-east-1' });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED', retryable: false } });
    if (!foreign.ok) expect(foreign.error.message).toContain(`instance ${OTHER_INSTANCE} is not a configured instance`);
    const pinned = { instances: [{ instanceId: INSTANCE, region: 'us-west-2', account: '123456789012' }] };
    expect(resolveHandBackTarget(context(), pinned)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED', message: expect.stringContaining('region eu-west-2') } });
    const otherAccount = context({ sourceArn: `arn:aws:connect:us-west-2:999999999999:instance/${INSTANCE}` });
    expect(resolveHandBackTarget(otherAccount, pinned)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED', message: expect.stringContaining('account 999999999999') } });
    expect(resolveHandBackTarget(context({ sourceArn: `arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE}` }), pinned)).toMatchObject({
      ok: true,
      value: { instanceId: INSTANCE, region: 'us-west-2' },
    });
  });

  it('refuses malformed header values: a non-ARN SourceArn, a contact id that is not a UUID', () => {
    const badArn = resolveHandBackTarget(context({ sourceArn: `arn:aws:connect:EVIL:1:instance/${'x'.repeat(10_000)}` }), ONLY);
    expect(badArn).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED' } });
    if (!badArn.ok) expect(badArn.error.message.length).toBeLessThan(400); // the header is quoted cut
    expect(resolveHandBackTarget(context({ contactId: '../../contact/x' }), ONLY)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED', message: expect.stringContaining('not a UUID') } });
  });

  it('without a contact ARN: the one configured instance, or a refusal when several are configured', () => {
    const bare: ConnectCallContext = { headers: {}, contactId: CONTACT };
    expect(resolveHandBackTarget(bare, { ...ONLY, region: 'us-east-1' })).toEqual({ ok: true, value: { instanceId: INSTANCE, initialContactId: CONTACT, region: 'us-east-1' } });
    const two = { instances: [{ instanceId: INSTANCE }, { instanceId: OTHER_INSTANCE }], region: 'us-east-1' };
    expect(resolveHandBackTarget(bare, two)).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_REFUSED' } });
    expect(resolveHandBackTarget(context({ sourceArn: FOREIGN_ARN }), two)).toMatchObject({ ok: true, value: { instanceId: OTHER_INSTANCE, region: 'ap-southeast-2' } });
  });

  it('falls back to X-Amzn-TargetArn when SourceArn is absent', () => {
    const ctx: ConnectCallContext = { headers: {}, contactId: CONTACT, targetArn: `arn:aws:connect:ap-northeast-1:123456789012:instance/${INSTANCE}` };
    expect(resolveHandBackTarget(ctx, ONLY)).toEqual({ ok: true, value: { instanceId: INSTANCE, initialContactId: CONTACT, region: 'ap-northeast-1' } });
  });

  it.each([
    ['no contact id', { headers: {} }, ONLY, 'no contact id'],
    ['no region', { headers: {}, contactId: CONTACT }, ONLY, 'no AWS region'],
  ])('CONNECT_ERR_NO_TARGET with %s', (_label, ctx, cfg, message) => {
    const r = resolveHandBackTarget(ctx as ConnectCallContext, cfg);
    expect(r).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NO_TARGET', retryable: false } });
    if (!r.ok) expect(r.error.message).toContain(message);
  });
});

describe('handBackContact', () => {
  it('reports a missing target without calling Connect, still returning the attributes it built', async () => {
    const writer = new ContactAttributesWriter({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    const report = await handBackContact(writer, { headers: {} }, ONLY, { outcome: 'ai_unavailable', summary: '', reason: 'realtime down', at: 0 });
    expect(report.result).toMatchObject({ ok: false, error: { code: 'CONNECT_ERR_NO_TARGET' } });
    expect(report.attributes).toMatchObject({ ai_outcome: 'ai_unavailable', ai_reason: 'realtime down', ai_handback_at: '1970-01-01T00:00:00.000Z' });
    expect(report.target).toBeUndefined();
    writer.close();
  });
});

describe('readConnectApiConfig', () => {
  it('defaults: no region, no endpoint, 3 attempts, 1500 ms per attempt, 4000 ms in all', () => {
    expect(readConnectApiConfig({})).toEqual({ ok: true, value: { maxAttempts: 3, attemptTimeoutMs: 1500, totalTimeoutMs: 4000, instances: [] } });
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
      value: { region: 'eu-central-1', endpoint: 'http://127.0.0.1:8090', instances: [{ instanceId: INSTANCE }], maxAttempts: 5, attemptTimeoutMs: 800, totalTimeoutMs: 3000 },
    });
  });

  it('accepts instance ARNs (pinning region and account) and ids, as a comma list', () => {
    const r = readConnectApiConfig({ AMAZON_CONNECT_INSTANCE_ID: ` arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE}, ${OTHER_INSTANCE}` });
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({ instances: [{ instanceId: INSTANCE, region: 'us-west-2', account: '123456789012' }, { instanceId: OTHER_INSTANCE }] }),
    });
    expect(readConnectApiConfig({ AMAZON_CONNECT_INSTANCE_ID: Array.from({ length: 17 }, () => INSTANCE).join(',') }).ok).toBe(false);
    expect(readConnectApiConfig({ AMAZON_CONNECT_INSTANCE_ID: `${INSTANCE},arn:aws:connect:Mars:1:instance/x` }).ok).toBe(false);
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
