import { Counter, type Registry } from 'prom-client';

/**
 * `gateway_sip_refused_total{transport, reason}`: what the SIP server refused, dropped or cut to
 * bound what a peer can hold (docs/security.md). Read from the SIP server's counters at scrape
 * time; the label set is this closed table, never a string a peer chose.
 */
const STREAM_REFUSALS: ReadonlyArray<[suffix: string, reason: string]> = [
  ['refused.not_allowed', 'not_allowed'],
  ['refused.source_limit', 'connections_per_source'],
  ['refused.total_limit', 'connections_total'],
  ['closed.message_timeout', 'message_timeout'],
];

export const SIP_REFUSALS: ReadonlyArray<{ stat: string; transport: string; reason: string }> = [
  { stat: 'udp.refused.not_allowed', transport: 'udp', reason: 'not_allowed' },
  ...(['tcp', 'tls'] as const).flatMap((t) => STREAM_REFUSALS.map(([suffix, reason]) => ({ stat: `${t}.${suffix}`, transport: t, reason }))),
  { stat: 'tls.handshake_timeout', transport: 'tls', reason: 'handshake_timeout' },
  { stat: 'tls.handshake_failed', transport: 'tls', reason: 'handshake_failed' },
  { stat: 'tls.refused.client_cert', transport: 'tls', reason: 'client_cert' },
  { stat: 'drop.not_allowed', transport: 'any', reason: 'not_allowed' },
  { stat: 'reject.request_rate', transport: 'any', reason: 'request_rate' },
  { stat: 'reject.rate_limited', transport: 'any', reason: 'invite_rate' },
  { stat: 'reject.transactions.total_limit', transport: 'any', reason: 'transactions_total' },
  { stat: 'reject.transactions.source_limit', transport: 'any', reason: 'transactions_per_source' },
  { stat: 'reject.setup_per_source', transport: 'any', reason: 'setup_calls_per_source' },
];

/** Registers the counter; at each scrape it advances by what the SIP counters grew since the last. */
export function registerSipRefusals(registry: Registry, sipStats: () => Record<string, number>): void {
  const seen = new Map<string, number>();
  new Counter({
    name: 'gateway_sip_refused_total',
    help: 'SIP traffic refused, dropped or cut to bound what a peer can hold, by transport and reason (see docs/security.md).',
    labelNames: ['transport', 'reason'],
    registers: [registry],
    collect() {
      const stats = sipStats();
      for (const { stat, transport, reason } of SIP_REFUSALS) {
        const now = stats[stat] ?? 0;
        const delta = now - (seen.get(stat) ?? 0);
        if (delta > 0) this.inc({ transport, reason }, delta);
        seen.set(stat, now);
      }
    },
  });
}
