/**
 * The caller as a UAC over each transport (RFC 3261 §13, §17.1, §18): INVITE → 100/180/200 → ACK →
 * BYE → 200, against the in-test UAS, plus the gateway hanging up and the UDP 2xx retransmission
 * path (lost ACKs).
 */
import dgram from 'node:dgram';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabCaller } from '../../src/callers/lab-caller/index.js';
import { TestUas, summary } from './helpers/test-uas.js';
import { makeSelfSignedCert, type TestCert } from './helpers/tls-cert.js';

let uas: TestUas | undefined;
let cert: TestCert;

beforeAll(() => {
  cert = makeSelfSignedCert();
});

afterEach(async () => {
  await uas?.close();
  uas = undefined;
});

describe('RFC 3261 §13.2 INVITE → ACK → BYE over each transport', () => {
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    it(`completes a call over ${transport.toUpperCase()} and records the exchange`, async () => {
      uas = await TestUas.start({ transport, cert });
      const caller = new LabCaller({
        target: uas.target,
        transport,
        tls: { ca: cert.cert },
        extraHeaders: [
          ['X-Amzn-ConnectContactId', 'c0ffee00-1234'],
          ['User-to-User', '7b7d;encoding=hex'],
        ],
      });
      const r = await caller.run([{ at: 300, action: { bye: true } }]);

      expect(r.finalStatus).toBe(200);
      expect(r.answered).toBe(true);
      expect(r.endReason).toBe('bye-sent');
      expect(r.gatewayHungUp).toBe(false);
      expect(r.timings.inviteTo100Ms).toBeDefined();
      expect(r.timings.inviteTo180Ms).toBeDefined();
      expect(r.timings.inviteTo200Ms).toBeGreaterThanOrEqual(r.timings.inviteTo180Ms ?? Infinity);
      expect(r.timings.byeTo200Ms).toBeDefined();
      expect(r.sip.filter((s) => s.dir === 'out').map((s) => s.summary)).toEqual(['INVITE', 'ACK', 'BYE']);
      expect(r.negotiated).toMatchObject({ codec: { name: 'PCMU', payloadType: 0 }, telephoneEventPt: 101, direction: 'sendrecv' });

      // What the UAS saw: our INVITE carried the Connect context and a Via for this transport.
      const invite = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')!.msg;
      expect(invite.headers.get('x-amzn-connectcontactid')).toBe('c0ffee00-1234');
      expect(invite.headers.get('user-to-user')).toBe('7b7d;encoding=hex');
      expect(invite.headers.get('via')).toMatch(new RegExp(`^SIP/2.0/${transport.toUpperCase()} 127\\.0\\.0\\.1:\\d+;branch=z9hG4bK`));
      expect(uas.ackCount).toBe(1);
      expect(await uas.ended).toBe('caller');
      // ~300 ms of 20 ms packets reached the UAS (loose bound: the machine is shared).
      expect(uas.rtp.length).toBeGreaterThan(5);
      expect(r.rtpSent.length).toBeGreaterThanOrEqual(uas.rtp.length);
      expect(r.counters.internalErrors).toBe(0);
    });
  }
});

describe('RFC 5630 TLS certificate checking', () => {
  it('refuses the self-signed certificate unless trusted, and accepts it with rejectUnauthorized: false', async () => {
    uas = await TestUas.start({ transport: 'tls', cert });
    await expect(new LabCaller({ target: uas.target, transport: 'tls' }).run([])).rejects.toMatchObject({ code: 'LAB_CALLER_ERR_TRANSPORT' });
    const r = await new LabCaller({ target: uas.target, transport: 'tls', tls: { rejectUnauthorized: false } }).run([{ at: 50, action: { bye: true } }]);
    expect(r.endReason).toBe('bye-sent');
  });
});

describe('RFC 3261 §15.1.2 the gateway hangs up', () => {
  it('answers the BYE with 200, stops media and reports gatewayHungUp', async () => {
    uas = await TestUas.start({ transport: 'udp', byeAfterMs: 200 });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 0, action: { waitForBye: { timeoutMs: 3_000 } } }]);
    expect(r.endReason).toBe('bye-received');
    expect(r.gatewayHungUp).toBe(true);
    expect(r.actions[0]).toMatchObject({ kind: 'waitForBye', outcome: 'done' });
    expect(await uas.ended).toBe('uas');
    expect(uas.count('in', '200 BYE')).toBe(1);
  });

  it('sends BYE itself when the gateway does not hang up in time', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const r = await new LabCaller({ target: uas.target }).run([{ at: 0, action: { waitForBye: { timeoutMs: 200 } } }]);
    expect(r.endReason).toBe('bye-sent');
    expect(r.gatewayHungUp).toBe(false);
    expect(r.actions[0]).toMatchObject({ kind: 'waitForBye', outcome: 'timeout' });
  });
});

describe('RFC 3261 §13.3.1.4 2xx retransmission until the ACK', () => {
  it('re-sends the ACK for a retransmitted 200 after losing the first ACKs', async () => {
    uas = await TestUas.start({ transport: 'udp', t1Ms: 40 });
    const r = await new LabCaller({ target: uas.target, loseAcks: 2 }).run([{ at: 600, action: { bye: true } }]);
    expect(r.sip.filter((s) => s.dir === 'dropped').map((s) => s.summary)).toEqual(['ACK', 'ACK']);
    // The UAS had to send its 200 three times before an ACK arrived.
    expect(uas.twoHundredSends).toBeGreaterThanOrEqual(3);
    expect(uas.ackCount).toBeGreaterThanOrEqual(1);
    expect(r.endReason).toBe('bye-sent');
  });
});

describe('RFC 3261 §21.4 a rejected INVITE', () => {
  it('ACKs the final non-2xx on the INVITE branch and reports it', async () => {
    uas = await TestUas.start({ transport: 'udp', rejectWith: 486 });
    const r = await new LabCaller({ target: uas.target }).run([]);
    expect(r.finalStatus).toBe(486);
    expect(r.answered).toBe(false);
    expect(r.endReason).toBe('rejected');
    const invite = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')!.msg;
    const ack = uas.log.find((e) => e.dir === 'in' && summary(e.msg) === 'ACK')!.msg;
    // §17.1.1.3: same top Via (branch) and CSeq number as the INVITE.
    expect(ack.headers.get('via')).toBe(invite.headers.get('via'));
    expect(ack.headers.get('cseq')?.split(' ')[0]).toBe(invite.headers.get('cseq')?.split(' ')[0]);
  });
});

describe('bad input from the network', () => {
  it('counts junk on the SIP and RTP ports and completes the call anyway', async () => {
    uas = await TestUas.start({ transport: 'udp' });
    const u = uas;
    const junk = dgram.createSocket('udp4');
    await new Promise<void>((r) => junk.bind(0, '127.0.0.1', () => r()));
    const datagrams = [
      Buffer.from('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n'),
      Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnobody\r\nCSeq: 1 INVITE\r\nCall-ID: x\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nContent-Length: 0\r\n\r\n'),
      ...fc.sample(fc.uint8Array({ minLength: 0, maxLength: 200 }), { numRuns: 30, seed: 42 }).map((b) => Buffer.from(b)),
    ];
    const spray = (): void => {
      const invite = u.log.find((e) => e.dir === 'in' && summary(e.msg) === 'INVITE')?.msg;
      if (invite === undefined) return;
      const sipPort = Number(/:(\d+);branch/.exec(invite.headers.get('via') ?? '')?.[1]);
      const rtpPort = Number(/m=audio (\d+)/.exec(invite.body.toString())?.[1]);
      for (const d of datagrams) {
        junk.send(d, sipPort, '127.0.0.1');
        junk.send(d, rtpPort, '127.0.0.1');
      }
      // RTP version 1 and a header whose CSRC list overruns the packet.
      junk.send(Buffer.from([0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), rtpPort, '127.0.0.1');
      junk.send(Buffer.from([0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]), rtpPort, '127.0.0.1');
    };
    const timer = setTimeout(spray, 150);
    try {
      const r = await new LabCaller({ target: u.target }).run([{ at: 400, action: { bye: true } }]);
      expect(r.endReason).toBe('bye-sent');
      expect(r.counters.sipParseErrors).toBeGreaterThan(0);
      expect(r.counters.sipUnmatchedResponses).toBeGreaterThanOrEqual(1);
      expect(r.counters.rtpMalformed).toBeGreaterThan(0);
      expect(r.counters.internalErrors).toBe(0);
    } finally {
      clearTimeout(timer);
      junk.close();
    }
  });
});
