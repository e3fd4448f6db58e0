/**
 * RFC 4475 (SIP torture messages) and RFC 5118 (IPv6) over the wire: each corpus file, byte for
 * byte, as one UDP datagram to the RUNNING gateway (compiled, child process), and the reaction it
 * owes per lab/src/conformance/rfc4475-expectations.ts: exactly one final response with the owed
 * status, or nothing at all.
 *
 * Each file is sent from a source address of its own (127.44.0.x), from the port its Via names
 * (the reply port of RFC 3261 §18.2.2) or from any port when it asks for rport (RFC 3581): the
 * reply can only reach us if the gateway answered the packet's source address — the corpus names
 * foreign hosts in Via/Contact/SDP — and a second socket on the same address at the other
 * candidate port proves the reply did not go there instead.
 *
 * Files sharing a server transaction key go to different rounds, each round against a gateway of
 * its own (see transaction-rounds.ts); a test near the end checks the sharing itself.
 *
 * The table is used as written: checked against RFC 4475/5118 and INDEX.md, every entry is one the
 * RFCs allow, and the gateway meets every one on the wire.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest, type SipResponse } from 'connect-realtime-gateway';
import { RFC4475_EXPECTATIONS, type Rfc4475Expectation } from '../../src/conformance/rfc4475-expectations.js';
import {
  InviteJanitor,
  SIP_DEFAULT_PORT,
  UdpPeer,
  callLedger,
  responseOf,
  crashTraces,
  exchange,
  isAlive,
  loopbackAddress,
  probeOptions,
  replyRouteOf,
  serverTransactionKeyOf,
  startWireGateway,
  transactionRounds,
  waitForCallsEnded,
  type WireGateway,
  GATEWAY_MAIN,
  requireBuiltGateway,
} from '../../src/conformance/wire/index.js';
import { RFC4475_DIR } from '../../src/conformance/corpora.js';

/** Source addresses 127.44.0.1 …: one per corpus file, then a few for the checks at the end. */
const SOURCE_BLOCK = 44;
/** Bound on the wait for a final response, ms. A drop waits this long and sees nothing. */
const FINAL_WITHIN_MS = 1_500;
/** Quiet spell after the final during which a second final (dblreq's INVITE, say) would show, ms. */
const QUIET_MS = 250;
/** Provisional responses a UAS may send before its final one. */
const PROVISIONALS = [100, 180, 183];
/** RTP ports per round's gateway; 2 per answered call, a handful of calls per round. */
const RTP_PORTS_PER_GATEWAY = 100;
const RTP_PORT_BASE = 41_000;

const corpus = RFC4475_EXPECTATIONS.map((entry) => ({ entry, bytes: readFileSync(join(RFC4475_DIR, entry.file)) }));
const rounds = transactionRounds(corpus.map((c) => c.bytes));
const roundCount = Math.max(...rounds) + 1;

function label(entry: Rfc4475Expectation): string {
  return entry.expect === 'drop' ? 'no response' : `final ${entry.expect.status.join(' or ')}`;
}

const latin1 = (d: { bytes: Buffer }): string => d.bytes.toString('latin1');

/**
 * Header fields a final response must carry (RFC 3261): 405 lists Allow (§8.2.1, §21.4.6), 501
 * too per RFC 4475 §3.1.1.2, 420 names what is Unsupported (§8.2.2.3), 415 says what it would
 * Accept (§21.4.13), a 2xx to INVITE carries a Contact (§13.3.1.4) and the SDP answer (§13.2.1).
 */
function checkFinal(res: SipResponse, method: string | undefined, request: SipRequest | undefined): void {
  const must: Record<number, string[]> = { 405: ['Allow'], 501: ['Allow'], 420: ['Unsupported'], 415: ['Accept'] };
  for (const name of must[res.status] ?? []) expect(res.headers.has(name), `${res.status} carries ${name}`).toBe(true);
  if (res.status === 420 && request !== undefined) {
    const unsupported = res.headers.getAll('Unsupported').map((t) => t.toLowerCase());
    for (const tag of request.headers.getAll('Require')) expect(unsupported).toContain(tag.toLowerCase());
  }
  if (res.status >= 200 && res.status < 300 && method === 'INVITE') {
    expect(res.headers.has('Contact')).toBe(true);
    expect(res.headers.get('Content-Type')).toBe('application/sdp');
    expect(res.body.length).toBeGreaterThan(0);
  }
  // §8.2.6.2: a final response adds a To tag (read loosely: To may hold an isbn: URI, unksm2.dat).
  if (request?.headers.has('To')) expect(res.headers.get('To')).toMatch(/>?[^<>]*;[ \t]*tag[ \t]*=[ \t]*[^; \t]+/i);
}

// Fails (never skips) with the build instruction when the compiled gateway is missing.
it(`needs the compiled gateway, ${GATEWAY_MAIN} (make build)`, () => {
  expect(() => requireBuiltGateway()).not.toThrow();
});

describe('RFC 4475 / RFC 5118 torture messages over UDP against the running gateway', () => {
  const gateways: WireGateway[] = [];

  beforeAll(async () => {
    const started = await Promise.allSettled(
      Array.from({ length: roundCount }, (_, r) =>
        startWireGateway({
          name: `rfc4475-wire-round${r}`,
          rtpPorts: { min: RTP_PORT_BASE + r * RTP_PORTS_PER_GATEWAY, max: RTP_PORT_BASE + (r + 1) * RTP_PORTS_PER_GATEWAY - 1 },
          realtime: 'answering',
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') gateways.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 30_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
  }, 20_000);

  corpus.forEach(({ entry, bytes }, i) => {
    const round = rounds[i] ?? 0;
    it(`${entry.section} ${entry.file}: ${label(entry)}${round > 0 ? ` (round ${round})` : ''}`, async () => {
      const gw = gateways[round] as WireGateway;
      const host = loopbackAddress(SOURCE_BLOCK, i);
      const route = replyRouteOf(bytes);
      const peer = await UdpPeer.bind(host, route.bindPort);
      // The ports a reply could wrongly go to: 5060 and the Via port when we are not bound there.
      const strayPorts = [...new Set([SIP_DEFAULT_PORT, route.viaPort])].filter((p) => p !== peer.local.port);
      const strays = await Promise.all(strayPorts.map((p) => UdpPeer.bind(host, p)));
      const janitor = new InviteJanitor(gw.udp, peer);
      try {
        janitor.track(bytes);
        const result = await exchange(peer, bytes, gw.udp, { finalWithinMs: FINAL_WITHIN_MS, quietMs: QUIET_MS });
        const expected = entry.expect;
        if (expected === 'drop') {
          expect(result.datagrams.map(latin1)).toEqual([]);
        } else {
          expect(result.finals, `final responses to ${entry.file}`).toHaveLength(1);
          expect(expected.status).toContain(result.finals[0]);
          for (const s of result.statuses.filter((s) => s < 200)) expect(PROVISIONALS).toContain(s);
          expect(result.nonResponses).toBe(0);
          // Every reply came from the gateway's SIP socket.
          for (const d of result.datagrams) expect(d.from).toEqual(gw.udp);
          // A reply to a request that parsed parses too (it echoes only well-formed headers).
          const sent = parseMessage(bytes);
          const request = sent.ok && sent.value.type === 'request' ? sent.value : undefined;
          if (request !== undefined) {
            const finalDatagram = result.responses.find((d) => responseOf(d) !== undefined && (responseOf(d) as SipResponse).status >= 200);
            expect(finalDatagram, 'the final response parses').toBeDefined();
            checkFinal(responseOf(finalDatagram!) as SipResponse, request.method, request);
          }
        }
        if (janitor.counts.byesSent > 0) {
          // A call was answered: the janitor ACKed it and hung up; the gateway must agree.
          expect(await janitor.settled(3_000)).toBe(true);
          expect(janitor.counts.byeStatuses).toEqual([200]);
        }
        expect(janitor.counts.problems).toEqual([]);
        for (const stray of strays) expect(stray.received.map(latin1)).toEqual([]);
      } finally {
        janitor.close();
        await Promise.all([peer.close(), ...strays.map((s) => s.close())]);
      }
    });
  });

  it('RFC 3261 §17.2.3: novelsc.dat reuses unkscm.dat\'s transaction key, so it is absorbed as a retransmission and the 416 goes to the first sender only', async () => {
    const first = corpus.find((c) => c.entry.file === 'unkscm.dat');
    const second = corpus.find((c) => c.entry.file === 'novelsc.dat');
    if (first === undefined || second === undefined) throw new Error('unkscm.dat / novelsc.dat missing from the table');
    expect(serverTransactionKeyOf(second.bytes)).toBe(serverTransactionKeyOf(first.bytes));
    // The last round's gateway has seen neither file.
    const gw = gateways[roundCount - 1] as WireGateway;
    expect(rounds[corpus.indexOf(first)]).not.toBe(roundCount - 1);
    expect(rounds[corpus.indexOf(second)]).not.toBe(roundCount - 1);
    const a = await UdpPeer.bind(loopbackAddress(SOURCE_BLOCK, corpus.length), SIP_DEFAULT_PORT);
    const b = await UdpPeer.bind(loopbackAddress(SOURCE_BLOCK, corpus.length + 1), SIP_DEFAULT_PORT);
    try {
      const answered = await exchange(a, first.bytes, gw.udp, { finalWithinMs: FINAL_WITHIN_MS, quietMs: QUIET_MS });
      expect(answered.finals).toEqual([416]);
      const fromA = a.received.length;
      const absorbed = await exchange(b, second.bytes, gw.udp, { finalWithinMs: 1_000, quietMs: QUIET_MS });
      expect(absorbed.datagrams).toEqual([]);
      expect(a.received.slice(fromA).map(latin1)).toEqual([latin1(answered.responses[0] as { bytes: Buffer })]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('every gateway is still alive afterwards: answers OPTIONS, holds no call, logged no crash, stops cleanly', async () => {
    const peer = await UdpPeer.bind(loopbackAddress(SOURCE_BLOCK, corpus.length + 2));
    try {
      for (const gw of gateways) {
        const probe = await probeOptions(peer, gw.udp, 1_000);
        expect(probe?.status).toBe(200);
      }
    } finally {
      await peer.close();
    }
    let offered = 0;
    for (const gw of gateways) {
      const ledger = await waitForCallsEnded(gw.process, 5_000);
      expect(ledger.open).toBe(0);
      offered += ledger.offered;
      expect(isAlive(gw.process.pid ?? -1)).toBe(true);
      expect(crashTraces(gw.process)).toEqual([]);
      expect(await gw.stop()).toBe(0);
      expect(gw.process.logs.find((l) => l.msg === 'stopping: draining')?.activeCalls).toBe(0);
      expect(callLedger(gw.process.logs).open).toBe(0);
    }
    // The INVITEs of the table reached the call layer (answered or rejected there).
    expect(offered).toBeGreaterThan(0);
  }, 30_000);
});
