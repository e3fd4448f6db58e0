/**
 * Feeds a byte stream to a SIP-over-TCP server in chosen chunk sizes and reads back what it
 * answers (RFC 3261 §18.3 framing on both sides), to show that the server's framing does not
 * depend on how the bytes were cut. Each write waits for the event loop to turn, so the server's
 * reads see many different boundaries rather than one coalesced buffer.
 */
import { connect, type Socket } from 'node:net';
import { StreamFramer, type ParseResult } from 'connect-realtime-gateway';
import { mulberry32 } from '../../netem/prng.js';
import { WireError } from './errors.js';
import { requireLoopback, type Endpoint } from './loopback.js';

/** Chunk sizes covering `total` bytes, each uniform in [1, maxChunk], from a seeded PRNG. */
export function seededChunkSizes(total: number, maxChunk: number, seed: number): number[] {
  if (!Number.isInteger(maxChunk) || maxChunk < 1) throw new RangeError(`maxChunk must be a positive integer, got ${maxChunk}`);
  const rand = mulberry32(seed);
  const sizes: number[] = [];
  for (let left = total; left > 0; ) {
    const n = Math.min(left, 1 + Math.floor(rand() * maxChunk));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

export interface FeedOptions {
  server: Endpoint;
  /** Our source address (127.0.0.0/8). */
  localAddress: string;
  bytes: Buffer;
  /** Chunk sizes summing to bytes.length. */
  chunks: readonly number[];
  /** After the last write, how long without any byte from the server ends the run, ms. */
  quietMs: number;
  /** Bound on the whole run after the last write, ms. */
  maxWaitMs: number;
}

export interface FeedResult {
  /** Every message the server sent back, framed and parsed, in order. */
  received: ParseResult[];
  /** The server closed (FIN or reset) before we did. */
  closedByServer: boolean;
  /** Bytes we had written when the server closed (or all of them). */
  bytesWrittenBeforeClose: number;
}

export async function feedTcp(opts: FeedOptions): Promise<FeedResult> {
  requireLoopback(opts.server.host, 'TCP server');
  requireLoopback(opts.localAddress, 'TCP local address');
  const total = opts.chunks.reduce((a, b) => a + b, 0);
  if (total !== opts.bytes.length) throw new RangeError(`chunks sum to ${total}, stream has ${opts.bytes.length} bytes`);
  const socket = await open(opts.server, opts.localAddress);
  const framer = new StreamFramer({ maxSize: 1 << 20 });
  const received: ParseResult[] = [];
  let lastByteAt = performance.now();
  let closedByServer = false;
  let written = 0;
  socket.on('data', (chunk: Buffer) => {
    lastByteAt = performance.now();
    received.push(...framer.push(chunk));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let weClosed = false;
  const serverClosed = (): void => {
    if (!weClosed) closedByServer = true;
  };
  socket.once('end', serverClosed);
  socket.on('error', serverClosed);
  let offset = 0;
  for (const n of opts.chunks) {
    if (closedByServer || socket.destroyed) break;
    const ok = socket.write(opts.bytes.subarray(offset, offset + n));
    offset += n;
    written = offset;
    if (!ok) await new Promise<void>((resolve) => socket.once('drain', () => resolve()));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const deadline = performance.now() + opts.maxWaitMs;
  lastByteAt = Math.max(lastByteAt, performance.now());
  while (!closedByServer && performance.now() < deadline && performance.now() - lastByteAt < opts.quietMs) {
    await new Promise((r) => setTimeout(r, 20));
  }
  weClosed = true;
  socket.end();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 1_000))]);
  socket.destroy();
  return { received, closedByServer, bytesWrittenBeforeClose: written };
}

function open(server: Endpoint, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port, localAddress, noDelay: true });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => reject(new WireError('WIRE_ERR_SOCKET', `cannot connect to ${server.host}:${server.port}: ${err.message}`)));
  });
}
