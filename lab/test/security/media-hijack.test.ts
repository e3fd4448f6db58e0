/**
 * Issue 9 item 1, "RTP bleed", replayed on loopback against the compiled gateway and the fake
 * Realtime (which records every byte the model received). The caller, the attacker and the gateway
 * each have their own 127.9.0.x address. Before the fix the attacker who sprayed first took both
 * directions (latch-to-first-packet), a blind spray over a round-robin port range hijacked 3 of 3
 * calls, and one RTCP RR with rtcp-mux moved the stream. Each test prints its figures
 * (`media-attack …`) for the security note.
 */
import { encodeMulaw, serializeRtcp } from 'connect-realtime-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWireGateway, type WireGateway } from '../../src/conformance/wire/index.js';
import { constantFrame, RtpSource, framesOf, SipUac, spray, UdpBox } from './helpers/media-attack-kit.js';

const GATEWAY = '127.9.0.1';
const CALLER = '127.9.0.2';
const ATTACKER = '127.9.0.66';
const RTP_PORTS = { min: 45_000, max: 45_019 }; // 10 pairs
const ATTACK_BYTE = 0x2a;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One 20 ms frame of a 1 kHz tone at about -12 dBov (it repeats exactly: 8 samples a cycle). */
function toneFrame(): Uint8Array {
  const pcm = new Int16Array(160);
  for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  const out = new Uint8Array(160);
  encodeMulaw(pcm, out);
  return out;
}
const CALLER_FRAME = toneFrame();

let gw: WireGateway;

beforeAll(async () => {
  gw = await startWireGateway({
    name: 'security-media-hijack',
    host: GATEWAY,
    rtpPorts: RTP_PORTS,
    realtime: 'answering',
    // The Realtime connect takes 400 ms: the window in which the ports were open and the remote set.
    adjustScript: (s) => ({ ...s, failures: { ...s.failures, handshakeDelayMs: 400 } }),
  });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
});

interface CallOutcome {
  uac: SipUac;
  callerBox: UdpBox;
  modelAudio: Uint8Array;
}

/** One call: INVITE, (while it rings: `beforeAck`), ACK, the caller's tone for `frames` packets, BYE. */
async function placeCall(frames: number, opts: { rtcpMux?: boolean; beforeAck?: (uac: SipUac) => Promise<void> } = {}): Promise<CallOutcome> {
  const callerBox = await UdpBox.open(CALLER);
  const uac = await SipUac.open({ host: CALLER, gateway: gw.udp, media: { address: CALLER, port: callerBox.port }, ...(opts.rtcpMux ? { rtcpMux: true } : {}) });
  const sessionsBefore = gw.fake.sessions.length;
  await uac.invite();
  await opts.beforeAck?.(uac);
  uac.ack();
  const caller = new RtpSource(0xca11e6, 7000);
  for (let i = 0; i < frames; i++) {
    callerBox.send(caller.next(CALLER_FRAME), uac.gatewayRtpPort, GATEWAY);
    await sleep(20);
  }
  await sleep(300);
  await uac.bye();
  await gw.process.waitFor((l) => l.msg === 'call ended' && l.callId === uac.callId, 10_000);
  const session = gw.fake.sessions[sessionsBefore];
  const modelAudio = session ? session.receivedAudioBytes() : new Uint8Array(0);
  return { uac, callerBox, modelAudio };
}

function heardCaller(audio: Uint8Array): boolean {
  return Buffer.from(audio).indexOf(Buffer.from(CALLER_FRAME)) >= 0;
}

describe('RTP hijack: an attacker who knows the port sprays before the caller\'s first packet', () => {
  it('no packet reaches the attacker, the model hears none of its audio, and the caller is served', async () => {
    const attacker = await UdpBox.open(ATTACKER);
    let attack: Promise<void> = Promise.resolve();
    const call = await placeCall(100, {
      beforeAck: async (uac) => {
        // 150 packets over 3 s, starting while the phone rings: well before the caller's first packet.
        attack = spray(attacker, GATEWAY, [uac.gatewayRtpPort], new RtpSource(0xbad, 1), constantFrame(ATTACK_BYTE), 150);
        await sleep(200);
      },
    });
    await attack;
    const figures = {
      attackerPackets: attacker.received.length,
      callerPackets: call.callerBox.received.length,
      attackerFramesHeardByModel: framesOf(call.modelAudio, ATTACK_BYTE),
      callerHeardByModel: heardCaller(call.modelAudio),
    };
    console.log(`media-attack spray-before-caller ${JSON.stringify(figures)}`);
    expect(figures.attackerPackets).toBe(0);
    expect(figures.attackerFramesHeardByModel).toBe(0);
    expect(figures.callerHeardByModel).toBe(true);
    expect(figures.callerPackets).toBeGreaterThan(50);
    // Dropped and counted: in the call's summary and in the metrics.
    const ended = gw.process.logs.find((l) => l.msg === 'call ended' && l.callId === call.uac.callId) as { media?: { received?: { unexpectedSource?: number } } } | undefined;
    expect(ended?.media?.received?.unexpectedSource).toBeGreaterThan(100);
    const metrics = await (await fetch(`${gw.process.httpUrl}/metrics`)).text();
    expect(Number(/^gateway_rtp_foreign_source_packets_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(100);
    await Promise.all([attacker.close(), call.callerBox.close(), call.uac.close()]);
  }, 30_000);
});

describe('RTP hijack: a blind spray over the whole port range while the Realtime connect takes 400 ms', () => {
  it('hijacks 0 of 3 calls', async () => {
    const attacker = await UdpBox.open(ATTACKER);
    const evenPorts = Array.from({ length: (RTP_PORTS.max - RTP_PORTS.min + 1) / 2 }, (_, i) => RTP_PORTS.min + 2 * i);
    let spraying = true;
    const source = new RtpSource(0xbad2, 1);
    const sprayLoop = (async () => {
      for (let i = 0; i < 1500 && spraying; i++) await spray(attacker, GATEWAY, evenPorts, source, constantFrame(ATTACK_BYTE), 1);
    })();
    await sleep(100);
    const calls: CallOutcome[] = [];
    for (let i = 0; i < 3; i++) calls.push(await placeCall(40));
    spraying = false;
    await sprayLoop;
    const hijacked = calls.filter((c) => framesOf(c.modelAudio, ATTACK_BYTE) > 0 || !heardCaller(c.modelAudio)).length;
    const figures = {
      calls: calls.length,
      hijacked,
      attackerPackets: attacker.received.length,
      callerPackets: calls.map((c) => c.callerBox.received.length),
      gatewayPorts: calls.map((c) => c.uac.gatewayRtpPort),
    };
    console.log(`media-attack blind-spray ${JSON.stringify(figures)}`);
    expect(figures.attackerPackets).toBe(0);
    expect(hijacked).toBe(0);
    for (const c of calls) expect(c.callerBox.received.length).toBeGreaterThan(20);
    await attacker.close();
    for (const c of calls) await Promise.all([c.callerBox.close(), c.uac.close()]);
  }, 60_000);
});

describe('RTP hijack: one 8-byte RTCP receiver report with rtcp-mux', () => {
  it('does not move the stream: nothing to the attacker, the caller keeps getting media', async () => {
    const attacker = await UdpBox.open(ATTACKER);
    const rr = serializeRtcp([{ type: 'rr', ssrc: 0xbad3, reports: [], profileExtension: new Uint8Array(0) }]);
    expect(rr.length).toBe(8);
    const call = await placeCall(75, {
      rtcpMux: true,
      beforeAck: async (uac) => {
        attacker.send(rr, uac.gatewayRtpPort, GATEWAY);
        await sleep(100);
      },
    });
    const figures = { rrBytes: rr.length, attackerPackets: attacker.received.length, callerPackets: call.callerBox.received.length };
    console.log(`media-attack rtcp-mux-rr ${JSON.stringify(figures)}`);
    expect(figures.attackerPackets).toBe(0);
    expect(figures.callerPackets).toBeGreaterThan(40);
    expect(heardCaller(call.modelAudio)).toBe(true);
    await Promise.all([attacker.close(), call.callerBox.close(), call.uac.close()]);
  }, 30_000);
});
