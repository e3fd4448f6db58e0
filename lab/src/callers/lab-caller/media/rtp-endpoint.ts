/**
 * The caller's RTP/RTCP sockets: RTP on an even port, RTCP on the next one (RFC 3550 §11), or both
 * on the RTP port when the answer says rtcp-mux (RFC 5761). SRTP/SRTCP wraps both directions when
 * negotiated. Received datagrams are handed up already unprotected; failures are counted by
 * reason, never thrown. Sends go only to loopback addresses.
 */
import dgram from 'node:dgram';
import { LabCallerError, LabCallerErrorCode } from '../errors.js';
import { SrtpSession, type SrtpKeys } from 'connect-realtime-gateway';
import type { HostPort } from '../options.js';

/** Binding attempts to find a free even/odd port pair. */
const MAX_BIND_ATTEMPTS = 32;

export type SrtpFailure = 'short' | 'auth' | 'replay' | 'malformed';

export interface RtpEndpointHandlers {
  onRtp(packet: Buffer, from: HostPort): void;
  onRtcp(packet: Buffer, from: HostPort): void;
  onSrtpFailure(reason: SrtpFailure, rtcp: boolean): void;
}

export interface RtpRemote {
  rtp: HostPort;
  rtcp: HostPort;
  rtcpMux: boolean;
  srtp: { local: SrtpKeys; remote: SrtpKeys } | undefined;
}

/** RFC 5761 §4: on a muxed port, RTCP packet types 192–223 fill the second byte's PT range. */
export function looksLikeRtcp(b: Uint8Array): boolean {
  const pt = b[1];
  return b.length >= 8 && pt !== undefined && pt >= 192 && pt <= 223;
}

export class RtpEndpoint {
  readonly address: string;
  readonly rtpPort: number;
  readonly #rtp: dgram.Socket;
  readonly #rtcp: dgram.Socket;
  #h: RtpEndpointHandlers | undefined;
  #remote: RtpRemote | undefined;
  #srtp: SrtpSession | undefined;
  #srtpKeys: RtpRemote['srtp'];
  #closed = false;

  private constructor(address: string, rtp: dgram.Socket, rtcp: dgram.Socket) {
    this.address = address;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.rtpPort = rtp.address().port;
    rtp.on('message', (buf, r) => this.#onDatagram(buf, { host: r.address, port: r.port }, false));
    rtcp.on('message', (buf, r) => this.#onDatagram(buf, { host: r.address, port: r.port }, true));
    // Late ICMP errors (port unreachable after the peer closed) must not crash the run.
    rtp.on('error', () => {});
    rtcp.on('error', () => {});
  }

  static async open(address: string): Promise<RtpEndpoint> {
    let lastError = 'no attempt made';
    for (let i = 0; i < MAX_BIND_ATTEMPTS; i++) {
      const rtp = await bind(address, 0).catch((e: Error) => e);
      if (rtp instanceof Error) {
        lastError = rtp.message;
        continue;
      }
      const port = rtp.address().port;
      if (port % 2 !== 0 || port === 65_535) {
        rtp.close();
        continue;
      }
      const rtcp = await bind(address, port + 1).catch((e: Error) => e);
      if (rtcp instanceof Error) {
        lastError = rtcp.message;
        rtp.close();
        continue;
      }
      return new RtpEndpoint(address, rtp, rtcp);
    }
    throw new LabCallerError(LabCallerErrorCode.TRANSPORT, `no free RTP/RTCP port pair on ${address} (${lastError})`);
  }

  listen(h: RtpEndpointHandlers): void {
    this.#h = h;
  }

  /** Where to send and how to protect; SRTP state is kept while the keys stay the same. */
  setRemote(remote: RtpRemote): void {
    this.#remote = remote;
    const same =
      remote.srtp !== undefined &&
      this.#srtpKeys !== undefined &&
      remote.srtp.local.masterKey.equals(this.#srtpKeys.local.masterKey) &&
      remote.srtp.remote.masterKey.equals(this.#srtpKeys.remote.masterKey) &&
      remote.srtp.remote.masterSalt.equals(this.#srtpKeys.remote.masterSalt) &&
      remote.srtp.local.profile === this.#srtpKeys.local.profile &&
      remote.srtp.remote.profile === this.#srtpKeys.remote.profile;
    if (!same) {
      this.#srtpKeys = remote.srtp;
      this.#srtp = remote.srtp === undefined ? undefined : new SrtpSession({ local: remote.srtp.local, remote: remote.srtp.remote });
    }
  }

  get remote(): RtpRemote | undefined {
    return this.#remote;
  }

  sendRtp(packet: Uint8Array): void {
    const r = this.#remote;
    if (this.#closed || r === undefined) return;
    const out = this.#srtp === undefined ? packet : this.#srtp.protectRtp(packet);
    this.#rtp.send(out, r.rtp.port, r.rtp.host);
  }

  sendRtcp(packet: Uint8Array): void {
    const r = this.#remote;
    if (this.#closed || r === undefined || r.rtcp.port === 0) return;
    const out = this.#srtp === undefined ? packet : this.#srtp.protectRtcp(packet);
    (r.rtcpMux ? this.#rtp : this.#rtcp).send(out, r.rtcp.port, r.rtcp.host);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rtp.close();
    this.#rtcp.close();
  }

  #onDatagram(buf: Buffer, from: HostPort, onRtcpPort: boolean): void {
    const h = this.#h;
    if (this.#closed || h === undefined) return;
    const rtcp = onRtcpPort || looksLikeRtcp(buf);
    if (this.#srtp === undefined) {
      if (rtcp) h.onRtcp(buf, from);
      else h.onRtp(buf, from);
      return;
    }
    const r = rtcp ? this.#srtp.unprotectRtcp(buf) : this.#srtp.unprotectRtp(buf);
    if (!r.ok) {
      h.onSrtpFailure(r.error, rtcp);
      return;
    }
    if (rtcp) h.onRtcp(r.value, from);
    else h.onRtp(r.value, from);
  }
}

function bind(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.bind(port, address, () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}
