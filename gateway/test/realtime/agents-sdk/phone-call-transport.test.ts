import type { TransportLayerAudio } from '@openai/agents-realtime';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../../../src/log.js';
import { PhoneCallTransport } from '../../../src/realtime/agents-sdk/index.js';
import { DEFAULT_REALTIME_STREAM_LIMITS, type RealtimeBackendEvents } from '../../../src/realtime/backend.js';
import { TranscriptBudget } from '../../../src/realtime/ga/transcript-budget.js';
import { newBackendStats } from '../../../src/realtime/core/backend-stats.js';
import { TurnState } from '../../../src/realtime/ga/turn-state.js';

function transport() {
  const stats = newBackendStats();
  const turn = new TurnState();
  const emitted: Array<keyof RealtimeBackendEvents> = [];
  const audio: Array<RealtimeBackendEvents['audio'][0]> = [];
  let cancels = 0;
  const routingFailures: unknown[] = [];
  const t = new PhoneCallTransport({
    model: 'gpt-realtime',
    backend: {
      turn,
      stats,
      logger: createRootLogger('silent'),
      emit: (event, ...args) => {
        if (event === 'rateLimits') throw new RangeError('a router bug');
        emitted.push(event);
        if (event === 'audio') audio.push(args[0] as RealtimeBackendEvents['audio'][0]);
      },
      audioFormat: () => 'pcmu',
      transcripts: new TranscriptBudget(DEFAULT_REALTIME_STREAM_LIMITS),
    },
    events: { functionCallDone: () => undefined, onSessionConfirmed: () => undefined, onSessionRejected: () => undefined, cancelResponse: () => void cancels++, routingFailed: (err) => void routingFailures.push(err), sessionCreated: () => undefined },
  });
  // The SDK's socket message handler, as the WebSocket would call it.
  const receive = (event: object): void => (t as unknown as { _onMessage(m: { data: string }): void })._onMessage({ data: JSON.stringify(event) });
  return { t, stats, turn, emitted, audio, receive, cancels: () => cancels, routingFailures };
}

describe('PhoneCallTransport without a socket', () => {
  it('an exception while routing a server event goes to the backend (which ends its session), never into the socket handler', () => {
    const { receive, routingFailures } = transport();
    expect(() => receive({ type: 'rate_limits.updated', event_id: 'e1', rate_limits: [{ name: 'requests', limit: 1, remaining: 1, reset_seconds: 1 }] })).not.toThrow();
    expect(routingFailures).toEqual([new RangeError('a router bug')]);
  });

  it('an item the SDK cannot parse is skipped and counted, never thrown into the socket handler', () => {
    const { stats, emitted, receive } = transport();
    // input_audio content without `transcript`: the SDK's item schema wants string|null and throws.
    const item = { id: 'item_u1', object: 'realtime.item', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio' }] };
    expect(() => receive({ type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item })).not.toThrow();
    expect(stats.droppedEvents).toBe(1);
    // Routing to the gateway happened before the SDK's own processing.
    receive({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 120, item_id: 'item_u2' });
    expect(emitted).toEqual(['speechStarted']);
  });

  it('malformed and unknown server events are counted, not routed', () => {
    const { stats, emitted, receive } = transport();
    receive({ type: 'response.created', event_id: 'e1' }); // no response object
    receive({ type: 'response.brand_new_event', event_id: 'e2' });
    expect(stats.droppedEvents).toBe(2);
    expect(emitted).toEqual([]);
  });

  it('a delta (decoded once, by the SDK) reaches both the SDK session and the call layer; a cancelled one neither', () => {
    const { t, turn, stats, audio, receive } = transport();
    const sdkAudio: number[] = [];
    t.on('audio', (e) => sdkAudio.push(e.data.byteLength));
    // As the socket's message listener does: _onMessage ('*' to the gateway), then _onAudio with the bytes.
    const delta = (id: string): void => {
      receive({ type: 'response.output_audio.delta', event_id: id, response_id: 'resp_1', item_id: 'item_a', output_index: 0, content_index: 1, delta: 'AAAA' });
      (t as unknown as { _onAudio(e: TransportLayerAudio): void })._onAudio({ type: 'audio', data: new Uint8Array(160).fill(0xff).buffer, responseId: 'resp_1' });
    };
    receive({ type: 'response.created', event_id: 'e1', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    receive({ type: 'response.output_item.added', event_id: 'e1a', response_id: 'resp_1', output_index: 0, item: { id: 'item_a', object: 'realtime.item', type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
    delta('e2');
    expect(audio).toEqual([{ responseId: 'resp_1', itemId: 'item_a', contentIndex: 1, audio: Buffer.alloc(160, 0xff) }]);
    expect(sdkAudio).toEqual([160]);
    expect(turn.itemAudioBytes('item_a')).toBe(160);
    turn.cancel();
    delta('e3');
    expect(audio).toHaveLength(1);
    expect(sdkAudio).toHaveLength(1);
    expect(stats).toMatchObject({ deltasReceived: 1, deltaBytes: 160, lateDeltasDropped: 1 });
  });

  it('caller audio and client events are not sent (false, nothing thrown) while not connected', () => {
    const { t } = transport();
    expect(t.sendCallerAudio(new Uint8Array(160))).toBe(false);
    expect(t.sendIfConnected({ type: 'response.create' })).toBe(false);
    expect(() => t.sendFunctionOutputItem('call_1', '{}')).not.toThrow();
  });

  it('_interrupt emits audio_interrupted for the SDK session and sends no truncate of its own', () => {
    const { t, cancels } = transport();
    let interrupted = 0;
    t.on('audio_interrupted', () => interrupted++);
    const sent: string[] = [];
    t.sendEvent = (e) => void sent.push(e.type);
    t._interrupt(4_321, false);
    expect(interrupted).toBe(1);
    expect(sent).toEqual([]);
    expect(cancels()).toBe(0);
    // Asked to cancel (interrupt_response off, or a guardrail): through the backend, which cancels once.
    t._interrupt(4_321, true);
    expect(cancels()).toBe(1);
    expect(sent).toEqual([]);
  });
});
