import { SipHeaders, formatVia, isParseError, parseVia, type Via } from '../message/index.js';

/**
 * Rebuilds `headers` with the top Via replaced by `top` (RFC 3581 §4: received/rport go into the
 * top Via that responses then carry back). Header order is kept; when the top Via shared its line
 * with others (comma-joined), those stay together on the following line.
 */
export function replaceTopVia(headers: SipHeaders, top: Via): SipHeaders {
  const out = new SipHeaders();
  let done = false;
  for (const [name, value] of headers.entries()) {
    if (done || name !== 'Via') {
      out.append(name, value);
      continue;
    }
    done = true;
    out.append('Via', formatVia(top));
    const vias = parseVia(value);
    if (!isParseError(vias) && vias.length > 1) out.append('Via', vias.slice(1).map(formatVia).join(', '));
  }
  return out;
}
