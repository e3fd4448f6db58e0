/**
 * The baresip driver's own parts, without baresip: netstring framing (bounded, strict), the config
 * it writes (loopback only, headless modules), and the ctrl_tcp client against a scripted server.
 * The interop-baresip scenario runs the real baresip.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { baresipAccountsText, baresipConfigText } from '../../src/callers/baresip/config.js';
import { BaresipControl, netstring, NetstringDecoder } from '../../src/callers/baresip/ctrl-tcp.js';

describe('netstrings', () => {
  it('frames and unframes, across any split of the bytes', () => {
    const bytes = Buffer.concat([netstring('{"a":1}'), netstring(''), netstring('héllo')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new NetstringDecoder();
      expect([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))]).toEqual(['{"a":1}', '', 'héllo']);
    }
  });

  it('rejects a bad length, a missing comma and an oversized frame', () => {
    expect(() => new NetstringDecoder().push(Buffer.from('x:abc,'))).toThrow(/bad length/);
    expect(() => new NetstringDecoder().push(Buffer.from('3:abc;'))).toThrow(/not ended/);
    expect(() => new NetstringDecoder().push(Buffer.from('9999999:'))).toThrow(/over/);
    expect(() => new NetstringDecoder().push(Buffer.from('12345678901'))).toThrow(/no length/);
  });
});

describe('baresip config', () => {
  const base = {
    address: '127.0.0.3',
    sipPort: 5070,
    ctrlPort: 4444,
    rtpPorts: [31000, 31998] as [number, number],
    sourceWav: '/x/in.wav',
    recordDir: '/x/rec',
    codecs: ['PCMU', 'PCMA'] as Array<'PCMU' | 'PCMA'>,
    user: '+15550100',
  };

  it('binds SIP, RTP and control to the loopback address, reads a WAV, records to WAV, no audio device', () => {
    const text = baresipConfigText(base);
    expect(text).toContain('sip_listen\t\t127.0.0.3:5070\n');
    expect(text).toContain('net_interface\t\t127.0.0.3\n');
    expect(text).toContain('ctrl_tcp_listen\t\t127.0.0.3:4444\n');
    expect(text).toContain('audio_source\t\taufile,/x/in.wav\n');
    expect(text).toContain('snd_path\t\t/x/rec\n');
    expect(text).toMatch(/module\t+sndfile\.so/);
    expect(text).not.toMatch(/alsa|pulse|portaudio|audio_player/);
  });

  it('refuses a non-loopback address and odd user names', () => {
    expect(() => baresipConfigText({ ...base, address: '10.0.0.1' })).toThrow(/loopback/);
    expect(() => baresipAccountsText({ ...base, user: 'a b' })).toThrow(/user/);
    expect(baresipAccountsText(base)).toBe('<sip:+15550100@127.0.0.3:5070>;regint=0;ptime=20;audio_codecs=PCMU/8000/1,PCMA/8000/1;answermode=manual\n');
  });
});

describe('ctrl_tcp client', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A stand-in for baresip's ctrl_tcp: answers each command, and after `dial` sends call events. */
  async function fakeBaresip(onCommand: (cmd: { command: string; params: string; token: string }, sock: Socket) => void): Promise<number> {
    server = createServer((sock) => {
      const d = new NetstringDecoder();
      sock.on('data', (chunk: Buffer) => {
        for (const f of d.push(chunk)) onCommand(JSON.parse(f) as { command: string; params: string; token: string }, sock);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  it('matches responses to commands by token and delivers events in order', async () => {
    const port = await fakeBaresip((cmd, sock) => {
      if (cmd.command === 'dial') {
        sock.write(netstring(JSON.stringify({ event: true, class: 'call', type: 'CALL_RINGING', id: 'c1' })));
        sock.write(netstring('not json at all'));
        sock.write(netstring(JSON.stringify({ response: true, ok: true, data: 'dialling', token: cmd.token })));
        setTimeout(() => sock.write(netstring(JSON.stringify({ event: true, class: 'call', type: 'CALL_ESTABLISHED', id: 'c1', peeruri: cmd.params }))), 20);
      } else {
        sock.write(netstring(JSON.stringify({ response: true, ok: false, data: `unknown ${cmd.command}`, token: cmd.token })));
      }
    });
    const ctrl = await BaresipControl.connect('127.0.0.1', port, 2_000);
    try {
      expect(await ctrl.command('dial', 'sip:x@127.0.0.2:5060')).toEqual({ ok: true, data: 'dialling' });
      const up = await ctrl.waitFor((e) => e.type === 'CALL_ESTABLISHED', 2_000);
      expect(up?.peeruri).toBe('sip:x@127.0.0.2:5060');
      expect(ctrl.events.map((e) => e.type)).toEqual(['CALL_RINGING', 'CALL_ESTABLISHED']);
      expect(await ctrl.command('bogus')).toEqual({ ok: false, data: 'unknown bogus' });
      expect(await ctrl.waitFor((e) => e.type === 'CALL_CLOSED', 50)).toBeUndefined();
    } finally {
      ctrl.close();
    }
  });

  it('bounds a silent peer, a dead link and an unreachable port', async () => {
    const port = await fakeBaresip((cmd, sock) => {
      if (cmd.command === 'drop') sock.destroy();
    });
    const ctrl = await BaresipControl.connect('127.0.0.1', port, 2_000);
    expect(await ctrl.command('quiet', '', 100)).toEqual({ ok: false, data: 'no response to quiet within 100 ms' });
    expect((await ctrl.command('drop', '', 2_000)).ok).toBe(false);
    expect((await ctrl.command('after')).ok).toBe(false);
    ctrl.close();
    await expect(BaresipControl.connect('127.0.0.1', 1, 300)).rejects.toThrow(/cannot reach/);
  });
});
