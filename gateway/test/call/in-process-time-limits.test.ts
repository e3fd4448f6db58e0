/**
 * The agent's idle and maxDuration settings on whole in-process calls (SIP over MemoryTransport, RTP in
 * memory, one ManualClock, the scripted backend, the recording Connect writer): re-prompts timed
 * from the end of playback on the wire, the goodbye, the hand-back attributes before the BYE, the
 * wrap-up instruction, and the hard stop when the goodbye never finishes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentDefinition, IdleSettings, MaxDurationSettings } from '../../src/agent/index.js';
import { agentSpeech, endedLine, expectReleased, isSilence, startGateway, type InProcessGateway, type Phone } from './in-process-gateway.js';

const IDLE: IdleSettings = { timeoutMs: 10_000, maxPrompts: 2, prompt: 'Are you still there?', goodbye: 'Say goodbye.' };
const LIMIT: MaxDurationSettings = { seconds: 12, wrapUpBeforeS: 4, wrapUp: 'Wrap up now.', goodbye: 'Time is up: goodbye.', graceS: 5 };
/** The phone sends no RTP in these tests: the media-liveness timers are not what they are about. */
const QUIET_LINE = { RTP_FIRST_PACKET_TIMEOUT_MS: '0', RTP_INACTIVITY_MS: '0' };

let gw: InProcessGateway | undefined;
afterEach(async () => {
  if (gw) await gw.gateway.stop();
  gw = undefined;
});

type Backend = InProcessGateway['realtime']['last'];

async function answeredCall(settings: { idle?: IdleSettings; maxDuration?: MaxDurationSettings }): Promise<{ h: InProcessGateway; phone: Phone; backend: Backend; answeredAt: number }> {
  const h = await startGateway({
    env: QUIET_LINE,
    agent: (def): AgentDefinition => {
      const { idle: _idle, maxDuration: _max, ...rest } = def;
      return { ...rest, ...settings };
    },
  });
  gw = h;
  const phone = await h.answeredPhone();
  return { h, phone, backend: h.realtime.last, answeredAt: h.clock.now() };
}

/** A whole answer as Realtime streams it: response.created, audio deltas, the done events. */
function answer(backend: Backend, id: string, ms: number, done = true): void {
  backend.emit('responseStarted', { responseId: id });
  const audio = agentSpeech(ms);
  for (let off = 0; off < audio.length; off += 1_600) backend.emit('audio', { responseId: id, itemId: `${id}-item`, contentIndex: 0, audio: audio.subarray(off, off + 1_600) });
  if (!done) return;
  backend.emit('audioDone', { responseId: id, itemId: `${id}-item` });
  backend.emit('responseDone', { responseId: id, status: 'completed' });
}

/** Runs 20 ms at a time until `done()` (at most `limitMs`); the clock time it became true. */
async function runUntil(h: InProcessGateway, done: () => boolean, limitMs = 60_000): Promise<number> {
  for (let t = 0; t < limitMs && !done(); t += 20) await h.run(20);
  expect(done()).toBe(true);
  return h.clock.now();
}

const responsesAsked = (backend: Backend) => backend.of('createResponse').map((c) => c.instructions);
const byeSent = (h: InProcessGateway) => h.sip.sent.findIndex((p) => p.data.toString().startsWith('BYE '));
/** The phone reads (and answers 200 to) what the gateway sent; true once the gateway's BYE is among it. */
const byeArrived = (h: InProcessGateway, phone: Phone) => phone.read().some((m) => m.type === 'request' && m.method === 'BYE') || byeSent(h) >= 0;

/** When the last agent audio packet reached the phone before `t`. */
function lastAudioBefore(phone: Phone, t: number): number {
  const audio = phone.received().filter((r) => r.at <= t && !isSilence(r.packet.payload));
  return audio.at(-1)?.at ?? NaN;
}

/** The contact was handed back with `outcome`/`reason` before the BYE left, and the BYE says why. */
function expectHandedBack(h: InProcessGateway, outcome: string, reason: string, byeText: string): void {
  expect(h.connect.writes.map((w) => [w.update.attributes.ai_outcome, w.update.attributes.ai_reason])).toEqual([[outcome, reason]]);
  const bye = byeSent(h);
  expect(bye).toBeGreaterThanOrEqual(0);
  expect(h.connect.writes[0]?.sipMessagesSentBefore).toBeLessThanOrEqual(bye);
  expect(h.sip.sent[bye]?.data.toString()).toContain(`Reason: SIP;cause=200;text="${byeText}"`);
}

describe('idle caller', () => {
  it('re-prompts timeoutMs after the last agent audio left as RTP, maxPrompts times, then goodbye, hand-back (caller_idle), BYE', async () => {
    const { h, phone, backend } = await answeredCall({ idle: IDLE });
    answer(backend, 'resp-1', 2_000); // generated at once, heard over 2 s
    const prompts: number[] = [];
    for (let n = 1; n <= IDLE.maxPrompts; n++) {
      const at = await runUntil(h, () => responsesAsked(backend).length === n);
      expect(responsesAsked(backend)[n - 1]).toBe(IDLE.prompt);
      prompts.push(at - lastAudioBefore(phone, at));
      answer(backend, `prompt-${n}`, 1_000);
    }
    // The clock starts when the agent's audio finished playing on the wire (one packet's time either way).
    for (const gap of prompts) expect(Math.abs(gap - IDLE.timeoutMs)).toBeLessThanOrEqual(40);

    const goodbyeAt = await runUntil(h, () => responsesAsked(backend).length === IDLE.maxPrompts + 1);
    expect(responsesAsked(backend).at(-1)).toBe(IDLE.goodbye);
    expect(Math.abs(goodbyeAt - lastAudioBefore(phone, goodbyeAt) - IDLE.timeoutMs)).toBeLessThanOrEqual(40);
    expect(h.connect.writes).toEqual([]);
    answer(backend, 'goodbye', 1_500);
    const byeAt = await runUntil(h, () => byeArrived(h, phone), 5_000);
    // The goodbye was heard to its last packet before the hand-back.
    const goodbyeHeard = phone.received().filter((r) => r.at > goodbyeAt && r.at <= byeAt && !isSilence(r.packet.payload));
    expect(goodbyeHeard).toHaveLength(1_500 / 20);
    expectHandedBack(h, 'caller_idle', 'idle', 'Caller idle');
    await h.run(40);
    expect(endedLine(h).reason).toBe('caller-idle');
    expectReleased(h);
  });

  it('a caller who answers a re-prompt starts the count over', async () => {
    const { h, phone, backend } = await answeredCall({ idle: IDLE });
    await runUntil(h, () => responsesAsked(backend).length === 1);
    answer(backend, 'prompt-1', 1_000);
    await h.run(2_000);
    backend.emit('speechStarted', { audioStartMs: 0, itemId: 'caller-1' });
    await h.run(1_500);
    backend.emit('speechStopped', { audioEndMs: 1_500, itemId: 'caller-1' });
    answer(backend, 'resp-2', 1_000);
    // Two more re-prompts before the goodbye, not one.
    await runUntil(h, () => responsesAsked(backend).length === 2);
    answer(backend, 'prompt-2', 1_000);
    await runUntil(h, () => responsesAsked(backend).length === 3);
    expect(responsesAsked(backend)).toEqual([IDLE.prompt, IDLE.prompt, IDLE.prompt]);
    expect(h.logs.filter((l) => l.msg === 'caller silent: re-prompting').map((l) => l.prompt)).toEqual([1, 1, 2]);
    answer(backend, 'prompt-3', 1_000);
    await runUntil(h, () => responsesAsked(backend).length === 4);
    expect(responsesAsked(backend).at(-1)).toBe(IDLE.goodbye);
    phone.bye();
    await h.run(40);
    expect(endedLine(h).reason).toBe('remote-bye');
    expectReleased(h);
  });
});

describe('maximum call length', () => {
  it('wrap-up instruction before the limit, goodbye at it, hand-back (max_duration), BYE', async () => {
    const { h, phone, backend, answeredAt } = await answeredCall({ maxDuration: LIMIT });
    const base = backend.config?.instructions ?? '';
    const wrapUpAt = await runUntil(h, () => backend.of('updateSession').length === 1, 20_000);
    expect(wrapUpAt - answeredAt).toBeGreaterThanOrEqual((LIMIT.seconds - LIMIT.wrapUpBeforeS) * 1_000);
    expect(wrapUpAt - answeredAt).toBeLessThanOrEqual((LIMIT.seconds - LIMIT.wrapUpBeforeS) * 1_000 + 20);
    expect(backend.of('updateSession')[0]?.partial).toEqual({ instructions: `${base}\n\n${LIMIT.wrapUp}` });
    expect(responsesAsked(backend)).toEqual([]);

    const goodbyeAt = await runUntil(h, () => responsesAsked(backend).length === 1, 20_000);
    expect(goodbyeAt - answeredAt).toBeLessThanOrEqual(LIMIT.seconds * 1_000 + 20);
    expect(responsesAsked(backend)).toEqual([LIMIT.goodbye]);
    answer(backend, 'goodbye', 1_000);
    const byeAt = await runUntil(h, () => byeArrived(h, phone), 5_000);
    expect(phone.received().filter((r) => r.at > goodbyeAt && r.at <= byeAt && !isSilence(r.packet.payload))).toHaveLength(50);
    expect(byeAt - answeredAt).toBeLessThan((LIMIT.seconds + LIMIT.graceS) * 1_000);
    expectHandedBack(h, 'max_duration', 'max-duration', 'Maximum call length');
    await h.run(40);
    expect(endedLine(h).reason).toBe('max-duration');
    expectReleased(h);
  });

  it('hard stop: a goodbye that never finishes is cut at the limit + graceS (hand-back written, BYE)', async () => {
    const { h, phone, backend, answeredAt } = await answeredCall({ maxDuration: LIMIT });
    await runUntil(h, () => responsesAsked(backend).length === 1, 20_000);
    answer(backend, 'stuck', 30_000, false); // the model talks on and never ends its response
    const byeAt = await runUntil(h, () => byeArrived(h, phone), 20_000);
    expect(byeAt - answeredAt).toBeGreaterThanOrEqual((LIMIT.seconds + LIMIT.graceS) * 1_000);
    expect(byeAt - answeredAt).toBeLessThanOrEqual((LIMIT.seconds + LIMIT.graceS) * 1_000 + 40);
    expectHandedBack(h, 'max_duration', 'max-duration', 'Maximum call length');
    await h.run(40);
    expect(endedLine(h).reason).toBe('max-duration');
    expectReleased(h);
  });

  it('an answer in play at the limit may end within 5 s, then it is cut (truncated at what was heard) for the goodbye', async () => {
    const { h, phone, backend, answeredAt } = await answeredCall({ maxDuration: { ...LIMIT, graceS: 20 } });
    await h.run(11_000);
    answer(backend, 'long', 20_000, false);
    const goodbyeAt = await runUntil(h, () => responsesAsked(backend).length === 1, 20_000);
    expect(goodbyeAt - answeredAt).toBeGreaterThanOrEqual((LIMIT.seconds + 5) * 1_000);
    expect(goodbyeAt - answeredAt).toBeLessThanOrEqual((LIMIT.seconds + 5) * 1_000 + 20);
    expect(backend.of('cancelResponse')).toHaveLength(1);
    expect(backend.of('truncate')[0]).toMatchObject({ itemId: 'long-item' });
    backend.emit('responseDone', { responseId: 'long', status: 'cancelled' });
    answer(backend, 'goodbye', 800);
    await runUntil(h, () => byeArrived(h, phone), 5_000);
    expectHandedBack(h, 'max_duration', 'max-duration', 'Maximum call length');
    await h.run(40);
    expectReleased(h);
  });

  it('a caller who hangs up first leaves no timer behind', async () => {
    const { h, phone } = await answeredCall({ idle: IDLE, maxDuration: LIMIT });
    await h.run(9_000); // past the wrap-up, before the limit
    phone.bye();
    await h.run(40);
    expect(endedLine(h).reason).toBe('remote-bye');
    expect(h.connect.writes).toEqual([]);
    expectReleased(h);
  });
});
