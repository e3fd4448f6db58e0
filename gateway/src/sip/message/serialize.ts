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
  // One buffer of its own, not a slice of Node's shared pool: a transaction keeps what it sent for
  // retransmission (a 200 OK until its ACK), and a kept slice would pin a whole pool chunk.
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafeSlow(headLength + msg.body.length);
  out.write(head, 0, 'utf8');
  out.set(msg.body, headLength);
  return out;
}
