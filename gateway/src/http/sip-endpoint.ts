/**
 * GET /amazon-connect/sip-endpoint: what an operator pastes into the external voice transfer
 * connector (a Chime Voice Connector): the routes (host, port, protocol, priority, weight), whether
 * encryption must be on, and the gateway's SIP URIs, codecs, SRTP policy and RTP range for the
 * security groups.
 */
export interface SipEndpointConfig {
  /** Address the connector reaches (PUBLIC_IP, else the bound one). */
  publicAddress: string;
  user: string;
  domain: string;
  /** Bound ports by transport (after the OS picked any port 0). */
  ports: { udp?: number | undefined; tcp?: number | undefined; tls?: number | undefined };
  codecs: readonly string[];
  srtp: 'off' | 'optional' | 'required';
  rtpPorts: { min: number; max: number };
  allowFrom: readonly string[];
  digestAuth: boolean;
}

export interface SipEndpointDescription {
  publicAddress: string;
  sipUris: string[];
  transports: Array<{ transport: 'udp' | 'tcp' | 'tls'; port: number }>;
  /** One entry per connector outbound route to create (priority and weight to adjust per gateway). */
  connectorRoutes: Array<{ host: string; port: number; protocol: 'UDP' | 'TCP'; priority: number; weight: number }>;
  /** Connector "Encryption": TLS signalling + SRTP media. */
  encryption: 'required' | 'recommended' | 'unavailable';
  codecs: readonly string[];
  dtmf: string;
  srtp: 'off' | 'optional' | 'required';
  rtp: { protocol: 'UDP'; portMin: number; portMax: number };
  allowFrom: readonly string[];
  authentication: 'digest' | 'source address';
}

export function describeSipEndpoint(c: SipEndpointConfig): SipEndpointDescription {
  const host = c.publicAddress.includes(':') ? `[${c.publicAddress}]` : c.publicAddress;
  const transports: SipEndpointDescription['transports'] = [];
  const sipUris: string[] = [];
  if (c.ports.udp !== undefined) {
    transports.push({ transport: 'udp', port: c.ports.udp });
    sipUris.push(`sip:${c.user}@${host}:${c.ports.udp};transport=udp`);
  }
  if (c.ports.tcp !== undefined) {
    transports.push({ transport: 'tcp', port: c.ports.tcp });
    sipUris.push(`sip:${c.user}@${host}:${c.ports.tcp};transport=tcp`);
  }
  if (c.ports.tls !== undefined) {
    transports.push({ transport: 'tls', port: c.ports.tls });
    sipUris.push(`sips:${c.user}@${host}:${c.ports.tls};transport=tls`);
  }
  // With encryption on, the connector signals over TLS to the route's port (protocol TCP in its API).
  const tlsPort = c.srtp !== 'off' ? c.ports.tls : undefined;
  const connectorRoutes: SipEndpointDescription['connectorRoutes'] =
    tlsPort !== undefined
      ? [{ host: c.publicAddress, port: tlsPort, protocol: 'TCP', priority: 1, weight: 1 }]
    : [
        ...(c.ports.udp !== undefined ? [{ host: c.publicAddress, port: c.ports.udp, protocol: 'UDP' as const, priority: 1, weight: 1 }] : []),
        ...(c.ports.tcp !== undefined ? [{ host: c.publicAddress, port: c.ports.tcp, protocol: 'TCP' as const, priority: 1, weight: 1 }] : []),
      ];
  return {
    publicAddress: c.publicAddress,
    sipUris,
    transports,
    connectorRoutes,
    encryption: tlsPort === undefined ? 'unavailable' : c.srtp === 'required' ? 'required' : 'recommended',
    codecs: c.codecs,
    dtmf: 'RFC 4733 telephone-event/8000 (and SIP INFO)',
    srtp: c.srtp,
    rtp: { protocol: 'UDP', portMin: c.rtpPorts.min, portMax: c.rtpPorts.max },
    allowFrom: c.allowFrom.length === 0 ? ['any'] : c.allowFrom,
    authentication: c.digestAuth ? 'digest' : 'source address',
  };
}
