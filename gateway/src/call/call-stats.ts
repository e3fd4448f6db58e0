/** Per-call counters that end up in the "call ended" log line (and later in call records). */
export interface CallTimeline {
  invitedAt: number;
  ringingAt?: number;
  realtimeReadyAt?: number;
  answeredAt?: number;
  confirmedAt?: number;
  endedAt?: number;
}

export type EndReason =
  | 'remote-bye'
  | 'cancelled'
  | 'rejected'
  | 'realtime-unavailable'
  | 'realtime-failed'
  | 'no-ack'
  | 'session-expired'
  | 'rtp-timeout'
  | 'no-inbound-media'
  | 'agent-hangup'
  | 'handed-back'
  | 'caller-idle'
  | 'max-duration'
  | 'shutdown'
  | 'error';
