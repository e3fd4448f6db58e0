import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { BargeInPolicy, gatewayManagesBargeIn, managedTurnDetection } from '../../src/call/barge-in-policy.js';
import { DEFAULT_SERVER_VAD } from '../../src/agent/agent-definition.js';

/** A policy over a pretend playback: `playing` is what is on the wire, `cuts` what was barged in. */
function harness(minSpeechMs: number, respond = true) {
  const state = { playing: undefined as string | undefined, cuts: 0, responses: 0, reported: [] as number[] };
  const policy = new BargeInPolicy({
    minSpeechMs,
    respond,
    playing: () => state.playing,
    bargeIn: () => {
      if (state.playing === undefined) return undefined;
      state.playing = undefined;
      state.cuts++;
      return { itemId: 'item_1', sentMs: 1000, flushedMs: 500 };
    },
    createResponse: () => state.responses++,
    onBargeIn: (_stopped, audioStartMs) => state.reported.push(audioStartMs),
    logger: pino({ level: 'silent' }),
  });
  /** `ms` of caller frames, voiced or not. */
  const frames = (ms: number, voiced: boolean) => {
    for (let t = 0; t < ms; t += 20) policy.callerFrame(voiced);
  };
  return { policy, state, frames };
}

describe('gateway-side barge-in policy', () => {
  it('is used only for a protected greeting or a minimum speech length, and turns the provider\'s own interruption and answers off', () => {
    expect(gatewayManagesBargeIn({})).toBe(false);
    expect(gatewayManagesBargeIn({ bargeIn: { minSpeechMs: 0 } })).toBe(false);
    expect(gatewayManagesBargeIn({ bargeIn: { minSpeechMs: 300 } })).toBe(true);
    expect(gatewayManagesBargeIn({ greetingInterruptible: false })).toBe(true);
    expect(managedTurnDetection(DEFAULT_SERVER_VAD)).toEqual({ ...DEFAULT_SERVER_VAD, interruptResponse: false, createResponse: false });
  });

  it('a sound shorter than minSpeechMs over the agent neither interrupts nor gets an answer', () => {
    const { policy, state, frames } = harness(400);
    state.playing = 'resp_1';
    policy.speechStarted(5000);
    frames(200, true);
    frames(500, false); // the provider's hang-over before speech_stopped: past 400 ms, but silent
    policy.speechStopped();
    expect(state.cuts).toBe(0);
    expect(state.responses).toBe(0);
    expect(policy.ignoredTurns).toBe(1);
  });

  it('speech still voiced once it has lasted minSpeechMs interrupts, and is answered when it stops', () => {
    const { policy, state, frames } = harness(400);
    state.playing = 'resp_1';
    policy.speechStarted(7000);
    frames(380, true);
    expect(state.cuts).toBe(0);
    frames(20, true);
    expect(state.cuts).toBe(1);
    expect(state.reported).toEqual([7000]);
    frames(600, true);
    policy.speechStopped();
    expect(state.cuts).toBe(1);
    expect(state.responses).toBe(1);
  });

  it('speech with a pause interrupts at the first voiced frame past minSpeechMs', () => {
    const { policy, state, frames } = harness(400);
    state.playing = 'resp_1';
    policy.speechStarted(0);
    frames(300, true);
    frames(200, false);
    expect(state.cuts).toBe(0);
    frames(20, true);
    expect(state.cuts).toBe(1);
  });

  it('a turn left open by a lost session (no speech_stopped) no longer cuts the agent off', () => {
    const { policy, state, frames } = harness(400);
    state.playing = 'resp_1';
    policy.speechStarted(0);
    frames(100, true);
    policy.reset();
    frames(1000, true);
    expect(state.cuts).toBe(0);
  });

  it('minSpeechMs 0 interrupts at speech_started, like the provider would', () => {
    const { policy, state } = harness(0);
    state.playing = 'resp_1';
    policy.speechStarted(100);
    expect(state.cuts).toBe(1);
  });

  it('protected audio is never cut; speech over it is answered (after it), however long', () => {
    const { policy, state, frames } = harness(400);
    policy.protect('gateway-greeting');
    state.playing = 'gateway-greeting';
    policy.speechStarted(1000);
    frames(3000, true);
    policy.speechStopped();
    expect(state.cuts).toBe(0);
    expect(state.responses).toBe(1);
    expect(policy.protectedOverlaps).toBe(1);
  });

  it('protectNextResponse protects the next response the provider starts, and only that one', () => {
    const { policy, state, frames } = harness(0);
    policy.protectNextResponse();
    policy.responseStarted('resp_greeting');
    policy.responseStarted('resp_answer');
    state.playing = 'resp_greeting';
    policy.speechStarted(10);
    frames(100, true);
    expect(state.cuts).toBe(0);
    // The caller talks on into the next (unprotected) response: that one is cut.
    state.playing = 'resp_answer';
    frames(20, true);
    expect(state.cuts).toBe(1);
  });

  it('a turn while the agent is silent is answered even when short; none with createResponse false', () => {
    const a = harness(400);
    a.policy.speechStarted(0);
    a.frames(100, true);
    a.policy.speechStopped();
    expect(a.state.responses).toBe(1);
    const b = harness(400, false);
    b.policy.speechStarted(0);
    b.frames(1000, true);
    b.policy.speechStopped();
    expect(b.state.responses).toBe(0);
  });
});
