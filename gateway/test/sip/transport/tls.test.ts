import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { SipServer, type IncomingCall } from '../../../src/sip/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { ANSWER_SDP, buildRequest, OFFER_SDP, silentLogger, toTagOf } from '../helpers/harness.js';
import { StreamPeer } from '../helpers/peers.js';

/**
 * A throw-away self-signed P-256 certificate for 127.0.0.1. openssl writes into a private temp
 * directory that is removed as soon as the PEMs are read: nothing is kept.
 */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sip-tls-test-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let material: { key: string; cert: string };
beforeAll(() => {
  material = selfSigned();
});

let server: SipServer | undefined;
let peer: StreamPeer | undefined;
afterEach(async () => {
  peer?.destroy();
  await server?.stop();
  server = undefined;
  peer = undefined;
});

async function setup(minVersion?: 'TLSv1.2' | 'TLSv1.3') {
  server = new SipServer({
    clock: new ManualClock(),
    logger: silentLogger,
    tls: { host: '127.0.0.1', port: 0, cert: material.cert, key: material.key, ca: material.cert, ...(minVersion !== undefined ? { minVersion } : {}) },
  });
  const calls: IncomingCall[] = [];
  server.on('invite', (c) => calls.push(c));
  await server.start();
  return { port: server.addresses().tls!.port, calls };
}

describe('RFC 3261 §26.2 / RFC 5630 SIP over TLS (self-signed cert, real sockets)', () => {
  it('a call over TLS: responses and our BYE travel on the same verified connection', async () => {
    const { port, calls } = await setup();
    peer = await StreamPeer.connectTls(port, { ca: material.cert });
    const me = { address: '127.0.0.1', port: peer.localPort };
    await peer.write(buildRequest({ method: 'INVITE', uri: `sips:agent@127.0.0.1:${port}`, body: OFFER_SDP }, me, 'tls'));
    expect(((await peer.inbox.next()) as SipResponse).status).toBe(100);
    expect(calls[0]?.source.transport).toBe('tls');
    const accepted = calls[0]!.accept(ANSWER_SDP);
    const ok = (await peer.inbox.next()) as SipResponse;
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Contact')).toBe(`<sips:127.0.0.1:${port}>`);
    await peer.write(buildRequest({ method: 'ACK', uri: `sips:agent@127.0.0.1:${port}`, branch: 'z9hG4bK-ack', toTag: toTagOf(ok)! }, me, 'tls'));
    const dialog = await accepted;
    const done = dialog.bye();
    const bye = (await peer.inbox.next()) as SipRequest;
    expect(bye.method).toBe('BYE');
    expect(bye.headers.get('Via')).toMatch(/^SIP\/2\.0\/TLS 127\.0\.0\.1:/);
    await peer.write(
      [`SIP/2.0 200 OK`, `Via: ${bye.headers.get('Via')}`, `From: ${bye.headers.get('From')}`, `To: ${bye.headers.get('To')}`, `Call-ID: ${bye.headers.get('Call-ID')}`, `CSeq: ${bye.headers.get('CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n'),
    );
    await done;
  });

  it('sip: Request-URI over TLS gets a sip: Contact with transport=tls', async () => {
    const { port, calls } = await setup();
    peer = await StreamPeer.connectTls(port, { ca: material.cert });
    const me = { address: '127.0.0.1', port: peer.localPort };
    await peer.write(buildRequest({ method: 'INVITE', body: OFFER_SDP }, me, 'tls'));
    await peer.inbox.next();
    calls[0]!.progress(180);
    const ringing = (await peer.inbox.next()) as SipResponse;
    expect(ringing.headers.get('Contact')).toBe(`<sip:127.0.0.1:${port};transport=tls>`);
    calls[0]!.reject(486);
  });

  it('enforces minVersion: a TLS 1.2-only client cannot connect to a TLS 1.3 server', async () => {
    const { port } = await setup('TLSv1.3');
    await expect(StreamPeer.connectTls(port, { ca: material.cert, maxVersion: 'TLSv1.2' })).rejects.toThrow();
    // …while a TLS 1.3 client can.
    peer = await StreamPeer.connectTls(port, { ca: material.cert });
    expect(peer.localPort).toBeGreaterThan(0);
  });

  it('a client that does not trust our certificate fails the handshake (no plaintext fallback)', async () => {
    const { port } = await setup();
    await expect(StreamPeer.connectTls(port, {})).rejects.toThrow(/self-signed|certificate/i);
  });
});
