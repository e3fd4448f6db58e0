/**
 * The lab tap end to end over loopback UDP: a fake caller (127.0.0.3) calls a fake gateway (127.0.0.1)
 * through the SIP ALG and media relay (127.0.0.2), as the scenario runner wires them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaRelay } from '../../src/netem/media-relay.js';
import { SipAlg } from '../../src/netem/sip-alg.js';
import { freePort } from '../../src/runner/ports.js';
import { rtpPacket } from './helpers/rtp.js';
import { UdpPeer, type Received } from './helpers/udp-peer.js';

const GATEWAY = '127.0.0.1';
const ALG = '127.0.0.2';
const CALLER = '127.0.0.3';
const CALL_ID = 'alg-test-1@127.0.0.3';
const TO_GATEWAY_DROPS = [3, 7];
const TO_CALLER_DROPS = [0];

function sdp(address: string, port: number): string {
  return ['v=0', `o=- 1 1 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
}

function message(firstLine: string, headers: string[], body = ''): string {
  const extra = body ? ['Content-Type: application/sdp'] : [];
  return [firstLine, ...headers, ...extra, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body].join('\r\n');
}

function header(raw: string, name: string): string | undefined {
  const line = raw.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}

function body(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}

function mediaOf(raw: string): { address: string; port: number } {
  const b = body(raw);
  return { address: /^c=IN IP4 (\S+)/m.exec(b)![1]!, port: Number(/^m=audio (\d+)/m.exec(b)![1]) };
}

describe('SipAlg + MediaRelay over loopback', () => {
  let alg: SipAlg;
  let relay: MediaRelay;
  let callerSip: UdpPeer;
  let gatewaySip: UdpPeer;
  let callerMedia: { rtp: UdpPeer; rtcp: UdpPeer };
  let gatewayMedia: { rtp: UdpPeer; rtcp: UdpPeer };
  let inviteAtGateway: Received;
  let okAtCaller: Received;
  const dialog = (cseq: string) => [`Via: SIP/2.0/UDP ${CALLER}:${callerSip.port};branch=z9hG4bK-${cseq.replace(' ', '-')}`, 'From: <sip:+15550100@127.0.0.3>;tag=c1', 'To: <sip:+15550199@127.0.0.1>', `Call-ID: ${CALL_ID}`, `CSeq: ${cseq}`];

  beforeAll(async () => {
    gatewaySip = await UdpPeer.bind(GATEWAY);
    callerSip = await UdpPeer.bind(CALLER);
    gatewayMedia = await UdpPeer.bindPair(GATEWAY);
    callerMedia = await UdpPeer.bindPair(CALLER);
    alg = new SipAlg({
      host: ALG,
      port: await freePort(ALG),
      gateway: { address: GATEWAY, port: gatewaySip.port },
      impairment: { toGateway: { dropIndices: TO_GATEWAY_DROPS }, toCaller: { dropIndices: TO_CALLER_DROPS } },
      seed: 42,
    });
    await alg.start();

    // INVITE with the caller's SDP → through the ALG → the gateway.
    const invite = message('INVITE sip:+15550199@127.0.0.1 SIP/2.0', [...dialog('1 INVITE'), `Contact: <sip:+15550100@${CALLER}:${callerSip.port}>`], sdp(CALLER, callerMedia.rtp.port));
    await callerSip.send(invite, alg.address.port, ALG);
    inviteAtGateway = (await gatewaySip.waitFor(1))[0]!;
    relay = alg.relayFor(CALL_ID)!;

    // 200 OK with the gateway's SDP, sent back where the INVITE came from.
    const invText = inviteAtGateway.msg.toString('latin1');
    const ok = message('SIP/2.0 200 OK', [`Via: ${header(invText, 'via')}`, 'From: <sip:+15550100@127.0.0.3>;tag=c1', 'To: <sip:+15550199@127.0.0.1>;tag=g1', `Call-ID: ${CALL_ID}`, 'CSeq: 1 INVITE', `Contact: <sip:gw@${GATEWAY}:${gatewaySip.port}>`], sdp(GATEWAY, gatewayMedia.rtp.port));
    await gatewaySip.send(ok, inviteAtGateway.from.port, inviteAtGateway.from.address);
    okAtCaller = (await callerSip.waitFor(1))[0]!;
  });

  afterAll(async () => {
    await alg?.stop();
    for (const p of [callerSip, gatewaySip, callerMedia?.rtp, callerMedia?.rtcp, gatewayMedia?.rtp, gatewayMedia?.rtcp]) p?.close();
  });

  it('the gateway gets the INVITE from the ALG with media, Contact and Content-Length pointing at the tap', () => {
    const raw = inviteAtGateway.msg.toString('latin1');
    expect(inviteAtGateway.from.address).toBe(ALG);
    expect(inviteAtGateway.from.port).toBe(alg.gatewayFacingPort);
    expect(raw.startsWith('INVITE sip:+15550199@127.0.0.1 SIP/2.0\r\n')).toBe(true);
    expect(header(raw, 'call-id')).toBe(CALL_ID);
    expect(header(raw, 'contact')).toBe(`<sip:+15550100@${ALG}:${alg.address.port}>`);
    expect(mediaOf(raw)).toEqual({ address: ALG, port: relay.gatewayFacingPort });
    expect(Number(header(raw, 'content-length'))).toBe(Buffer.byteLength(body(raw), 'latin1'));
    expect(relay.callerMedia).toEqual({ address: CALLER, port: callerMedia.rtp.port });
  });

  it('the caller gets the 200 OK with the gateway’s media replaced by the tap’s other side', () => {
    const raw = okAtCaller.msg.toString('latin1');
    expect(okAtCaller.from).toMatchObject({ address: ALG, port: alg.address.port });
    expect(raw.startsWith('SIP/2.0 200 OK\r\n')).toBe(true);
    expect(header(raw, 'contact')).toBe(`<sip:gw@${ALG}:${alg.address.port}>`);
    expect(mediaOf(raw)).toEqual({ address: ALG, port: relay.callerFacingPort });
    expect(relay.gatewayMedia).toEqual({ address: GATEWAY, port: gatewayMedia.rtp.port });
    expect(relay.callerFacingPort).not.toBe(relay.gatewayFacingPort);
  });

  it('relays RTP both ways, records every packet, and drops exactly the dropIndices of each direction', async () => {
    // One RTCP first: never impaired, and not counted as a media packet index.
    const sr = Buffer.from([0x80, 200, 0x00, 0x06, ...Buffer.alloc(24)]); // V=2, PT=200 (SR), length 6
    await callerMedia.rtcp.send(sr, relay.callerFacingPort + 1, ALG);
    await gatewayMedia.rtcp.waitFor(1);

    const up = Array.from({ length: 20 }, (_, i) => rtpPacket(0, 1000 + i, 160 * i, 0x11111111, Buffer.alloc(160, i), i === 0));
    for (const p of up) await callerMedia.rtp.send(p, relay.callerFacingPort, ALG);
    const down = Array.from({ length: 10 }, (_, i) => rtpPacket(0, 5000 + i, 160 * i, 0x22222222, Buffer.alloc(160, 0x80 + i)));
    for (const p of down) await gatewayMedia.rtp.send(p, relay.gatewayFacingPort, ALG);

    const atGateway = await gatewayMedia.rtp.waitFor(up.length - TO_GATEWAY_DROPS.length);
    const atCaller = await callerMedia.rtp.waitFor(down.length - TO_CALLER_DROPS.length);
    const seqs = (rs: Received[]) => rs.map((r) => r.msg.readUInt16BE(2));
    expect(seqs(atGateway)).toEqual(up.map((_, i) => 1000 + i).filter((_, i) => !TO_GATEWAY_DROPS.includes(i)));
    expect(seqs(atCaller)).toEqual(down.map((_, i) => 5000 + i).filter((_, i) => !TO_CALLER_DROPS.includes(i)));
    // Forwarded unchanged, from the relay's side facing each peer.
    expect(atGateway[0]!.msg).toEqual(up[0]);
    expect(atGateway.every((r) => r.from.address === ALG && r.from.port === relay.gatewayFacingPort)).toBe(true);
    expect(atCaller.every((r) => r.from.address === ALG && r.from.port === relay.callerFacingPort)).toBe(true);
    expect(gatewayMedia.rtcp.received[0]!.msg).toEqual(sr);

    const toGw = relay.records.filter((r) => r.dir === 'toGateway' && !r.rtcp);
    expect(toGw.map((r) => r.seq)).toEqual(up.map((_, i) => 1000 + i));
    expect(toGw.flatMap((r, i) => (r.fate === 'dropped' ? [i] : []))).toEqual(TO_GATEWAY_DROPS);
    expect(toGw[0]).toMatchObject({ pt: 0, marker: true, ts: 0, ssrc: 0x11111111, length: 172 });
    expect(toGw[5]!.payload).toEqual(Buffer.alloc(160, 5));
    const toCaller = relay.records.filter((r) => r.dir === 'toCaller' && !r.rtcp);
    expect(toCaller.map((r) => r.fate)).toEqual(down.map((_, i) => (TO_CALLER_DROPS.includes(i) ? 'dropped' : 'forwarded')));
    expect(relay.records.filter((r) => r.rtcp)).toMatchObject([{ dir: 'toGateway', fate: 'forwarded', length: 28 }]);
    expect(relay.impairment('toGateway').dropped).toBe(TO_GATEWAY_DROPS.length);
    // Times are on the ALG's time base, in arrival order.
    const ts = relay.records.map((r) => r.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts[0]!).toBeGreaterThan(0);
  });

  it('in-dialog requests and answers pass both ways and every message is recorded with direction and CSeq', async () => {
    const okTo = header(okAtCaller.msg.toString('latin1'), 'to')!;
    const inDialog = (cseq: string) => [...dialog(cseq).filter((h) => !h.startsWith('To:')), `To: ${okTo}`];
    await callerSip.send(message(`ACK sip:gw@${ALG}:${alg.address.port} SIP/2.0`, inDialog('1 ACK')), alg.address.port, ALG);
    await callerSip.send(message(`BYE sip:gw@${ALG}:${alg.address.port} SIP/2.0`, inDialog('2 BYE')), alg.address.port, ALG);
    const atGateway = await gatewaySip.waitFor(3);
    expect(atGateway.map((r) => r.msg.toString('latin1').split('\r\n')[0])).toEqual([
      'INVITE sip:+15550199@127.0.0.1 SIP/2.0',
      `ACK sip:gw@${ALG}:${alg.address.port} SIP/2.0`,
      `BYE sip:gw@${ALG}:${alg.address.port} SIP/2.0`,
    ]);
    const bye = atGateway[2]!;
    const byeOk = message('SIP/2.0 200 OK', [`Via: ${header(bye.msg.toString('latin1'), 'via')}`, 'From: <sip:+15550100@127.0.0.3>;tag=c1', `To: ${okTo}`, `Call-ID: ${CALL_ID}`, 'CSeq: 2 BYE']);
    await gatewaySip.send(byeOk, bye.from.port, bye.from.address);
    const atCaller = await callerSip.waitFor(2);
    expect(atCaller[1]!.msg.toString('latin1').startsWith('SIP/2.0 200 OK\r\n')).toBe(true);
    expect(alg.records.map((r) => [r.dir, r.firstLine.split(' ')[0] === 'SIP/2.0' ? r.firstLine : r.firstLine.split(' ')[0], r.cseq])).toEqual([
      ['toGateway', 'INVITE', '1 INVITE'],
      ['toCaller', 'SIP/2.0 200 OK', '1 INVITE'],
      ['toGateway', 'ACK', '1 ACK'],
      ['toGateway', 'BYE', '2 BYE'],
      ['toCaller', 'SIP/2.0 200 OK', '2 BYE'],
    ]);
    expect(alg.records.every((r) => r.callId === CALL_ID)).toBe(true);
    expect(alg.relays.size).toBe(1);
  });
});
