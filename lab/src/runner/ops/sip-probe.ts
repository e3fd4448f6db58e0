/**
 * One out-of-dialog SIP request over UDP, as a connector's OPTIONS ping or a new call would send it,
 * answered by its final response (provisional ones are skipped). A final non-2xx to an INVITE is
 * ACKed (RFC 3261 §17.1.1.3); a 2xx is ACKed and the call hung up at once, so a probe never leaves a
 * call behind. Retransmits on T1 doubling like a UAC; gives up after `timeoutMs`.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface ProbeResult {
  status: number | undefined;
  reason: string | undefined;
  /** The response's header lines, as received. */
  headers: string[];
  /** Time to the final response, ms. */
  ms: number | undefined;
}

const SDP = (host: string) =>
  ['v=0', `o=probe 1 1 IN IP4 ${host}`, 's=-', `c=IN IP4 ${host}`, 't=0 0', 'm=audio 4000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join(
    '\r\n',
  );

export async function sipProbe(opts: { method: 'INVITE' | 'OPTIONS'; from: string; to: { address: string; port: number }; timeoutMs?: number }): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 4_000;
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, opts.from, () => resolve());
  });
  const port = socket.address().port;
  const id = randomBytes(6).toString('hex');
  const branch = `z9hG4bK-probe-${id}`;
  const callId = `probe-${id}@${opts.from}`;
  const target = `${opts.to.address}:${opts.to.port}`;
  const fromTag = `p${id}`;
  const body = opts.method === 'INVITE' ? SDP(opts.from) : '';
  const common = (method: string, toTag?: string) => [
    `Via: SIP/2.0/UDP ${opts.from}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@${opts.from}>;tag=${fromTag}`,
    `To: <sip:agent@${target}>${toTag ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
  ];
  const request = [
    `${opts.method} sip:agent@${target} SIP/2.0`,
    ...common(opts.method),
    `Contact: <sip:probe@${opts.from}:${port}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  const send = (text: string, to = opts.to) => socket.send(Buffer.from(text), to.port, to.address);
  const started = performance.now();
  return new Promise<ProbeResult>((resolve) => {
    let interval = 500;
    let retransmit: NodeJS.Timeout | undefined;
    const again = () => {
      send(request);
      retransmit = setTimeout(again, (interval = Math.min(interval * 2, 4_000)));
    };
    const finish = (result: ProbeResult) => {
      clearTimeout(retransmit);
      clearTimeout(deadline);
      // Let an ACK/BYE leave before the socket closes.
      setTimeout(() => socket.close(), 50);
      resolve(result);
    };
    const deadline = setTimeout(() => finish({ status: undefined, reason: undefined, headers: [], ms: undefined }), timeoutMs);
    socket.on('message', (data) => {
      const text = data.toString('latin1');
      const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(text);
      if (!m || !text.includes(callId)) return;
      const status = Number(m[1]);
      if (status < 200) return;
      const head = (text.split('\r\n\r\n')[0] ?? '').split('\r\n').slice(1);
      if (opts.method === 'INVITE') {
        const toTag = /^(?:To|t):.*;tag=([^;\s]+)/im.exec(text)?.[1];
        if (status >= 300) send([`ACK sip:agent@${target} SIP/2.0`, ...common('ACK', toTag), 'Content-Length: 0', '', ''].join('\r\n'));
        else {
          // Answered after all: confirm and hang up at once (new branch for the in-dialog requests).
          const ack = [`ACK sip:agent@${target} SIP/2.0`, ...common('ACK', toTag), 'Content-Length: 0', '', ''].join('\r\n').replace(branch, `${branch}-ack`);
          const bye = [`BYE sip:agent@${target} SIP/2.0`, ...common('BYE', toTag), 'Content-Length: 0', '', ''].join('\r\n').replace(branch, `${branch}-bye`).replace('CSeq: 1 BYE', 'CSeq: 2 BYE');
          send(ack);
          send(bye);
        }
      }
      finish({ status, reason: m[2], headers: head, ms: Math.round(performance.now() - started) });
    });
    again();
  });
}
