import { describe, expect, it } from 'vitest';
import { InviteServerTransaction } from '../../../src/sip/transaction/invite-server.js';
import { NonInviteServerTransaction } from '../../../src/sip/transaction/non-invite-server.js';
import { createResponse } from '../../../src/sip/message/index.js';
import { FakeEnv, req, request, wire } from './fake-env.js';

describe('RFC 3261 §17.2.1 INVITE server transaction', () => {
  it('Proceeding: an INVITE retransmission re-sends the last provisional', () => {
    const env = new FakeEnv();
    const invite = req(request('INVITE'));
    const tx = new InviteServerTransaction('k', invite, env);
    tx.receive(invite);
    expect(env.sent).toHaveLength(0); // nothing sent yet: nothing to repeat
    tx.respond(wire(createResponse(invite, 180, { toTag: 't' })));
    tx.receive(invite);
    expect(env.sent.map((s) => s.msg.type === 'response' && s.msg.status)).toEqual([180, 180]);
  });

  it('Timer G: 4xx retransmitted at T1, 2T1, 4T1, T2, T2 … until Timer H (64·T1) reports no ACK', () => {
    const env = new FakeEnv();
    const invite = req(request('INVITE'));
    let noAck = 0;
    const tx = new InviteServerTransaction('k', invite, env, { onNoAck: () => noAck++ });
    tx.respond(wire(createResponse(invite, 486, { toTag: 't' })));
    env.run(32_000);
    expect(env.times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(noAck).toBe(1);
    expect(tx.state).toBe('terminated');
    expect(env.clock.pendingTimers).toBe(0);
  });

  it('ACK → Confirmed; Timer I (T4) absorbs further ACKs, then Terminated', () => {
    const env = new FakeEnv();
    const invite = req(request('INVITE'));
    const tx = new InviteServerTransaction('k', invite, env);
    tx.respond(wire(createResponse(invite, 486, { toTag: 't' })));
    expect(tx.receive(req(request('ACK')))).toBe('absorbed');
    expect(tx.state).toBe('confirmed');
    expect(tx.receive(req(request('ACK')))).toBe('absorbed');
    env.clock.advance(4_999);
    expect(tx.state).toBe('confirmed');
    env.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(env.sent).toHaveLength(1);
  });

  it('RFC 6026 Accepted: after a 2xx, INVITE retransmissions are absorbed and Timer L ends it', () => {
    const env = new FakeEnv();
    const invite = req(request('INVITE'));
    const tx = new InviteServerTransaction('k', invite, env);
    tx.respond(wire(createResponse(invite, 200, { toTag: 't' })));
    expect(tx.state).toBe('accepted');
    tx.receive(invite);
    expect(env.sent).toHaveLength(1);
    expect(tx.receive(req(request('ACK')))).toBe('to-tu'); // an RFC 2543 ACK to our 2xx
    expect(tx.respond(wire(createResponse(invite, 500)))).toBe(false);
    env.clock.advance(32_000);
    expect(tx.state).toBe('terminated');
  });

  it('reliable transport: no Timer G, Timer I = 0', () => {
    const env = new FakeEnv(true);
    const invite = req(request('INVITE'));
    const tx = new InviteServerTransaction('k', invite, env);
    tx.respond(wire(createResponse(invite, 603, { toTag: 't' })));
    env.run(10_000);
    expect(env.times).toEqual([0]);
    tx.receive(req(request('ACK')));
    env.clock.advance(0);
    expect(tx.state).toBe('terminated');
  });
});

describe('RFC 3261 §17.2.2 non-INVITE server transaction', () => {
  it('Trying absorbs retransmissions silently; Completed re-sends the final; Timer J = 64·T1 (UDP)', () => {
    const env = new FakeEnv();
    const bye = req(request('BYE'));
    const tx = new NonInviteServerTransaction('k', bye, env);
    tx.receive();
    expect(env.sent).toHaveLength(0);
    tx.respond(wire(createResponse(bye, 200)));
    tx.receive();
    expect(env.sent).toHaveLength(2);
    expect(tx.respond(wire(createResponse(bye, 500)))).toBe(false);
    env.clock.advance(31_999);
    expect(tx.state).toBe('completed');
    env.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(env.counts.get('retransmit.rx.BYE')).toBe(2);
  });

  it('Proceeding re-sends the provisional; Timer J = 0 on a reliable transport', () => {
    const env = new FakeEnv(true);
    const bye = req(request('BYE'));
    const tx = new NonInviteServerTransaction('k', bye, env);
    tx.respond(wire(createResponse(bye, 100)));
    tx.receive();
    expect(env.sent).toHaveLength(2);
    tx.respond(wire(createResponse(bye, 200)));
    env.clock.advance(0);
    expect(tx.state).toBe('terminated');
  });
});
