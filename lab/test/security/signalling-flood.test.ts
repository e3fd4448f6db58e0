/**
 * Request floods (issue 9 §4 and the UDP part of §7), replayed against the real gateway on
 * loopback. Before: UDP from non-allowed sources was parsed before it was dropped; no rate limit
 * and no cap on server transactions, so 8,000 CANCELs raised RSS by ~90 MB for good; unanswered
 * INVITEs from one allowed source held a port pair each, and ten of them filled a 10-pair range so
 * a legitimate call got 503. Now non-allowed datagrams are dropped unparsed, every request passes a
 * per-source bucket (one 503 per window, the rest dropped, no transaction), server transactions are
 * capped, and one source may hold only its share of calls in set-up.
 *
 * Hosts: 127.92.0.1 the legitimate client, 127.92.0.5 an attacker on the allow-list, 127.92.0.9
 * one that is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage, serializeMessage, type SipRequest } from 'connect-realtime-gateway';
import { ackForSuccess, byeForSuccess, probeOptions, readVmRssBytes, responseOf, UdpPeer } from '../../src/conformance/wire/index.js';
import { inviteFrom, startSecurityGateway, type SecurityGateway } from './helpers/signalling.js';

const CLIENT = '127.92.0.1';
const ALLOWED_ATTACKER = '127.92.0.5';
const OUTSIDER = '127.92.0.9';
const FLOOD = 8_000;

let g: SecurityGateway;
const peers: UdpPeer[] = [];

beforeAll(async () => {
  g = await startSecurityGateway('security-flood', {
    allow: [`${CLIENT}/32`, `${ALLOWED_ATTACKER}/32`],
    // Ten RTP port pairs, as in the attack report.
    rtpPorts: { min: 47_200, max: 47_219 },
  });
}, 60_000);

afterAll(async () => {
  for (const p of peers.splice(0)) await p.close();
  await g?.stop();
});

async function peer(host: string): Promise<UdpPeer> {
  const p = await UdpPeer.bind(host);
  peers.push(p);
  return p;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function cancelText(from: { host: string; port: number }, to: { host: string; port: number }, i: number): Buffer {
  return Buffer.from(
    [
      `CANCEL sip:agent@${to.host}:${to.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.host}:${from.port};branch=z9hG4bKflood${i};rport`,
      'Max-Forwards: 70',
      `From: <sip:flood@${from.host}>;tag=f${i}`,
      `To: <sip:agent@${to.host}>`,
      `Call-ID: flood-${i}@${from.host}`,
      `CSeq: 1 CANCEL`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

describe('UDP from a non-allowed source', () => {
  it('is dropped before it is parsed: counted by the transport, never answered, never reaching the SIP core', async () => {
    const outsider = await peer(OUTSIDER);
    const before = await g.responsesSent();
    for (let i = 0; i < 500; i++) {
      await outsider.send(i % 2 === 0 ? cancelText(outsider.local, g.sip, i) : Buffer.from(`garbage ${i} \u0000\u00ff`), g.sip);
      if (i % 50 === 49) await pause(5);
    }
    const client = await peer(CLIENT);
    expect((await probeOptions(client, g.sip, 5_000))?.status).toBe(200);
    const refused = await g.refused();
    expect(refused['udp/not_allowed']).toBeGreaterThan(0);
    expect(refused['udp/not_allowed']).toBeLessThanOrEqual(500);
    expect(refused['any/not_allowed']).toBeUndefined();
    expect(outsider.received).toHaveLength(0);
    expect((await g.responsesSent()) - before).toBe(1);
  }, 60_000);
});

describe(`a flood of ${FLOOD} CANCELs from an allowed source`, () => {
  it('is rate-limited, another client is served meanwhile, and memory returns near its baseline', async () => {
    const client = await peer(CLIENT);
    const flooder = await peer(ALLOWED_ATTACKER);
    const pid = g.gw.process.pid!;
    for (let i = 0; i < 20; i++) await probeOptions(client, g.sip, 2_000);
    const rssBefore = readVmRssBytes(pid)!;
    const startedAt = performance.now();
    for (let i = 0; i < FLOOD; i++) {
      await flooder.send(cancelText(flooder.local, g.sip, i), g.sip);
      if (i % 200 === 199) await pause(1);
    }
    const elapsedS = (performance.now() - startedAt) / 1_000;
    // What the flood could make the gateway hold: server transactions (kept 32 s over UDP). Before,
    // every CANCEL left one; now only those within the source's rate, and never over its cap.
    const liveTransactions = await g.serverTransactions();
    expect((await probeOptions(client, g.sip, 5_000))?.status).toBe(200);
    await pause(2_000);
    const rssAfter = readVmRssBytes(pid)!;
    const answered = flooder.received.length;
    const refusals = flooder.received.filter((d) => responseOf(d)?.status === 503).length;
    console.log(
      `flood: ${FLOOD} CANCELs in ${elapsedS.toFixed(1)} s; answered ${answered} (503: ${refusals}); live server transactions ${liveTransactions}; gateway RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB -> ${(rssAfter / 2 ** 20).toFixed(1)} MiB`,
    );
    // Burst 200 plus 100/s, plus one 503 per second of flood: a small fraction of the flood.
    expect(answered).toBeLessThanOrEqual(200 + Math.ceil(elapsedS + 2) * 101);
    expect(refusals).toBeGreaterThanOrEqual(1);
    // The client's 21 OPTIONS probes hold one each too.
    expect(liveTransactions).toBeLessThanOrEqual(answered - refusals + 50);
    const refused = (await g.refused())['any/request_rate'] ?? 0;
    expect(refused).toBeGreaterThan(0);
    // Every CANCEL that reached the gateway was answered within the rate or refused (the kernel may
    // drop some of a burst this fast before the gateway reads them).
    expect(answered - refusals + refused).toBeLessThanOrEqual(FLOOD);
    // Generous: the young generation V8 grows under any burst of allocations stays; what must not
    // stay is SIP state proportional to the flood (see docs/security.md for the figures).
    expect(rssAfter).toBeLessThan(rssBefore * 1.5);
  }, 120_000);
});

describe('unanswered INVITEs from one allowed source', () => {
  it('hold only their share of calls in set-up: a legitimate call from another source still gets through', async () => {
    const attacker = await peer(ALLOWED_ATTACKER);
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const inv = inviteFrom(attacker.local, g.sip, 41_000 + 2 * i);
      sent.push(inv.callId);
      await attacker.send(Buffer.from(inv.text), g.sip);
    }
    // Each INVITE gets a final response (200 for those admitted, 503 for the rest): never ACKed.
    const finals = new Map<string, number>();
    const deadline = performance.now() + 15_000;
    while (finals.size < sent.length && performance.now() < deadline) {
      for (const d of attacker.received) {
        const res = responseOf(d);
        if (res !== undefined && res.status >= 200) finals.set(res.headers.get('Call-ID') ?? '', res.status);
      }
      await pause(50);
    }
    const refused = [...finals.values()].filter((s) => s === 503).length;
    expect(refused).toBeGreaterThanOrEqual(8);

    const client = await peer(CLIENT);
    const inv = inviteFrom(client.local, g.sip, 42_000);
    const parsed = parseMessage(Buffer.from(inv.text));
    if (!parsed.ok || parsed.value.type !== 'request') throw new Error('test INVITE does not parse');
    const invite: SipRequest = parsed.value;
    await client.send(Buffer.from(inv.text), g.sip);
    const final = await client.waitFor((d) => {
      const res = responseOf(d);
      return res !== undefined && res.status >= 200 && res.headers.get('Call-ID') === inv.callId;
    }, 15_000);
    const ok = final === undefined ? undefined : responseOf(final);
    expect(ok?.status).toBe(200);
    const ack = ackForSuccess(invite, ok!, client.local);
    const bye = byeForSuccess(invite, ok!, client.local);
    if (!ack.ok || !bye.ok) throw new Error('cannot build ACK/BYE');
    await client.send(serializeMessage(ack.request), g.sip);
    const from = client.received.length;
    await client.send(serializeMessage(bye.request), g.sip);
    const byeOk = await client.waitFor((d) => responseOf(d)?.headers.get('CSeq')?.endsWith('BYE') === true, 10_000, from);
    expect(byeOk === undefined ? undefined : responseOf(byeOk)?.status).toBe(200);
    expect((await g.refused())['any/setup_calls_per_source']).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
