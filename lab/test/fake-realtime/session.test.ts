import { describe, expect, it } from 'vitest';
import { DEFAULT_FUNCTION_CALL_DONE_DELAY_MS, type FakeScript } from '../../src/fake-realtime/script.js';
import { concat, mulaw, sessionHarness, silence, tone } from './helpers.js';

const answer: FakeScript = {
  turns: [{ audio: { pcm8k: tone(1000) }, transcript: 'one two three four', userTranscript: 'hello agent' }],
  chunkMs: 100,
  speed: 4,
  responseDelayMs: 50,
};

/** 300 ms silence, 400 ms speech, 300 ms silence: one caller turn (hang-over 200 ms). */
const callerTurn = concat(silence(300), tone(400), silence(300));

describe('fake Realtime session: handshake and session.update', () => {
  it('sends session.created first and echoes the effective session on session.update', () => {
    const h = sessionHarness(answer);
    expect(h.types()).toEqual(['session.created']);
    h.send({ type: 'session.update', event_id: 'e1', session: { type: 'realtime', instructions: 'be brief', audio: { output: { voice: 'marin', format: { type: 'audio/pcma' } } } } });
    const updated = h.ofType('session.updated')[0] as unknown as { session: { instructions: string; audio: { output: { voice: string; format: unknown }; input: { format: unknown } } } };
    expect(updated.session.instructions).toBe('be brief');
    expect(updated.session.audio.output).toMatchObject({ voice: 'marin', format: { type: 'audio/pcma' } });
    // Fields absent from the update keep their value (input format default PCM 24 kHz).
    expect(updated.session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
  });

  it('holds client events until the delayed session.created went out', () => {
    const h = sessionHarness({ ...answer, failures: { sessionCreatedDelayMs: 500 } });
    h.send({ type: 'session.update', session: { type: 'realtime', instructions: 'x' } });
    expect(h.types()).toEqual([]);
    h.clock.advance(500);
    expect(h.types()).toEqual(['session.created', 'session.updated']);
  });
});

describe('fake Realtime session: VAD turn and scripted answer', () => {
  it('emits speech_started/stopped, commits, transcribes and answers with the script', () => {
    const h = sessionHarness(answer);
    h.useMulaw(undefined, { transcription: { model: 'gpt-4o-mini-transcribe' } });
    h.speak(callerTurn);
    const started = h.ofType('input_audio_buffer.speech_started')[0];
    const stopped = h.ofType('input_audio_buffer.speech_stopped')[0];
    expect(started).toMatchObject({ audio_start_ms: 300 });
    expect(stopped).toMatchObject({ audio_end_ms: 900, item_id: started?.item_id });
    expect(h.types().slice(-5)).toEqual([
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'conversation.item.input_audio_transcription.completed',
    ]);
    expect(h.ofType('conversation.item.input_audio_transcription.completed')[0]).toMatchObject({ item_id: started?.item_id, transcript: 'hello agent' });

    const before = h.sent.length;
    h.clock.advance(50); // response delay
    h.clock.advance(10 * 25); // 10 chunks of 100 ms at 4x = 25 ms apart
    const answerTypes = h.sent.slice(before).map((e) => e.type);
    expect(answerTypes.filter((t) => t === 'response.output_audio.delta')).toHaveLength(10);
    expect(answerTypes[0]).toBe('response.created');
    // rate_limits.updated at the start of the response (the output tokens it reserves), as the service sends it.
    expect(answerTypes.slice(1, 5)).toEqual(['rate_limits.updated', 'response.output_item.added', 'conversation.item.added', 'response.content_part.added']);
    expect(answerTypes.slice(-6)).toEqual([
      'response.output_audio_transcript.done',
      'response.output_audio.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    // The audio is the scripted tone, µ-law encoded, byte for byte.
    const audio = Buffer.concat(h.ofType('response.output_audio.delta').map((d) => Buffer.from(d.delta as string, 'base64')));
    expect(new Uint8Array(audio)).toEqual(mulaw(tone(1000)));
    expect(h.ofType('response.output_audio_transcript.done')[0]).toMatchObject({ transcript: 'one two three four' });
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'completed' } });
  });

  it('paces deltas faster than real time at the configured rate (ManualClock)', () => {
    const h = sessionHarness(answer);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(50);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(1);
    h.clock.advance(24.9);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(1);
    h.clock.advance(0.1);
    expect(h.ofType('response.output_audio.delta')).toHaveLength(2);
    // Each delta carries 100 ms of µ-law (800 bytes), recorded with its send time.
    expect(h.session.timeline.filter((e) => e.type === 'response.output_audio.delta').map((e) => e.t)).toEqual([50, 75]);
    expect(h.session.deltas.map((d) => [d.t, d.bytes, d.ms])).toEqual([
      [50, 800, 100],
      [75, 800, 100],
    ]);
  });

  it('PCM16 24 kHz: VAD on the 24 kHz input, answer upsampled from the 8 kHz script audio', () => {
    const h = sessionHarness(answer);
    h.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } } });
    const pcm = concat(silence(300, 24000), tone(400, 24000), silence(300, 24000));
    const bytes = Buffer.alloc(pcm.length * 2);
    pcm.forEach((v, i) => bytes.writeInt16LE(v, 2 * i));
    for (let off = 0; off < bytes.length; off += 960) h.send({ type: 'input_audio_buffer.append', audio: bytes.subarray(off, off + 960).toString('base64') });
    expect(h.ofType('input_audio_buffer.speech_started')[0]).toMatchObject({ audio_start_ms: 300 });
    h.clock.advance(50 + 10 * 25);
    const out = Buffer.concat(h.ofType('response.output_audio.delta').map((d) => Buffer.from(d.delta as string, 'base64')));
    expect(out.length).toBe(1000 * 48); // 1 s at 24 kHz x 2 bytes
    expect(h.session.deltas[0]).toMatchObject({ bytes: 4800, ms: 100 });
  });

  it('does not answer when create_response is false', () => {
    const h = sessionHarness(answer);
    h.useMulaw({ type: 'server_vad', silence_duration_ms: 200, create_response: false });
    h.speak(callerTurn);
    h.clock.advance(1000);
    expect(h.ofType('input_audio_buffer.committed')).toHaveLength(1);
    expect(h.ofType('response.created')).toHaveLength(0);
  });

  it('runs no VAD when turn_detection is null; a manual commit below 100 ms is an error', () => {
    const h = sessionHarness(answer);
    h.useMulaw(null);
    h.speak(tone(60));
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(0);
    h.send({ type: 'input_audio_buffer.commit', event_id: 'c1' });
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'input_audio_buffer_commit_empty', event_id: 'c1' } });
    h.speak(tone(100));
    h.send({ type: 'input_audio_buffer.commit' });
    expect(h.ofType('input_audio_buffer.committed')).toHaveLength(1);
  });
});

describe('fake Realtime session: interruption and cancel', () => {
  it('speech_started during a response cancels it (interrupt_response)', () => {
    const h = sessionHarness(answer);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(50 + 25); // two deltas out
    h.speak(tone(200));
    const done = h.ofType('response.done')[0];
    expect(done).toMatchObject({ response: { status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } } });
    const deltas = h.ofType('response.output_audio.delta').length;
    h.clock.advance(1000);
    expect(h.ofType('response.output_audio.delta').length).toBe(deltas);
  });

  it('interrupt_response false: speech during a response leaves it streaming; create_response false: the turn is committed, not answered', () => {
    const h = sessionHarness(answer);
    h.useMulaw({ type: 'server_vad', silence_duration_ms: 200, interrupt_response: false, create_response: false });
    h.send({ type: 'response.create' });
    h.clock.advance(50 + 25);
    h.speak(callerTurn);
    expect(h.ofType('input_audio_buffer.speech_started')).toHaveLength(1);
    expect(h.ofType('response.done').filter((e) => (e.response as { status?: string }).status === 'cancelled')).toHaveLength(0);
    h.clock.advance(2000);
    expect(h.ofType('input_audio_buffer.committed')).toHaveLength(1);
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'completed' } });
    expect(h.ofType('response.created')).toHaveLength(1);
  });

  it('response.cancel sends the in-flight deltas, then response.done cancelled', () => {
    const h = sessionHarness({ ...answer, lateDeltasAfterCancel: 2 });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(50);
    h.send({ type: 'response.cancel' });
    expect(h.session.deltas.map((d) => d.late)).toEqual([false, true, true]);
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'cancelled', status_details: { reason: 'client_cancelled' } } });
  });

  it('response.cancel with nothing to cancel is an error event, session unaffected', () => {
    const h = sessionHarness(answer);
    h.send({ type: 'response.cancel', event_id: 'x1' });
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'response_cancel_not_active', event_id: 'x1' } });
    expect(h.session.closed).toBeUndefined();
  });

  it('a second response.create while one is active is rejected', () => {
    const h = sessionHarness(answer);
    h.send({ type: 'response.create' });
    h.send({ type: 'response.create', event_id: 'r2' });
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'conversation_already_has_active_response', event_id: 'r2' } });
  });
});

describe('fake Realtime session: conversation.item.truncate validation', () => {
  function playedTwoChunks() {
    const h = sessionHarness(answer);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(50 + 25); // 200 ms of audio sent
    h.send({ type: 'response.cancel' });
    const itemId = h.ofType('response.output_item.added')[0]?.item as { id: string };
    return { h, itemId: itemId.id };
  }

  it('accepts audio_end_ms up to the audio sent and answers conversation.item.truncated', () => {
    const { h, itemId } = playedTwoChunks();
    h.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 200 });
    expect(h.ofType('conversation.item.truncated')[0]).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 200 });
    expect(h.session.truncates).toEqual([{ t: 75, itemId, contentIndex: 0, audioEndMs: 200, accepted: true }]);
  });

  it('rejects audio_end_ms beyond the audio sent, like the real API', () => {
    const { h, itemId } = playedTwoChunks();
    h.send({ type: 'conversation.item.truncate', event_id: 't1', item_id: itemId, content_index: 0, audio_end_ms: 201 });
    expect(h.ofType('error')[0]).toMatchObject({
      error: { type: 'invalid_request_error', code: 'invalid_value', param: 'audio_end_ms', event_id: 't1', message: 'Audio content of 200ms is already shorter than 201ms' },
    });
    expect(h.ofType('conversation.item.truncated')).toHaveLength(0);
  });

  it('rejects unknown items, caller items and a wrong content_index', () => {
    const h = sessionHarness(answer);
    h.useMulaw();
    h.speak(callerTurn);
    const userItem = h.ofType('input_audio_buffer.committed')[0]?.item_id as string;
    h.send({ type: 'conversation.item.truncate', item_id: 'nope', content_index: 0, audio_end_ms: 0 });
    h.send({ type: 'conversation.item.truncate', item_id: userItem, content_index: 0, audio_end_ms: 0 });
    expect(h.ofType('error').map((e) => (e.error as { param: string }).param)).toEqual(['item_id', 'item_id']);
    expect(h.session.truncates.every((t) => !t.accepted)).toBe(true);
  });
});

describe('fake Realtime session: function calls', () => {
  const script: FakeScript = {
    turns: [{ functionCall: { name: 'lookup_order', arguments: { order: 42 }, callId: 'call_1' }, audio: { pcm8k: tone(200) }, transcript: 'It ships Thursday.' }],
    responseDelayMs: 0,
  };

  it('streams the call, waits for the output, then speaks the rest of the turn', () => {
    const h = sessionHarness(script);
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(0);
    expect(h.ofType('response.function_call_arguments.delta').map((e) => e.delta).join('')).toBe('{"order":42}');
    expect(h.ofType('response.function_call_arguments.done')[0]).toMatchObject({ call_id: 'call_1', name: 'lookup_order', arguments: '{"order":42}' });
    // The response stays active after the arguments: a response.create now is refused, as by the service.
    expect(h.ofType('response.done')).toHaveLength(0);
    h.send({ type: 'response.create', event_id: 'early' });
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'conversation_already_has_active_response', event_id: 'early' } });
    h.clock.advance(DEFAULT_FUNCTION_CALL_DONE_DELAY_MS);
    expect(h.ofType('response.done')[0]).toMatchObject({ response: { status: 'completed', output: [{ type: 'function_call', call_id: 'call_1' }] } });

    h.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"eta":"Thursday"}' } });
    expect(h.session.receivedItems[0]?.item).toMatchObject({ type: 'function_call_output', call_id: 'call_1' });
    h.send({ type: 'response.create' });
    h.clock.advance(100);
    expect(h.ofType('response.output_audio_transcript.done')[0]).toMatchObject({ transcript: 'It ships Thursday.' });
  });

  it('rejects a function_call_output for an unknown call id', () => {
    const h = sessionHarness(script);
    h.send({ type: 'conversation.item.create', event_id: 'o1', item: { type: 'function_call_output', call_id: 'call_x', output: '{}' } });
    expect(h.ofType('error')[0]).toMatchObject({ error: { param: 'item.call_id', event_id: 'o1' } });
  });
});

describe('fake Realtime session: failure injection and bad input', () => {
  it('sends a scripted error after turn N and drops the socket in the middle of turn K', () => {
    const h = sessionHarness({ ...answer, loop: true, failures: { errors: [{ afterTurn: 1, code: 'rate_limit_exceeded', message: 'slow down' }], drops: [{ duringTurn: 2 }] } });
    h.useMulaw();
    h.send({ type: 'response.create' });
    h.clock.advance(1000);
    expect(h.ofType('error')[0]).toMatchObject({ error: { code: 'rate_limit_exceeded', message: 'slow down' } });
    h.send({ type: 'response.create' });
    h.clock.advance(1000);
    expect(h.terminated).toBe(true);
    // Turn 2 has 10 chunks: the drop happens after 5.
    expect(h.session.deltas.filter((d) => d.responseId === h.session.responses[1]?.id)).toHaveLength(5);
  });

  it('answers malformed JSON, unknown types and invalid fields with error events', () => {
    const h = sessionHarness(answer);
    h.session.handleMessage('{not json');
    h.send({ type: 'response.bogus', event_id: 'b1' });
    h.send({ type: 'conversation.item.truncate', event_id: 'b2', item_id: 'x', content_index: 0 });
    expect(h.ofType('error').map((e) => (e.error as { code: string }).code)).toEqual(['invalid_json', 'unknown_event', 'invalid_event']);
    expect(h.ofType('error')[2]).toMatchObject({ error: { event_id: 'b2' } });
  });

  it('records inbound audio byte for byte', () => {
    const h = sessionHarness(answer);
    h.useMulaw(null);
    const pcm = concat(tone(100), silence(60));
    h.speak(pcm);
    expect(h.session.receivedAudioBytes()).toEqual(mulaw(pcm));
    expect(h.session.inputFormat).toBe('pcmu');
    // Appends are logged without their payload.
    expect(h.session.eventsOf('in', 'input_audio_buffer.append')[0]?.event.audio).toBe('<160 bytes>');
  });
});
