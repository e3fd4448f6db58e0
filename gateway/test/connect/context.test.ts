import { describe, expect, it } from 'vitest';
import { parseConnectContext } from '../../src/connect/context.js';
import { parseMessage, type SipRequest } from '../../src/sip/message/index.js';

const CONTACT_ID = '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e';
const INITIAL_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const INSTANCE_ID = 'aaaabbbb-cccc-4ddd-8eee-ffff00001111';
const SOURCE_ARN = `arn:aws:connect:us-east-1:123456789012:instance/${INSTANCE_ID}/contact/${CONTACT_ID}`;
const TARGET_ARN = 'arn:aws:chime:us-east-1:123456789012:vc/abcdefghijklmnopqrstuv';

const UUI_JSON = { contactId: CONTACT_ID, customerPhoneNumber: '+15551230001', queueName: 'Billing', intent: 'réclamation' };
const UUI_HEX = Buffer.from(JSON.stringify(UUI_JSON), 'utf8').toString('hex');

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 20000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** An INVITE shaped like what a Chime Voice Connector sends for a Connect external voice transfer. */
function connectInvite(extra: string[] = [], opts: { from?: string; to?: string; ruri?: string } = {}): SipRequest {
  const lines = [
    `INVITE ${opts.ruri ?? 'sip:+15550009999@127.0.0.1:5060;transport=udp'} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-connect-1;rport',
    'Max-Forwards: 69',
    `From: ${opts.from ?? '<sip:+15551230001@127.0.0.2:5060>;tag=gK0a1b2c3d'}`,
    `To: ${opts.to ?? '<sip:+15550009999@127.0.0.1:5060>'}`,
    'Call-ID: 8c6e4c1a-connect@127.0.0.2',
    'CSeq: 1 INVITE',
    'Contact: <sip:+15551230001@127.0.0.2:5060;transport=udp>',
    'Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE',
    'Supported: timer, replaces',
    `X-Amzn-ConnectContactId: ${CONTACT_ID}`,
    `X-Amzn-ConnectInitialContactId: ${INITIAL_ID}`,
    'X-Amzn-SourceAccount: 123456789012',
    `X-Amzn-SourceArn: ${SOURCE_ARN}`,
    `X-Amzn-TargetArn: ${TARGET_ARN}`,
    ...extra,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ];
  const r = parseMessage(Buffer.from(lines.join('\r\n')));
  if (!r.ok || r.value.type !== 'request') throw new Error(r.ok ? 'not a request' : r.error.reason);
  return r.value;
}

describe('Amazon Connect context from the INVITE', () => {
  it('reads contact ids, ARNs, instance, region, numbers and hex JSON UUI (RFC 7433)', () => {
    const { context, problems } = parseConnectContext(connectInvite([`User-to-User: ${UUI_HEX};encoding=hex`]));
    expect(problems).toEqual([]);
    expect(context).toEqual({
      contactId: CONTACT_ID,
      initialContactId: INITIAL_ID,
      sourceAccount: '123456789012',
      sourceArn: SOURCE_ARN,
      targetArn: TARGET_ARN,
      instanceId: INSTANCE_ID,
      region: 'us-east-1',
      callerNumber: '+15551230001',
      dialledNumber: '+15550009999',
      uui: { raw: UUI_HEX, encoding: 'hex', text: JSON.stringify(UUI_JSON), json: UUI_JSON },
      headers: {
        'X-Amzn-ConnectContactId': CONTACT_ID,
        'X-Amzn-ConnectInitialContactId': INITIAL_ID,
        'X-Amzn-SourceAccount': '123456789012',
        'X-Amzn-SourceArn': SOURCE_ARN,
        'X-Amzn-TargetArn': TARGET_ARN,
      },
    });
  });

  it('keeps X-Amzn-* header names verbatim, whatever their case, and any X-Amzn-* we do not know', () => {
    const req = connectInvite(['x-amzn-someFutureThing: value with spaces']);
    const { context } = parseConnectContext(req);
    expect(context.headers['x-amzn-someFutureThing']).toBe('value with spaces');
  });

  it('accepts uppercase hex, the other parameters of RFC 7433, and a quoted uui-data', () => {
    const upper = UUI_HEX.toUpperCase();
    const a = parseConnectContext(connectInvite([`User-to-User: ${upper};encoding=hex;purpose=isdn-uui;content=isdn-uui`]));
    expect(a.problems).toEqual([]);
    expect(a.context.uui?.json).toEqual(UUI_JSON);
    const b = parseConnectContext(connectInvite([`User-to-User: "${UUI_HEX}";encoding=hex`]));
    expect(b.context.uui?.json).toEqual(UUI_JSON);
  });

  it('keeps plain UUI as text, and as JSON when it is a JSON object', () => {
    const plain = parseConnectContext(connectInvite(['User-to-User: order-12345']));
    expect(plain.problems).toEqual([]);
    expect(plain.context.uui).toEqual({ raw: 'order-12345', encoding: 'plain', text: 'order-12345' });
    const json = parseConnectContext(connectInvite(['User-to-User: "{\\"k\\":1}"']));
    expect(json.context.uui).toEqual({ raw: '{"k":1}', encoding: 'plain', text: '{"k":1}', json: { k: 1 } });
  });

  it('reports malformed hex, non-UTF-8 bytes and bad JSON, and the call context is still returned', () => {
    const badHex = parseConnectContext(connectInvite(['User-to-User: 7b2g;encoding=hex']));
    expect(badHex.problems).toEqual(['User-to-User is not valid hex: 7b2g']);
    expect(badHex.context.uui).toEqual({ raw: '7b2g', encoding: 'hex' });
    expect(badHex.context.contactId).toBe(CONTACT_ID);

    const oddLength = parseConnectContext(connectInvite(['User-to-User: 7b2;encoding=hex']));
    expect(oddLength.problems).toEqual(['User-to-User is not valid hex: 7b2']);

    const notUtf8 = parseConnectContext(connectInvite(['User-to-User: 7bff22;encoding=hex'])); // 0xff never occurs in UTF-8
    expect(notUtf8.problems).toEqual(['User-to-User bytes are not valid UTF-8']);
    expect(notUtf8.context.uui?.text).toBeUndefined();

    const badJson = Buffer.from('{"contactId": ', 'utf8').toString('hex');
    const r = parseConnectContext(connectInvite([`User-to-User: ${badJson};encoding=hex`]));
    expect(r.problems).toEqual(['User-to-User text looks like JSON but does not parse']);
    expect(r.context.uui?.text).toBe('{"contactId": ');
    expect(r.context.uui?.json).toBeUndefined();

    const array = Buffer.from('[1,2]', 'utf8').toString('hex');
    expect(parseConnectContext(connectInvite([`User-to-User: ${array};encoding=hex`])).problems).toEqual([
      'User-to-User JSON is not an object',
    ]);
  });

  it('reports ids that are not UUIDs and an unreadable SourceArn, without rejecting', () => {
    const req = connectInvite([]);
    req.headers.set('X-Amzn-ConnectContactId', 'not-a-uuid');
    req.headers.set('X-Amzn-SourceArn', 'arn:aws:s3:::bucket');
    req.headers.set('X-Amzn-SourceAccount', '12345');
    const { context, problems } = parseConnectContext(req);
    expect(context.contactId).toBe('not-a-uuid');
    expect(context.instanceId).toBeUndefined();
    expect(context.region).toBeUndefined();
    expect(problems).toEqual([
      'X-Amzn-ConnectContactId is not a UUID: not-a-uuid',
      'X-Amzn-SourceAccount is not a 12-digit account id: 12345',
      'X-Amzn-SourceArn is not an Amazon Connect instance ARN: arn:aws:s3:::bucket',
    ]);
  });

  it('reads other partitions and notices an account mismatch between SourceAccount and SourceArn', () => {
    const req = connectInvite([]);
    req.headers.set('X-Amzn-SourceArn', `arn:aws-us-gov:connect:us-gov-west-1:210987654321:instance/${INSTANCE_ID}`);
    const { context, problems } = parseConnectContext(req);
    expect([context.region, context.instanceId]).toEqual(['us-gov-west-1', INSTANCE_ID]);
    expect(problems).toEqual(['X-Amzn-SourceAccount 123456789012 differs from the SourceArn account 210987654321']);
  });

  it('takes the caller from P-Asserted-Identity when From is anonymous (RFC 3325)', () => {
    const req = connectInvite(['P-Asserted-Identity: "Customer" <sip:+15551230002@127.0.0.2>, <tel:+15551230002>'], {
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=x1',
    });
    expect(parseConnectContext(req).context.callerNumber).toBe('+15551230002');
    const tel = connectInvite(['P-Asserted-Identity: <tel:+1-555-123-0003>'], { from: '<sip:anonymous@anonymous.invalid>;tag=x2' });
    expect(parseConnectContext(tel).context.callerNumber).toBe('+1-555-123-0003');
  });

  it('unescapes the numbers, and falls back to the Request-URI user when To has none', () => {
    const req = connectInvite([], { from: '<sip:%2B15551230001@127.0.0.2>;tag=a', to: '<sip:127.0.0.1>', ruri: 'sip:%2B15550001111@127.0.0.1' });
    const { context } = parseConnectContext(req);
    expect(context.callerNumber).toBe('+15551230001');
    expect(context.dialledNumber).toBe('+15550001111');
  });

  it('returns only the numbers for a plain SIP INVITE with no Connect headers', () => {
    const r = parseMessage(
      Buffer.from(
        'INVITE sip:agent@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK1\r\nFrom: <sip:127.0.0.2>;tag=1\r\n' +
          'To: <sip:127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    if (!r.ok || r.value.type !== 'request') throw new Error('parse');
    expect(parseConnectContext(r.value)).toEqual({ context: { dialledNumber: 'agent', headers: {} }, problems: [] });
  });

  it('reports a repeated X-Amzn header and a second User-to-User value, keeping the first', () => {
    const req = connectInvite([`X-Amzn-ConnectContactId: ${INITIAL_ID}`, 'User-to-User: one', 'User-to-User: two']);
    const { context, problems } = parseConnectContext(req);
    expect(context.contactId).toBe(CONTACT_ID);
    expect(context.uui?.text).toBe('one');
    expect(problems).toEqual(['X-Amzn-ConnectContactId appears more than once; the first value is kept', '2 User-to-User values; only the first is read']);
  });
});
