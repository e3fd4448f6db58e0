/**
 * Mid-call signalling: hold and resume by re-INVITE (RFC 3264 §8.4), the gateway's own re-INVITEs
 * (with and without an offer, RFC 3261 §14), session timers (RFC 4028) and OPTIONS pings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { TestUas, summary } from './helpers/test-uas.js';

let uas: TestUas | undefined;

afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

function originVersion(sdp: string): number {
  return Number(/^o=\S+ \S+ (\d+) /m.exec(sdp)?.[1]);
}

describe('RFC 3264 §8.4 hold and resume', () => {
  it('re-INVITEs with a=sendonly, then a=sendrecv, bumping the o= version each time', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 100, action: { hold: true } },
      { at: 400, action: { resume: true } },
      { at: 700, action: { bye: true } },
    ]);
    expect(r.actions.map((a) => [a.kind, a.outcome])).toEqual([['hold', 'done'], ['resume', 'done'], ['bye', 'done']]);
    expect(uas.reofferDirections).toEqual(['sendonly', 'sendrecv']);
    const offers = uas.log.filter((e) => e.dir === 'in' && summary(e.msg) === 'INVITE').map((e) => e.msg.body.toString());
    expect(offers.map(originVersion)).toEqual([0, 1, 2]);
    expect(r.negotiated?.direction).toBe('sendrecv');
    // On hold we still send (sendonly): the stream never stopped.
    expect(r.rtpSent.length).toBeGreaterThan(25);
  });
});

describe('RFC 3261 §14.2 the gateway re-INVITEs', () => {
  it('answers a sendonly offer with recvonly and stops sending', async () => {
    uas = await TestUas.start({ transport: 'udp', reinvite: { afterMs: 150, direction: 'sendonly' } });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 600, action: { bye: true } }]);
    expect(uas.reinviteAnswer).toMatch(/a=recvonly/);
    expect(r.negotiated?.direction).toBe('recvonly');
    const after = uas.rtp.filter((p) => p.t > uas!.reinviteSentAt! + 60);
    expect(after).toHaveLength(0);
  });

  it('offers in the 200 to an offer-less re-INVITE and takes the answer from the ACK', async () => {
    uas = await TestUas.start({ transport: 'udp', reinvite: { afterMs: 150, withoutSdp: true } });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 500, action: { bye: true } }]);
    expect(uas.reinviteAnswer).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
    expect(r.negotiated?.direction).toBe('sendrecv');
    expect(r.notes.filter((n) => /unusable/.test(n))).toEqual([]);
  });
});

describe('RFC 4028 session timers', () => {
  it('refreshes with a re-INVITE at half the interval, repeating the SDP unchanged', async () => {
    uas = await TestUas.start({ transport: 'udp', sessionExpires: '2;refresher=uac' });
    const r = await new LabCaller({ target: uas.target, sessionTimer: { expiresS: 2, refresher: 'uac' } }).run([
      { at: 1_400, action: { bye: true } },
    ]);
    const invites = uas.log.filter((e) => e.dir === 'in' && summary(e.msg) === 'INVITE').map((e) => e.msg);
    expect(invites).toHaveLength(2);
    expect(invites[0]!.headers.get('supported')).toBe('timer');
    expect(invites[0]!.headers.get('session-expires')).toBe('2;refresher=uac');
    expect(invites[1]!.headers.get('session-expires')).toBe('2;refresher=uac');
    // §8 of RFC 3264: an unchanged session keeps its o= version.
    expect(invites[1]!.body.toString()).toBe(invites[0]!.body.toString());
    expect(r.endReason).toBe('bye-sent');
  });

  it('refreshes with UPDATE (no body) when asked to', async () => {
    uas = await TestUas.start({ transport: 'udp', sessionExpires: '2;refresher=uac' });
    await new LabCaller({ target: uas.target, sessionTimer: { expiresS: 2, method: 'UPDATE' } }).run([{ at: 1_300, action: { bye: true } }]);
    expect(uas.updates).toHaveLength(1);
    expect(uas.updates[0]!.body.length).toBe(0);
    expect(uas.updates[0]!.headers.get('session-expires')).toBe('2;refresher=uac');
  });

  it('hangs up when the gateway, as refresher, lets the session expire', async () => {
    uas = await TestUas.start({ transport: 'udp', sessionExpires: '3;refresher=uas' });
    // §10: BYE at interval − min(32, interval/3) = 2 s.
    const r = await new LabCaller({ target: uas.target, sessionTimer: { expiresS: 3 } }).run([{ at: 5_000, action: { bye: true } }]);
    expect(r.endReason).toBe('bye-sent');
    expect(r.notes.join('\n')).toMatch(/session expired/);
    expect(r.durationMs).toBeLessThan(4_000);
    expect(r.actions[0]).toMatchObject({ kind: 'bye', outcome: 'skipped' });
  });
});

describe('RFC 3261 §11 OPTIONS', () => {
  it('pings the target outside the dialog before the call is answered', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target }).run([
      { at: 0, from: 'invite', action: { options: true } },
      { at: 100, action: { bye: true } },
    ]);
    expect(r.actions[0]).toMatchObject({ kind: 'options', outcome: 'done' });
    const options = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'OPTIONS')!.msg;
    const invite = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')!.msg;
    expect(options.headers.get('call-id')).not.toBe(invite.headers.get('call-id'));
  });
});
