/** The fake's strict response lifecycle: what the real service does that friendlier fakes hide (docs/realtime-facts.md). */
import { describe, expect, it } from 'vitest';
import type { FakeScript } from '../../src/fake-realtime/script.js';
import { concat, sessionHarness, silence, tone } from './helpers.js';

const callerTurn = concat(silence(300), tone(400), silence(300));

describe('fake Realtime: session object', () => {
  it('session.created carries id, object and expires_at (start + the maximum session)', () => {
    const h = sessionHarness({ turns: [], maxSessionMs: 120_000 });
    const created = h.ofType('session.created')[0] as unknown as { session: Record<string, unknown> };
    expect(created.session).toMatchObject({ id: 'sess_fake0', object: 'realtime.session', type: 'realtime', model: 'gpt-realtime' });
    expect(created.session.expires_at).toBe(Math.floor(h.clock.wallNow() / 1000) + 120);
    h.useMulaw();
    expect((h.ofType('session.updated')[0] as unknown as { session: Record<string, unknown> }).session).toMatchObject({ id: 'sess_fake0', object: 'realtime.session' });
  });
});

describe('fake Realtime: function-call responses stay active until response.done', () => {
  const script: FakeScript = {
    turns: [{ functionCall: { name: 'lookup', arguments: {}, callId: 'call_1' }, audio: { pcm8k: tone(200) } }],
    responseDelayMs: 0,
    functionCallDoneDelayMs: 300,
  };

  it('refuses response.create between function_call_arguments.done and response.done, accepts it after', () => {
    const h = sessionHarness(script);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(0);
    const created = h.ofType('response.created')[0] as unknown as { response: { id: string } };
    expect(h.ofType('response.function_call_arguments.done')).toHaveLength(1);
    h.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{}' } });
    h.send({ type: 'response.create', event_id: 'too_early' });
    expect(h.ofType('error')[0]).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'conversation_already_has_active_response',
        event_id: 'too_early',
        message: `Conversation already has an active response in progress: ${created.response.id}. Wait until the response is finished before creating a new one.`,
      },
    });
    h.clock.advance(299);
    expect(h.ofType('response.done')).toHaveLength(0);
    h.clock.advance(1);
    expect(h.ofType('response.done')).toHaveLength(1);
    h.send({ type: 'response.create' });
    h.clock.advance(200);
    expect(h.ofType('response.created')).toHaveLength(2);
    expect(h.session.responses[1]?.kind).toBe('speech');
  });

  it('speech during the wait cancels the function-call response (its items stay complete)', () => {
    const h = sessionHarness(script);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(0);
    h.speak(concat(silence(100), tone(200)));
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } } });
  });
});

describe('fake Realtime: several audio items in one response', () => {
  it('streams each item in turn (output_index 0, 1) and lists both in response.done', () => {
    const h = sessionHarness({
      turns: [{ audio: { pcm8k: tone(200) }, transcript: 'first part ', moreItems: [{ audio: { pcm8k: tone(300) }, transcript: 'second part' }] }],
      responseDelayMs: 0,
    });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(1000);
    const added = h.ofType('response.output_item.added');
    expect(added.map((e) => e.output_index)).toEqual([0, 1]);
    const ids = added.map((e) => (e.item as { id: string }).id);
    const deltas = h.ofType('response.output_audio.delta');
    expect(deltas.filter((d) => d.item_id === ids[0]).map((d) => d.output_index)).toEqual([0, 0]);
    expect(deltas.filter((d) => d.item_id === ids[1])).toHaveLength(3);
    // The first item is done before the second starts.
    const types = h.types();
    expect(types.indexOf('response.output_item.done')).toBeLessThan(types.lastIndexOf('response.output_item.added'));
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'completed', output: [{ id: ids[0] }, { id: ids[1] }] } });
    expect(h.session.itemAudioSentMs(ids[1]!)).toBe(300);
  });

  it('a barge-in cancels the response: the playing item incomplete, the later ones never started', () => {
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(1000) }, moreItems: [{ audio: { pcm8k: tone(1000) } }] }], responseDelayMs: 0 });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(50);
    h.send({ type: 'response.cancel' });
    expect(h.ofType('response.output_item.added')).toHaveLength(1);
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'cancelled', output: [{ status: 'incomplete' }] } });
  });
});

describe('fake Realtime: responses that fail or stay incomplete', () => {
  it('failed: response.done status failed with status_details.error; the retry plays the turn', () => {
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(300) }, fail: { status: 'failed', afterChunks: 1, code: 'server_error' } }], responseDelayMs: 0 });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(500);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(1);
    expect(h.ofType('response.done')[0]).toMatchObject({
      response: { status: 'failed', status_details: { type: 'failed', error: { type: 'server_error', code: 'server_error' } }, output: [{ status: 'incomplete' }] },
    });
    h.send({ type: 'response.create' });
    h.clock.advance(500);
    expect(h.ofType('response.done')[1]).toMatchObject({ response: { status: 'completed' } });
    expect(h.session.responses.map((r) => r.turnNumber)).toEqual([1, 1]);
  });

  it('incomplete: status_details.reason as the service sends it', () => {
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(300) }, fail: { status: 'incomplete', reason: 'content_filter' } }], responseDelayMs: 0 });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(500);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(0);
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'incomplete', status_details: { type: 'incomplete', reason: 'content_filter' } } });
  });
});

describe('fake Realtime: caller transcription', () => {
  it('streams delta events before completed when transcriptionDeltas is on', () => {
    const h = sessionHarness({ turns: [{ userTranscript: 'I need help', audio: { pcm8k: tone(100) } }], transcriptionDeltas: true });
    h.useMulaw(undefined, { transcription: { model: 'gpt-4o-mini-transcribe' } });
    h.speak(callerTurn);
    expect(h.ofType('conversation.item.input_audio_transcription.delta').map((e) => e.delta)).toEqual(['I ', 'need ', 'help']);
    expect(h.ofType('conversation.item.input_audio_transcription.completed')[0]).toMatchObject({ transcript: 'I need help' });
  });

  it('sends …input_audio_transcription.failed with an error object instead of completed', () => {
    const h = sessionHarness({ turns: [{ userTranscriptFails: { code: 'audio_unintelligible' }, audio: { pcm8k: tone(100) } }] });
    h.useMulaw(undefined, { transcription: { model: 'gpt-4o-mini-transcribe' } });
    h.speak(callerTurn);
    expect(h.ofType('conversation.item.input_audio_transcription.completed')).toHaveLength(0);
    expect(h.ofType('conversation.item.input_audio_transcription.failed')[0]).toMatchObject({ content_index: 0, error: { code: 'audio_unintelligible' } });
  });
});

describe('fake Realtime: idle_timeout_ms', () => {
  it('after the answer has played and the caller stays silent: timeout_triggered, an empty commit and a response', () => {
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(200) } }], loop: true, responseDelayMs: 0 });
    h.useMulaw({ type: 'server_vad', silence_duration_ms: 200, create_response: true, interrupt_response: true, idle_timeout_ms: 1000 });
    h.send({ type: 'response.create' });
    h.clock.advance(100); // 200 ms of audio sent at 4x; playback assumed until t=200
    expect(h.ofType('response.done')).toHaveLength(1);
    h.speak(silence(1000));
    h.clock.advance(1099);
    expect(h.ofType('input_audio_buffer.timeout_triggered')).toHaveLength(0);
    h.clock.advance(1);
    const t = h.ofType('input_audio_buffer.timeout_triggered')[0];
    expect(t).toMatchObject({ audio_end_ms: 1000 });
    expect(h.ofType('input_audio_buffer.committed').at(-1)).toMatchObject({ item_id: t?.item_id });
    h.clock.advance(100);
    expect(h.ofType('response.created')).toHaveLength(2);
  });

  it('caller speech before the timeout disarms it', () => {
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(100) } }], loop: true, responseDelayMs: 0 });
    h.useMulaw({ type: 'server_vad', silence_duration_ms: 200, create_response: false, interrupt_response: true, idle_timeout_ms: 1000 });
    h.send({ type: 'response.create' });
    h.clock.advance(100);
    h.speak(concat(silence(200), tone(300)));
    h.clock.advance(5000);
    expect(h.ofType('input_audio_buffer.timeout_triggered')).toHaveLength(0);
  });
});

describe('fake Realtime: truncate bounds', () => {
  it('rejects a truncate of an item it holds no audio for (unsupported_content_type), accepts item delete', () => {
    // The second item carries no audio (as an item interrupted between output_item.added and its first delta).
    const h = sessionHarness({ turns: [{ audio: { pcm8k: tone(100) }, moreItems: [{ audio: { silenceMs: 0 } }] }], responseDelayMs: 0, speed: 1 });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(0);
    const first = (h.ofType('response.output_item.added')[0]?.item as { id: string }).id;
    h.send({ type: 'conversation.item.truncate', event_id: 'z', item_id: first, content_index: 0, audio_end_ms: 0 });
    // One delta went out already: 0 ms is accepted for an item with audio.
    expect(h.ofType('conversation.item.truncated')).toHaveLength(1);
    h.clock.advance(100);
    const second = (h.ofType('response.output_item.added')[1]?.item as { id: string }).id;
    expect(h.session.itemAudioSentMs(second)).toBe(0);
    h.send({ type: 'conversation.item.truncate', event_id: 'y', item_id: second, content_index: 0, audio_end_ms: 0 });
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'unsupported_content_type', message: 'Only model output audio messages can be truncated', event_id: 'y' } });
    h.send({ type: 'conversation.item.delete', item_id: second });
    expect(h.ofType('conversation.item.deleted')[0]).toMatchObject({ item_id: second });
  });
});


