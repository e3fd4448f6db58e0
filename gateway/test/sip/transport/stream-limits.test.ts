import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { SipServer, type IncomingCall, type SipServerOptions } from '../../../src/sip/index.js';
import type { SipResponse } from '../../../src/sip/message/index.js';
import { resolveStreamLimits } from '../../../src/sip/transport/stream-limits.js';
import { ANSWER_SDP, buildRequest, OFFER_SDP, silentLogger, toTagOf } from '../helpers/harness.js';
import { StreamPeer } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

/**
 * The bounds on TCP/TLS connections (stream-limits.ts), on real loopback sockets with an injected
 * clock: 127.0.0.1 is the allowed peer, 127.0.0.9 a source off the allow-list, 127.0.0.5 another
 * allowed host.
 */

const ALLOWED = ['127.0.0.1/32', '127.0.0.5/32'];
let server: SipServer | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await server?.stop();
  server = undefined;
});

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

/** Lets socket events that are already on their way be handled (no timing is asserted). */
const settle = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function start(extra: Partial<SipServerOptions>): Promise<{ clock: ManualClock; calls: IncomingCall[]; srv: SipServer }> {
  const clock = new ManualClock();
  const srv = new SipServer({ clock, logger: silentLogger, allowFrom: ALLOWED, ...extra });
  server = srv;
  const calls: IncomingCall[] = [];
  srv.on('invite', (c) => calls.push(c));
  await srv.start();
  return { clock, calls, srv };
}

async function tcpPeer(port: number, localAddress = '127.0.0.1'): Promise<StreamPeer> {
  const peer = await StreamPeer.connectTcp(port, localAddress);
  cleanups.push(() => peer.destroy());
  return peer;
}

/** Whether a connected peer is served: an OPTIONS gets 200, or the connection closes first. */
async function served(peer: StreamPeer, address = '127.0.0.1', branch = 'z9hG4bK-probe'): Promise<boolean> {
  await peer.write(buildRequest({ method: 'OPTIONS', branch }, { address, port: peer.localPort }, 'tcp')).catch(() => undefined);
  const outcome = await Promise.race([peer.inbox.next().then((m) => (m as SipResponse).status === 200), peer.closed.then(() => false)]);
  return outcome;
}

/** A raw socket that connects and then sends nothing. */
function rawConnect(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
    cleanups.push(() => s.destroy());
  });
}

function closedPromise(s: net.Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

describe('stream limits: configuration', () => {
  it('fills defaults and refuses nonsense naming the field', () => {
    expect(resolveStreamLimits(undefined).messageTimeoutMs).toBe(5_000);
    expect(() => resolveStreamLimits({ messageTimeoutMs: 0 })).toThrow(/messageTimeoutMs/);
    expect(() => resolveStreamLimits({ maxConnections: 4, maxConnectionsPerSource: 8 })).toThrow(/maxConnectionsPerSource/);
    expect(() => resolveStreamLimits({ idleTimeoutMs: 60_000, dialogIdleTimeoutMs: 30_000 })).toThrow(/dialogIdleTimeoutMs/);
  });
});

describe('TCP: admission at accept, before any read', () => {
  it('a source off the allow-list is closed at once and counted; what it wrote is never handled', async () => {
    const { srv } = await start({ tcp: { host: '127.0.0.1', port: 0 } });
    const port = srv.addresses().tcp!.port;
    const bad = await rawConnect(port, '127.0.0.9');
    bad.on('error', () => undefined);
    bad.write(buildRequest({ method: 'OPTIONS' }, { address: '127.0.0.9', port: bad.localPort ?? 0 }, 'tcp'));
    await closedPromise(bad);
    expect(srv.stats()['tcp.refused.not_allowed']).toBe(1);
    expect(srv.stats()['rx.request.OPTIONS']).toBeUndefined();
    expect(srv.stats()['drop.not_allowed']).toBeUndefined();
    expect(await served(await tcpPeer(port))).toBe(true);
  });

  it('per-source cap: the source over its budget is refused, another allowed source is still served', async () => {
    const { srv } = await start({ tcp: { host: '127.0.0.1', port: 0 }, streamLimits: { maxConnectionsPerSource: 3, maxConnections: 10 } });
    const port = srv.addresses().tcp!.port;
    const held = await Promise.all([1, 2, 3].map(() => rawConnect(port, '127.0.0.5')));
    const fourth = await rawConnect(port, '127.0.0.5');
    fourth.on('error', () => undefined);
    await closedPromise(fourth);
    expect(srv.stats()['tcp.refused.source_limit']).toBe(1);
    expect(held.every((s) => !s.destroyed)).toBe(true);
    expect(await served(await tcpPeer(port))).toBe(true);
  });

  it('total cap: beyond maxConnections new connections are refused until one closes', async () => {
    const { srv } = await start({ tcp: { host: '127.0.0.1', port: 0 }, streamLimits: { maxConnectionsPerSource: 2, maxConnections: 3 } });
    const port = srv.addresses().tcp!.port;
    const a = await Promise.all([rawConnect(port, '127.0.0.5'), rawConnect(port, '127.0.0.5'), rawConnect(port, '127.0.0.1')]);
    const over = await rawConnect(port, '127.0.0.1');
    over.on('error', () => undefined);
    await closedPromise(over);
    expect(srv.stats()['tcp.refused.total_limit']).toBe(1);
    a[0]!.destroy();
    await settle();
    expect(await served(await tcpPeer(port))).toBe(true);
  });
});

describe('TCP: deadlines (injected clock)', () => {
  it('slowloris: a message trickled one byte at a time is cut at the message deadline', async () => {
    const { srv, clock } = await start({ tcp: { host: '127.0.0.1', port: 0 }, streamLimits: { messageTimeoutMs: 5_000 } });
    const port = srv.addresses().tcp!.port;
    const peer = await tcpPeer(port);
    const bytes = Buffer.from(buildRequest({ method: 'OPTIONS' }, { address: '127.0.0.1', port: peer.localPort }, 'tcp'));
    await peer.write(bytes.subarray(0, 1));
    await settle();
    for (let i = 1; i < 5; i++) {
      clock.advance(1_000);
      await peer.write(bytes.subarray(i, i + 1));
      await settle();
    }
    expect(srv.stats()['tcp.closed.message_timeout']).toBeUndefined();
    clock.advance(1_000); // 5 s since the first byte of the message
    await peer.closed;
    expect(srv.stats()['tcp.closed.message_timeout']).toBe(1);
  });

  it('a complete message restarts the deadline: a slow but steady peer is not cut', async () => {
    const { srv, clock } = await start({ tcp: { host: '127.0.0.1', port: 0 }, streamLimits: { messageTimeoutMs: 5_000 } });
    const port = srv.addresses().tcp!.port;
    const peer = await tcpPeer(port);
    const me = { address: '127.0.0.1', port: peer.localPort };
    for (let i = 1; i <= 3; i++) {
      const bytes = Buffer.from(buildRequest({ method: 'OPTIONS', branch: `z9hG4bK-s${i}`, cseq: i }, me, 'tcp'));
      await peer.write(bytes.subarray(0, 10));
      await settle();
      clock.advance(4_000);
      await peer.write(bytes.subarray(10));
      expect(((await peer.inbox.next()) as SipResponse).status).toBe(200);
    }
    expect(srv.stats()['tcp.closed.message_timeout']).toBeUndefined();
  });

  it('without a dialog the short idle timeout applies; with one the long one, then the short one again', async () => {
    const { srv, clock, calls } = await start({ tcp: { host: '127.0.0.1', port: 0 }, streamLimits: { idleTimeoutMs: 30_000, dialogIdleTimeoutMs: 600_000 } });
    const port = srv.addresses().tcp!.port;
    const quiet = await tcpPeer(port);
    const peer = await tcpPeer(port);
    const me = { address: '127.0.0.1', port: peer.localPort };
    await peer.write(buildRequest({ method: 'INVITE', body: OFFER_SDP }, me, 'tcp'));
    await peer.inbox.next();
    const accepted = calls[0]!.accept(ANSWER_SDP);
    const ok = (await peer.inbox.next()) as SipResponse;
    await peer.write(buildRequest({ method: 'ACK', branch: 'z9hG4bK-ack', toTag: toTagOf(ok)! }, me, 'tcp'));
    await accepted;
    clock.advance(31_000);
    await quiet.closed;
    await settle();
    expect(srv.stats()['tcp.closed.idle']).toBe(1);
    clock.advance(120_000);
    await settle();
    expect(srv.stats()['tcp.closed.idle']).toBe(1); // the dialog's connection stays
    await peer.write(buildRequest({ method: 'BYE', branch: 'z9hG4bK-bye', toTag: toTagOf(ok)!, cseq: 2 }, me, 'tcp'));
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(200);
    clock.advance(31_000);
    await peer.closed;
    expect(srv.stats()['tcp.closed.idle']).toBe(2);
  });
});

describe('TLS: admission, handshake deadline, suites, client certificates', () => {
  async function startTls(extra: Partial<SipServerOptions['tls']> = {}, limits: SipServerOptions['streamLimits'] = {}) {
    const r = await start({ tls: { host: '127.0.0.1', port: 0, cert: pki.serverCert, key: pki.serverKey, ...extra }, streamLimits: limits });
    return { ...r, port: r.srv.addresses().tls!.port };
  }

  /** Connects, sends an OPTIONS, and says whether it was answered (false: refused or closed). */
  async function tlsServed(port: number, opts: tls.ConnectionOptions, localAddress = '127.0.0.1'): Promise<boolean> {
    let peer: StreamPeer;
    try {
      peer = await StreamPeer.connectTls(port, { ca: pki.caCert, ...(localAddress !== '127.0.0.1' ? { localAddress } : {}), ...opts });
    } catch {
      return false;
    }
    cleanups.push(() => peer.destroy());
    await peer.write(buildRequest({ method: 'OPTIONS' }, { address: localAddress, port: peer.localPort }, 'tls')).catch(() => undefined);
    return Promise.race([peer.inbox.next().then((m) => (m as SipResponse).status === 200), peer.closed.then(() => false)]);
  }

  it('a connection that never sends a ClientHello is closed at the handshake deadline', async () => {
    const { srv, clock, port } = await startTls({}, { handshakeTimeoutMs: 5_000 });
    const silent = await rawConnect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    await settle();
    clock.advance(4_900);
    await settle();
    expect(silent.destroyed).toBe(false);
    clock.advance(100);
    await closedPromise(silent);
    expect(srv.stats()['tls.handshake_timeout']).toBe(1);
    expect(await tlsServed(port, {})).toBe(true);
  });

  it('a source off the allow-list gets no handshake at all', async () => {
    const { srv, port } = await startTls();
    expect(await tlsServed(port, {}, '127.0.0.9')).toBe(false);
    expect(srv.stats()['tls.refused.not_allowed']).toBe(1);
    expect(srv.stats()['tls.handshake_failed'] ?? 0).toBeLessThanOrEqual(1);
  });

  it('TLS 1.2 without forward secrecy or AEAD (AES128-SHA, AES256-SHA, ECDHE-…-CBC) is refused; ECDHE-GCM and ChaCha20 work', async () => {
    const { port } = await startTls();
    for (const ciphers of ['AES128-SHA', 'AES256-SHA', 'AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA']) {
      expect(await tlsServed(port, { ciphers, maxVersion: 'TLSv1.2' }), ciphers).toBe(false);
    }
    for (const ciphers of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
      expect(await tlsServed(port, { ciphers, maxVersion: 'TLSv1.2' }), ciphers).toBe(true);
    }
    expect(await tlsServed(port, { minVersion: 'TLSv1.3' })).toBe(true);
  });

  it('clientCert required: only a certificate from the client CA gets in', async () => {
    const { srv, port } = await startTls({ clientCa: pki.caCert, clientCert: 'required' });
    expect(await tlsServed(port, {})).toBe(false);
    expect(await tlsServed(port, { cert: pki.rogueCert, key: pki.rogueKey })).toBe(false);
    expect(await tlsServed(port, { cert: pki.clientCert, key: pki.clientKey })).toBe(true);
    expect(await tlsServed(port, { cert: pki.clientCert, key: pki.clientKey, maxVersion: 'TLSv1.2' })).toBe(true);
    expect(srv.stats()['rx.request.OPTIONS']).toBe(2);
  });

  it('clientCert optional: no certificate is fine, a certificate that does not verify is not', async () => {
    const { srv, port } = await startTls({ clientCa: pki.caCert, clientCert: 'optional' });
    expect(await tlsServed(port, {})).toBe(true);
    expect(await tlsServed(port, { cert: pki.clientCert, key: pki.clientKey })).toBe(true);
    expect(await tlsServed(port, { cert: pki.rogueCert, key: pki.rogueKey })).toBe(false);
    expect(srv.stats()['tls.refused.client_cert']).toBe(1);
  });

  it('a client-certificate mode without a client CA is a configuration error', () => {
    expect(() => new SipServer({ clock: new ManualClock(), logger: silentLogger, tls: { host: '127.0.0.1', port: 0, cert: pki.serverCert, key: pki.serverKey, clientCert: 'required' } })).toThrow(/clientCa/);
  });
});
