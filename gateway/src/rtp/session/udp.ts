/**
 * Binding UDP sockets for RTP. The lookup function resolves IP literals synchronously: Node's
 * default dgram lookup defers every send to the next tick even for "127.0.0.1", which costs a
 * closure and a tick per packet and moves the actual send out of the pacer's slot.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

function literalFirstLookup(hostname: string, options: dns.LookupOneOptions, callback: LookupCallback): void {
  const family = net.isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dns.lookup(hostname, options, callback);
}

/** Binds a UDP socket (udp6 for an IPv6 address) and resolves once it listens. */
export function bindUdp(address: string, port: number): Promise<dgram.Socket> {
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
      resolve(socket);
    });
  });
}

export function isAddressInUse(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}
