import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { createRootLogger } from '../../../src/log.js';
import { DEFAULT_ACK_TIMEOUT_MS, MAX_WAITING, ResponseQueue, type ResponseRequest } from '../../../src/realtime/openai/response-queue.js';

function setup(opts: { canSend?: () => boolean } = {}) {
  const clock = new ManualClock();
  const sent: Array<{ eventId: string; request: ResponseRequest }> = [];
  let seq = 0;
  const q = new ResponseQueue({
    clock,
    logger: createRootLogger('silent'),
    send: (request) => {
      if (opts.canSend?.() === false) return undefined;
      const eventId = `e${++seq}`;
      sent.push({ eventId, request });
      return eventId;
    },
  });
  return { q, clock, sent };
}

describe('response queue: never two responses in flight', () => {
  it('sends at once when the session is free', () => {
    const { q, sent } = setup();
    q.request({ instructions: 'Greet.' });
    expect(sent).toEqual([{ eventId: 'e1', request: { instructions: 'Greet.' } }]);
    expect(q.busy).toBe(true);
  });

  it('a tool output arriving before response.done waits for it, then goes out', () => {
    const { q, sent } = setup();
    q.request({});
    q.responseCreated('r1');
    // function_call_arguments.done -> tool result -> response.create, while r1 is still active
    q.request({});
    expect(sent).toHaveLength(1);
    expect(q.waiting).toBe(1);
    q.responseDone('r1');
    expect(sent).toHaveLength(2);
    expect(q.waiting).toBe(0);
  });

  it('a second request before the first is acknowledged waits too', () => {
    const { q, sent } = setup();
    q.request({});
    q.request({ instructions: 'Say the digits back.' });
    expect(sent).toHaveLength(1);
    q.responseCreated('r1');
    q.responseDone('r1');
    expect(sent.map((s) => s.request)).toEqual([{}, { instructions: 'Say the digits back.' }]);
  });

  it('waits behind a response the service started itself (server VAD)', () => {
    const { q, sent } = setup();
    q.responseCreated('vad1');
    q.request({});
    expect(sent).toHaveLength(0);
    q.responseDone('other'); // not the active one: still busy
    expect(sent).toHaveLength(0);
    q.responseDone('vad1');
    expect(sent).toHaveLength(1);
  });

  it('merges waiting requests without instructions; keeps those with instructions apart', () => {
    const { q, sent } = setup();
    q.responseCreated('r1');
    q.request({});
    q.request({});
    q.request({ instructions: 'A' });
    q.request({ instructions: 'B' });
    expect(q.waiting).toBe(3);
    expect(q.merged).toBe(1);
    q.responseDone('r1');
    q.responseCreated('r2');
    q.responseDone('r2');
    q.responseCreated('r3');
    q.responseDone('r3');
    q.responseCreated('r4');
    q.responseDone('r4');
    expect(sent.map((s) => s.request)).toEqual([{}, { instructions: 'A' }, { instructions: 'B' }]);
  });

  it('a refusal (conversation_already_has_active_response) re-queues our request first in line', () => {
    const { q, sent } = setup();
    q.request({ instructions: 'first' });
    q.responseCreated('vad1'); // the service's own VAD response won the race
    expect(q.refused('e1')).toBe(true);
    expect(q.refused('e1')).toBe(false); // once
    expect(q.refused('unknown')).toBe(false);
    q.request({ instructions: 'second' });
    q.responseDone('vad1');
    expect(sent.map((s) => s.request.instructions)).toEqual(['first', 'first']);
    expect(q.refusedRequeued).toBe(1);
  });

  it('a refusal without an event id answers the unacknowledged request', () => {
    const { q, sent } = setup();
    expect(q.refused(undefined)).toBe(false);
    q.request({});
    expect(q.refused(undefined)).toBe(true);
    q.responseCreated('vad1');
    q.responseDone('vad1');
    expect(sent).toHaveLength(2);
  });

  it('a refusal with no active response known retries after a short wait', () => {
    const { q, sent, clock } = setup();
    q.request({});
    expect(q.refused('e1')).toBe(true);
    expect(sent).toHaveLength(1);
    clock.advance(300);
    expect(sent).toHaveLength(2);
  });

  it('an unacknowledged request stops blocking after the ack timeout', () => {
    const { q, sent, clock } = setup();
    q.request({});
    q.request({ instructions: 'next' });
    clock.advance(DEFAULT_ACK_TIMEOUT_MS - 1);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toHaveLength(2);
  });

  it('response.created cancels the ack timer', () => {
    const { q, sent, clock } = setup();
    q.request({});
    q.responseCreated('r1');
    q.request({});
    clock.advance(DEFAULT_ACK_TIMEOUT_MS * 2);
    expect(sent).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reset (session replaced) asks again for an unacknowledged request on pump()', () => {
    let live = true;
    const { q, sent } = setup({ canSend: () => live });
    q.request({ instructions: 'x' });
    live = false;
    q.reset();
    q.pump();
    expect(sent).toHaveLength(1);
    live = true;
    q.pump();
    expect(sent.map((s) => s.request.instructions)).toEqual(['x', 'x']);
  });

  it('bounds what waits and stops on close', () => {
    const { q, sent, clock } = setup();
    q.responseCreated('r1');
    for (let i = 0; i < MAX_WAITING + 5; i++) q.request({ instructions: String(i) });
    expect(q.waiting).toBe(MAX_WAITING);
    expect(q.dropped).toBe(5);
    q.close();
    q.responseDone('r1');
    q.request({});
    expect(sent).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
