/**
 * A call record as the HTTP API returns it: the summary row and, for one call, everything its events
 * say (transcript turns, tool calls and results, barge-ins, turn latencies, quality, the hand-back)
 * plus the Connect-side callbacks for its contact. Times are ISO-8601 UTC strings.
 */
import type { CallEvent } from '../call/call-observer.js';

export interface CallSummary {
  id: string;
  callId: string;
  connect: { contactId: string | null; initialContactId: string | null; instanceId: string | null };
  from: string | null;
  to: string | null;
  source: string | null;
  invitedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  /** Why the call ended; `lost` when the gateway stopped (crash, kill) before the call had ended. */
  endReason: string | null;
  codec: string | null;
  mode: string | null;
  srtp: boolean | null;
  quality: { lossRatio: number; jitterMs: number; concealedFrames: number; mos: number } | null;
  handBack: { outcome: string; ok: boolean } | null;
}

export interface StoredEvent {
  seq: number;
  at: string;
  type: CallEvent['type'] | 'lost';
  data: Record<string, unknown>;
}

export interface CallbackRecord {
  contactId: string;
  event: string;
  receivedAt: string;
  data: Record<string, unknown>;
}

export interface CallRecord extends CallSummary {
  transcript: Array<{ at: string; role: string; text: string }>;
  tools: Array<{ at: string; toolCallId: string; name: string; arguments: string; result: { ok: boolean; output: string; durationMs: number } | null }>;
  bargeIns: Array<{ at: string; heardMs: number; reactionMs: number | null }>;
  turnLatenciesMs: number[];
  handBackDetail: { outcome: string; reason: string; ok: boolean; attributes: Record<string, string>; error: string | null } | null;
  callbacks: CallbackRecord[];
  /** The call's recording: its file in RECORDINGS_DIR and its pauses (recording-timeline ms); null when not recorded. */
  recording: {
    file: string;
    durationMs: number | null;
    truncated: boolean;
    pauses: Array<{ at: string; reason: string; fromMs: number; toMs: number | null }>;
  } | null;
  /** Every event, in order. */
  events: StoredEvent[];
}

/** Row of the `calls` table as node:sqlite returns it. */
export interface CallRow {
  record_id: string;
  call_id: string;
  contact_id: string | null;
  initial_contact_id: string | null;
  instance_id: string | null;
  from_user: string | null;
  to_user: string | null;
  source: string | null;
  invited_at: number;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  codec: string | null;
  mode: string | null;
  srtp: number | null;
  loss_ratio: number | null;
  jitter_ms: number | null;
  concealed_frames: number | null;
  mos: number | null;
  hand_back_outcome: string | null;
  hand_back_ok: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function summaryOf(row: CallRow): CallSummary {
  return {
    id: row.record_id,
    callId: row.call_id,
    connect: { contactId: row.contact_id, initialContactId: row.initial_contact_id, instanceId: row.instance_id },
    from: row.from_user,
    to: row.to_user,
    source: row.source,
    invitedAt: iso(row.invited_at),
    answeredAt: isoOrNull(row.answered_at),
    endedAt: isoOrNull(row.ended_at),
    endReason: row.end_reason,
    codec: row.codec,
    mode: row.mode,
    srtp: row.srtp === null ? null : row.srtp === 1,
    quality:
      row.loss_ratio === null
        ? null
        : { lossRatio: row.loss_ratio, jitterMs: row.jitter_ms ?? 0, concealedFrames: row.concealed_frames ?? 0, mos: row.mos ?? 0 },
    handBack: row.hand_back_outcome === null ? null : { outcome: row.hand_back_outcome, ok: row.hand_back_ok === 1 },
  };
}

/** The full record: the summary plus what the events say. */
export function recordOf(row: CallRow, events: StoredEvent[], callbacks: CallbackRecord[]): CallRecord {
  const record: CallRecord = {
    ...summaryOf(row),
    transcript: [],
    tools: [],
    bargeIns: [],
    turnLatenciesMs: [],
    handBackDetail: null,
    callbacks,
    recording: null,
    events,
  };
  const toolsById = new Map<string, CallRecord['tools'][number]>();
  for (const e of events) {
    const d = e.data;
    switch (e.type) {
      case 'transcript':
        record.transcript.push({ at: e.at, role: String(d.role), text: String(d.text) });
        break;
      case 'tool-call': {
        const tool = { at: e.at, toolCallId: String(d.toolCallId), name: String(d.name), arguments: String(d.arguments), result: null };
        toolsById.set(tool.toolCallId, tool);
        record.tools.push(tool);
        break;
      }
      case 'tool-result': {
        const result = { ok: d.ok === true, output: String(d.output), durationMs: Number(d.durationMs) };
        const tool = toolsById.get(String(d.toolCallId));
        if (tool) tool.result = result;
        else record.tools.push({ at: e.at, toolCallId: String(d.toolCallId), name: String(d.name), arguments: '', result });
        break;
      }
      case 'barge-in':
        record.bargeIns.push({ at: e.at, heardMs: Number(d.heardMs), reactionMs: typeof d.reactionMs === 'number' ? d.reactionMs : null });
        break;
      case 'turn':
        record.turnLatenciesMs.push(Number(d.latencyMs));
        break;
      case 'hand-back':
        record.handBackDetail = {
          outcome: String(d.outcome),
          reason: String(d.reason),
          ok: d.ok === true,
          attributes: (d.attributes ?? {}) as Record<string, string>,
          error: typeof d.error === 'string' ? d.error : null,
        };
        break;
      case 'recording-started':
        record.recording = { file: String(d.file), durationMs: null, truncated: false, pauses: [] };
        break;
      case 'recording-paused':
        record.recording?.pauses.push({ at: e.at, reason: String(d.reason), fromMs: Number(d.atMs), toMs: null });
        break;
      case 'recording-resumed': {
        const open = record.recording?.pauses.at(-1);
        if (open !== undefined && open.toMs === null) open.toMs = Number(d.atMs);
        break;
      }
      case 'recording-finished':
        if (record.recording !== null) {
          record.recording.durationMs = Number(d.durationMs);
          record.recording.truncated = d.truncated === true;
          const open = record.recording.pauses.at(-1);
          if (open !== undefined && open.toMs === null) open.toMs = Number(d.durationMs);
        }
        break;
      default:
        break;
    }
  }
  return record;
}
