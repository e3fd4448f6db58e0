import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { SipServer, type IncomingCall } from '../../../src/sip/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { ANSWER_SDP, buildRequest, OFFER_SDP, silentLogger, toTagOf } from '../helpers/harness.js';
import { UdpPeer } from '../helpers/peers.js';

let server: SipServer | undefined;
let peer: UdpPeer | undefined;
afterEach(async () => {
  await server?.stop();
  await peer?.close();
  server = undefined;
  peer = undefined;
});

async function setup(): Promise<{ server: SipServer; peer: UdpPeer; port: number; calls: IncomingCall[]; clock: ManualClock }> {
  const clock = new ManualClock();
  server = new SipServer({ clock, logger: silentLogger, udp: { host: '127.0.0.1', port: 0 } });
  const calls: IncomingCall[] = [];
  server.on('invite', (c) => calls.push(c));
  await server.start();
  peer = await UdpPeer.open();
  return { server, peer, port: server.addresses().udp!.port, calls, clock };
}

describe('RFC 3261 §18 SIP over UDP (real sockets on 127.0.0.1)', () => {
  it('binds port 0 and reports the OS-chosen port', async () => {
    const { port } = await setup();
    expect(port).toBeGreaterThan(0);
  });

  it('the reflector rule: Via host evil.example / maddr / 255.255.255.255 — the response still comes back to the packet source', async () => {
    const { peer: p, port, server: s } = await setup();
    const me = { address: '127.0.0.1', port: p.port };
    // rport requested: the Via host and port are ignored completely.
    await p.send(buildRequest({ method: 'OPTIONS', via: 'SIP/2.0/UDP 255.255.255.255:9;maddr=224.0.0.1;branch=z9hG4bK-r1;rport' }, me), port);
    const r1 = (await p.inbox.next()) as SipResponse;
    expect(r1.status).toBe(200);
    expect(r1.headers.get('Via')).toBe(`SIP/2.0/UDP 255.255.255.255:9;maddr=224.0.0.1;branch=z9hG4bK-r1;rport=${p.port};received=127.0.0.1`);
    // No rport: source address, with the Via's port; the host name is never resolved.
    await p.send(buildRequest({ method: 'OPTIONS', via: `SIP/2.0/UDP evil.example:${p.port};maddr=evil.example;branch=z9hG4bK-r2` }, me), port);
    const r2 = (await p.inbox.next()) as SipResponse;
    expect(r2.status).toBe(200);
    expect(s.stats()['transport.send_error']).toBeUndefined();
  });

  it('a full call: INVITE → 100 → 200 → ACK → our BYE reaches the Contact → 200', async () => {
    const { peer: p, port, calls } = await setup();
    const me = { address: '127.0.0.1', port: p.port };
    await p.send(buildRequest({ method: 'INVITE', body: OFFER_SDP }, me), port);
    expect(((await p.inbox.next()) as SipResponse).status).toBe(100);
    const call = calls[0]!;
    expect(call.source).toMatchObject({ transport: 'udp', address: '127.0.0.1', port: p.port, localPort: port });
    const accepted = call.accept(ANSWER_SDP);
    const ok = (await p.inbox.next()) as SipResponse;
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Contact')).toBe(`<sip:127.0.0.1:${port}>`);
    await p.send(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: toTagOf(ok)! }, me), port);
    const dialog = await accepted;
    const byeDone = dialog.bye();
    const bye = (await p.inbox.next()) as SipRequest;
    expect(bye.method).toBe('BYE');
    const reply = [`SIP/2.0 200 OK`, `Via: ${bye.headers.get('Via')}`, `From: ${bye.headers.get('From')}`, `To: ${bye.headers.get('To')}`, `Call-ID: ${bye.headers.get('Call-ID')}`, `CSeq: ${bye.headers.get('CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n');
    await p.send(reply, port);
    await byeDone;
    expect(dialog.state).toBe('terminated');
  });

  it('bad datagrams never crash the server: garbage, truncation, binary — then it still answers', async () => {
    const { peer: p, port, server: s } = await setup();
    const me = { address: '127.0.0.1', port: p.port };
    const valid = buildRequest({ method: 'OPTIONS' }, me);
    await p.send(Buffer.from([0, 1, 2, 3, 255, 254]), port);
    await p.send(valid.slice(0, 40), port);
    await p.send(Buffer.alloc(1500, 0x41), port);
    await p.send(valid.replace('OPTIONS sip:', 'OPTIONS  sip:'), port);
    await p.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-after' }, me), port);
    const r = await p.inbox.until((m) => m.type === 'response' && m.status === 200);
    expect(r.type).toBe('response');
    expect(s.stats()['error.handler']).toBeUndefined();
  });

  it('a datagram from a source off the allow-list is dropped before it is parsed, and counted', async () => {
    const clock = new ManualClock();
    server = new SipServer({ clock, logger: silentLogger, udp: { host: '127.0.0.1', port: 0 }, allowFrom: ['127.0.0.1/32'] });
    await server.start();
    const port = server.addresses().udp!.port;
    const outsider = await UdpPeer.open('127.0.0.9');
    try {
      await outsider.send(buildRequest({ method: 'OPTIONS' }, { address: '127.0.0.9', port: outsider.port }), port);
      await outsider.send('garbage that would be a parse error', port);
      peer = await UdpPeer.open();
      await peer.send(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-in' }, { address: '127.0.0.1', port: peer.port }), port);
      expect(((await peer.inbox.next()) as SipResponse).status).toBe(200);
      const stats = server.stats();
      expect(stats['udp.refused.not_allowed']).toBe(2);
      // Neither reached the parser-fed pipeline: no parse error, no request counted, no router drop.
      expect(stats['rx.parse_error']).toBeUndefined();
      expect(stats['rx.request.OPTIONS']).toBe(1);
      expect(stats['drop.not_allowed']).toBeUndefined();
      expect(outsider.inbox.pending).toBe(0);
    } finally {
      await outsider.close();
    }
  });
});
