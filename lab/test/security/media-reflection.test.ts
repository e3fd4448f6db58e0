/**
 * Issue 9 item 2, reflection, replayed on loopback against the compiled gateway: an INVITE whose SDP
 * names a third address (the victim, 127.9.1.77) that never sends anything. Before the fix one
 * 527-byte INVITE, never ACKed, made the gateway send 1,621 RTP packets (~530x the bytes) there over
 * Timer H's 32 s. Now nothing goes to an unconfirmed address, and a confirmed call whose media address
 * stays silent is cut off after RTP_FIRST_PACKET_TIMEOUT_MS. Figures are printed (`media-attack …`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWireGateway, type WireGateway } from '../../src/conformance/wire/index.js';
import { SipUac, UdpBox } from './helpers/media-attack-kit.js';

const GATEWAY = '127.9.1.1';
const ATTACKER = '127.9.1.66';
const VICTIM = '127.9.1.77';
const RTP_PORTS = { min: 45_100, max: 45_119 };
const FIRST_PACKET_TIMEOUT_MS = 1000;

let gw: WireGateway;

beforeAll(async () => {
  gw = await startWireGateway({
    name: 'security-media-reflection',
    host: GATEWAY,
    rtpPorts: RTP_PORTS,
    realtime: 'answering',
    env: { RTP_FIRST_PACKET_TIMEOUT_MS: String(FIRST_PACKET_TIMEOUT_MS) },
  });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
});

/** The victim's RTP port and the one above it (RTCP), each counting what reaches it. */
async function victim(): Promise<{ rtp: UdpBox; rtcp: UdpBox; packets: () => number; bytes: () => number; close: () => Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const rtp = await UdpBox.open(VICTIM);
    if (rtp.port % 2 === 0) {
      try {
        const rtcp = await UdpBox.open(VICTIM, rtp.port + 1);
        return {
          rtp,
          rtcp,
          packets: () => rtp.received.length + rtcp.received.length,
          bytes: () => rtp.bytesReceived + rtcp.bytesReceived,
          close: async () => void (await Promise.all([rtp.close(), rtcp.close()])),
        };
      } catch {
        // port + 1 taken: try another pair
      }
    }
    await rtp.close();
    if (attempt > 50) throw new Error('no even/odd port pair free on the victim address');
  }
}

describe('reflection: an INVITE never ACKed whose SDP names a third address', () => {
  it('sends not one packet there until Timer H ends the call', async () => {
    const target = await victim();
    const uac = await SipUac.open({ host: ATTACKER, gateway: gw.udp, media: { address: VICTIM, port: target.rtp.port } });
    await uac.invite();
    const ended = await gw.process.waitFor((l) => l.msg === 'call ended' && l.callId === uac.callId, 40_000);
    const figures = { endReason: ended.reason, victimPackets: target.packets(), victimBytes: target.bytes(), inviteBytes: uac.inviteBytes };
    console.log(`media-attack reflection-no-ack ${JSON.stringify(figures)}`);
    expect(ended.reason).toBe('no-ack');
    expect(figures.victimPackets).toBe(0);
    await Promise.all([target.close(), uac.close()]);
  }, 45_000);
});

describe('reflection: the attacker ACKs, the named address never answers', () => {
  it('what goes there is bounded by RTP_FIRST_PACKET_TIMEOUT_MS, then the gateway hangs up with a Reason', async () => {
    const target = await victim();
    const uac = await SipUac.open({ host: ATTACKER, gateway: gw.udp, media: { address: VICTIM, port: target.rtp.port } });
    await uac.invite();
    uac.ack();
    const bye = await uac.waitForBye(10_000);
    await gw.process.waitFor((l) => l.msg === 'call ended' && l.callId === uac.callId, 5_000);
    const atBye = target.packets();
    await new Promise((r) => setTimeout(r, 500));
    const ended = gw.process.logs.find((l) => l.msg === 'call ended' && l.callId === uac.callId);
    const figures = {
      endReason: ended?.reason,
      victimPackets: target.packets(),
      victimBytes: target.bytes(),
      inviteBytes: uac.inviteBytes,
      amplification: Number((target.bytes() / uac.inviteBytes).toFixed(1)),
    };
    console.log(`media-attack reflection-acked-silent ${JSON.stringify(figures)}`);
    expect(bye.type === 'request' ? bye.headers.get('Reason') : undefined).toBe('SIP;cause=408;text="No media from the remote"');
    expect(ended?.reason).toBe('no-inbound-media');
    // 1 s of 20 ms packets (50) plus scheduling slack; before the bound existed: 50 a second until RTP_INACTIVITY_MS (30 s).
    expect(figures.victimPackets).toBeGreaterThan(0);
    expect(figures.victimPackets).toBeLessThanOrEqual(FIRST_PACKET_TIMEOUT_MS / 20 + 10);
    expect(target.packets()).toBe(atBye); // nothing after the BYE
    await Promise.all([target.close(), uac.close()]);
  }, 30_000);
});
