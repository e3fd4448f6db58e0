/**
 * Digest authentication (RFC 3261 §22.2 with RFC 7616 / RFC 8760) and CANCEL (RFC 3261 §9.1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { parseDigestCredentials } from 'connect-realtime-gateway';
import { TestUas, summary } from './helpers/test-uas.js';

let uas: TestUas | undefined;

afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

const creds = { username: 'connect', password: 's3cret', realm: 'gateway.lab' };

describe('RFC 3261 §22.2 answering a 401 digest challenge', () => {
  it('prefers SHA-256 (RFC 8760) when offered alongside MD5 and re-INVITEs with Authorization', async () => {
    uas = await TestUas.start({ transport: 'udp', challenge: { ...creds, algorithms: ['MD5', 'SHA-256'] } });
    const r = await new LabCaller({ target: uas.target, credentials: { username: 'connect', password: 's3cret' } }).run([
      { at: 100, action: { bye: true } },
    ]);
    expect(r.finalStatus).toBe(200);
    expect(r.inviteAttempts).toBe(2);
    expect(r.sip.filter((s) => s.dir !== 'in').map((s) => s.summary)).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE']);
    const invites = uas.log.filter((e) => e.dir === 'in' && summary(e.msg) === 'INVITE').map((e) => e.msg);
    expect(invites[0]!.headers.has('authorization')).toBe(false);
    const p = parseDigestCredentials(invites[1]!.headers.get('authorization') ?? '')!;
    expect(p.get('algorithm')).toBe('SHA-256');
    expect(p.get('realm')).toBe('gateway.lab');
    expect(p.get('qop')).toBe('auth');
    expect(p.get('opaque')).toBe('op');
    // Same dialog identifiers, a higher CSeq (§22.2: the retry is a new request of the same call).
    expect(invites[1]!.headers.get('call-id')).toBe(invites[0]!.headers.get('call-id'));
    expect(invites[1]!.headers.get('from')).toBe(invites[0]!.headers.get('from'));
    const seq = (i: number): number => Number(invites[i]!.headers.get('cseq')!.split(' ')[0]);
    expect(seq(1)).toBe(seq(0) + 1);
  });

  it('answers an MD5-only challenge when MD5 is allowed', async () => {
    uas = await TestUas.start({ transport: 'tcp', challenge: { ...creds, algorithms: ['MD5'] } });
    const r = await new LabCaller({ target: uas.target, transport: 'tcp', credentials: { username: 'connect', password: 's3cret' } }).run([
      { at: 100, action: { bye: true } },
    ]);
    expect(r.finalStatus).toBe(200);
    const last = uas.log.filter((e) => e.dir === 'in' && summary(e.msg) === 'INVITE').at(-1)!.msg;
    expect(parseDigestCredentials(last.headers.get('authorization') ?? '')?.get('algorithm')).toBe('MD5');
  });

  it('gives up on a wrong password after one retry (the 401/403 is final)', async () => {
    uas = await TestUas.start({ transport: 'udp', challenge: { ...creds, algorithms: ['SHA-256'] } });
    const r = await new LabCaller({ target: uas.target, credentials: { username: 'connect', password: 'wrong' } }).run([]);
    expect(r.answered).toBe(false);
    expect(r.finalStatus).toBe(401);
    expect(r.inviteAttempts).toBe(2);
    expect(r.endReason).toBe('rejected');
  });

  it('refuses to use MD5 when only SHA-256 is allowed', async () => {
    uas = await TestUas.start({ transport: 'udp', challenge: { ...creds, algorithms: ['MD5'] } });
    const r = await new LabCaller({ target: uas.target, credentials: { username: 'connect', password: 's3cret', algorithms: ['SHA-256'] } }).run([]);
    expect(r.inviteAttempts).toBe(1);
    expect(r.finalStatus).toBe(401);
    expect(r.notes.join('\n')).toMatch(/no usable challenge/);
  });
});

describe('RFC 3261 §9.1 CANCEL before the answer', () => {
  it('CANCELs after the 180, gets 487 for the INVITE and ACKs it', async () => {
    uas = await TestUas.start({ transport: 'udp', neverAnswer: true });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 150, action: { cancel: true } }]);
    expect(r.endReason).toBe('cancelled');
    expect(r.finalStatus).toBe(487);
    expect(r.answered).toBe(false);
    expect(r.timings.cancelToFinalMs).toBeDefined();
    expect(r.sip.filter((s) => s.dir === 'out').map((s) => s.summary)).toEqual(['INVITE', 'CANCEL', 'ACK']);
    const invite = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')!.msg;
    const cancel = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'CANCEL')!.msg;
    // §9.1: CANCEL shares the INVITE's Request-URI, top Via, Call-ID, From, To and CSeq number.
    expect(cancel.type === 'request' && invite.type === 'request' && cancel.uri === invite.uri).toBe(true);
    for (const h of ['via', 'call-id', 'from', 'to']) expect(cancel.headers.get(h)).toBe(invite.headers.get(h));
    expect(cancel.headers.get('cseq')).toBe(invite.headers.get('cseq')!.replace('INVITE', 'CANCEL'));
    expect(uas.count('out', '200 CANCEL')).toBe(1);
    expect(r.actions[0]).toMatchObject({ kind: 'cancel', outcome: 'done' });
  });

  it('waits for a provisional response before sending CANCEL (cancel at 0 ms)', async () => {
    uas = await TestUas.start({ transport: 'tcp', neverAnswer: true });
    const r = await new LabCaller({ target: uas.target, transport: 'tcp' }).run([{ at: 0, action: { cancel: true } }]);
    expect(r.endReason).toBe('cancelled');
    const out = r.sip.filter((s) => s.dir !== 'dropped');
    const cancelAt = out.findIndex((s) => s.dir === 'out' && s.summary === 'CANCEL');
    const firstProvisional = out.findIndex((s) => s.dir === 'in' && /^1\d\d INVITE$/.test(s.summary));
    expect(firstProvisional).toBeGreaterThanOrEqual(0);
    expect(cancelAt).toBeGreaterThan(firstProvisional);
  });

  it('cancels on its own when no answer comes within answerTimeoutMs', async () => {
    uas = await TestUas.start({ transport: 'udp', neverAnswer: true });
    const r = await new LabCaller({ target: uas.target, answerTimeoutMs: 200 }).run([]);
    expect(r.endReason).toBe('cancelled');
    expect(r.notes.join('\n')).toMatch(/no final answer within 200 ms/);
  });
});
