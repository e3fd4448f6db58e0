/**
 * PROTOS c07-sip robustness: all 4,527 malformed INVITEs (and their CANCEL teardowns) go through
 * parseMessage + checkRequest and through a StreamFramer. PROTOS' criterion is robustness — no
 * throw, no hang — plus: the valid reference (case 0) is accepted, every rejection is a typed
 * error with a stable code and a reason, and oversize PDUs get 413.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOS_CASE_COUNT,
  PROTOS_GROUPS,
  extractProtosArchive,
  fillPlaceholders,
  loadProtosCases,
  splitCase,
  type ProtosCase,
  type ProtosValues,
} from '../../../../lab/src/conformance/protos.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  StreamFramer,
  checkRequest,
  parseMessage,
  responseForParseError,
  serializeMessage,
  type ParseResult,
} from '../../../src/sip/message/index.js';
import { readFileSync } from 'node:fs';
import { GATEWAY_POLICY, PROTOS_DIR } from './corpora.js';

function values(index: number): ProtosValues {
  return {
    to: 'gw@127.0.0.1:5060',
    from: 'protos@127.0.0.1',
    fromAddress: '127.0.0.1',
    fromIp: '127.0.0.1',
    localPort: 5070,
    branchId: String(index),
    callId: `protos-${index}`,
    cseq: index + 1,
    teardownMethod: 'CANCEL',
  };
}

/** Everything the gateway's receive path does with a datagram that involves this layer. */
function process(pdu: Buffer): ParseResult {
  const r = parseMessage(pdu);
  if (r.ok && r.value.type === 'request') checkRequest(r.value, GATEWAY_POLICY);
  if (!r.ok) responseForParseError(r.error, 'tag');
  if (r.ok) serializeMessage(r.value);
  return r;
}

describe('PROTOS c07-sip case format', () => {
  it('splits "<len> <pdu><len> <pdu>" and rejects a corrupted file', () => {
    expect(splitCase(Buffer.from('3 abc2 de'))).toEqual({ invite: Buffer.from('abc'), teardown: Buffer.from('de') });
    expect(splitCase(Buffer.from('3 abc2 def'))).toBeUndefined(); // trailing byte
    expect(splitCase(Buffer.from('9 abc2 de'))).toBeUndefined(); // length past the end
    expect(splitCase(Buffer.from('x abc'))).toBeUndefined();
  });

  it('fills placeholders byte-exactly and computes Content-Length last', () => {
    const pdu = Buffer.concat([
      Buffer.from('INVITE sip:<To> SIP/2.0\r\nCall-ID: <Call-ID>@<From-Address>\r\nContent-Length: <Content-Length>\r\n\r\n'),
      Buffer.from([0x00, 0xff, 0x0a]), // arbitrary octets in the body survive
      Buffer.from('c=IN IP4 <From-IP>\r\n'),
    ]);
    const out = fillPlaceholders(pdu, values(7));
    const text = out.toString('latin1');
    expect(text).toContain('INVITE sip:gw@127.0.0.1:5060 SIP/2.0\r\n');
    expect(text).toContain('Call-ID: protos-7@127.0.0.1\r\n');
    const body = out.subarray(out.indexOf('\r\n\r\n') + 4);
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0x00, 0xff, 0x0a]));
    expect(text).toContain(`Content-Length: ${body.length}\r\n`);
    expect(body.toString('latin1')).toBe('\x00\xff\nc=IN IP4 127.0.0.1\r\n');
  });

  it('has the group table of groups.json', () => {
    const json = JSON.parse(readFileSync(join(PROTOS_DIR, 'groups.json'), 'utf8')) as Array<{ name: string; first: number; count: number }>;
    expect(PROTOS_GROUPS).toEqual(json.map(({ name, first, count }) => ({ name, first, count })));
    expect(PROTOS_GROUPS.reduce((n, g) => n + g.count, 0)).toBe(PROTOS_CASE_COUNT);
  });
});

describe('PROTOS c07-sip: every case through parseMessage, checkRequest and StreamFramer', () => {
  let workDir = '';
  const cases: ProtosCase[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'protos-c07-'));
    const dir = await extractProtosArchive(join(PROTOS_DIR, 'protos-c07-sip-cases.tar.gz'), workDir);
    for await (const c of loadProtosCases(dir)) cases.push(c);
  }, 60_000);

  afterAll(async () => {
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  });

  it('loads all 4,527 cases in index order with their groups', () => {
    expect(cases).toHaveLength(PROTOS_CASE_COUNT);
    expect(cases.map((c) => c.index)).toEqual([...Array(PROTOS_CASE_COUNT).keys()]);
    expect(cases[0]?.group).toBe('valid');
    expect(cases[4526]?.group).toBe('sdp-attribute-clockrate');
    expect(cases.every((c) => c.group !== 'unknown')).toBe(true);
  });

  it('case 0 (the valid reference INVITE) parses and passes every stateless check', () => {
    const c = cases[0];
    if (c === undefined) throw new Error('no case 0');
    const r = parseMessage(fillPlaceholders(c.invite, values(0)));
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.type !== 'request') return;
    expect(r.value.method).toBe('INVITE');
    expect(checkRequest(r.value, GATEWAY_POLICY)).toBeUndefined();
    const cancel = parseMessage(fillPlaceholders(c.teardown, values(0)));
    expect(cancel.ok && cancel.value.type === 'request' && cancel.value.method).toBe('CANCEL');
  });

  it('never throws, types every rejection, and answers oversize PDUs with 413', () => {
    const statuses = new Map<number, number>();
    let accepted = 0;
    let worstMs = 0;
    for (const c of cases) {
      const invite = fillPlaceholders(c.invite, values(c.index));
      const t0 = performance.now();
      const r = process(invite);
      process(fillPlaceholders(c.teardown, values(c.index)));
      worstMs = Math.max(worstMs, performance.now() - t0);
      if (r.ok) {
        accepted++;
        continue;
      }
      expect(r.error.code).toMatch(/^SIP_ERR_[A-Z_]+$/);
      expect(r.error.reason.length).toBeGreaterThan(0);
      expect([400, 413]).toContain(r.error.status);
      if (invite.length > DEFAULT_MAX_MESSAGE_SIZE) expect(r.error.status).toBe(413);
      statuses.set(r.error.status, (statuses.get(r.error.status) ?? 0) + 1);
    }
    // Measured, reported, not asserted (no wall-clock asserts): see the report.
    console.info(`PROTOS: ${accepted} parsed, rejected by status ${JSON.stringify([...statuses])}, worst case ${worstMs.toFixed(2)} ms`);
    expect(accepted + [...statuses.values()].reduce((a, b) => a + b, 0)).toBe(PROTOS_CASE_COUNT);
  });

  it('frames every case over a stream too; a PDU that parses as a datagram is the same first message', () => {
    for (const c of cases) {
      const invite = fillPlaceholders(c.invite, values(c.index));
      const results = new StreamFramer().push(invite);
      const datagram = parseMessage(invite);
      // Without a (valid) Content-Length a datagram's body is "the rest", a stream's is refused:
      // only framed datagrams are comparable.
      if (!datagram.ok || !datagram.value.headers.has('content-length')) continue;
      const first = results[0];
      expect(first?.ok, `case ${c.index}`).toBe(true);
      if (first?.ok) expect(serializeMessage(first.value)).toEqual(serializeMessage(datagram.value));
    }
  });

  it('rejects every case of the groups that mutate what a UAS must understand', () => {
    // In these groups each mutation breaks the method, version, a Via/To/Contact delimiter, the
    // CSeq method or the body type: parse or checkRequest must refuse every single case.
    const allRejected = [
      'sip-method', 'sip-version', 'sip-via-hostcolon', 'sip-via-tag', 'sip-contact-left-paranthesis',
      'sip-contact-right-paranthesis', 'sip-to', 'sip-to-left-paranthesis', 'sip-to-right-paranthesis',
      'sip-cseq-string', 'sip-content-type',
    ];
    for (const name of allRejected) {
      const accepted = cases
        .filter((c) => c.group === name)
        .filter((c) => {
          const r = parseMessage(fillPlaceholders(c.invite, values(c.index)));
          return r.ok && r.value.type === 'request' && checkRequest(r.value, GATEWAY_POLICY) === undefined;
        })
        .map((c) => c.index);
      expect(accepted, name).toEqual([]);
    }
  });
});
