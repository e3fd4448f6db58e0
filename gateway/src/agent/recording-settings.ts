/**
 * Call recording in the agent definition (`recording:`): whether this agent's calls are recorded and
 * whether DTMF collection pauses the recording. Off by default. Where recordings are stored, how long
 * they are kept and how large they may grow are operations settings (RECORDINGS_DIR,
 * RECORDING_RETENTION_DAYS, RECORDING_MAX_DURATION_S, RECORDINGS_MAX_TOTAL_MB).
 *
 * With recording on, the built-in tools `pause_recording` and `resume_recording` are enabled unless
 * the file turns them off (the model pauses around sensitive input); without it they cannot be enabled.
 */
import { z } from 'zod';

export interface RecordingSettings {
  enabled: boolean;
  /** Digital silence in both channels while keypad digits are being collected (`dtmf.collect`). */
  pauseDuringDtmfCollection: boolean;
}

export const DEFAULT_RECORDING: Readonly<RecordingSettings> = Object.freeze({ enabled: false, pauseDuringDtmfCollection: true });

export const RECORDING_TOOL_NAMES = ['pause_recording', 'resume_recording'] as const;

const flag = z.boolean({ error: 'must be true or false' });

export const recordingFileSchema = z.strictObject({ enabled: flag.optional(), pauseDuringDtmfCollection: flag.optional() });

export type RecordingFile = z.infer<typeof recordingFileSchema>;

export function resolveRecording(file: RecordingFile | undefined): RecordingSettings {
  return {
    enabled: file?.enabled ?? DEFAULT_RECORDING.enabled,
    pauseDuringDtmfCollection: file?.pauseDuringDtmfCollection ?? DEFAULT_RECORDING.pauseDuringDtmfCollection,
  };
}

/** Whether a recording tool is on when the file says nothing of it: exactly when recording is. */
export function recordingToolDefault(name: string, recording: RecordingSettings): boolean {
  return recording.enabled && (RECORDING_TOOL_NAMES as readonly string[]).includes(name);
}

/** A recording tool the file enables while recording is off: one problem line each. */
export function recordingToolProblems(tools: Readonly<Record<string, unknown>> | undefined, recording: RecordingSettings, label: string): string[] {
  if (recording.enabled || tools === undefined) return [];
  return RECORDING_TOOL_NAMES.filter((name) => tools[name] !== undefined && tools[name] !== false).map(
    (name) => `${label}: tools.${name}: needs recording.enabled: true (there is no recording to pause)`,
  );
}
