/**
 * Corpus messages were written as independent tests, but several share a server transaction key
 * (RFC 3261 §17.2.3: branch + sent-by + method): unkscm.dat and novelsc.dat both carry
 * `host9.example.com;branch=z9hG4bKkdjuw39234`, cparam01/cparam02 and escnull/regescrt share theirs,
 * three RFC 5118 REGISTERs share `[2001:db8::9:1];branch=z9hG4bKas3-111`. Sent to one UAS within
 * Timer J (32 s), the later one IS a retransmission of the earlier and is rightly absorbed (its
 * response re-sent to the first sender). To test each message on its own, the suite spreads them
 * over rounds, each against a fresh gateway, so no round holds two messages with one key.
 */
import { isParseError, parseCSeq, parseMessage, parseNameAddr, parseVia, type SipRequest } from 'connect-realtime-gateway';

const MAGIC_COOKIE = 'z9hG4bK';

/**
 * The server transaction a request would match (§17.2.3 with the magic cookie; the RFC 2543
 * §17.2.3 fallback without it: Request-URI, From tag, Call-ID, CSeq number, top Via). ACK maps to
 * INVITE. Undefined for a response or for bytes that do not parse: no transaction is created.
 */
export function serverTransactionKeyOf(bytes: Buffer): string | undefined {
  const parsed = parseMessage(bytes);
  if (!parsed.ok || parsed.value.type !== 'request') return undefined;
  const req: SipRequest = parsed.value;
  const topRaw = req.headers.getAll('Via')[0];
  if (topRaw === undefined) return undefined;
  const vias = parseVia(topRaw);
  if (isParseError(vias) || vias[0] === undefined) return undefined;
  const via = vias[0];
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = via.params.get('branch');
  if (typeof branch === 'string' && branch.startsWith(MAGIC_COOKIE)) return `${branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`;
  const cseq = parseCSeq(req.headers.get('CSeq') ?? '');
  const from = parseNameAddr(req.headers.get('From') ?? '');
  const fromTag = isParseError(from) ? '' : (from.params.get('tag') ?? '');
  return `2543|${req.uri}|${fromTag}|${req.headers.get('Call-ID') ?? ''}|${isParseError(cseq) ? '' : cseq.seq}|${topRaw.trim()}|${method}`;
}

/**
 * Round number per message (0-based, input order kept): the first message with a given key goes
 * to round 0, the second with the same key to round 1, and so on.
 */
export function transactionRounds(messages: readonly Buffer[]): number[] {
  const seen = new Map<string, number>();
  return messages.map((bytes) => {
    const key = serverTransactionKeyOf(bytes);
    if (key === undefined) return 0;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  });
}
