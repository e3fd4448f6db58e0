/**
 * Where a UAS sends the reply to a request that came over UDP (RFC 3261 §18.2.2 with RFC 3581 §4):
 * to the packet's source address, at the source port when the top Via carries `rport`, else at
 * the Via sent-by port, else 5060. A wire test binds its sending socket there, as the UA that
 * wrote that Via would have, so the reply can reach it without the gateway ever being pointed
 * anywhere but the source address.
 */
import { isParseError, parseMessage, parseVia } from 'connect-realtime-gateway';

export const SIP_DEFAULT_PORT = 5060;

export interface ReplyRoute {
  /** Port to bind the sending socket on; 0 = any (rport: the reply follows the source port). */
  bindPort: number;
  /** The sent-by port the Via names (or 5060): where a non-RFC 3581 server would reply instead. */
  viaPort: number;
}

export function replyRouteOf(bytes: Buffer): ReplyRoute {
  const parsed = parseMessage(bytes);
  const headers = parsed.ok ? parsed.value.headers : parsed.error.headers;
  const topVia = headers?.getAll('Via')[0];
  const vias = topVia === undefined ? undefined : parseVia(topVia);
  if (vias === undefined || isParseError(vias) || vias[0] === undefined) return { bindPort: SIP_DEFAULT_PORT, viaPort: SIP_DEFAULT_PORT };
  const viaPort = vias[0].port ?? SIP_DEFAULT_PORT;
  return { bindPort: vias[0].params.has('rport') ? 0 : viaPort, viaPort };
}
