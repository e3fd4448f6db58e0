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
export const DEFAULT_OPENAI_VOICE = 'marin';
/** How long we wait for the Realtime session to be configured before giving up on a call. */
export const DEFAULT_REALTIME_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise phone agent for a contact center. Speak naturally, keep answers short, ' +
  'and ask one question at a time.';
