/**
 * PROTOS c07-sip (OUSPG) robustness run over UDP against the RUNNING gateway: all 4,527 cases, each
 * INVITE then its CANCEL teardown, and the valid case 0 (fresh Call-ID) at every group boundary
 * and at least every 100 cases, which must still get its final response. PROTOS' criterion is
 * robustness, not status codes: the gateway must not crash, hang or leak — so the run ends by
 * checking the process is alive, answers OPTIONS within 1 s, holds no call, and did not grow.
 * A summary goes to lab/out/conformance/protos-summary.json.
 *
 * Memory: every case leaves transactions alive for Timer J (32 s) and V8 grows its heap as far as
 * it likes, so "RSS after − RSS before" of a single pass measures V8's headroom, not what the
 * gateway keeps (measured: ~+90 MiB for one pass, yet three passes with a forced GC in between
 * plateau and the live JS heap stays flat). The suite therefore (1) paces the cases (160/s), so
 * the live heap does not depend on the machine's speed, (2) caps the gateway's V8 old space at
 * 128 MiB — a leak cannot hide in headroom, and a large one ends in an out-of-memory crash that
 * the liveness checks catch — and (3) runs the corpus twice: the first pass sets the high-water
 * mark, the second, identical in load, must not raise RSS by 64 MiB.
 *
 * Every case is sent from 127.45.0.1 with that socket's port in its Via; replies routed to the
 * default port instead (a fuzzed Via port) land on a second socket at 127.45.0.1:5060 and are
 * counted. The probes come from 127.45.0.2, so their replies can never be mistaken for a case's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOS_CASE_COUNT, PROTOS_GROUPS, extractProtosArchive, fillPlaceholders, loadProtosCases, type ProtosValues } from '../../src/conformance/protos.js';
import {
  InviteJanitor,
  SIP_DEFAULT_PORT,
  UdpPeer,
  conformanceOutDir,
  crashTraces,
  isAlive,
  isReplyToUs,
  loopbackAddress,
  probeOptions,
  readVmRssBytes,
  startWireGateway,
  statusOf,
  waitForCallsEnded,
  type Datagram,
  type WireGateway,
  GATEWAY_MAIN,
  requireBuiltGateway,
  UNLIMITED_REQUESTS,
} from '../../src/conformance/wire/index.js';
import { PROTOS_ARCHIVE } from '../../src/conformance/corpora.js';

/** Largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP); bigger PDUs cannot be one datagram. */
const MAX_UDP_PAYLOAD = 65_507;
const SOURCE_BLOCK = 45;
/** How long a case's INVITE may take to draw its first response before we move on, ms. */
const FIRST_RESPONSE_MS = 40;
/** The valid INVITE must be answered (final response) within this, ms. */
const PROBE_FINAL_MS = 5_000;
const PROBE_EVERY = 100;
/**
 * Sending pace, cases per second at most. Every case leaves transactions alive for Timer J
 * (32 s), so the gateway's live heap follows rate × 32 s; a fixed pace keeps that the same on a
 * fast machine as on a slow one (~5,000 cases in flight, well under the heap cap below).
 */
const MAX_CASES_PER_S = 160;
const PASSES = 2;
/** V8 old-space cap for the gateway under test, MiB (see the header). */
const GATEWAY_OLD_SPACE_MIB = 128;
/** RSS growth allowed over the second, identical pass. */
const MAX_REPEAT_RSS_GROWTH_BYTES = 64 * 1024 * 1024;
/** RSS growth allowed over the first pass (the high-water mark the burst sets). */
const MAX_FIRST_PASS_RSS_GROWTH_BYTES = 192 * 1024 * 1024;
/** Both passes and the settling after them, ms. */
const RUN_TIMEOUT_MS = 240_000;

const groupStarts = new Set(PROTOS_GROUPS.map((g) => g.first));
const statusClass = (s: number): string => `${Math.floor(s / 100)}xx`;
const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};
const mib = (bytes: number | undefined): string => (bytes === undefined ? '?' : (bytes / 1024 / 1024).toFixed(1));

/** Janitor counters with the BYE statuses tallied rather than listed. */
function janitorSummary(j: InviteJanitor): Record<string, unknown> {
  const { byeStatuses, ...rest } = j.counts;
  return { ...rest, byeStatuses: byeStatuses.reduce<Record<string, number>>((acc, s) => (bump(acc, String(s)), acc), {}) };
}

/** CANCEL responses echo the teardown's CSeq line; everything else with the case marker answers the INVITE. */
function isCancelResponse(d: Datagram): boolean {
  return /\r\nCSeq[ \t]*:[^\r\n]*CANCEL/i.test(d.bytes.toString('latin1'));
}

interface PassStats {
  sent: number;
  skipped: number[];
  firstResponseTimeouts: number;
  invitesAnswered: number;
  inviteResponsesByClass: Record<string, number>;
  inviteFinalsByStatus: Record<string, number>;
  cancelResponsesByClass: Record<string, number>;
  repliesToDefaultPort: number;
  unattributedReplies: number;
  sendingMs: number;
}

// Fails (never skips) with the build instruction when the compiled gateway is missing.
it(`needs the compiled gateway, ${GATEWAY_MAIN} (make build)`, () => {
  expect(() => requireBuiltGateway()).not.toThrow();
});

describe('PROTOS c07-sip over UDP against the running gateway', () => {
  let gw: WireGateway;
  let scratch: string;
  let casesDir: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'protos-c07-sip-'));
    casesDir = await extractProtosArchive(PROTOS_ARCHIVE, scratch);
    gw = await startWireGateway({
      name: 'protos-wire',
      rtpPorts: { min: 42_000, max: 43_999 },
      realtime: 'answering',
      env: {
        // Thousands of INVITEs from one address.
        ...UNLIMITED_REQUESTS,
        SIP_MAX_CALLS: '1000',
        NODE_OPTIONS: `--max-old-space-size=${GATEWAY_OLD_SPACE_MIB}`,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 30_000);

  it('survives every case twice, answers the valid INVITE throughout, and ends alive, responsive, with no call and no growth', async () => {
    const host = loopbackAddress(SOURCE_BLOCK, 0);
    const peer = await UdpPeer.bind(host);
    const stray = await UdpPeer.bind(host, SIP_DEFAULT_PORT);
    const prober = await UdpPeer.bind(loopbackAddress(SOURCE_BLOCK, 1));
    const janitor = new InviteJanitor(gw.udp, peer, stray);
    const probeJanitor = new InviteJanitor(gw.udp, prober);
    const runId = Date.now().toString(36);
    const valuesFor = (marker: string, local: UdpPeer): ProtosValues => ({
      to: `gw@${gw.udp.host}:${gw.udp.port}`,
      from: `protos@${local.local.host}`,
      fromAddress: local.local.host,
      fromIp: local.local.host,
      localPort: local.local.port,
      branchId: marker,
      callId: marker,
      cseq: 1,
      teardownMethod: 'CANCEL',
    });

    let validInvite: Buffer | undefined;
    const probes: Array<{ pass: number; atCase: number; status: number | undefined }> = [];
    const probe = async (pass: number, atCase: number): Promise<void> => {
      if (validInvite === undefined) return;
      const marker = `${runId}p${probes.length}q`;
      const invite = fillPlaceholders(validInvite, valuesFor(marker, prober));
      probeJanitor.track(invite);
      const from = prober.received.length;
      await prober.send(invite, gw.udp);
      const final = await prober.waitFor((d) => (statusOf(d) ?? 0) >= 200 && d.bytes.includes(marker) && !isReplyToUs(d), PROBE_FINAL_MS, from);
      probes.push({ pass, atCase, status: final === undefined ? undefined : statusOf(final) });
    };

    /** One pass over the corpus; cases carry `<runId>c<index>q<pass>r` in their branch and Call-ID. */
    const runPass = async (pass: number): Promise<PassStats> => {
      const started = performance.now();
      const fromPeer = peer.received.length;
      const fromStray = stray.received.length;
      let sent = 0;
      let firstResponseTimeouts = 0;
      const skipped: number[] = [];
      for await (const c of loadProtosCases(casesDir)) {
        const notBefore = started + (c.index * 1000) / MAX_CASES_PER_S;
        if (performance.now() < notBefore) await new Promise((r) => setTimeout(r, notBefore - performance.now()));
        if (c.index === 0) validInvite = c.invite;
        if (groupStarts.has(c.index) || c.index % PROBE_EVERY === 0) await probe(pass, c.index);
        const marker = `${runId}c${c.index}q${pass}r`;
        const values = valuesFor(marker, peer);
        const invite = fillPlaceholders(c.invite, values);
        if (invite.length > MAX_UDP_PAYLOAD) {
          skipped.push(c.index);
          continue;
        }
        janitor.track(invite);
        const at = [peer.received.length, stray.received.length] as const;
        await peer.send(invite, gw.udp);
        sent++;
        const mine = (d: Datagram): boolean => d.bytes.includes(marker);
        const first = await Promise.race([peer.waitFor(mine, FIRST_RESPONSE_MS, at[0]), stray.waitFor(mine, FIRST_RESPONSE_MS, at[1])]);
        if (first === undefined) firstResponseTimeouts++;
        await peer.send(fillPlaceholders(c.teardown, values), gw.udp);
      }
      const sendingMs = performance.now() - started;
      await peer.quiet(300, 3_000);
      return { ...attribute(pass, [...peer.received.slice(fromPeer), ...stray.received.slice(fromStray)], stray.received.slice(fromStray)), sent, skipped, firstResponseTimeouts, sendingMs: Math.round(sendingMs) };
    };

    /** Sorts a pass's replies by case (marker), kind (INVITE or CANCEL) and status. */
    const attribute = (pass: number, replies: Datagram[], toDefaultPort: Datagram[]) => {
      const markerRe = new RegExp(`${runId}c(\\d+)q${pass}r`);
      const inviteResponsesByClass: Record<string, number> = {};
      const inviteFinalsByStatus: Record<string, number> = {};
      const cancelResponsesByClass: Record<string, number> = {};
      const answered = new Set<number>();
      const seen = new Set<string>();
      let unattributedReplies = 0;
      for (const d of replies) {
        const status = statusOf(d);
        if (status === undefined || isReplyToUs(d)) continue;
        const text = d.bytes.toString('latin1');
        if (seen.has(text)) continue; // a retransmission
        seen.add(text);
        const m = markerRe.exec(text);
        if (m?.[1] === undefined) {
          unattributedReplies++;
          continue;
        }
        if (isCancelResponse(d)) {
          bump(cancelResponsesByClass, statusClass(status));
          continue;
        }
        answered.add(Number(m[1]));
        bump(inviteResponsesByClass, statusClass(status));
        if (status >= 200) bump(inviteFinalsByStatus, String(status));
      }
      const repliesToDefaultPort = toDefaultPort.filter((d) => statusOf(d) !== undefined && !isReplyToUs(d)).length;
      return { invitesAnswered: answered.size, inviteResponsesByClass, inviteFinalsByStatus, cancelResponsesByClass, repliesToDefaultPort, unattributedReplies };
    };

    const started = performance.now();
    const passes: PassStats[] = [];
    const rss: Array<number | undefined> = [];
    for (let pass = 0; pass < PASSES; pass++) {
      if (pass === 0) {
        // Baseline after one call went through: lazily loaded code is not growth.
        for await (const c of loadProtosCases(casesDir)) {
          validInvite = c.invite;
          break;
        }
        await probe(pass, -1);
        rss.push(readVmRssBytes(gw.process.pid ?? -1));
      }
      passes.push(await runPass(pass));
      rss.push(readVmRssBytes(gw.process.pid ?? -1));
    }
    await probe(PASSES - 1, PROTOS_CASE_COUNT);

    // Let the CANCELs, ACKs and BYEs settle, then look at the process.
    const ledger = await waitForCallsEnded(gw.process, 40_000);
    await Promise.all([janitor.settled(5_000), probeJanitor.settled(5_000)]);
    const options = await probeOptions(prober, gw.udp, 1_000);
    const durationMs = performance.now() - started;
    const [rssBefore, rssAfterFirst, rssAfterSecond] = rss;
    const firstGrowth = rssBefore !== undefined && rssAfterFirst !== undefined ? rssAfterFirst - rssBefore : undefined;
    const repeatGrowth = rssAfterFirst !== undefined && rssAfterSecond !== undefined ? rssAfterSecond - rssAfterFirst : undefined;

    const first = passes[0] as PassStats;
    const summary = {
      cases: PROTOS_CASE_COUNT,
      sent: first.sent,
      skippedOverUdp: first.skipped.length,
      skippedIndices: first.skipped,
      responsesByClass: first.inviteResponsesByClass,
      passes: passes.map((p) => ({ ...p, skipped: p.skipped.length, invitesUnanswered: p.sent - p.invitesAnswered })),
      probes: { count: probes.length, statuses: probes.reduce<Record<string, number>>((acc, p) => (bump(acc, String(p.status ?? 'none')), acc), {}) },
      calls: ledger,
      janitor: { cases: janitorSummary(janitor), probes: janitorSummary(probeJanitor) },
      gatewayOldSpaceMiB: GATEWAY_OLD_SPACE_MIB,
      rssBeforeBytes: rssBefore,
      rssAfterFirstPassBytes: rssAfterFirst,
      rssAfterSecondPassBytes: rssAfterSecond,
      rssFirstPassGrowthBytes: firstGrowth,
      rssRepeatGrowthBytes: repeatGrowth,
      optionsAfter: options,
      durationMs: Math.round(durationMs),
    };
    writeFileSync(join(conformanceOutDir(), 'protos-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `PROTOS c07-sip: ${first.sent} sent, ${first.skipped.length} skipped (> ${MAX_UDP_PAYLOAD} B), INVITE replies ${JSON.stringify(first.inviteResponsesByClass)}, ` +
        `${probes.length} probes ${JSON.stringify(summary.probes.statuses)}, RSS ${mib(rssBefore)} -> ${mib(rssAfterFirst)} -> ${mib(rssAfterSecond)} MiB, ` +
        `OPTIONS ${options?.rttMs.toFixed(1) ?? '-'} ms, ${(durationMs / 1000).toFixed(1)} s for ${PASSES} passes`,
    );
    janitor.close();
    probeJanitor.close();
    await Promise.all([peer.close(), stray.close(), prober.close()]);

    for (const p of passes) {
      expect(p.sent + p.skipped.length).toBe(PROTOS_CASE_COUNT);
      // Only PDUs over the UDP limit are skipped: 81 of them in the corpus.
      expect(p.skipped).toEqual(first.skipped);
    }
    expect(first.skipped.length).toBeGreaterThan(0);
    expect(first.skipped.length).toBeLessThan(100);
    // The valid INVITE was answered 200 at every probe (then hung up cleanly).
    expect(probes.length).toBeGreaterThanOrEqual(PASSES * Math.ceil(PROTOS_CASE_COUNT / PROBE_EVERY));
    expect(probes.filter((p) => p.status !== 200)).toEqual([]);
    expect(probeJanitor.counts.byeStatuses.filter((s) => s !== 200)).toEqual([]);
    // Alive, responsive, nothing held, no crash trace, no growth.
    expect(isAlive(gw.process.pid ?? -1)).toBe(true);
    expect(options?.status).toBe(200);
    expect(ledger.open).toBe(0);
    expect(crashTraces(gw.process)).toEqual([]);
    expect(firstGrowth).toBeDefined();
    expect(repeatGrowth).toBeDefined();
    expect(firstGrowth ?? Infinity).toBeLessThan(MAX_FIRST_PASS_RSS_GROWTH_BYTES);
    expect(repeatGrowth ?? Infinity).toBeLessThan(MAX_REPEAT_RSS_GROWTH_BYTES);
    expect(await gw.stop()).toBe(0);
    expect(gw.process.logs.find((l) => l.msg === 'stopping: draining')?.activeCalls).toBe(0);
  }, RUN_TIMEOUT_MS);
});
