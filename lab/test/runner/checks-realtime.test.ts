/** runCheck over synthetic evidence: the checks that read the AI side (fake Realtime), Connect and the caller. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { g711Codec } from 'connect-realtime-gateway';
import { wavBytes } from '../../src/callers/wav.js';
import { runCheck } from '../../src/runner/checks/index.js';
import type { RealtimeEvidence } from '../../src/runner/evidence.js';
import { evidence, frameOf, frames, rtpRecord, sipRecord } from './helpers/evidence.js';
import { spec } from './helpers/spec.js';

const callerBye = sipRecord(1000, 'toGateway', 'BYE sip:gw@127.0.0.1 SIP/2.0', '2 BYE');
const gatewayBye = (t: number) => sipRecord(t, 'toCaller', 'BYE sip:caller@127.0.0.3 SIP/2.0', '1 BYE');
const event = (t: number, type: string, body: Record<string, unknown> = {}): RealtimeEvidence['clientEvents'][number] => ({ t, type, event: { type, ...body } });

describe('realtime-closed-after-bye', () => {
  const s = spec({ check: 'realtime-closed-after-bye' });

  it('passes when the (last) Realtime socket closed within the limit after the BYE', () => {
    const connections = [{ openedAt: 0, closedAt: 400 }, { openedAt: 500, closedAt: 1300, closeCode: 1000 }];
    expect(runCheck(s, evidence({ sip: [callerBye], realtime: { connections } }))).toMatchObject({ passed: true, value: 300, limit: 1000 });
  });

  it('fails when it closed too late, or before the BYE', () => {
    expect(runCheck(s, evidence({ sip: [callerBye], realtime: { connections: [{ openedAt: 0, closedAt: 2500 }] } }))).toMatchObject({ passed: false, value: 1500 });
    expect(runCheck(s, evidence({ sip: [callerBye], realtime: { connections: [{ openedAt: 0, closedAt: 800 }] } }))).toMatchObject({ passed: false, value: -200 });
  });

  it('fails when the socket is still open, there was none, or no BYE', () => {
    expect(runCheck(s, evidence({ sip: [callerBye], realtime: { connections: [{ openedAt: 0 }] } }))).toMatchObject({ passed: false, detail: 'Realtime socket still open' });
    expect(runCheck(s, evidence({ sip: [callerBye] }))).toMatchObject({ passed: false, detail: 'no Realtime connection' });
    expect(runCheck(s, evidence({ realtime: { connections: [{ openedAt: 0, closedAt: 10 }] } }))).toMatchObject({ passed: false, detail: 'no BYE' });
  });
});

/**
 * An agent answer of 10 distinct frames (item_A), of which the caller heard the first `heard` frames
 * (one per 20 ms from t = 100) before the gateway cut it; then silence.
 */
function bargeIn(heard: number, speechStartedAt: number[], extraEvents: RealtimeEvidence['clientEvents'] = []) {
  const answer = frames(10, 0x50);
  const rtp = [
    ...Array.from({ length: heard }, (_, i) => rtpRecord(100 + 20 * i, 'toCaller', 1 + i, answer.subarray(160 * i, 160 * (i + 1)))),
    ...Array.from({ length: 5 }, (_, i) => rtpRecord(100 + 20 * (heard + i), 'toCaller', 1 + heard + i, frameOf(0xff))),
  ];
  return evidence({
    rtp,
    realtime: { sentAudio: [{ itemId: 'item_A', bytes: answer, firstDeltaAt: 90 }], speechStartedAt, clientEvents: extraEvents },
  });
}

describe('barge-in-reaction', () => {
  it('measures from speech_started to the last frame of the interrupted answer', () => {
    // Frames at 100..160 ms heard; speech_started at 150 ms: the last frame left 10 ms later.
    const r = runCheck(spec({ check: 'barge-in-reaction' }), bargeIn(4, [150]));
    expect(r).toMatchObject({ passed: true, value: 10, limit: 40 });
    expect(r.detail).toContain('(4 frames heard)');
  });

  it('fails when the gateway kept playing too long', () => {
    expect(runCheck(spec({ check: 'barge-in-reaction' }), bargeIn(8, [150]))).toMatchObject({ passed: false, value: 90 });
  });

  it('fails when nothing was interrupted: no speech_started, or the answer played to its end', () => {
    expect(runCheck(spec({ check: 'barge-in-reaction' }), bargeIn(4, []))).toMatchObject({ passed: false, value: null });
    expect(runCheck(spec({ check: 'barge-in-reaction' }), bargeIn(10, [150])).passed).toBe(false);
  });
});

describe('agent-interrupted', () => {
  it('passes and says how much of the answer was heard', () => {
    expect(runCheck(spec({ check: 'agent-interrupted' }), bargeIn(4, [150]))).toMatchObject({ passed: true, value: 'cut after 80 ms' });
  });

  it('fails when the caller never spoke over it', () => {
    expect(runCheck(spec({ check: 'agent-interrupted' }), bargeIn(4, [5000]))).toMatchObject({ passed: false, value: 'not interrupted' });
  });
});

describe('truncate-accuracy', () => {
  const truncate = (ms: number, itemId = 'item_A') => [event(170, 'conversation.item.truncate', { item_id: itemId, content_index: 0, audio_end_ms: ms })];

  it('passes when audio_end_ms matches what the caller heard, within the tolerance', () => {
    const r = runCheck(spec({ check: 'truncate-accuracy' }), bargeIn(4, [150], truncate(85)));
    expect(r).toMatchObject({ passed: true, value: 5, limit: '±20', detail: 'truncate audio_end_ms 85 vs 80 ms of the answer heard by the caller' });
  });

  it('fails when the gateway told the model a different length', () => {
    expect(runCheck(spec({ check: 'truncate-accuracy' }), bargeIn(4, [150], truncate(200)))).toMatchObject({ passed: false, value: 120 });
    expect(runCheck(spec({ check: 'truncate-accuracy' }), bargeIn(4, [150], truncate(40)))).toMatchObject({ passed: false, value: -40 });
  });

  it('fails when the truncate names another item', () => {
    expect(runCheck(spec({ check: 'truncate-accuracy' }), bargeIn(4, [150], truncate(80, 'item_B'))).passed).toBe(false);
  });

  it('fails without a truncate', () => {
    expect(runCheck(spec({ check: 'truncate-accuracy' }), bargeIn(4, [150]))).toMatchObject({ passed: false, detail: 'no conversation.item.truncate received' });
  });
});

describe('no-barge-in', () => {
  const agent = [{ itemId: 'item_A', bytes: frames(3, 1), firstDeltaAt: 500 }];

  it('passes when speech_started only came before the agent spoke, and nothing was truncated', () => {
    const r = runCheck(spec({ check: 'no-barge-in' }), evidence({ realtime: { sentAudio: agent, speechStartedAt: [100] } }));
    expect(r).toMatchObject({ passed: true, value: '0 speech_started during agent audio, 0 truncate/cancel' });
  });

  it('fails on speech_started during agent audio, or a truncate/cancel', () => {
    expect(runCheck(spec({ check: 'no-barge-in' }), evidence({ realtime: { sentAudio: agent, speechStartedAt: [100, 700] } }))).toMatchObject({
      passed: false,
      value: '1 speech_started during agent audio, 0 truncate/cancel',
    });
    expect(runCheck(spec({ check: 'no-barge-in' }), evidence({ realtime: { sentAudio: agent, clientEvents: [event(800, 'response.cancel')] } }))).toMatchObject({
      passed: false,
      value: '0 speech_started during agent audio, 1 truncate/cancel',
    });
  });

  it('fails when the agent never spoke (nothing to barge into)', () => {
    expect(runCheck(spec({ check: 'no-barge-in' }), evidence()).passed).toBe(false);
    expect(runCheck(spec({ check: 'no-barge-in' }), evidence({ realtime: { sentAudio: [{ itemId: 'x', bytes: frames(1, 1), firstDeltaAt: NaN }] } })).passed).toBe(false);
  });
});

describe('realtime-instructions-contain', () => {
  const updates = [
    event(10, 'session.update', { session: { instructions: 'You are the Acme assistant.' } }),
    event(20, 'session.update', { session: { instructions: 'Contact 6f1b2c4e; the caller pressed 1.' } }),
  ];

  it('passes when every text appears in some session.update’s instructions', () => {
    const r = runCheck(spec({ check: 'realtime-instructions-contain', texts: ['Acme assistant', 'Contact 6f1b2c4e'] }), evidence({ realtime: { clientEvents: updates } }));
    expect(r).toMatchObject({ passed: true, value: 'all present' });
  });

  it('fails naming the missing texts', () => {
    const r = runCheck(spec({ check: 'realtime-instructions-contain', texts: ['Acme assistant', 'queue Billing'] }), evidence({ realtime: { clientEvents: updates } }));
    expect(r).toMatchObject({ passed: false, value: 'missing: queue Billing' });
  });

  it('fails without any session.update', () => {
    expect(runCheck(spec({ check: 'realtime-instructions-contain', texts: ['x'] }), evidence()).passed).toBe(false);
  });
});

describe('realtime-connections', () => {
  const closed = (n: number) => Array.from({ length: n }, (_, i) => ({ openedAt: 100 * i, closedAt: 100 * i + 50 }));

  it('passes within min..max with every session closed', () => {
    const r = runCheck(spec({ check: 'realtime-connections', min: 1, max: 2 }), evidence({ realtime: { connections: closed(2) } }));
    expect(r).toMatchObject({ passed: true, value: '2 sessions, 0 still open', limit: '1..2 sessions, all closed' });
    expect(runCheck(spec({ check: 'realtime-connections', max: 0 }), evidence()).passed).toBe(true);
  });

  it('fails with too many or too few sessions, or one left open', () => {
    expect(runCheck(spec({ check: 'realtime-connections', min: 1, max: 2 }), evidence({ realtime: { connections: closed(3) } })).passed).toBe(false);
    expect(runCheck(spec({ check: 'realtime-connections', min: 1, max: 2 }), evidence()).passed).toBe(false);
    const open = [...closed(1), { openedAt: 500 }];
    expect(runCheck(spec({ check: 'realtime-connections', min: 1, max: 2 }), evidence({ realtime: { connections: open } }))).toMatchObject({ passed: false, value: '2 sessions, 1 still open' });
  });
});

describe('realtime-user-text', () => {
  const userItem = event(3000, 'conversation.item.create', { item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'The caller typed: account number 40721' }] } });

  it('passes when a user item contains the text', () => {
    const r = runCheck(spec({ check: 'realtime-user-text', contains: 'account number 40721' }), evidence({ realtime: { clientEvents: [userItem] } }));
    expect(r).toMatchObject({ passed: true, value: 'The caller typed: account number 40721' });
  });

  it('fails showing what the user items said', () => {
    expect(runCheck(spec({ check: 'realtime-user-text', contains: '40722' }), evidence({ realtime: { clientEvents: [userItem] } }))).toMatchObject({
      passed: false,
      value: 'The caller typed: account number 40721',
    });
    expect(runCheck(spec({ check: 'realtime-user-text', contains: 'x' }), evidence())).toMatchObject({ passed: false, value: null });
  });
});

describe('realtime-function-output', () => {
  const output = event(2000, 'conversation.item.create', { item: { type: 'function_call_output', call_id: 'call_1', output: '{"ok":false,"error":"lookup timed out"}' } });
  const userSaysIt = event(2100, 'conversation.item.create', { item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'timed out' }] } });

  it('passes when a function_call_output contains the text', () => {
    const r = runCheck(spec({ check: 'realtime-function-output', contains: 'timed out' }), evidence({ realtime: { clientEvents: [output] } }));
    expect(r).toMatchObject({ passed: true, value: '{"ok":false,"error":"lookup timed out"}' });
  });

  it('a user message with the same words does not count', () => {
    expect(runCheck(spec({ check: 'realtime-function-output', contains: 'timed out' }), evidence({ realtime: { clientEvents: [userSaysIt] } }))).toMatchObject({ passed: false, value: null });
  });
});

describe('connect-attributes (UpdateContactAttributes)', () => {
  const connect = [
    { t: 500, status: 500, attributes: { handoff: 'agent', summary: 'first try' } },
    { t: 900, status: 200, attributes: { handoff: 'agent', summary: 'Caller wants\na refund' } },
  ];

  it('passes when a successful request carries the attributes (whole-value regexes, . spans lines) before the gateway’s BYE', () => {
    const r = runCheck(spec({ check: 'connect-attributes', attributes: { handoff: 'agent', summary: 'Caller wants.*' } }), evidence({ connect, sip: [gatewayBye(1000)] }));
    expect(r.passed).toBe(true);
    expect(r.value).toBe('{"handoff":"agent","summary":"Caller wants\\na refund"} (100 ms before the BYE)');
  });

  it('fails when the update came after the BYE, unless beforeBye is false', () => {
    const ev = evidence({ connect, sip: [gatewayBye(800)] });
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { handoff: 'agent' } }), ev).passed).toBe(false);
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { handoff: 'agent' }, beforeBye: false }), ev).passed).toBe(true);
  });

  it('with beforeBye the gateway must have sent a BYE', () => {
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { handoff: 'agent' } }), evidence({ connect })).passed).toBe(false);
  });

  it('only successful requests count, and values match whole', () => {
    const ev = evidence({ connect, sip: [gatewayBye(1000)] });
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { summary: 'first try' } }), ev)).toMatchObject({ passed: false, value: '2 requests, none matching' });
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { handoff: 'agen' } }), ev).passed).toBe(false);
    // An attribute that was never written does not match, not even '.*'.
    expect(runCheck(spec({ check: 'connect-attributes', attributes: { queue: '.*' } }), ev).passed).toBe(false);
  });
});

describe('realtime-reconnected', () => {
  const conns = [{ openedAt: 0, closedAt: 1000, closeCode: 1006 }, { openedAt: 1200, closedAt: 5000 }];

  it('measures socket lost → the new session configured', () => {
    const ev = evidence({ realtime: { connections: conns, clientEvents: [event(10, 'session.update'), event(1250, 'session.update')] } });
    expect(runCheck(spec({ check: 'realtime-reconnected', maxGapMs: 500 }), ev)).toMatchObject({ passed: true, value: 250 });
    expect(runCheck(spec({ check: 'realtime-reconnected', maxGapMs: 200 }), ev)).toMatchObject({ passed: false, value: 250 });
  });

  it('without a session.update on the new socket, measures to its opening', () => {
    expect(runCheck(spec({ check: 'realtime-reconnected', maxGapMs: 500 }), evidence({ realtime: { connections: conns } }))).toMatchObject({ passed: true, value: 200 });
  });

  it('fails with one session, or when the first never closed', () => {
    expect(runCheck(spec({ check: 'realtime-reconnected', maxGapMs: 500 }), evidence({ realtime: { connections: conns.slice(0, 1) } }))).toMatchObject({ passed: false, value: '1 sessions' });
    expect(runCheck(spec({ check: 'realtime-reconnected', maxGapMs: 500 }), evidence({ realtime: { connections: [{ openedAt: 0 }, { openedAt: 10 }] } })).passed).toBe(false);
  });
});

describe('realtime-received-wav', () => {
  const root = mkdtempSync(join(tmpdir(), 'lab-checks-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const pcm = new Int16Array(1600);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000) * Math.sin((Math.PI * i) / pcm.length) + ((i * 7919) % 200) - 100);
  writeFileSync(join(root, 'hello.wav'), wavBytes(pcm, 8000));
  const mulaw = Buffer.alloc(pcm.length);
  g711Codec('PCMU').encode(pcm, mulaw);
  const silence = Buffer.alloc(480, 0xff);

  it('passes when the whole fixture reached Realtime unchanged (between other audio)', () => {
    const r = runCheck(spec({ check: 'realtime-received-wav', wav: 'hello.wav' }), evidence({ root, realtime: { receivedAudio: Buffer.concat([silence, mulaw, silence]) } }));
    expect(r).toMatchObject({ passed: true, value: 1, detail: '1600 of 1600 bytes of hello.wav reached Realtime unchanged, in order' });
  });

  it('counts only the unbroken part from the start', () => {
    const broken = Buffer.from(mulaw);
    broken[800] = broken[800]! ^ 0x0f;
    const ev = evidence({ root, realtime: { receivedAudio: Buffer.concat([silence, broken]) } });
    expect(runCheck(spec({ check: 'realtime-received-wav', wav: 'hello.wav' }), ev)).toMatchObject({ passed: false, value: 0.5 });
    expect(runCheck(spec({ check: 'realtime-received-wav', wav: 'hello.wav', fraction: 0.5 }), ev).passed).toBe(true);
  });
});

describe('RFC 4568 srtp-negotiated', () => {
  it('passes on the expected crypto suite', () => {
    expect(runCheck(spec({ check: 'srtp-negotiated', profile: 'AES_CM_128_HMAC_SHA1_80' }), evidence({ caller: { srtpProfile: 'AES_CM_128_HMAC_SHA1_80' } }))).toMatchObject({ passed: true });
  });

  it('fails on another suite or plain RTP', () => {
    expect(runCheck(spec({ check: 'srtp-negotiated', profile: 'AES_CM_128_HMAC_SHA1_80' }), evidence({ caller: { srtpProfile: 'AES_CM_128_HMAC_SHA1_32' } })).passed).toBe(false);
    expect(runCheck(spec({ check: 'srtp-negotiated', profile: 'AES_CM_128_HMAC_SHA1_80' }), evidence())).toMatchObject({ passed: false, value: 'plain RTP' });
  });
});

describe('signal checks (pcm16 mode)', () => {
  // A speech-like reference at 8 kHz; the "heard" copy went through µ-law and arrived 45 samples late.
  const reference = new Int16Array(2400);
  for (let i = 0; i < reference.length; i++) reference[i] = Math.round(7000 * Math.sin((2 * Math.PI * 350 * i) / 8000) + 4000 * Math.sin((2 * Math.PI * 1130 * i) / 8000 + 1));
  const late = new Int16Array(reference.length + 45 + 160);
  late.set(reference, 45);
  const mulaw = Buffer.alloc(late.length);
  g711Codec('PCMU').encode(late, mulaw);
  const packets = (dir: 'toCaller' | 'toGateway') =>
    Array.from({ length: mulaw.length / 160 }, (_, i) => rtpRecord(20 * i, dir, 7 + i, mulaw.subarray(160 * i, 160 * (i + 1))));

  it('caller-heard-agent-audio-snr: the answer through µ-law scores about µ-law’s SNR', () => {
    const r = runCheck(spec({ check: 'caller-heard-agent-audio-snr', minSnrDb: 25 }), evidence({ rtp: packets('toCaller'), realtime: { sentReference8k: [reference] } }));
    expect(r.passed).toBe(true);
    expect(r.value).toBeGreaterThan(30);
    expect(runCheck(spec({ check: 'caller-heard-agent-audio-snr', minSnrDb: 60 }), evidence({ rtp: packets('toCaller'), realtime: { sentReference8k: [reference] } })).passed).toBe(false);
    expect(runCheck(spec({ check: 'caller-heard-agent-audio-snr', minSnrDb: 25 }), evidence({ rtp: packets('toCaller') }))).toMatchObject({ passed: false, detail: 'no agent answer to compare' });
  });

  it('realtime-audio-snr: what the fake received as PCM against the caller’s µ-law', () => {
    const received = new Int16Array(late.length);
    g711Codec('PCMU').decode(mulaw, received);
    const r = runCheck(spec({ check: 'realtime-audio-snr', minSnrDb: 40 }), evidence({ rtp: packets('toGateway'), realtime: { receivedPcm8k: received } }));
    expect(r.passed).toBe(true);
    expect(runCheck(spec({ check: 'realtime-audio-snr', minSnrDb: 40 }), evidence({ rtp: packets('toGateway') }))).toMatchObject({ passed: false, detail: 'the fake received no PCM16 audio' });
  });
});
