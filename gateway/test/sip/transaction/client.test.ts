import { describe, expect, it } from 'vitest';
import { InviteClientTransaction } from '../../../src/sip/transaction/invite-client.js';
import { NonInviteClientTransaction, type ClientTu } from '../../../src/sip/transaction/non-invite-client.js';
import { FakeEnv, req, request, res, response } from './fake-env.js';

function recorder(): ClientTu & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onResponse: (r) => log.push(`response:${r.status}`),
    onTimeout: () => log.push('timeout'),
    onTransportError: (e) => log.push(`transport:${e.code}`),
  };
}

describe('RFC 3261 §17.1.2 non-INVITE client transaction', () => {
  it('Timer E: retransmits at T1, 2T1, 4T1, then every T2; Timer F times out at 64·T1', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new NonInviteClientTransaction('k', req(request('BYE')), env, tu);
    tx.start();
    env.run(32_000);
    expect(env.times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(tu.log).toEqual(['timeout']);
    expect(tx.state).toBe('terminated');
    expect(env.terminated).toBe(1);
    expect(env.clock.pendingTimers).toBe(0);
  });

  it('in Proceeding the retransmit interval is T2', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new NonInviteClientTransaction('k', req(request('BYE')), env, tu);
    tx.start();
    env.run(100);
    tx.receiveResponse(res(response(100, 'BYE')));
    env.run(10_000);
    expect(env.times).toEqual([0, 500, 4500, 8500]);
    expect(tx.state).toBe('proceeding');
    tx.terminate();
  });

  it('a final response → Completed; Timer K = T4 absorbs retransmitted finals, then Terminated', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new NonInviteClientTransaction('k', req(request('BYE')), env, tu);
    tx.start();
    tx.receiveResponse(res(response(200, 'BYE')));
    tx.receiveResponse(res(response(200, 'BYE')));
    expect(tu.log).toEqual(['response:200']);
    expect(tx.state).toBe('completed');
    env.clock.advance(4_999);
    expect(tx.state).toBe('completed');
    env.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(env.sent).toHaveLength(1);
  });

  it('over a reliable transport: no retransmissions, Timer K = 0', () => {
    const env = new FakeEnv(true);
    const tu = recorder();
    const tx = new NonInviteClientTransaction('k', req(request('BYE')), env, tu);
    tx.start();
    env.run(20_000);
    expect(env.times).toEqual([0]);
    tx.receiveResponse(res(response(200, 'BYE')));
    env.clock.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('§17.1.4: a transport error terminates the transaction and informs the TU', async () => {
    const env = new FakeEnv();
    env.fail = true;
    const tu = recorder();
    const tx = new NonInviteClientTransaction('k', req(request('BYE')), env, tu);
    tx.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tu.log).toEqual(['transport:SIP_ERR_TRANSPORT']);
    expect(tx.state).toBe('terminated');
    expect(env.clock.pendingTimers).toBe(0);
  });
});

describe('RFC 3261 §17.1.1 INVITE client transaction (+ RFC 6026)', () => {
  it('Timer A doubles without the T2 cap; Timer B times out at 64·T1', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new InviteClientTransaction('k', req(request('INVITE')), env, tu);
    tx.start();
    env.run(32_000);
    expect(env.times).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(tu.log).toEqual(['timeout']);
    expect(env.clock.pendingTimers).toBe(0);
  });

  it('a non-2xx final is ACKed with the INVITE\'s branch and the response\'s To; Timer D = 32 s re-ACKs retransmissions', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new InviteClientTransaction('k', req(request('INVITE', 7)), env, tu);
    tx.start();
    tx.receiveResponse(res(response(491, 'INVITE', 7)));
    const ack = env.sent[1]?.msg;
    expect(ack?.type === 'request' && ack.method).toBe('ACK');
    expect(ack?.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtx1;rport');
    expect(ack?.headers.get('CSeq')).toBe('7 ACK');
    expect(ack?.headers.get('To')).toBe('<sip:peer@127.0.0.2>;tag=theirs');
    expect(tu.log).toEqual(['response:491']);
    tx.receiveResponse(res(response(491, 'INVITE', 7)));
    expect(env.sent).toHaveLength(3);
    expect(tu.log).toEqual(['response:491']);
    env.clock.advance(31_999);
    expect(tx.state).toBe('completed');
    env.clock.advance(1);
    expect(tx.state).toBe('terminated');
  });

  it('2xx → Accepted: every 2xx (retransmissions too) goes to the TU until Timer M', () => {
    const env = new FakeEnv();
    const tu = recorder();
    const tx = new InviteClientTransaction('k', req(request('INVITE')), env, tu);
    tx.start();
    tx.receiveResponse(res(response(180, 'INVITE')));
    tx.receiveResponse(res(response(200, 'INVITE')));
    tx.receiveResponse(res(response(200, 'INVITE')));
    expect(tu.log).toEqual(['response:180', 'response:200', 'response:200']);
    expect(tx.state).toBe('accepted');
    env.clock.advance(32_000);
    expect(tx.state).toBe('terminated');
    expect(env.sent).toHaveLength(1); // the core, not the transaction, ACKs a 2xx
  });
});
