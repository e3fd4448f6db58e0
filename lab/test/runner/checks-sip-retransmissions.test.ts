/** sip-retransmissions-identical over synthetic sip.log evidence. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/runner/checks/index.js';
import { evidence, sipRecord } from './helpers/evidence.js';
import { spec } from './helpers/spec.js';

const SERVER = 'Server: connect-realtime-gateway';
const ok = (t: number, headers: string[] = [SERVER], cseq = '1 INVITE') => sipRecord(t, 'toCaller', 'SIP/2.0 200 OK', cseq, headers);
const check = spec({ check: 'sip-retransmissions-identical', status: 200, method: 'INVITE' });

describe('sip-retransmissions-identical', () => {
  it('passes when every copy of the 200 equals the first and there are at least minCopies', () => {
    const r = runCheck(check, evidence({ sip: [ok(0), ok(500), ok(1500), sipRecord(1600, 'toGateway', 'ACK sip:gw SIP/2.0', '1 ACK')] }));
    expect(r).toMatchObject({ passed: true, value: '3 identical copies', name: 'sip-retransmissions-identical 200 INVITE' });
  });

  it('fails on a retransmission that lost a header, and names the line', () => {
    const r = runCheck(check, evidence({ sip: [ok(0), ok(500, [])] }));
    expect(r.passed).toBe(false);
    expect(r.value).toBe('copy 2 of 2 differs (CSeq 1 INVITE)');
    expect(r.detail).toContain(SERVER);
  });

  it('fails when nothing was retransmitted (fewer than minCopies), so it cannot pass vacuously', () => {
    expect(runCheck(check, evidence({ sip: [ok(0)] }))).toMatchObject({ passed: false, value: '1 identical copies' });
    expect(runCheck(check, evidence({ sip: [] })).passed).toBe(false);
  });

  it('compares per transaction: a re-INVITE 200 is not a copy of the first one; other statuses and methods are ignored', () => {
    const sip = [ok(0), ok(500), ok(9000, ['Server: connect-realtime-gateway', 'Session-Expires: 90;refresher=uas'], '2 INVITE'), sipRecord(9100, 'toCaller', 'SIP/2.0 200 OK', '3 BYE')];
    expect(runCheck(check, evidence({ sip })).passed).toBe(true);
    expect(runCheck(spec({ check: 'sip-retransmissions-identical', status: 200, method: 'INVITE', minCopies: 3 }), evidence({ sip })).passed).toBe(false);
  });
});
