/**
 * DatagramSocket over Node's dgram: the production RTP/RTCP transport. The lookup function resolves
 * IP literals synchronously: Node's default dgram lookup defers every send to the next tick even for
 * "127.0.0.1", which costs a closure and a tick per packet and moves the actual send out of the
 * pacer's slot.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { DatagramHandlers, DatagramSendCallback, DatagramSocket, DatagramSocketFactory } from './datagram-socket.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

function literalFirstLookup(hostname: string, options: dns.LookupOneOptions, callback: LookupCallback): void {
  const family = net.isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dns.lookup(hostname, options, callback);
}

class UdpSocket implements DatagramSocket {
  readonly port: number;
  readonly #socket: dgram.Socket;
  #closing = false;
  #closed = false;
  readonly #closeWaiters: Array<() => void> = [];

  constructor(socket: dgram.Socket) {
    this.#socket = socket;
    this.port = socket.address().port;
    socket.once('close', () => {
      this.#closed = true;
      this.#runCloseWaiters();
    });
  }

  listen(handlers: DatagramHandlers): void {
    this.#socket.on('message', (msg, rinfo) => handlers.message(msg, rinfo));
    this.#socket.on('error', (err) => handlers.error(err));
  }

  send(bytes: Uint8Array, offset: number, length: number, port: number, address: string, done?: DatagramSendCallback): void {
    this.#socket.send(bytes, offset, length, port, address, done);
  }

  close(done?: () => void): void {
    if (done) this.#closeWaiters.push(done);
    if (this.#closed) {
      queueMicrotask(() => this.#runCloseWaiters());
      return;
    }
    if (this.#closing) return;
    this.#closing = true;
    this.#socket.close();
  }

  #runCloseWaiters(): void {
    for (const done of this.#closeWaiters.splice(0)) done();
  }
}

/** Binds a UDP socket (udp6 for an IPv6 address) and resolves once it listens. */
function bindUdp(address: string, port: number): Promise<DatagramSocket> {
  const type = net.isIPv6(address) ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, lookup: literalFirstLookup as unknown as dgram.SocketOptions['lookup'] });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(new UdpSocket(socket));
    });
  });
}

/** Real UDP sockets. */
export const udpSockets: DatagramSocketFactory = { kind: 'udp', bind: bindUdp };
