/**
 * No media before the call is confirmed, and a bound on media to an address that never answers,
 * through the assembled Gateway in-process (memory SIP and RTP, one ManualClock; see
 * in-process-gateway.ts). The wire versions of these attacks are in lab/test/security/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/agent/instruction-template.js';
import { serializeRtp } from '../../src/rtp/index.js';
import { agentSpeech, GATEWAY_IP, PHONE_IP, PHONE_RTP_PORT, startGateway, type InProcessGateway, type Phone } from './in-process-gateway.js';

let gw: InProcessGateway | undefined;

afterEach(async () => {
  if (gw) await gw.gateway.stop();
  gw = undefined;
});

function endedLine(h: InProcessGateway): Record<string, unknown> {
  const lines = h.logs.filter((l) => l.msg === 'call ended');
  expect(lines).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

describe('media waits for the ACK', () => {
  it('an INVITE never ACKed gets not one RTP or RTCP packet at its SDP address, and ends at Timer H', async () => {
    const h = (gw = await startGateway());
    const phone = await h.phone();
    phone.invite();
    await h.settle();
    expect(phone.response(200)).toBeDefined();
    for (let t = 0; t < 40_000; t += 500) await h.run(500);
    expect(phone.received()).toHaveLength(0);
    expect(h.network.between({}, { address: PHONE_IP, port: PHONE_RTP_PORT + 1 })).toHaveLength(0); // no RTCP either
    expect(endedLine(h).reason).toBe('no-ack');
  });

  it('the greeting reaches the caller within a packet or two of the ACK', async () => {
    const greeting = parseTemplate('Greet the caller.');
    if (!greeting.ok) throw new Error('template');
    const h = (gw = await startGateway({ agent: (def) => ({ ...def, greeting: greeting.value }) }));
    const phone = await h.phone();
    phone.invite();
    await h.settle();
    // The model's greeting cannot start before the ACK: it is requested at the ACK.
    await h.run(200);
    expect(h.realtime.last.of('createResponse')).toHaveLength(0);
    expect(phone.received()).toHaveLength(0);
    phone.ack();
    await h.settle();
    const ackAt = h.clock.now();
    expect(h.realtime.last.of('createResponse')).toHaveLength(1);
    h.realtime.last.emit('audio', { responseId: 'resp-1', itemId: 'item-1', contentIndex: 0, audio: agentSpeech(400) });
    phone.sendRtp(new Uint8Array(160).fill(0xff));
    await h.run(100);
    const first = phone.received().find((r) => r.packet.payload.some((b) => b !== 0xff));
    expect(first).toBeDefined();
    expect((first as { at: number }).at - ackAt).toBeLessThanOrEqual(40);
    phone.bye();
    await h.run(40);
    expect(endedLine(h).reason).toBe('remote-bye');
  });
});

/** A call answered and confirmed (by default with RTP_FIRST_PACKET_TIMEOUT_MS at 2 s); the phone has sent no media. */
async function confirmedCall(env: Record<string, string> = { RTP_FIRST_PACKET_TIMEOUT_MS: '2000' }): Promise<{ h: InProcessGateway; phone: Phone }> {
  const h = (gw = await startGateway({ env }));
  const phone = await h.answeredPhone();
  return { h, phone };
}

describe('a remote that never sends: bounded, then BYE', () => {
  it('nothing from the caller within RTP_FIRST_PACKET_TIMEOUT_MS: sending stops and the gateway hangs up with a Reason', async () => {
    const { h, phone } = await confirmedCall();
    let byeAt: number | undefined;
    for (let t = 0; t < 4000 && byeAt === undefined; t += 20) {
      await h.run(20);
      if (phone.read().some((m) => m.type === 'request' && m.method === 'BYE')) byeAt = h.clock.now();
    }
    expect(byeAt).toBeDefined();
    const bye = h.sip.sent.find((p) => p.data.toString().startsWith('BYE '));
    expect(bye?.data.toString()).toContain('Reason: SIP;cause=408;text="No media from the remote"');
    const sent = phone.received().length;
    expect(sent).toBeGreaterThan(90); // media did flow while waiting
    expect(sent).toBeLessThanOrEqual(101); // 2 s of 20 ms packets, and not one more
    await h.run(2000);
    expect(phone.received()).toHaveLength(sent);
    expect(endedLine(h).reason).toBe('no-inbound-media');
    expect(h.logs.some((l) => l.msg === 'no RTP or RTCP from the remote media address since the call was answered: stopped sending, hanging up')).toBe(true);
  });

  it('one packet from the caller in time, and the call goes on past the bound', async () => {
    const { h, phone } = await confirmedCall();
    await h.run(1500);
    phone.sendRtp(new Uint8Array(160).fill(0xff));
    await h.run(3000);
    expect(phone.read().some((m) => m.type === 'request' && m.method === 'BYE')).toBe(false);
    expect(phone.received().length).toBeGreaterThan(200);
    phone.bye();
    await h.run(40);
    expect(endedLine(h).reason).toBe('remote-bye');
  });
});

describe('media source policy through the gateway', () => {
  /** The caller's media as a NAT rewrites it: from another port than its SDP names. */
  async function natMedia(h: InProcessGateway, phone: Phone): Promise<{ received: Buffer[]; send: (n: number) => Promise<void> }> {
    const socket = await h.network.bind(PHONE_IP, PHONE_RTP_PORT + 1234);
    const received: Buffer[] = [];
    socket.listen({ message: (m) => received.push(m), error: () => undefined });
    let seq = 1;
    const send = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++, seq++) {
        const pkt = serializeRtp({ marker: false, payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 0xa7, csrc: [], extension: undefined, payload: new Uint8Array(160).fill(0xff), paddingLength: 0 });
        socket.send(pkt, 0, pkt.length, phone.gatewayRtpPort, GATEWAY_IP);
        await h.run(20);
      }
    };
    return { received, send };
  }

  it('strict (default): media from a port the SDP does not name is never accepted nor answered', async () => {
    const { h, phone } = await confirmedCall();
    const nat = await natMedia(h, phone);
    await h.run(1200);
    await nat.send(20);
    expect(nat.received).toHaveLength(0);
    expect(phone.received().length).toBeGreaterThan(50); // still to the SDP address
    phone.bye();
    await h.run(40);
    expect((endedLine(h).media as { received: { unexpectedSource: number } }).received.unexpectedSource).toBe(20);
  });

  it('learn: the NATed source is learned after 5 in-sequence packets once the SDP address was quiet for 1 s', async () => {
    const { h, phone } = await confirmedCall({ RTP_SOURCE_POLICY: 'learn' });
    const nat = await natMedia(h, phone);
    await nat.send(10); // within the first second: the SDP address may still speak
    expect(nat.received).toHaveLength(0);
    await h.run(1000);
    await nat.send(5);
    await h.run(100);
    expect(nat.received.length).toBeGreaterThanOrEqual(4);
    expect(h.logs.some((l) => l.msg === 'media source learned: RTP now goes to the observed source')).toBe(true);
    phone.bye();
    await h.run(40);
    expect(endedLine(h).reason).toBe('remote-bye');
  });
});
