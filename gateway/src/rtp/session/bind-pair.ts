/**
 * Binding a session's port pair: an even RTP port from the allocator and RTCP on port + 1 (unless
 * rtcp-mux), on whatever DatagramSocketFactory the session was given. Ports something else holds are
 * skipped (bounded attempts); running out is a typed RtpError the call layer turns into 503.
 */
import { RtpError } from '../errors.js';
import { isAddressInUse, type DatagramSocket, type DatagramSocketFactory } from '../transport/datagram-socket.js';
import type { PortAllocator } from './port-allocator.js';
import { describeError } from '../../describe-error.js';

/** Bind attempts when ports are taken by other processes. */
const MAX_BIND_ATTEMPTS = 16;

export interface BoundSockets {
  port: number;
  rtp: DatagramSocket;
  rtcp: DatagramSocket | undefined;
}

export async function bindPair(ports: PortAllocator, sockets: DatagramSocketFactory, address: string, mux: boolean): Promise<BoundSockets> {
  const attempts = Math.min(ports.capacity, MAX_BIND_ATTEMPTS);
  // Pairs another process holds stay reserved until we are done, so the random pick cannot return them again.
  const squatted: number[] = [];
  try {
    for (let i = 0; i < attempts; i++) {
      const port = ports.allocate();
      if (port === undefined) break;
      let rtp: DatagramSocket | undefined;
      try {
        rtp = await sockets.bind(address, port);
        const rtcp = mux ? undefined : await sockets.bind(address, port + 1);
        return { port, rtp, rtcp };
      } catch (err) {
        rtp?.close();
        squatted.push(port);
        if (!isAddressInUse(err)) throw new RtpError('RTP_ERR_BIND', `cannot bind ${address}:${port}: ${describeError(err)}`, { cause: err });
      }
    }
  } finally {
    for (const port of squatted) ports.release(port);
  }
  throw new RtpError('RTP_ERR_PORTS_EXHAUSTED', `no free RTP port pair in ${ports.min}..${ports.max}`);
}
