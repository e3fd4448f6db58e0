import { isIPv4 } from 'node:net';
import { WireError } from './errors.js';

/** A UDP/TCP endpoint on this machine. */
export interface Endpoint {
  host: string;
  port: number;
}

/** True for an IPv4 literal in 127.0.0.0/8. */
export function isLoopbackV4(host: string): boolean {
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * Refuses anything but an IPv4 loopback literal. Besides keeping our own traffic on loopback, a
 * gateway whose sockets are bound to 127.0.0.0/8 cannot emit a packet off the host at all: Linux
 * refuses a route from a loopback source to a non-local destination (EINVAL), so the corpus'
 * foreign Via/Contact/SDP addresses (192.0.2.x, 2001:db8::…) can never be reached from it.
 */
export function requireLoopback(host: string, what: string): string {
  if (!isLoopbackV4(host)) throw new WireError('WIRE_ERR_NOT_LOOPBACK', `${what} must be an IPv4 address in 127.0.0.0/8, got ${host}`);
  return host;
}

/**
 * The n-th address of a private loopback block `127.<block>.x.y` (n = 0 … 65 023): each message
 * of a suite can have a source address of its own, so late responses and retransmissions of one
 * exchange can never be mistaken for the next one's.
 */
export function loopbackAddress(block: number, n: number): string {
  if (!Number.isInteger(block) || block < 1 || block > 254) throw new RangeError(`loopback block must be 1..254, got ${block}`);
  if (!Number.isInteger(n) || n < 0 || n >= 255 * 255) throw new RangeError(`loopback index must be 0..65024, got ${n}`);
  return `127.${block}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
}
