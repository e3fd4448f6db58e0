import type { RealtimeBackendStats } from '../backend.js';

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
    transcriptCharsDropped: 0,
    unknownItemDeltasDropped: 0,
    internalErrors: 0,
  };
}

/** A copy the caller may keep: later counting does not change it. */
export function snapshotStats(stats: RealtimeBackendStats): RealtimeBackendStats {
  return { ...stats, ...(stats.lastRateLimits ? { lastRateLimits: [...stats.lastRateLimits] } : {}) };
}
