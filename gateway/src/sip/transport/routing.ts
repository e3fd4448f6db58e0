import type { Via } from '../message/index.js';
import { isUnicastIpLiteral, normalizeAddress } from './ip.js';
import type { Destination, SourceInfo } from './types.js';

export const DEFAULT_SIP_PORT = 5060;
export const DEFAULT_SIPS_PORT = 5061;

/**
 * RFC 3581 §4 / RFC 3261 §18.2.1: a server stamps the top Via of every request with where it
 * really came from — `received` = source IP, and `rport` = source port when the client asked for it
 * (a bare `rport`). Returns the stamped Via (the input is not modified).
 */
export function stampVia(via: Via, source: SourceInfo): Via {
  const params = new Map(via.params);
  params.set('received', source.address);
  if (params.has('rport')) params.set('rport', String(source.port));
  return { ...via, params };
}

/**
 * Where a response goes (RFC 3261 §18.2.2 with RFC 3581, hardened against reflection):
 * - reliable transports: back on the connection the request came on (reopened to the source
 *   address if it closed — still the source, never the Via host);
 * - UDP: always the packet's SOURCE address. The port is the source port when the client asked for
 *   rport, else the Via sent-by port, else 5060. Via host names, `maddr` and broadcast sent-by values
 *   are never used, and nothing here resolves a name: a forged Via cannot aim our responses at a
 *   third party.
 */
export function responseDestination(source: SourceInfo, topVia: Via | undefined, connectionId?: string): Destination {
  const address = normalizeAddress(source.address);
  if (source.transport !== 'udp') {
    return {
      transport: source.transport,
      address,
      port: topVia?.port ?? (source.transport === 'tls' ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT),
      ...(connectionId !== undefined ? { connectionId } : {}),
    };
  }
  const wantsRport = topVia?.params.has('rport') ?? false;
  const port = wantsRport ? source.port : (topVia?.port ?? DEFAULT_SIP_PORT);
  return { transport: 'udp', address, port };
}

/**
 * Where a request we originate in a UAS dialog goes (RFC 3261 §12.2.1.1 / §8.1.2, no DNS): the
 * first Route's host if there is a route set, else the remote target (Contact). We use that host
 * only when it is a unicast IP literal; a name (or a broadcast/multicast/unspecified literal) means
 * "the address the dialog was created from", with its source port. Always over the dialog's own
 * transport; on TCP/TLS the connection the INVITE came on is reused while it is open.
 */
export function inDialogDestination(
  next: { host: string; port: number | undefined; secure: boolean },
  origin: SourceInfo,
  connectionId: string | undefined,
): Destination {
  const conn = connectionId !== undefined && origin.transport !== 'udp' ? { connectionId } : {};
  if (isUnicastIpLiteral(next.host)) {
    const defaultPort = next.secure || origin.transport === 'tls' ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT;
    return { transport: origin.transport, address: normalizeAddress(next.host), port: next.port ?? defaultPort, ...conn };
  }
  return { transport: origin.transport, address: normalizeAddress(origin.address), port: origin.port, ...conn };
}
