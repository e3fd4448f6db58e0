/**
 * What the signalling attack suites share: a real gateway process (compiled, as production runs)
 * bound to loopback with a narrow allow-list, its refusal counters read from GET /metrics, and
 * small SIP peers over UDP, TCP and TLS that connect from a chosen 127.0.0.x address (each attacker
 * and each legitimate client is a host of its own).
 */
import net from 'node:net';
import tls from 'node:tls';
import { newCallId, newTag, serializeMessage, StreamFramer, type SipResponse } from 'connect-realtime-gateway';
import { optionsTo, startWireGateway, type Endpoint, type WireGateway } from '../../../src/conformance/wire/index.js';
import { conformanceOutDir } from '../../../src/conformance/wire/index.js';
import { makeLabCertificate } from '../../../src/runner/lab-certificate.js';
import { freePort } from '../../../src/runner/ports.js';

export interface SecurityGateway {
  gw: WireGateway;
  sip: Endpoint;
  tls: Endpoint | undefined;
  /** The gateway's TLS certificate (PEM), to trust it. */
  cert: string | undefined;
  /** gateway_sip_refused_total by `transport/reason`. */
  refused(): Promise<Record<string, number>>;
  /** gateway_sip_responses_total summed over every label. */
  responsesSent(): Promise<number>;
  /** gateway_sip_transactions{side="server"}: live server transactions. */
  serverTransactions(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSecurityGateway(name: string, opts: { allow: string[]; tls?: boolean; rtpPorts?: { min: number; max: number }; env?: Record<string, string> }): Promise<SecurityGateway> {
  const host = '127.0.0.1';
  const env: Record<string, string> = { SIP_ALLOW_FROM: opts.allow.join(','), ...opts.env };
  let tlsPort: number | undefined;
  let cert: string | undefined;
  if (opts.tls === true) {
    tlsPort = await freePort(host);
    const made = makeLabCertificate(conformanceOutDir());
    cert = made.cert;
    Object.assign(env, { SIP_TRANSPORTS: 'udp,tcp,tls', SIP_TLS_PORT: String(tlsPort), SIP_TLS_CERT_FILE: made.certFile, SIP_TLS_KEY_FILE: made.keyFile });
  }
  const gw = await startWireGateway({ name, host, rtpPorts: opts.rtpPorts ?? { min: 47_000, max: 47_199 }, realtime: 'answering', env });
  const metrics = async (): Promise<string> => {
    const url = gw.process.httpUrl;
    if (url === undefined) throw new Error('gateway has no HTTP url');
    const res = await fetch(`${url}/metrics`);
    return res.text();
  };
  return {
    gw,
    sip: gw.udp,
    tls: tlsPort === undefined ? undefined : { host, port: tlsPort },
    cert,
    refused: async () => {
      const out: Record<string, number> = {};
      for (const m of (await metrics()).matchAll(/^gateway_sip_refused_total\{transport="(\w+)",reason="(\w+)"\} (\d+)$/gm)) out[`${m[1]}/${m[2]}`] = Number(m[3]);
      return out;
    },
    responsesSent: async () => {
      let sum = 0;
      for (const m of (await metrics()).matchAll(/^gateway_sip_responses_total\{[^}]*\} (\d+)$/gm)) sum += Number(m[1]);
      return sum;
    },
    serverTransactions: async () => Number(/^gateway_sip_transactions\{side="server"\} (\d+)$/m.exec(await metrics())?.[1] ?? NaN),
    stop: async () => {
      await gw.stop();
    },
  };
}

/** A plain TCP connection from `localAddress` that sends nothing (an idle or never-handshaking peer). */
export function rawConnect(to: Endpoint, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: to.host, port: to.port, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the socket is closed (by either side). */
export function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

/** Opens `n` idle connections from `localAddress`, at most `parallel` connecting at once. */
export async function openIdle(to: Endpoint, localAddress: string, n: number, parallel = 64): Promise<net.Socket[]> {
  const out: net.Socket[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, () =>
        rawConnect(to, localAddress).then(
          (s) => {
            s.on('error', () => undefined);
            return s;
          },
          () => undefined,
        ),
      ),
    );
    for (const s of batch) if (s !== undefined) out.push(s);
  }
  return out;
}

/**
 * One OPTIONS over a fresh TCP or TLS connection from `localAddress`: the status of the final
 * response, or undefined when the connection was refused or closed first, or `timeoutMs` passed.
 */
export async function optionsOverStream(to: Endpoint, localAddress: string, timeoutMs: number, tlsOpts?: tls.ConnectionOptions): Promise<number | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const framer = new StreamFramer();
    const socket: net.Socket =
      tlsOpts === undefined
        ? net.connect({ host: to.host, port: to.port, localAddress }, () => send())
        : // tls.connect's options type has no localAddress: bind the TCP socket first and wrap it.
          // host stays for SNI and the certificate check.
          tls.connect({ socket: net.connect({ host: to.host, port: to.port, localAddress }), host: to.host, port: to.port, ...tlsOpts }, () => send());
    const done = (status: number | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    function send(): void {
      const req = optionsTo(to, { host: localAddress, port: socket.localPort ?? 0 }, 'TCP');
      if (tlsOpts !== undefined) req.headers.set('Via', (req.headers.get('Via') ?? '').replace('SIP/2.0/TCP', 'SIP/2.0/TLS'));
      socket.write(serializeMessage(req));
    }
    socket.on('data', (chunk: Buffer) => {
      for (const r of framer.push(chunk)) if (r.ok && r.value.type === 'response' && r.value.status >= 200) done((r.value as SipResponse).status);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}

/** An INVITE with an SDP offer whose media address is the sender's own (nothing else is ever named). */
export function inviteFrom(local: Endpoint, to: Endpoint, rtpPort: number): { text: string; callId: string } {
  const callId = newCallId(local.host);
  const sdp = ['v=0', `o=lab 1 1 IN IP4 ${local.host}`, 's=-', `c=IN IP4 ${local.host}`, 't=0 0', `m=audio ${rtpPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', ''].join('\r\n');
  const text = [
    `INVITE sip:agent@${to.host}:${to.port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local.host}:${local.port};branch=z9hG4bK${newTag()};rport`,
    'Max-Forwards: 70',
    `From: <sip:+15550100@${local.host}>;tag=${newTag()}`,
    `To: <sip:agent@${to.host}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:+15550100@${local.host}:${local.port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
  return { text, callId };
}
