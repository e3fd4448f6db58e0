/**
 * The gateway's recording store from configuration: opened only when the agent definition records
 * (no directory is created otherwise). RECORDINGS_DIR defaults to `recordings/` beside the call
 * records file. A directory that cannot be created or written is a ConfigError naming the variable,
 * so the gateway refuses to start instead of losing the first call's recording.
 */
import { dirname, join } from 'node:path';
import type { AgentDefinition } from '../agent/index.js';
import type { Clock } from '../clock.js';
import { ConfigError, type Env } from '../config/env.js';
import { describeError } from '../describe-error.js';
import type { Logger } from '../log.js';
import { RecordingStore } from './recording-store.js';

const MB = 1024 * 1024;

/** RECORDINGS_DIR, or `recordings/` beside RECORDS_PATH. */
export function recordingsDir(env: Pick<Env, 'RECORDINGS_DIR' | 'RECORDS_PATH'>): string {
  return env.RECORDINGS_DIR ?? join(dirname(env.RECORDS_PATH), 'recordings');
}

export async function openRecordingStore(env: Env, agent: AgentDefinition, clock: Clock, log: Logger): Promise<RecordingStore | undefined> {
  if (!agent.recording.enabled) return undefined;
  const dir = recordingsDir(env);
  try {
    const store = await RecordingStore.open({
      dir,
      retentionDays: env.RECORDING_RETENTION_DAYS,
      maxDurationS: env.RECORDING_MAX_DURATION_S,
      maxTotalBytes: env.RECORDINGS_MAX_TOTAL_MB * MB,
      clock,
      logger: log,
    });
    log.info({ dir, retentionDays: env.RECORDING_RETENTION_DAYS, maxDurationS: env.RECORDING_MAX_DURATION_S, maxTotalMb: env.RECORDINGS_MAX_TOTAL_MB, ...store.stats() }, 'call recording on: recordings directory ready');
    return store;
  } catch (err) {
    throw new ConfigError([`RECORDINGS_DIR: ${dir} cannot be used for call recordings: ${describeError(err, { firstLine: true })}`]);
  }
}
