/**
 * The one GA event router of both providers: every consumed server event, what the call layer gets,
 * what is counted, and which provider hook is told.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REALTIME_STREAM_LIMITS, type RealtimeBackendEvents } from '../../../src/realtime/backend.js';
import { TranscriptBudget } from '../../../src/realtime/ga/transcript-budget.js';
import { newBackendStats } from '../../../src/realtime/core/backend-stats.js';
import { GaEventRouter, type ConversationObserver, type GaRouterHooks } from '../../../src/realtime/ga/event-router.js';
import { parseServerEvent } from '../../../src/realtime/ga/server-events.js';
import { TurnState } from '../../../src/realtime/ga/turn-state.js';
import { capturingLogger, type Recorded } from '../helpers.js';

function router(hooks: Partial<GaRouterHooks> = {}) {
  const turn = new TurnState();
  const stats = newBackendStats();
  const emitted: Recorded[] = [];
  const { logger, lines } = capturingLogger('call-router@example.invalid');
  const calls: string[] = [];
  const r = new GaEventRouter(
    {
      turn,
      stats,
      logger,
      emit: (name, ...args) => void emitted.push({ name, payload: args[0] } as Recorded),
      audioFormat: () => 'pcmu',
      transcripts: new TranscriptBudget(DEFAULT_REALTIME_STREAM_LIMITS),
    },
    { functionCallDone: (c) => void calls.push(c.callId), ...hooks },
  );
  /** As a provider does: screen at the boundary, then route. */
  const receive = (raw: Record<string, unknown>): void => {
    const evt = r.screen(parseServerEvent({ event_id: 'ev', ...raw }));
    if (evt !== undefined) r.route(evt);
  };
  const of = <K extends keyof RealtimeBackendEvents>(name: K) => emitted.filter((e) => e.name === name).map((e) => e.payload as RealtimeBackendEvents[K][0]);
  return { r, turn, stats, emitted, lines, calls, receive, of };
}

const content = { output_index: 0, content_index: 0 };

describe('GA event router: server events -> backend events', () => {
  it('a whole answer: responseStarted, audio in order, audioDone, transcripts, responseDone; the turn follows', () => {
    const { receive, of, emitted, turn, stats } = router();
    receive({ type: 'response.created', response: { id: 'resp_1' } });
    receive({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_1', type: 'message', role: 'assistant' } });
    expect(turn.activeResponseId).toBe('resp_1');
    receive({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', ...content, delta: Buffer.from([1, 2, 3]).toString('base64') });
    receive({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', ...content, delta: Buffer.from([4, 5]).toString('base64') });
    receive({ type: 'response.output_audio_transcript.delta', response_id: 'resp_1', item_id: 'item_1', ...content, delta: 'Hel' });
    receive({ type: 'response.output_audio_transcript.done', response_id: 'resp_1', item_id: 'item_1', ...content, transcript: 'Hello.' });
    receive({ type: 'response.output_audio.done', response_id: 'resp_1', item_id: 'item_1', ...content });
    receive({ type: 'response.done', response: { id: 'resp_1', status: 'completed', usage: { total_tokens: 12 } } });
    expect(emitted.map((e) => e.name)).toEqual(['responseStarted', 'audio', 'audio', 'transcript', 'transcript', 'audioDone', 'responseDone']);
    expect(of('audio').map((a) => [...a.audio])).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(of('audio')[0]).toMatchObject({ responseId: 'resp_1', itemId: 'item_1', contentIndex: 0 });
    expect(of('transcript')).toEqual([
      { role: 'assistant', itemId: 'item_1', text: 'Hel', final: false },
      { role: 'assistant', itemId: 'item_1', text: 'Hello.', final: true },
    ]);
    expect(of('responseDone')).toEqual([{ responseId: 'resp_1', status: 'completed', usage: { total_tokens: 12 } }]);
    expect(turn.activeResponseId).toBeUndefined();
    expect(turn.itemAudioBytes('item_1')).toBe(5);
    expect(stats).toMatchObject({ deltasReceived: 2, deltaBytes: 5 });
  });

  it('a caller turn: speech started/stopped (the turn knows), and the user transcript', () => {
    const { receive, of, turn } = router();
    receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 300, item_id: 'item_u' });
    expect(turn.speaking).toBe(true);
    receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900, item_id: 'item_u' });
    expect(turn.speaking).toBe(false);
    receive({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'item_u', delta: 'hel' });
    receive({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'item_u', delta: '' }); // nothing to say
    receive({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u', content_index: 0, transcript: 'hello' });
    expect(of('speechStarted')).toEqual([{ audioStartMs: 300, itemId: 'item_u' }]);
    expect(of('speechStopped')).toEqual([{ audioEndMs: 900, itemId: 'item_u' }]);
    expect(of('transcript')).toEqual([
      { role: 'user', itemId: 'item_u', text: 'hel', final: false },
      { role: 'user', itemId: 'item_u', text: 'hello', final: true },
    ]);
  });

  it('audio of a cancelled response is dropped and counted, and its audioDone is not reported', () => {
    const { receive, of, turn, stats } = router();
    receive({ type: 'response.created', response: { id: 'resp_1' } });
    receive({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_1', type: 'message', role: 'assistant' } });
    turn.cancel();
    receive({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', ...content, delta: 'AAAA' });
    receive({ type: 'response.output_audio.done', response_id: 'resp_1', item_id: 'item_1', ...content });
    receive({ type: 'response.done', response: { id: 'resp_1', status: 'cancelled' } });
    expect(of('audio')).toEqual([]);
    expect(of('audioDone')).toEqual([]);
    expect(of('responseDone')).toEqual([{ responseId: 'resp_1', status: 'cancelled' }]);
    expect(stats).toMatchObject({ lateDeltasDropped: 1, deltasReceived: 0 });
  });

  it('server errors: counted, logged, emitted non-fatal with code and event id, unless the provider consumes them', () => {
    let consume = false;
    const { receive, of, stats, lines } = router({ serverError: () => consume });
    receive({ type: 'error', error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'Slow down', event_id: 'gw_1_2' } });
    consume = true;
    receive({ type: 'error', error: { type: 'invalid_request_error', message: 'rejected our session.update' } });
    expect(of('error')).toEqual([{ code: 'rate_limit_exceeded', message: 'Slow down', eventId: 'gw_1_2', fatal: false }]);
    expect(stats.serverErrors).toBe(2);
    expect(lines.filter((l) => l.includes('realtime server error'))).toHaveLength(2);
  });

  it('rate limits, truncation, and a function call (to the provider hook, with its ids)', () => {
    const { receive, of, stats, calls } = router();
    receive({ type: 'rate_limits.updated', rate_limits: [{ name: 'tokens', limit: 100, remaining: 40 }, { reset_seconds: 2 }] });
    expect(of('rateLimits')).toEqual([
      [
        { name: 'tokens', limit: 100, remaining: 40, resetSeconds: 0 },
        { name: 'unknown', limit: 0, remaining: 0, resetSeconds: 2 },
      ],
    ]);
    expect(stats.lastRateLimits).toEqual(of('rateLimits')[0]);
    receive({ type: 'conversation.item.truncated', item_id: 'item_1', content_index: 0, audio_end_ms: 420 });
    expect(of('truncated')).toEqual([{ itemId: 'item_1', audioEndMs: 420 }]);
    receive({ type: 'response.function_call_arguments.done', response_id: 'resp_1', item_id: 'item_f', output_index: 0, call_id: 'call_1', name: 'end_call', arguments: '{}' });
    expect(calls).toEqual(['call_1']);
    expect(of('functionCall')).toEqual([]); // the hook decides (openai emits, agents-sdk lets the SDK run it)
  });

  it('tells the provider of quiet moments and of answered session.updates', () => {
    let quiet = 0;
    let updated = 0;
    const { receive } = router({ quiet: () => quiet++, sessionUpdated: () => updated++ });
    receive({ type: 'session.created', session: { type: 'realtime' } });
    receive({ type: 'session.updated', session: { type: 'realtime' } });
    receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900, item_id: 'item_u' });
    receive({ type: 'response.done', response: { id: 'resp_1' } });
    expect({ quiet, updated }).toEqual({ quiet: 2, updated: 1 });
  });

  it('feeds the conversation observer (the replay log) when the provider has one', () => {
    const seen: string[] = [];
    const log: ConversationObserver = {
      noteItem: (item) => void seen.push(`item ${item.id ?? ''} ${item.type}`),
      appendText: (id, d) => void seen.push(`append ${id} ${d}`),
      setText: (id, text, role) => void seen.push(`set ${id} ${role} ${text}`),
      truncate: (id, endMs, receivedMs) => void seen.push(`truncate ${id} ${endMs}/${receivedMs}`),
    };
    const { receive } = router({ conversation: log });
    receive({ type: 'conversation.item.added', item: { id: 'item_u', type: 'message', role: 'user' } });
    receive({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u', content_index: 0, transcript: 'hi' });
    receive({ type: 'response.output_item.added', response_id: 'r', output_index: 0, item: { id: 'item_a', type: 'message', role: 'assistant' } });
    receive({ type: 'response.output_audio.delta', response_id: 'r', item_id: 'item_a', ...content, delta: Buffer.alloc(800).toString('base64') });
    receive({ type: 'response.output_text.delta', response_id: 'r', item_id: 'item_a', ...content, delta: 'Yes' });
    receive({ type: 'response.output_text.done', response_id: 'r', item_id: 'item_a', ...content, text: 'Yes.' });
    receive({ type: 'conversation.item.truncated', item_id: 'item_a', content_index: 0, audio_end_ms: 50 });
    receive({ type: 'response.function_call_arguments.done', response_id: 'r', item_id: 'item_f', output_index: 1, call_id: 'c1', name: 'x', arguments: '{}' });
    expect(seen).toEqual([
      'item item_u message',
      'set item_u user hi',
      'item item_a message',
      'append item_a Yes',
      'set item_a assistant Yes.',
      'truncate item_a 50/100',
      'item item_f function_call',
    ]);
  });
});

describe('GA event router: the boundary', () => {
  it('invalid events are counted and warned with their issues, unknown ones counted, ignored ones neither', () => {
    const { r, stats, lines } = router();
    expect(r.screen(parseServerEvent({ type: 'response.created', event_id: 'e1' }))).toBeUndefined();
    expect(r.screen(parseServerEvent({ type: 'response.brand_new_event', event_id: 'e2' }))).toBeUndefined();
    expect(r.screen(parseServerEvent({ type: 'response.content_part.added', event_id: 'e3' }))).toBeUndefined();
    expect(stats.droppedEvents).toBe(2);
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; type: string; issues?: string });
    expect(logged.map((l) => [l.msg, l.type])).toEqual([
      ['realtime server event invalid', 'response.created'],
      ['realtime server event unknown', 'response.brand_new_event'],
    ]);
    expect(logged[0]?.issues).toMatch(/^response:/);
  });
});

describe('GA event router: what a hostile stream cannot do', () => {
  it('audio for an item never announced by response.output_item.added is dropped and counted, never emitted', () => {
    const { receive, of, stats, turn } = router();
    receive({ type: 'response.created', response: { id: 'resp_1' } });
    for (let i = 0; i < 3; i++) receive({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'ghost', ...content, delta: 'AAAA' });
    expect(of('audio')).toEqual([]);
    expect(stats.unknownItemDeltasDropped).toBe(3);
    expect(turn.itemAudioBytes('ghost')).toBeUndefined();
  });

  it('transcript text past the per-item cap is dropped and counted; the conversation log gets only what was kept', () => {
    const seen: string[] = [];
    const { receive, of, stats } = router({
      conversation: { noteItem: () => undefined, appendText: (_id, d) => void seen.push(d), setText: (_id, t) => void seen.push(`final ${t.length}`), truncate: () => undefined },
    });
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 3; i++) receive({ type: 'response.output_audio_transcript.delta', response_id: 'r', item_id: 'item_1', ...content, delta: big });
    receive({ type: 'response.output_audio_transcript.done', response_id: 'r', item_id: 'item_1', ...content, transcript: big + big });
    expect(seen.map((t) => t.length)).toEqual([10_000, 16_384 - 10_000, 'final 16384'.length]);
    expect(seen.at(-1)).toBe('final 16384');
    expect(of('transcript').map((t) => t.text.length)).toEqual([10_000, 6_384, 16_384]);
    expect(stats.transcriptCharsDropped).toBe(30_000 - 16_384 + (20_000 - 16_384));
  });
});
