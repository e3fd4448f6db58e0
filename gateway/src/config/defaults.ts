/**
 * Named defaults, one place. Units are in the names.
 */

/**
 * Amazon Chime Voice Connector signalling subnets, per region (AWS "Network configuration and
 * bandwidth" page for the Chime SDK; also ip-ranges.json service CHIME_VOICECONNECTOR). Amazon Connect
 * external voice transfer places its calls from these. Requests from anywhere else are dropped
 * silently unless SIP_ALLOW_FROM says otherwise.
 */
export const CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS: Readonly<Record<string, string>> = {
  'us-east-1': '3.80.16.0/23',
  'us-west-2': '99.77.253.0/24',
  'ca-central-1': '99.77.233.0/24',
  'eu-central-1': '99.77.247.0/24',
  'eu-west-2': '99.77.249.0/24',
  'ap-northeast-1': '99.77.244.0/24',
};

export const DEFAULT_SIP_PORT = 5060;
export const DEFAULT_SIP_TLS_PORT = 5061;
export const DEFAULT_RTP_PORT_MIN = 10_000;
export const DEFAULT_RTP_PORT_MAX = 20_000;
export const DEFAULT_MAX_CALLS = 200;
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-realtime';
/** Defaults of the built-in agent (no AGENT_FILE); OPENAI_VOICE and OPENAI_INSTRUCTIONS override them. */
export const DEFAULT_OPENAI_VOICE = 'marin';
export const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise phone agent for a contact center. Speak naturally, keep answers short, ' +
  'and ask one question at a time.';
/** How long we wait for the Realtime session to be configured before giving up on a call. */
export const DEFAULT_REALTIME_CONNECT_TIMEOUT_MS = 5_000;
/**
 * Caller audio per input_audio_buffer.append: `auto` sends each frame as it leaves the jitter buffer
 * up to 100 calls and coalesces beyond (call/append-batch.ts, docs/performance.md).
 */
export const DEFAULT_REALTIME_APPEND_MS = 'auto';
/**
 * Agent audio queued for the caller beyond this (the service sends faster than real time) is dropped
 * and its response cancelled, ms. Two minutes is far beyond any answer a caller listens to.
 */
export const DEFAULT_AGENT_AUDIO_MAX_QUEUED_MS = 120_000;
/** Per source IP: new INVITEs per second (token bucket refill) and burst. Retries after 401 count too. */
export const DEFAULT_INVITE_RATE_PER_S = 20;
export const DEFAULT_INVITE_BURST = 40;
/**
 * Per source IP, every request (any method, retransmissions included): token bucket refill per
 * second and burst. Generous for a carrier that sends all its calls from one address; a flood
 * beyond it is answered sparingly (UDP) or with 503 (TCP/TLS) and never creates a transaction.
 */
export const DEFAULT_REQUEST_RATE_PER_S = 100;
export const DEFAULT_REQUEST_BURST = 200;
/** Live server transactions in all and per source (UDP keeps each ~32 s for retransmissions). */
export const DEFAULT_MAX_SERVER_TRANSACTIONS = 5_000;
export const DEFAULT_MAX_SERVER_TRANSACTIONS_PER_SOURCE = 1_000;
/**
 * Calls in set-up (INVITE not yet confirmed by ACK) from one source address: by default a quarter
 * of min(SIP_MAX_CALLS, RTP port pairs), at least 2, at most this.
 */
export const MAX_DEFAULT_SETUP_CALLS_PER_SOURCE = 50;
/** SIP over TCP/TLS: connection caps and deadlines (see sip/transport/stream-limits.ts). */
export const DEFAULT_TCP_MAX_CONNECTIONS = 1_024;
export const DEFAULT_TCP_MAX_CONNECTIONS_PER_SOURCE = 32;
export const DEFAULT_TCP_MESSAGE_TIMEOUT_MS = 5_000;
export const DEFAULT_TCP_IDLE_TIMEOUT_S = 30;
export const DEFAULT_TCP_DIALOG_IDLE_TIMEOUT_S = 600;
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 5_000;
/** RFC 4028 session interval we ask for and the smallest we accept, seconds. */
export const DEFAULT_SESSION_EXPIRES_S = 1800;
export const DEFAULT_MIN_SE_S = 90;
/** Adaptive jitter buffer bounds, ms. */
export const DEFAULT_JITTER_MIN_MS = 20;
export const DEFAULT_JITTER_MAX_MS = 200;
/** No RTP from the caller for this long ends the call with BYE, ms (0 disables). */
export const DEFAULT_RTP_INACTIVITY_MS = 30_000;
/**
 * Nothing (RTP or RTCP) from the remote's address this long after the ACK ends the call with BYE, ms:
 * what goes to an address that never answers is bounded to ~250 packets. Carriers (Chime Voice
 * Connector included) send media at once after the ACK; 5 s leaves room for a slow media path.
 */
export const DEFAULT_RTP_FIRST_PACKET_TIMEOUT_MS = 5_000;
/**
 * Echo guard: caller audio this many dB below what the agent sent within the tail is treated as the
 * agent's own echo and not passed to the model. Handsets and carriers give 20 dB or more of echo
 * return loss; real speech over the agent is near the agent's level.
 */
export const DEFAULT_ECHO_GUARD_MARGIN_DB = 12;
export const DEFAULT_ECHO_GUARD_TAIL_MS = 250;

/** Operations HTTP server (health, SIP endpoint, callback, metrics, call records). */
export const DEFAULT_HTTP_PORT = 8080;
/** Call records file (SQLite); relative to the working directory. */
export const DEFAULT_RECORDS_PATH = 'records/calls.db';
/** Call records older than this are pruned (0 keeps them forever). */
export const DEFAULT_RECORDS_RETENTION_DAYS = 30;
/** Call recordings (off unless the agent file enables them): kept this long, at most this long each, this much in all. */
export const DEFAULT_RECORDING_RETENTION_DAYS = 30;
export const DEFAULT_RECORDING_MAX_DURATION_S = 7_200;
export const DEFAULT_RECORDINGS_MAX_TOTAL_MB = 10_240;
/**
 * SIGTERM: how long calls may go on before the rest are handed back to Connect, seconds. Give the
 * orchestrator's stop grace period this plus ~15 s (the hand-back write and the BYE).
 */
export const DEFAULT_DRAIN_TIMEOUT_S = 60;
/**
 * Nice value of the process's helper threads (V8's GC and compiler workers, libuv's pool, the records
 * thread); the event loop, which paces the media, keeps the process's own. 0 leaves them alone.
 * helper-threads.ts says why.
 */
export const DEFAULT_HELPER_THREAD_NICE = 10;
