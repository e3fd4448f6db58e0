/**
 * The environment of a gateway the lab runs on loopback: its SIP and RTP addresses, the fake Realtime
 * and fake Connect API it talks to (with fake credentials the fakes accept), and debug logs (evidence).
 * Scenario settings go on top.
 */
/** The lab's Amazon Connect instance: the X-Amzn-SourceArn of every scenario names it. */
export const LAB_CONNECT_INSTANCE_ARN = 'arn:aws:connect:us-east-1:123456789012:instance/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

export function labGatewayEnv(opts: {
  host: string;
  sipPort: number;
  rtpPorts: { min: number; max: number };
  realtimeUrl: string;
  connectUrl: string;
}): Record<string, string> {
  return {
    AMAZON_CONNECT_SIP_HOST: opts.host,
    AMAZON_CONNECT_SIP_PORT: String(opts.sipPort),
    SIP_ALLOW_FROM: '127.0.0.0/8',
    RTP_HOST: opts.host,
    RTP_PORT_MIN: String(opts.rtpPorts.min),
    RTP_PORT_MAX: String(opts.rtpPorts.max),
    OPENAI_BASE_URL: opts.realtimeUrl,
    OPENAI_API_KEY: 'sk-lab-fake-key',
    AMAZON_CONNECT_ENDPOINT: opts.connectUrl,
    AWS_REGION: 'us-east-1',
    // The scenarios' contacts live in this instance; hand-back writes nowhere else.
    AMAZON_CONNECT_INSTANCE_ID: LAB_CONNECT_INSTANCE_ARN,
    AWS_ACCESS_KEY_ID: 'AKIALABFAKEKEY000000',
    AWS_SECRET_ACCESS_KEY: 'lab-fake-secret-access-key',
    LOG_LEVEL: 'debug',
  };
}
