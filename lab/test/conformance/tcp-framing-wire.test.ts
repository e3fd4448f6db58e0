/**
 * RFC 3261 §18.3 framing over the wire: the message streams of the SIP corpus, fed to the RUNNING
 * gateway's TCP port whole and in seeded random chunk sizes, must be answered identically — every
 * request (other than ACK) gets its responses, whatever the chunking — and the gateway must keep
 * the connection open. Streams broken on purpose (a negative Content-Length, RFC 4475 §3.1.2.3;
 * two Content-Length values, §3.3.9) must be answered up to the break and then closed.
 *
 * Each run gets a fresh gateway: the streams reuse branches and Call-IDs, and a second run
 * against the same gateway would rightly meet the first run's transactions (RFC 3261 §17.2.3).
 * The AI side refuses every session, so INVITEs end at once (503) and no call outlives a run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamFramer, isParseError, parseCSeq, parseNameAddr, parseVia, serializeMessage, type ParseResult, type SipHeaders } from 'connect-realtime-gateway';
import {
  crashTraces,
  feedTcp,
  loopbackAddress,
  optionsTo,
  seededChunkSizes,
  startWireGateway,
  waitForCallsEnded,
  type FeedResult,
  GATEWAY_MAIN,
  requireBuiltGateway,
  UNLIMITED_REQUESTS,
} from '../../src/conformance/wire/index.js';
import { RFC4475_DIR, STREAM_DIR } from '../../src/conformance/corpora.js';

const STREAMS = ['lioneagle-sipparser.txt', 'php-sip-generic.txt'];
const SOURCE_BLOCK = 46;
/** Messages per stream when framed by Content-Length (the counts rtckit/php-sip asserts, README). */
const MESSAGES_IN: Record<string, number> = { 'lioneagle-sipparser.txt': 26, 'php-sip-generic.txt': 227 };
/** Chunkings: name → [largest chunk, PRNG seed]; 'whole' is one write. */
const CHUNKINGS: ReadonlyArray<[name: string, maxChunk: number, seed: number]> = [
  ['whole', Number.POSITIVE_INFINITY, 0],
  ['1..16 B', 16, 0x5eed01],
  ['1..512 B', 512, 0x5eed02],
  ['1..8192 B', 8192, 0x5eed03],
];
const QUIET_MS = 1_000;
const MAX_WAIT_MS = 15_000;

/**
 * The server transaction a request belongs to, computable from a request and from its response
 * alike (RFC 3261 §17.2.3: top-Via branch + sent-by + CSeq method; without the magic cookie, the
 * RFC 2543 identifiers a response still carries). The streams hold retransmissions (same branch,
 * another CSeq number) that the gateway rightly absorbs: they count once.
 */
function transactionOf(headers: SipHeaders): string {
  const topRaw = headers.getAll('Via')[0] ?? '';
  const vias = parseVia(topRaw);
  const top = isParseError(vias) ? undefined : vias[0];
  const sentBy = top === undefined ? topRaw : `${top.host.toLowerCase()}:${top.port ?? ''}`;
  const cseq = parseCSeq(headers.get('CSeq') ?? '');
  const method = isParseError(cseq) ? '' : cseq.method === 'ACK' ? 'INVITE' : cseq.method;
  const branch = top?.params.get('branch');
  if (typeof branch === 'string' && branch.startsWith('z9hG4bK')) return `${branch}|${sentBy}|${method}`;
  const from = parseNameAddr(headers.get('From') ?? '');
  const fromTag = isParseError(from) ? '' : (from.params.get('tag') ?? '');
  return `2543|${fromTag}|${headers.get('Call-ID') ?? ''}|${isParseError(cseq) ? '' : cseq.seq}|${sentBy}|${method}`;
}

/**
 * The stream framed in one go: its message count, and the transactions owed a response — every
 * request but ACK, including those refused at parse time that still name a Via (the missing
 * Content-Length of php-sip-generic.txt's UDP-born messages: 400, RFC 3261 §18.3).
 */
function framedOnce(bytes: Buffer): { messages: number; owed: Set<string> } {
  const results = new StreamFramer({ maxSize: 1 << 20 }).push(bytes);
  const owed = new Set<string>();
  for (const r of results) {
    if (r.ok && r.value.type === 'request' && r.value.method !== 'ACK') owed.add(transactionOf(r.value.headers));
    if (!r.ok && r.error.isRequest && r.error.method !== 'ACK' && r.error.headers?.has('Via')) owed.add(transactionOf(r.error.headers));
  }
  return { messages: results.length, owed };
}

interface Answers {
  /** Requests that drew at least one response. */
  answered: Set<string>;
  /**
   * Non-INVITE transaction → its final statuses, for comparing chunkings. An INVITE's final is left
   * out: it comes after the (refused) AI session attempt, so whether a CANCEL further down the
   * stream still finds it pending (487) or already answered (503) depends on timing, not framing.
   */
  finals: Map<string, number[]>;
  unparsed: number;
}

function answersOf(received: readonly ParseResult[]): Answers {
  const answered = new Set<string>();
  const finals = new Map<string, number[]>();
  let unparsed = 0;
  for (const r of received) {
    if (!r.ok) {
      unparsed++;
      continue;
    }
    if (r.value.type !== 'response') continue;
    const key = transactionOf(r.value.headers);
    answered.add(key);
    if (r.value.status >= 200 && !key.endsWith('|INVITE')) finals.set(key, [...new Set([...(finals.get(key) ?? []), r.value.status])].sort());
  }
  return { answered, finals, unparsed };
}

async function runStream(name: string, bytes: Buffer, chunks: number[], source: string): Promise<{ feed: FeedResult; answers: Answers }> {
  const gw = await startWireGateway({
    name: `tcp-framing-${name}`,
    rtpPorts: { min: 44_000, max: 44_199 },
    realtime: 'refusing',
    env: UNLIMITED_REQUESTS,
  });
  try {
    const feed = await feedTcp({ server: gw.tcp, localAddress: source, bytes, chunks, quietMs: QUIET_MS, maxWaitMs: MAX_WAIT_MS });
    expect((await waitForCallsEnded(gw.process, 5_000)).open).toBe(0);
    expect(crashTraces(gw.process)).toEqual([]);
    return { feed, answers: answersOf(feed.received) };
  } finally {
    expect(await gw.stop()).toBe(0);
  }
}

function chunksFor(total: number, maxChunk: number, seed: number): number[] {
  return Number.isFinite(maxChunk) ? seededChunkSizes(total, maxChunk, seed) : [total];
}

// Fails (never skips) with the build instruction when the compiled gateway is missing.
it(`needs the compiled gateway, ${GATEWAY_MAIN} (make build)`, () => {
  expect(() => requireBuiltGateway()).not.toThrow();
});

describe('RFC 3261 §18.3 framing: corpus streams over TCP in any chunking', () => {
  let source = 0;
  for (const file of STREAMS) {
    it(`${file}: every request answered, the same whatever the chunking, connection kept open`, async () => {
      const bytes = readFileSync(join(STREAM_DIR, file));
      const { messages, owed } = framedOnce(bytes);
      expect(messages).toBe(MESSAGES_IN[file]);
      expect(owed.size).toBeGreaterThan(0);
      let reference: Answers | undefined;
      for (const [label, maxChunk, seed] of CHUNKINGS) {
        const chunks = chunksFor(bytes.length, maxChunk, seed);
        const { feed, answers } = await runStream(`${file}-${label.replace(/[^a-z0-9]+/gi, '_')}`, bytes, chunks, loopbackAddress(SOURCE_BLOCK, source++));
        expect(feed.closedByServer, `${label}: connection closed by the gateway`).toBe(false);
        expect(answers.unparsed, `${label}: unparseable replies`).toBe(0);
        expect([...answers.answered].sort(), `${label}: requests answered`).toEqual([...owed].sort());
        if (reference === undefined) reference = answers;
        else expect(Object.fromEntries(answers.finals), `${label}: final statuses`).toEqual(Object.fromEntries(reference.finals));
      }
    }, 120_000);
  }
});

describe('RFC 3261 §18.3: a stream whose framing is broken is answered up to the break, then closed', () => {
  const broken: ReadonlyArray<[file: string, section: string]> = [
    ['ncl.dat', 'RFC 4475 §3.1.2.3 negative Content-Length'],
    ['mcl01.dat', 'RFC 4475 §3.3.9 two Content-Length values'],
  ];
  broken.forEach(([file, section], i) => {
    it(`${section} (${file}) between two OPTIONS`, async () => {
      const source = loopbackAddress(SOURCE_BLOCK, 100 + i);
      const poison = readFileSync(join(RFC4475_DIR, file));
      // The Request-URI is nominal: a UAS answers OPTIONS whatever it names.
      const local = { host: source, port: 5060 };
      const before = optionsTo({ host: '127.0.0.1', port: 5060 }, local, 'TCP');
      const after = optionsTo({ host: '127.0.0.1', port: 5060 }, local, 'TCP');
      const afterCallId = after.headers.get('Call-ID') ?? '';
      const bytes = Buffer.concat([serializeMessage(before), poison, serializeMessage(after)]);
      const { feed } = await runStream(`broken-${file}`, bytes, chunksFor(bytes.length, 64, 0xb0 + i), source);
      expect(feed.closedByServer).toBe(true);
      const statuses = feed.received.filter((r) => r.ok && r.value.type === 'response').map((r) => (r.ok && r.value.type === 'response' ? r.value.status : 0));
      // The OPTIONS before the break: 200; the broken message: one 400; nothing for what follows.
      expect(statuses).toEqual([200, 400]);
      const answeredCallIds = feed.received.flatMap((r) => (r.ok ? [r.value.headers.get('Call-ID')] : []));
      expect(answeredCallIds).toHaveLength(2);
      expect(answeredCallIds[0]).toBe(before.headers.get('Call-ID'));
      expect(answeredCallIds).not.toContain(afterCallId);
    }, 60_000);
  });
});
