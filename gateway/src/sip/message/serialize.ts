/**
 * Serialisation (RFC 3261 §7): start-line, one line per stored header field, an empty line, the
 * body. Content-Length always states the body's byte length (it is mandatory on streams, §18.3,
 * and a stale value would mis-frame the next message), kept at the position it had.
 */
import type { SipMessage } from './types.js';

export function serializeMessage(msg: SipMessage): Buffer {
  const startLine =
    msg.type === 'request'
      ? `${msg.method} ${msg.uri} ${msg.version}`
      : `${msg.version} ${msg.status}${msg.reason.length > 0 ? ` ${msg.reason}` : ' '}`;
  let head = `${startLine}\r\n`;
  let wroteLength = false;
  for (const [name, value] of msg.headers.entries()) {
    if (name.toLowerCase() === 'content-length') {
      if (!wroteLength) head += `Content-Length: ${msg.body.length}\r\n`;
      wroteLength = true;
      continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  if (!wroteLength) head += `Content-Length: ${msg.body.length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  return msg.body.length === 0 ? headBytes : Buffer.concat([headBytes, msg.body], headBytes.length + msg.body.length);
}
