/**
 * Connection exhaustion (issue 9 §3), replayed against the real gateway on loopback. Before: the
 * allow-list was checked after parsing, 1,024 stream slots were shared by everyone with a 600 s idle
 * timeout reset by any byte, so 1,030 idle TCP connections from a non-allowed address starved an
 * allowed client, TLS connections that never sent a ClientHello did the same, and one byte every
 * 10 s kept a connection open for minutes. Now a source off the allow-list is closed at accept,
 * every source has its own connection budget, TLS handshakes and messages have deadlines.
 *
 * Hosts: 127.91.0.1 the legitimate client, 127.91.0.5 an attacker that is on the allow-list,
 * 127.91.0.9 an attacker that is not.
 */
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeMessage } from 'connect-realtime-gateway';
import { optionsTo } from '../../src/conformance/wire/index.js';
import { closed, openIdle, optionsOverStream, rawConnect, startSecurityGateway, type SecurityGateway } from './helpers/signalling.js';

const CLIENT = '127.91.0.1';
const ALLOWED_ATTACKER = '127.91.0.5';
const OUTSIDER = '127.91.0.9';
const ATTACK_CONNECTIONS = 1_030;
const PER_SOURCE = 32;

let g: SecurityGateway;
const held: net.Socket[] = [];

beforeAll(async () => {
  g = await startSecurityGateway('security-exhaustion', {
    allow: [`${CLIENT}/32`, `${ALLOWED_ATTACKER}/32`],
    tls: true,
    env: { SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: String(PER_SOURCE), SIP_TLS_HANDSHAKE_TIMEOUT_MS: '1000', SIP_TCP_MESSAGE_TIMEOUT_MS: '1000' },
  });
}, 60_000);

afterAll(async () => {
  for (const s of held.splice(0)) s.destroy();
  await g?.stop();
});

/** Waits until every socket is closed, at most `boundMs`; returns how many are still open. */
async function openAfter(sockets: net.Socket[], boundMs: number): Promise<number> {
  await Promise.race([Promise.all(sockets.map(closed)), new Promise((resolve) => setTimeout(resolve, boundMs))]);
  return sockets.filter((s) => !s.destroyed).length;
}

describe('TCP connection exhaustion', () => {
  it(`${ATTACK_CONNECTIONS} idle connections from a non-allowed address are closed at accept; an allowed client is served meanwhile`, async () => {
    const attack = openIdle(g.sip, OUTSIDER, ATTACK_CONNECTIONS);
    const served = await optionsOverStream(g.sip, CLIENT, 10_000);
    const sockets = await attack;
    held.push(...sockets);
    expect(served).toBe(200);
    expect(await openAfter(sockets, 10_000)).toBe(0);
    expect((await g.refused())['tcp/not_allowed']).toBeGreaterThanOrEqual(sockets.length);
    expect(await optionsOverStream(g.sip, CLIENT, 10_000)).toBe(200);
  }, 60_000);

  it(`an allowed source holding idle connections keeps at most ${PER_SOURCE}; another allowed client is served`, async () => {
    const sockets = await openIdle(g.sip, ALLOWED_ATTACKER, ATTACK_CONNECTIONS);
    held.push(...sockets);
    expect(await optionsOverStream(g.sip, CLIENT, 10_000)).toBe(200);
    const open = await openAfter(sockets, 2_000);
    expect(open).toBeLessThanOrEqual(PER_SOURCE);
    expect((await g.refused())['tcp/connections_per_source']).toBeGreaterThanOrEqual(ATTACK_CONNECTIONS - PER_SOURCE);
    for (const s of sockets) s.destroy();
  }, 60_000);
});

describe('TLS connections that never send a ClientHello', () => {
  it('from a non-allowed address: closed at accept; from an allowed one: at most its budget, closed at the handshake deadline; the client is served', async () => {
    const tlsEnd = g.tls!;
    const outsiders = openIdle(tlsEnd, OUTSIDER, ATTACK_CONNECTIONS);
    const insiders = await openIdle(tlsEnd, ALLOWED_ATTACKER, ATTACK_CONNECTIONS);
    held.push(...insiders);
    const served = await optionsOverStream(tlsEnd, CLIENT, 10_000, { ca: g.cert });
    const out = await outsiders;
    held.push(...out);
    expect(served).toBe(200);
    // The deadline is 1 s; the bound here only keeps the test finite.
    expect(await openAfter([...out, ...insiders], 15_000)).toBe(0);
    const refused = await g.refused();
    expect(refused['tls/not_allowed']).toBeGreaterThanOrEqual(out.length);
    // Every allowed attacker connection was either over its source's budget or cut at the deadline
    // (while the attack lasts, cut ones free slots that later attempts take).
    expect(refused['tls/handshake_timeout']).toBeGreaterThanOrEqual(1);
    expect((refused['tls/connections_per_source'] ?? 0) + (refused['tls/handshake_timeout'] ?? 0)).toBeGreaterThanOrEqual(insiders.length);
  }, 60_000);
});

describe('slowloris', () => {
  it('a message trickled one byte at a time is cut at the message deadline', async () => {
    const socket = await rawConnect(g.sip, CLIENT);
    socket.on('error', () => undefined);
    const bytes = serializeMessage(optionsTo(g.sip, { host: CLIENT, port: socket.localPort ?? 0 }, 'TCP'));
    const gone = closed(socket);
    let sent = 0;
    let isClosed = false;
    void gone.then(() => {
      isClosed = true;
    });
    // One byte every 250 ms against a 1 s deadline (production: 5 s; the attack sent one per 10 s).
    while (!isClosed && sent < bytes.length) {
      socket.write(bytes.subarray(sent, sent + 1));
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(isClosed).toBe(true);
    expect(sent).toBeLessThan(bytes.length / 4);
    expect((await g.refused())['tcp/message_timeout']).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
