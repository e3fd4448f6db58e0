/**
 * The caller's one SIP socket: a bound UDP socket, or one TCP/TLS connection to the target (the
 * gateway answers and sends in-dialog requests on the connection the INVITE came on, RFC 3261
 * §18.2.2 / RFC 5923 reuse, so one connection is the whole transport). Input is framed and parsed
 * with the gateway's message layer; bad input is reported, never thrown.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { LabCallerError, LabCallerErrorCode } from '../errors.js';
import { StreamFramer, parseMessage, type ParseResult } from 'connect-realtime-gateway';
import type { HostPort, LabCallerTlsOptions, SipTransportKind } from '../options.js';

/** How long connecting (TCP + TLS handshake) may take, ms. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface SipSocketHandlers {
  /**
   * One parsed (or failed) message. `raw` is the datagram on UDP; on streams a message is a slice of
   * the byte stream the framer does not hand out, so it is undefined there.
   */
  onMessage(result: ParseResult, raw: Buffer | undefined, from: HostPort): void;
  /** The connection closed (TCP/TLS) or the socket failed. Called at most once. */
  onClosed(reason: string): void;
}

export interface SipSocket {
  readonly transport: SipTransportKind;
  readonly localAddress: string;
  readonly localPort: number;
  /** UDP sends to `to`; TCP/TLS write on the one connection (to is where it leads anyway). */
  send(bytes: Buffer, to: HostPort): void;
  close(): void;
}

export interface SipSocketOptions {
  transport: SipTransportKind;
  localAddress: string;
  localPort: number;
  target: HostPort;
  tls: LabCallerTlsOptions;
}

export async function openSipSocket(opts: SipSocketOptions, h: SipSocketHandlers): Promise<SipSocket> {
  return opts.transport === 'udp' ? openUdp(opts, h) : openStream(opts, h);
}

async function openUdp(opts: SipSocketOptions, h: SipSocketHandlers): Promise<SipSocket> {
  const socket = dgram.createSocket('udp4');
  let closed = false;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(new LabCallerError(LabCallerErrorCode.TRANSPORT, `SIP UDP bind ${opts.localAddress}:${opts.localPort}: ${err.message}`, { cause: err })));
    socket.bind(opts.localPort, opts.localAddress, () => resolve());
  });
  socket.on('error', (err) => {
    if (closed) return;
    closed = true;
    socket.close();
    h.onClosed(`udp socket error: ${err.message}`);
  });
  socket.on('message', (buf, rinfo) => h.onMessage(parseMessage(buf), buf, { host: rinfo.address, port: rinfo.port }));
  const addr = socket.address();
  return {
    transport: 'udp',
    localAddress: addr.address,
    localPort: addr.port,
    send(bytes, to) {
      if (!closed) socket.send(bytes, to.port, to.host);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

async function openStream(opts: SipSocketOptions, h: SipSocketHandlers): Promise<SipSocket> {
  const { host, port } = opts.target;
  const base = { host, port, localAddress: opts.localAddress, ...(opts.localPort > 0 ? { localPort: opts.localPort } : {}) };
  const socket: net.Socket =
    opts.transport === 'tls'
      ? tls.connect({
          ...base,
          ...(opts.tls.ca !== undefined ? { ca: opts.tls.ca } : {}),
          rejectUnauthorized: opts.tls.rejectUnauthorized ?? true,
          ...(opts.tls.servername !== undefined ? { servername: opts.tls.servername } : {}),
        })
      : net.connect(base);
  const ready = opts.transport === 'tls' ? 'secureConnect' : 'connect';
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string, cause?: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new LabCallerError(LabCallerErrorCode.TRANSPORT, `SIP ${opts.transport} connect to ${host}:${port}: ${why}`, { cause }));
    };
    const timer = setTimeout(() => fail(`no connection within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    socket.once('error', (err) => fail(err.message, err));
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve();
    });
  });

  let closed = false;
  const finish = (reason: string): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    h.onClosed(reason);
  };
  const framer = new StreamFramer();
  const from = { host, port };
  socket.on('data', (chunk: Buffer) => {
    for (const r of framer.push(chunk)) {
      h.onMessage(r, undefined, from);
      if (!r.ok && r.error.fatal === true) finish(`stream framing broken: ${r.error.reason}`);
    }
  });
  socket.on('error', (err) => finish(`${opts.transport} error: ${err.message}`));
  socket.on('close', () => finish(`${opts.transport} connection closed by the peer`));
  return {
    transport: opts.transport,
    localAddress: socket.localAddress ?? opts.localAddress,
    localPort: socket.localPort ?? 0,
    send(bytes) {
      if (!closed) socket.write(bytes);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.end();
      // end() waits for the peer's FIN; a peer that never sends one must not keep us open.
      setTimeout(() => socket.destroy(), 1_000).unref();
    },
  };
}
