/** runCheck over synthetic evidence: the checks that read the SIP/RTP wire and the gateway's log. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { g711Codec } from 'connect-realtime-gateway';
import { wavBytes } from '../../src/callers/wav.js';
import { runCheck } from '../../src/runner/checks/index.js';
import { evidence, frameOf, frames, logLine, rtpRecord, sipRecord } from './helpers/evidence.js';
import { spec } from './helpers/spec.js';

const callerBye = sipRecord(1000, 'toGateway', 'BYE sip:gw@127.0.0.1 SIP/2.0', '2 BYE');
const byeOk = (t: number, status = '200 OK') => sipRecord(t, 'toCaller', `SIP/2.0 ${status}`, '2 BYE');

/** Forwarded packets `dir` with consecutive sequence numbers from `seq0`, one per 20 ms from t0, one frame each. */
function stream(dir: 'toGateway' | 'toCaller', t0: number, seq0: number, payloads: Buffer[]) {
  return payloads.map((p, i) => rtpRecord(t0 + 20 * i, dir, (seq0 + i) & 0xffff, p));
}

function split(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 160) out.push(bytes.subarray(i, i + 160));
  return out;
}

describe('caller-script-passed', () => {
  it('passes on exit code 0', () => {
    expect(runCheck(spec({ check: 'caller-script-passed' }), evidence())).toMatchObject({ passed: true, value: 0, limit: 0 });
  });

  it('fails on any other code and shows the last three lines of the caller’s output', () => {
    const r = runCheck(spec({ check: 'caller-script-passed' }), evidence({ caller: { exitCode: 1, detail: 'one\ntwo\nthree\nfour\n' } }));
    expect(r).toMatchObject({ passed: false, value: 1, detail: 'two | three | four' });
  });

  it('fails when the caller never exited (null)', () => {
    expect(runCheck(spec({ check: 'caller-script-passed' }), evidence({ caller: { exitCode: null } })).passed).toBe(false);
  });
});

describe('RFC 3261 §15.1.2 bye-answered', () => {
  const s = spec({ check: 'bye-answered' });

  it('passes on 200 within the default 500 ms and reports the time', () => {
    const r = runCheck(s, evidence({ sip: [callerBye, byeOk(1012.5)] }));
    expect(r).toMatchObject({ passed: true, value: '200 after 12.5 ms', limit: '200 within 500 ms' });
  });

  it('fails when the answer is too late', () => {
    expect(runCheck(s, evidence({ sip: [callerBye, byeOk(1600)] }))).toMatchObject({ passed: false, value: '200 after 600.0 ms' });
  });

  it('fails on another status, and passes when that status is the one expected', () => {
    const ev = evidence({ sip: [callerBye, byeOk(1010, '481 Call/Transaction Does Not Exist')] });
    expect(runCheck(s, ev)).toMatchObject({ passed: false, value: '481 after 10.0 ms' });
    expect(runCheck(spec({ check: 'bye-answered', status: 481 }), ev).passed).toBe(true);
  });

  it('fails without a BYE, or with only a provisional answer', () => {
    expect(runCheck(s, evidence())).toMatchObject({ passed: false, value: null, detail: 'caller sent no BYE' });
    const provisional = sipRecord(1001, 'toCaller', 'SIP/2.0 100 Trying', '2 BYE');
    expect(runCheck(s, evidence({ sip: [callerBye, provisional] }))).toMatchObject({ passed: false, detail: 'no final response to BYE' });
  });
});

describe('realtime-audio-equals-caller-payload', () => {
  const s = spec({ check: 'realtime-audio-equals-caller-payload' });
  const audio = frames(5, 0x10);

  it('passes when Realtime received exactly what reached the gateway, in sequence order', () => {
    const wire = stream('toGateway', 0, 65534, split(audio)); // crosses the sequence wrap
    const r = runCheck(s, evidence({ rtp: wire, realtime: { receivedAudio: audio } }));
    expect(r).toMatchObject({ passed: true, value: 800, limit: 800 });
  });

  it('fails and names the first differing byte', () => {
    const altered = Buffer.from(audio);
    altered[333] = altered[333]! ^ 0x01;
    const r = runCheck(s, evidence({ rtp: stream('toGateway', 0, 1, split(audio)), realtime: { receivedAudio: altered } }));
    expect(r).toMatchObject({ passed: false, value: 800, limit: 800, detail: 'caller payload 800 B, Realtime received 800 B, first difference at byte 333' });
  });

  it('fails when Realtime received only a prefix', () => {
    const r = runCheck(s, evidence({ rtp: stream('toGateway', 0, 1, split(audio)), realtime: { receivedAudio: audio.subarray(0, 480) } }));
    expect(r).toMatchObject({ passed: false, value: 480, limit: 800 });
  });

  it('without wire records (a direct TCP call) compares with what the caller sent', () => {
    expect(runCheck(s, evidence({ caller: { sentPayload: audio }, realtime: { receivedAudio: audio } })).passed).toBe(true);
    expect(runCheck(s, evidence({ caller: { sentPayload: audio }, realtime: { receivedAudio: audio.subarray(1) } })).passed).toBe(false);
  });

  it('nothing sent and nothing received is not a pass', () => {
    expect(runCheck(s, evidence()).passed).toBe(false);
  });
});

describe('packets-each-way', () => {
  const rtp = [
    ...stream('toGateway', 0, 1, split(frames(3, 1))),
    rtpRecord(70, 'toGateway', 4, frameOf(9), { fate: 'dropped' }),
    rtpRecord(80, 'toGateway', 5, Buffer.alloc(8), { rtcp: true }),
    ...stream('toCaller', 0, 100, split(frames(2, 1))),
  ];

  it('counts forwarded RTP only, and passes at the minimum', () => {
    const r = runCheck(spec({ check: 'packets-each-way', minToGateway: 3, minToCaller: 2 }), evidence({ rtp }));
    expect(r).toMatchObject({ passed: true, value: '3 to gateway, 2 to caller', limit: '>= 3, >= 2' });
  });

  it('fails when either direction is short', () => {
    expect(runCheck(spec({ check: 'packets-each-way', minToGateway: 4, minToCaller: 2 }), evidence({ rtp })).passed).toBe(false);
    expect(runCheck(spec({ check: 'packets-each-way', minToGateway: 3, minToCaller: 3 }), evidence({ rtp })).passed).toBe(false);
  });
});

describe('no-gateway-rtp-after-bye', () => {
  const rtp = [rtpRecord(990, 'toCaller', 1, frameOf(1)), rtpRecord(1010.5, 'toCaller', 2, frameOf(2), { fate: 'dropped' })];

  it('counts gateway packets after the 200 to BYE (dropped ones too) and says when the first came', () => {
    const r = runCheck(spec({ check: 'no-gateway-rtp-after-bye' }), evidence({ sip: [callerBye, byeOk(1010)], rtp }));
    expect(r).toMatchObject({ passed: false, value: 1, limit: 0, detail: 'first at +0.5 ms' });
  });

  it('passes when the only late packet is within graceMs', () => {
    expect(runCheck(spec({ check: 'no-gateway-rtp-after-bye', graceMs: 1 }), evidence({ sip: [callerBye, byeOk(1010)], rtp }))).toMatchObject({ passed: true, value: 0 });
  });

  it('fails without an answered BYE', () => {
    expect(runCheck(spec({ check: 'no-gateway-rtp-after-bye' }), evidence({ sip: [callerBye], rtp }))).toMatchObject({ passed: false, detail: 'no answered BYE to measure from' });
  });
});

describe('gateway-resources-released', () => {
  const s = spec({ check: 'gateway-resources-released' });
  const ended = (resources: Record<string, number>) => logLine('call ended', { resources });

  it('passes when every resource count is 0 and no socket was left open', () => {
    const r = runCheck(s, evidence({ logs: [ended({ calls: 0, ports: 0, streams: 0, timers: 0 })], socketsBefore: 5, socketsAfter: 5 }));
    expect(r).toMatchObject({ passed: true, value: 'calls, ports, streams, call timers all 0; sockets 5→5' });
  });

  it('fails naming each resource left, and the extra sockets', () => {
    const r = runCheck(s, evidence({ logs: [ended({ calls: 0, ports: 2, timers: 1 })], socketsBefore: 5, socketsAfter: 7 }));
    expect(r).toMatchObject({ passed: false, value: 'ports=2; timers=1; 2 more open sockets than before the call' });
  });

  it('reads the last call summary', () => {
    const r = runCheck(s, evidence({ logs: [ended({ calls: 1 }), ended({ calls: 0 })] }));
    expect(r.passed).toBe(true);
  });

  it('fails without a call summary', () => {
    expect(runCheck(s, evidence({ logs: [logLine('call answered')] }))).toMatchObject({ passed: false, value: 'no "call ended" summary in the gateway log' });
  });
});

describe('caller-heard-agent-audio', () => {
  const first = frames(5, 0x20);
  const second = frames(5, 0x40);
  const sentAudio = [
    { itemId: 'item_1', bytes: first, firstDeltaAt: 100 },
    { itemId: 'item_2', bytes: second, firstDeltaAt: 900 },
  ];
  const silence = frameOf(0xff);
  const heardAll = stream('toCaller', 0, 65533, [silence, ...split(first), silence, silence, ...split(second), silence]);

  it('passes when every answer reached the caller in order, byte for byte', () => {
    const r = runCheck(spec({ check: 'caller-heard-agent-audio' }), evidence({ rtp: heardAll, realtime: { sentAudio } }));
    expect(r).toMatchObject({ passed: true, value: 1, limit: 1, detail: '1600 of 1600 bytes of agent audio reached the caller in order' });
  });

  it('a lost packet cuts an answer to the part before it', () => {
    const lossy = heardAll.filter((_, i) => i !== 10); // third frame of the second answer
    const ev = evidence({ rtp: lossy, realtime: { sentAudio } });
    expect(runCheck(spec({ check: 'caller-heard-agent-audio' }), ev)).toMatchObject({ passed: false, value: 0.7 });
    expect(runCheck(spec({ check: 'caller-heard-agent-audio', fraction: 0.7 }), ev).passed).toBe(true);
  });

  it('lastOnly judges the last answer alone', () => {
    const onlySecond = stream('toCaller', 0, 1, [silence, ...split(second)]);
    const ev = evidence({ rtp: onlySecond, realtime: { sentAudio } });
    expect(runCheck(spec({ check: 'caller-heard-agent-audio' }), ev)).toMatchObject({ passed: false, value: 0.5 });
    expect(runCheck(spec({ check: 'caller-heard-agent-audio', lastOnly: true }), ev)).toMatchObject({ passed: true, value: 1 });
  });

  it('fails when there was no agent audio at all', () => {
    expect(runCheck(spec({ check: 'caller-heard-agent-audio' }), evidence({ rtp: heardAll })).passed).toBe(false);
  });

  describe('with a prompt the gateway plays itself (wav)', () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-checks-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const pcm = new Int16Array(800);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 523 * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 97 * i) / 8000));
    writeFileSync(join(root, 'apology.wav'), wavBytes(pcm, 8000));
    const mulaw = Buffer.alloc(pcm.length);
    g711Codec('PCMU').encode(pcm, mulaw);

    it('passes when the prompt’s µ-law bytes reached the caller', () => {
      const ev = evidence({ root, rtp: stream('toCaller', 0, 1, [silence, ...split(mulaw)]), realtime: { sentAudio } });
      expect(runCheck(spec({ check: 'caller-heard-agent-audio', wav: 'apology.wav' }), ev)).toMatchObject({ passed: true, value: 1 });
    });

    it('fails when only the first half did', () => {
      const ev = evidence({ root, rtp: stream('toCaller', 0, 1, split(mulaw).slice(0, 2)) });
      expect(runCheck(spec({ check: 'caller-heard-agent-audio', wav: 'apology.wav' }), ev)).toMatchObject({ passed: false, value: 0.4 });
    });
  });
});

describe('outbound-pacing', () => {
  const pacing = (p99Ms: number, count = 100) => logLine('call ended', { pacing: { count, p50Ms: 0.4, p99Ms, maxMs: 9 } });
  // Wire arrivals: 20 ms apart except one 5 ms late; a lost sequence number is a 40 ms gap, not lateness.
  const wire = [
    rtpRecord(0, 'toCaller', 1, frameOf(1)),
    rtpRecord(20, 'toCaller', 2, frameOf(2)),
    rtpRecord(60, 'toCaller', 4, frameOf(4)),
    rtpRecord(85, 'toCaller', 5, frameOf(5)),
  ];

  it('passes when the gateway’s p99 send lateness is within the limit, showing the wire figure beside it', () => {
    const r = runCheck(spec({ check: 'outbound-pacing' }), evidence({ logs: [pacing(3.2)], rtp: wire }));
    expect(r).toMatchObject({ passed: true, value: 3.2, limit: 5 });
    expect(r.detail).toBe('send lateness p50 0.4 / p99 3.2 / max 9 ms over 100 sends; wire inter-arrival deviation p99 5 ms');
  });

  it('fails above the limit', () => {
    expect(runCheck(spec({ check: 'outbound-pacing', p99LatenessMs: 5 }), evidence({ logs: [pacing(7.5)], rtp: wire }))).toMatchObject({ passed: false, value: 7.5 });
  });

  it('fails without pacing figures (none logged, or no sends)', () => {
    expect(runCheck(spec({ check: 'outbound-pacing' }), evidence({ logs: [logLine('call ended')] })).passed).toBe(false);
    expect(runCheck(spec({ check: 'outbound-pacing' }), evidence({ logs: [pacing(0, 0)] })).passed).toBe(false);
  });
});

/**
 * The caller's stream as the relay recorded it towards the gateway: seq 100..109, some dropped by the
 * lab network. `received` is what Realtime got: a frame per sequence number, concealment where lost.
 */
function lossyCall(lost: number[]) {
  const payloads = split(frames(10, 0x30));
  const rtp = payloads.map((p, i) => rtpRecord(20 * i, 'toGateway', 100 + i, p, lost.includes(i) ? { fate: 'dropped' } : {}));
  const concealed = frameOf(0x7e);
  const received = Buffer.concat(payloads.map((p, i) => (lost.includes(i) ? concealed : p)));
  return { rtp, received, payloads };
}

describe('realtime-stream-gap-free', () => {
  const s = spec({ check: 'realtime-stream-gap-free' });

  it('passes with one frame per sequence number and every intact frame unchanged (losses concealed)', () => {
    const { rtp, received } = lossyCall([4]);
    // The frame after a loss may be cross-faded by the concealment: allowed to differ.
    received[5 * 160] = received[5 * 160]! ^ 0x55;
    const r = runCheck(s, evidence({ rtp, realtime: { receivedAudio: received } }));
    expect(r).toMatchObject({ passed: true, value: '10 frames, 0 intact frames altered, 0 skipped by the jitter buffer', limit: '10 frames (first to last caller packet) less the 0 the jitter buffer reports it dropped, 0 altered' });
  });

  it('fails when a frame is missing (a gap instead of concealment)', () => {
    const { rtp, received } = lossyCall([4]);
    const gappy = Buffer.concat([received.subarray(0, 4 * 160), received.subarray(5 * 160)]);
    expect(runCheck(s, evidence({ rtp, realtime: { receivedAudio: gappy } }))).toMatchObject({ passed: false, value: '9 frames, 4 intact frames altered, 0 skipped by the jitter buffer' });
  });

  it('fails when an intact frame was altered', () => {
    const { rtp, received } = lossyCall([4]);
    received[7 * 160 + 3] = received[7 * 160 + 3]! ^ 0x01;
    expect(runCheck(s, evidence({ rtp, realtime: { receivedAudio: received } }))).toMatchObject({ passed: false, value: '10 frames, 1 intact frames altered, 0 skipped by the jitter buffer' });
  });

  it('allows exactly the frames the jitter buffer reports it dropped to shrink its delay, each where it was skipped', () => {
    const { rtp, received } = lossyCall([2]);
    // The buffer skipped caller frame 6 (a quiet frame, to shrink its delay) and said so.
    const shrunk = Buffer.concat([received.subarray(0, 6 * 160), received.subarray(7 * 160)]);
    const summary = (shrinkDrops: number) => logLine('call ended', { media: { jitterBuffer: { shrinkDrops } } });
    expect(runCheck(s, evidence({ rtp, realtime: { receivedAudio: shrunk }, logs: [summary(1)] }))).toMatchObject({
      passed: true,
      value: '9 frames, 0 intact frames altered, 1 skipped by the jitter buffer',
    });
    // The same missing frame without the buffer's word for it is a gap.
    expect(runCheck(s, evidence({ rtp, realtime: { receivedAudio: shrunk }, logs: [summary(0)] })).passed).toBe(false);
    // A reported drop that did not happen does not excuse anything either.
    expect(runCheck(s, evidence({ rtp, realtime: { receivedAudio: received }, logs: [summary(1)] })).passed).toBe(false);
  });

  it('ignores packets the relay could not route yet, and fails when nothing reached the gateway', () => {
    const { rtp, received } = lossyCall([]);
    const early = rtpRecord(-20, 'toGateway', 99, frameOf(1), { fate: 'unrouted' });
    expect(runCheck(s, evidence({ rtp: [early, ...rtp], realtime: { receivedAudio: received } })).passed).toBe(true);
    expect(runCheck(s, evidence({ rtp: [early] }))).toMatchObject({ passed: false, detail: 'no caller RTP reached the gateway' });
  });
});

describe('concealment-matches-loss', () => {
  const summary = (concealedFrames: number) => logLine('call ended', { media: { jitterBuffer: { concealedFrames } } });

  it('passes when the gateway concealed exactly the frames the lab dropped', () => {
    const { rtp } = lossyCall([3, 6]);
    const r = runCheck(spec({ check: 'concealment-matches-loss' }), evidence({ rtp, logs: [summary(2)] }));
    expect(r).toMatchObject({ passed: true, value: 2, limit: 2, detail: '2 caller packets dropped by the lab network, 2 frames concealed by the gateway' });
  });

  it('fails when the counts differ', () => {
    const { rtp } = lossyCall([3, 6]);
    expect(runCheck(spec({ check: 'concealment-matches-loss' }), evidence({ rtp, logs: [summary(3)] }))).toMatchObject({ passed: false, value: 3, limit: 2 });
  });

  it('fails when too little loss was injected to test anything', () => {
    const { rtp } = lossyCall([3, 6]);
    expect(runCheck(spec({ check: 'concealment-matches-loss', minLoss: 3 }), evidence({ rtp, logs: [summary(2)] })).passed).toBe(false);
  });

  it('fails without jitter-buffer figures', () => {
    const { rtp } = lossyCall([3]);
    expect(runCheck(spec({ check: 'concealment-matches-loss' }), evidence({ rtp, logs: [logLine('call ended')] }))).toMatchObject({ passed: false, detail: 'no jitter-buffer figures in the call summary' });
  });
});

describe('sip-response', () => {
  const sip = [
    sipRecord(0, 'toCaller', 'SIP/2.0 100 Trying', '1 INVITE'),
    sipRecord(5, 'toGateway', 'SIP/2.0 200 OK', '1 INVITE'), // wrong direction: never counts
    sipRecord(10, 'toCaller', 'SIP/2.0 200 OK', '1 INVITE', ['Supported: timer', 'Session-Expires: 1800;refresher=uac']),
    sipRecord(20, 'toCaller', 'SIP/2.0 200 OK', '2 INVITE', ['Session-Expires: 900;refresher=uac']),
  ];

  it('finds the first matching response and checks header regexes case-insensitively', () => {
    const r = runCheck(spec({ check: 'sip-response', status: 200, method: 'INVITE', headers: ['^session-expires: 1800;refresher=ua[cs]$', 'Supported: .*timer'] }), evidence({ sip }));
    expect(r).toMatchObject({ name: 'sip-response 200 INVITE', passed: true, value: 'SIP/2.0 200 OK' });
  });

  it('nth picks a later response (a re-INVITE’s) and names it', () => {
    const ok = runCheck(spec({ check: 'sip-response', status: 200, method: 'INVITE', nth: 1, headers: ['Session-Expires: 900'] }), evidence({ sip }));
    expect(ok).toMatchObject({ name: 'sip-response 200 INVITE #2', passed: true });
    const bad = runCheck(spec({ check: 'sip-response', status: 200, method: 'INVITE', nth: 1, headers: ['Session-Expires: 1800'] }), evidence({ sip }));
    expect(bad).toMatchObject({ passed: false, detail: 'missing Session-Expires: 1800' });
  });

  it('fails when there is no such response', () => {
    expect(runCheck(spec({ check: 'sip-response', status: 200, method: 'INVITE', nth: 2 }), evidence({ sip }))).toMatchObject({ passed: false, value: null });
    expect(runCheck(spec({ check: 'sip-response', status: 488, method: 'INVITE' }), evidence({ sip })).passed).toBe(false);
    expect(runCheck(spec({ check: 'sip-response', status: 200, method: 'BYE' }), evidence({ sip })).passed).toBe(false);
  });
});

describe('RFC 3264 §8.4 hold-respected', () => {
  const s = spec({ check: 'hold-respected' });
  const answers = [
    sipRecord(0, 'toCaller', 'SIP/2.0 200 OK', '1 INVITE'),
    sipRecord(1000, 'toCaller', 'SIP/2.0 200 OK', '2 INVITE'), // hold answered
    sipRecord(3000, 'toCaller', 'SIP/2.0 200 OK', '3 INVITE'), // resume answered
  ];
  const every20 = (from: number, to: number, seq0: number) =>
    Array.from({ length: Math.floor((to - from) / 20) }, (_, i) => rtpRecord(from + 20 * i, 'toCaller', seq0 + i, frameOf(0x33)));
  const before = every20(20, 1040, 1); // in flight up to the 40 ms grace

  it('passes with silence from the gateway while held and media again after resume', () => {
    const r = runCheck(s, evidence({ sip: answers, rtp: [...before, ...every20(3020, 3420, 500)] }));
    expect(r).toMatchObject({ passed: true, value: '0 packets while held, 20 after resume' });
  });

  it('fails when the gateway sends while held', () => {
    const r = runCheck(s, evidence({ sip: answers, rtp: [...before, rtpRecord(2000, 'toCaller', 400, frameOf(1)), ...every20(3020, 3420, 500)] }));
    expect(r).toMatchObject({ passed: false, value: '1 packets while held, 20 after resume' });
  });

  it('fails when media does not come back after resume', () => {
    expect(runCheck(s, evidence({ sip: answers, rtp: [...before, ...every20(3020, 3220, 500)] }))).toMatchObject({ passed: false, value: '0 packets while held, 10 after resume' });
  });

  it('fails when hold and resume were not both answered', () => {
    expect(runCheck(s, evidence({ sip: answers.slice(0, 2), rtp: before }))).toMatchObject({ passed: false, detail: 'hold and resume re-INVITEs were not both answered 200' });
  });
});

describe('gateway-bye', () => {
  const answered = sipRecord(1000, 'toCaller', 'SIP/2.0 200 OK', '1 INVITE');
  const bye = (t: number) => sipRecord(t, 'toCaller', 'BYE sip:caller@127.0.0.3 SIP/2.0', '1 BYE', ['Reason: Q.850;cause=16;text="Normal call clearing"']);

  it('passes with the Reason expected, inside its time window from the answer', () => {
    const r = runCheck(spec({ check: 'gateway-bye', reason: 'cause=16', afterMs: 29000, withinMs: 2000 }), evidence({ sip: [answered, bye(31000)] }));
    expect(r).toMatchObject({ passed: true, value: 'Reason: Q.850;cause=16;text="Normal call clearing" after 30.00 s', limit: 'cause=16 after 29..31 s' });
  });

  it('fails too early, too late, or with another reason', () => {
    const ev = evidence({ sip: [answered, bye(31000)] });
    expect(runCheck(spec({ check: 'gateway-bye', reason: 'cause=16', afterMs: 30500, withinMs: 2000 }), ev).passed).toBe(false);
    expect(runCheck(spec({ check: 'gateway-bye', reason: 'cause=16', afterMs: 25000, withinMs: 2000 }), ev).passed).toBe(false);
    expect(runCheck(spec({ check: 'gateway-bye', reason: 'cause=41', afterMs: 29000, withinMs: 2000 }), ev).passed).toBe(false);
  });

  it('fails when the gateway sent no BYE or never answered', () => {
    expect(runCheck(spec({ check: 'gateway-bye', reason: '.', afterMs: 0, withinMs: 1 }), evidence({ sip: [answered] }))).toMatchObject({ passed: false, detail: 'the gateway sent no BYE' });
    expect(runCheck(spec({ check: 'gateway-bye', reason: '.', afterMs: 0, withinMs: 1 }), evidence({ sip: [bye(100)] }))).toMatchObject({ passed: false, detail: 'the call was never answered' });
  });
});

describe('gateway-log', () => {
  const line = logLine('call answered', { srtp: true, codec: 'PCMU', ptime: 20, source: 'tls:127.0.0.3:5071', media: { jitterBuffer: { depthMs: 60 } } });

  it('matches strings as whole-value regexes, numbers and booleans exactly, and dotted paths into objects', () => {
    const r = runCheck(
      spec({ check: 'gateway-log', msg: 'call answered', fields: { srtp: true, codec: 'PCM[UA]', ptime: 20, source: 'tls:127\\.0\\.0\\.3:\\d+', 'media.jitterBuffer.depthMs': 60 } }),
      evidence({ logs: [logLine('call offered'), line] }),
    );
    expect(r).toMatchObject({ name: 'gateway-log "call answered"', passed: true, value: 'all fields as expected' });
  });

  it('a string regex must match the whole value', () => {
    const r = runCheck(spec({ check: 'gateway-log', msg: 'call answered', fields: { codec: 'PCM' } }), evidence({ logs: [line] }));
    expect(r).toMatchObject({ passed: false, value: 'codec="PCMU"' });
  });

  it('types must agree: a string never matches a number, false never matches true', () => {
    const r = runCheck(spec({ check: 'gateway-log', msg: 'call answered', fields: { ptime: '20', srtp: false } }), evidence({ logs: [line] }));
    expect(r).toMatchObject({ passed: false, value: 'ptime=20, srtp=true' });
  });

  it('a path that does not exist fails', () => {
    const r = runCheck(spec({ check: 'gateway-log', msg: 'call answered', fields: { 'media.jitterBuffer.lost': 0 } }), evidence({ logs: [line] }));
    expect(r).toMatchObject({ passed: false, value: 'media.jitterBuffer.lost=undefined' });
  });

  it('fails when no line has that message', () => {
    expect(runCheck(spec({ check: 'gateway-log', msg: 'call rejected', fields: {} }), evidence({ logs: [line] }))).toMatchObject({ passed: false, detail: 'no such log line' });
  });
});

describe('agent-speaking-at-bye', () => {
  it('passes when agent audio (not silence) reached the caller in the window before the BYE', () => {
    const rtp = [rtpRecord(950, 'toCaller', 1, frames(1, 0x21))];
    expect(runCheck(spec({ check: 'agent-speaking-at-bye' }), evidence({ sip: [callerBye], rtp }))).toMatchObject({ passed: true, value: 1 });
  });

  it('fails when only silence, or nothing in the window, came', () => {
    const silent = [rtpRecord(950, 'toCaller', 1, frameOf(0xff))];
    expect(runCheck(spec({ check: 'agent-speaking-at-bye' }), evidence({ sip: [callerBye], rtp: silent })).passed).toBe(false);
    const early = [rtpRecord(800, 'toCaller', 1, frames(1, 0x21))];
    expect(runCheck(spec({ check: 'agent-speaking-at-bye' }), evidence({ sip: [callerBye], rtp: early })).passed).toBe(false);
    expect(runCheck(spec({ check: 'agent-speaking-at-bye' }), evidence()).passed).toBe(false);
  });
});
