import type { RealtimeBackendStats, RealtimeRateLimit } from './backend.js';

/** Fresh counters for a backend (every provider reports the same shape). */
export function newBackendStats(): RealtimeBackendStats {
  return {
    appendedBytes: 0,
    droppedAudioBytes: 0,
    deltasReceived: 0,
    deltaBytes: 0,
    lateDeltasDropped: 0,
    droppedEvents: 0,
    serverErrors: 0,
    reconnects: 0,
    renewals: 0,
  };
}

/** GA `rate_limits.updated` entries, with the optional fields made definite. */
export function toRateLimits(
  limits: ReadonlyArray<{ name?: string | undefined; limit?: number | undefined; remaining?: number | undefined; reset_seconds?: number | undefined }>,
): RealtimeRateLimit[] {
  return limits.map((r) => ({ name: r.name ?? 'unknown', limit: r.limit ?? 0, remaining: r.remaining ?? 0, resetSeconds: r.reset_seconds ?? 0 }));
}
