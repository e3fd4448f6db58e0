import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { SipServer, type IncomingCall, type SipServerOptions } from '../../../src/sip/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { ANSWER_SDP, buildRequest, OFFER_SDP, silentLogger, toTagOf } from '../helpers/harness.js';
import { StreamPeer } from '../helpers/peers.js';

let server: SipServer | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await server?.stop();
  server = undefined;
});

async function setup(extra: Partial<SipServerOptions> = {}) {
  const clock = new ManualClock();
  server = new SipServer({ clock, logger: silentLogger, tcp: { host: '127.0.0.1', port: 0 }, ...extra });
  const calls: IncomingCall[] = [];
  server.on('invite', (c) => calls.push(c));
  await server.start();
  const port = server.addresses().tcp!.port;
  const peer = await StreamPeer.connectTcp(port);
  cleanups.push(() => peer.destroy());
  const me = { address: '127.0.0.1', port: peer.localPort };
  return { server, clock, port, peer, me, calls };
}

function okFor(req: SipRequest): string {
  return [`SIP/2.0 200 OK`, `Via: ${req.headers.get('Via')}`, `From: ${req.headers.get('From')}`, `To: ${req.headers.get('To')}`, `Call-ID: ${req.headers.get('Call-ID')}`, `CSeq: ${req.headers.get('CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n');
}

describe('RFC 3261 §18.3 SIP over TCP framing (real sockets)', () => {
  it('several messages in one read are all answered, in order', async () => {
    const { peer, me } = await setup();
    const three = [1, 2, 3].map((i) => buildRequest({ method: 'OPTIONS', branch: `z9hG4bK-m${i}`, cseq: i }, me, 'tcp')).join('');
    await peer.write(three);
    const rs = [(await peer.inbox.next()) as SipResponse, (await peer.inbox.next()) as SipResponse, (await peer.inbox.next()) as SipResponse];
    expect(rs.map((r) => `${r.status} ${r.headers.get('CSeq')}`)).toEqual(['200 1 OPTIONS', '200 2 OPTIONS', '200 3 OPTIONS']);
  });

  it('a message split across many reads (7-byte writes) is reassembled', async () => {
    const { peer, me, calls } = await setup();
    const invite = Buffer.from(buildRequest({ method: 'INVITE', body: OFFER_SDP }, me, 'tcp'));
    for (let i = 0; i < invite.length; i += 7) {
      await peer.write(invite.subarray(i, i + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(100);
    expect(calls[0]?.offer).toBe(OFFER_SDP);
    calls[0]!.reject(486);
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(486);
  });

  it('a CRLFCRLF keep-alive ping is answered with a CRLF pong (RFC 5626 §4.4.1)', async () => {
    const { peer } = await setup();
    await peer.write('\r\n\r\n');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (Buffer.concat(peer.raw).toString() === '\r\n') resolve();
        else setImmediate(check);
      };
      check();
    });
  });

  it('a missing Content-Length gets 400 and the connection stays usable', async () => {
    const { peer, me } = await setup();
    await peer.write(buildRequest({ method: 'OPTIONS' }, me, 'tcp').replace(/Content-Length: 0\r\n/, ''));
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(400);
    await peer.write(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-2', cseq: 2 }, me, 'tcp'));
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(200);
  });

  it('a framing error (malformed Content-Length) gets 400 and the connection is closed', async () => {
    const { peer, me } = await setup();
    await peer.write(buildRequest({ method: 'OPTIONS' }, me, 'tcp').replace(/Content-Length: 0\r\n/, 'Content-Length: zero\r\n'));
    const r = (await peer.inbox.next()) as SipResponse;
    expect(r.status).toBe(400);
    await peer.closed;
  });

  it('BYE reuses the connection the INVITE came on', async () => {
    const { peer, me, calls, port } = await setup();
    await peer.write(buildRequest({ method: 'INVITE', body: OFFER_SDP, contact: `<sip:caller@127.0.0.1:1;transport=tcp>` }, me, 'tcp'));
    await peer.inbox.next();
    const accepted = calls[0]!.accept(ANSWER_SDP);
    const ok = (await peer.inbox.next()) as SipResponse;
    expect(ok.headers.get('Contact')).toBe(`<sip:127.0.0.1:${port};transport=tcp>`);
    await peer.write(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: toTagOf(ok)! }, me, 'tcp'));
    const dialog = await accepted;
    const done = dialog.bye();
    const bye = (await peer.inbox.next()) as SipRequest;
    expect(bye.method).toBe('BYE');
    expect(bye.headers.get('Via')).toMatch(new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${port};branch=z9hG4bK`));
    await peer.write(okFor(bye));
    await done;
  });

  it('when the peer closed its connection, BYE opens a new one to the Contact (an IP literal)', async () => {
    const { peer, me, calls } = await setup();
    // The UAC listens for new connections on its Contact address.
    const accepted: StreamPeer[] = [];
    const listener = net.createServer((s) => accepted.push(StreamPeer.adopt(s)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const a of accepted) a.destroy();
      listener.close();
    });
    const contactPort = (listener.address() as net.AddressInfo).port;
    await peer.write(buildRequest({ method: 'INVITE', body: OFFER_SDP, contact: `<sip:caller@127.0.0.1:${contactPort};transport=tcp>` }, me, 'tcp'));
    await peer.inbox.next();
    const acceptedCall = calls[0]!.accept(ANSWER_SDP);
    const ok = (await peer.inbox.next()) as SipResponse;
    await peer.write(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: toTagOf(ok)! }, me, 'tcp'));
    const dialog = await acceptedCall;
    await peer.end();
    const done = dialog.bye();
    await new Promise<void>((resolve) => {
      const wait = (): void => (accepted.length > 0 ? resolve() : void setImmediate(wait));
      wait();
    });
    const bye = (await accepted[0]!.inbox.next()) as SipRequest;
    expect(bye.method).toBe('BYE');
    await accepted[0]!.write(okFor(bye));
    await done;
    expect(dialog.state).toBe('terminated');
  });

  it('closes a connection that stays quiet for streamLimits.idleTimeoutMs (injected clock)', async () => {
    const { peer, clock, me } = await setup({ streamLimits: { idleTimeoutMs: 30_000 } });
    await peer.write(buildRequest({ method: 'OPTIONS' }, me, 'tcp'));
    await peer.inbox.next();
    clock.advance(29_000);
    await peer.write(buildRequest({ method: 'OPTIONS', branch: 'z9hG4bK-2', cseq: 2 }, me, 'tcp'));
    await peer.inbox.next(); // activity moved the deadline
    clock.advance(29_000);
    expect(peer.inbox.pending).toBe(0);
    clock.advance(1_000 + 32_000); // idle for ≥ 30 s since the last message
    await peer.closed;
  });
});
