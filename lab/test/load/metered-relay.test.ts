/** The load run's relay: forwards both ways, counts, and meters the gateway's direction. */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MeteredRelay } from '../../src/load/metered-relay.js';
import { pacingSummary, RecentLateness } from '../../src/load/pacing-meter.js';

const HOST = '127.0.0.1';

function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, HOST, () => resolve(s)));
}

function rtp(seq: number, ts: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('MeteredRelay', () => {
  it('relays RTP both ways, counts each direction and meters what goes to the caller', async () => {
    const caller = await bound();
    const gateway = await bound();
    open.push(caller, gateway);
    const recent = new RecentLateness();
    const relay = await MeteredRelay.create(HOST, 'call-1', recent);
    open.push(relay);
    // Before the far ends are known, packets have nowhere to go.
    caller.send(rtp(1, 0, 1), relay.callerFacingPort, HOST);
    await new Promise((r) => setTimeout(r, 50));
    expect(relay.counts.unrouted).toBe(1);
    relay.callerMedia = { address: HOST, port: caller.address().port };
    relay.gatewayMedia = { address: HOST, port: gateway.address().port };
    const atGateway: Buffer[] = [];
    const atCaller: Buffer[] = [];
    gateway.on('message', (m) => atGateway.push(m));
    caller.on('message', (m) => atCaller.push(m));
    for (let i = 0; i < 10; i++) {
      caller.send(rtp(i, i * 160, 0x11), relay.callerFacingPort, HOST);
      gateway.send(rtp(i, i * 160, 0x22), relay.gatewayFacingPort, HOST);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(atGateway.length).toBe(10);
    expect(atCaller.length).toBe(10);
    expect(atCaller[3]!.equals(rtp(3, 480, 0x22))).toBe(true);
    expect(relay.counts).toMatchObject({ toGateway: 10, toCaller: 10, unrouted: 1, sendErrors: 0 });
    const pacing = pacingSummary([relay.pacing]);
    expect(pacing.streams).toBe(1);
    expect(pacing.packets).toBe(10);
    expect(recent.takeP99()).toBeDefined();
  });
});
