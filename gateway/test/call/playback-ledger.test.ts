import { describe, expect, it } from 'vitest';
import { MAX_LIVE_ITEMS, PlaybackLedger, type PlaybackItem } from '../../src/call/playback-ledger.js';
import { PlayoutQueue } from '../../src/rtp/index.js';
import { agentG711 } from './signals.js';

/** A ledger over a real playout queue; `send(n)` is n pacer ticks. */
function setup(measureLevels = false) {
  const queue = new PlayoutQueue<PlaybackItem>({ silenceByte: 0xff });
  const ledger = new PlaybackLedger(queue, { codec: 'PCMU', measureLevels });
  const frame = new Uint8Array(160);
  const send = (n: number): void => {
    for (let i = 0; i < n; i++) {
      queue.pull(frame);
      queue.commitFrame();
    }
  };
  return { queue, ledger, send };
}

/** Whether a promise has settled after the pending microtasks ran. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('what was queued and what was sent, per item', () => {
  it('counts queued and sent bytes exactly, item by item in play order', () => {
    const { ledger, send } = setup();
    ledger.play('r1', 'a', 0, agentG711(-10, 3));
    ledger.play('r1', 'b', 0, agentG711(-10, 2));
    send(4);
    expect([ledger.queuedMs('a'), ledger.sentMs('a'), ledger.queuedMs('b'), ledger.sentMs('b')]).toEqual([60, 60, 40, 20]);
    expect(ledger.isPlaying).toBe(true);
    send(1);
    expect(ledger.isPlaying).toBe(false);
  });
});

describe('stop(): the barge-in truth', () => {
  it('nothing playing: nothing to stop', () => {
    const { ledger, send } = setup();
    expect(ledger.stop()).toBeUndefined();
    ledger.play('r1', 'a', 0, agentG711(-10, 2));
    send(2);
    expect(ledger.stop()).toBeUndefined();
  });

  it('names the item on the wire with the whole ms sent, flushes the rest and cuts the responses waiting', () => {
    const { ledger, send, queue } = setup();
    ledger.play('r1', 'a', 1, agentG711(-10, 50));
    send(10);
    ledger.play('r2', 'b', 0, agentG711(-10, 5)); // the next answer, queued behind
    const stop = ledger.stop();
    expect(stop && { itemId: stop.item.itemId, contentIndex: stop.item.contentIndex, sentMs: stop.sentMs, flushedMs: stop.flushedMs }).toEqual({
      itemId: 'a',
      contentIndex: 1,
      sentMs: 200,
      flushedMs: 900,
    });
    expect(queue.queuedMs).toBe(0);
    // Late deltas of both cut responses are dropped, a new item of a cut response too; a new response plays.
    expect(ledger.play('r1', 'a', 1, agentG711(-10, 5))).toBe(false);
    expect(ledger.play('r2', 'b2', 0, agentG711(-10, 5))).toBe(false);
    expect(ledger.droppedCutBytes).toBe(10 * 160);
    expect(ledger.play('r3', 'c', 0, agentG711(-10, 5))).toBe(true);
    expect(ledger.isPlaying).toBe(true);
    send(1);
    expect(ledger.sentMs('c')).toBe(20);
    expect(ledger.sentMs('a')).toBe(200); // kept after the cut
  });

  it('when nothing of the stretch has started, names the first waiting item with 0 ms', () => {
    const { ledger } = setup();
    ledger.play('r1', 'a', 0, agentG711(-10, 5));
    expect(ledger.stop()).toMatchObject({ item: { itemId: 'a' }, sentMs: 0, flushedMs: 100 });
  });

  it('only the current stretch counts: an item finished before an earlier stop is never named again', () => {
    const { ledger, send } = setup();
    ledger.play('r1', 'a', 0, agentG711(-10, 2));
    ledger.endItem('a');
    send(2);
    ledger.play('r2', 'b', 0, agentG711(-10, 50));
    send(3);
    expect(ledger.stop()?.item.itemId).toBe('b');
    ledger.play('r3', 'c', 0, agentG711(-10, 50));
    expect(ledger.stop()).toMatchObject({ item: { itemId: 'c' }, sentMs: 0 });
  });
});

describe('whenPlayedOut(): "let the answer finish" without polling', () => {
  it('waits for response.done and for the last frame to leave, then settles', async () => {
    const { ledger, send } = setup();
    ledger.play('r1', 'a', 0, agentG711(-10, 3));
    const played = ledger.whenPlayedOut('r1');
    send(3);
    expect(await settled(played)).toBe(false); // all sent, but more audio of r1 may still come
    ledger.play('r1', 'a', 0, agentG711(-10, 2));
    ledger.responseDone('r1');
    send(1);
    expect(await settled(played)).toBe(false);
    send(1);
    expect(await settled(played)).toBe(true);
  });

  it('settles at once when the response is done and nothing plays, and for undefined when the queue is idle', async () => {
    const { ledger } = setup();
    ledger.responseDone('r9'); // a response without audio
    expect(await settled(ledger.whenPlayedOut('r9'))).toBe(true);
    expect(await settled(ledger.whenPlayedOut(undefined))).toBe(true);
  });

  it('settles when a stop empties the queue, and on close', async () => {
    const { ledger, send } = setup();
    ledger.play('r1', 'a', 0, agentG711(-10, 10));
    ledger.responseDone('r1');
    const afterStop = ledger.whenPlayedOut('r1');
    send(2);
    ledger.stop();
    expect(await settled(afterStop)).toBe(true);
    ledger.play('r2', 'b', 0, agentG711(-10, 10));
    const onClose = ledger.whenPlayedOut('r2');
    ledger.close();
    expect(await settled(onClose)).toBe(true);
    expect(ledger.play('r3', 'c', 0, agentG711(-10, 1))).toBe(false);
  });
});

describe('bounded', () => {
  it('keeps only the last few settled items however many answers a call has', () => {
    const { ledger, send } = setup();
    for (let i = 0; i < 100; i++) {
      ledger.play(`r${i}`, `i${i}`, 0, agentG711(-10, 1));
      ledger.endItem(`i${i}`);
      send(1);
      ledger.responseDone(`r${i}`);
    }
    expect(ledger.size).toBeLessThanOrEqual(8);
    expect(ledger.sentMs('i99')).toBe(20);
    expect(ledger.sentMs('i0')).toBe(0); // forgotten
  });

  it(`refuses new items beyond ${MAX_LIVE_ITEMS} waiting to play (a runaway producer)`, () => {
    const { ledger } = setup();
    for (let i = 0; i < MAX_LIVE_ITEMS; i++) expect(ledger.play('r1', `i${i}`, 0, new Uint8Array(10))).toBe(true);
    expect(ledger.play('r1', 'one-too-many', 0, new Uint8Array(10))).toBe(false);
    expect(ledger.refusedBytes).toBe(10);
    expect(ledger.play('r1', `i${MAX_LIVE_ITEMS - 1}`, 0, new Uint8Array(10))).toBe(true); // the open item still grows
  });

  it('a stop cuts every live item, so a runaway backlog is released at once', () => {
    const { ledger } = setup();
    for (let i = 0; i < 50; i++) ledger.play('r1', `i${i}`, 0, new Uint8Array(10));
    ledger.stop();
    expect(ledger.size).toBeLessThanOrEqual(8);
  });
});

describe('levels for the echo guard', () => {
  it('measures each whole frame of queued audio with the current codec, in play order, as it is sent', () => {
    const { ledger, send } = setup(true);
    ledger.play('r1', 'a', 0, agentG711([-10, -30, -50]));
    send(1);
    expect(ledger.loudestRecent(5)).toBeCloseTo(-10, 0);
    send(2);
    expect(ledger.loudestRecent(1)).toBeCloseTo(-50, 0);
    ledger.codecChanged('PCMA');
    ledger.play('r1', 'b', 0, agentG711([-20], 1, 'PCMA'));
    send(1);
    expect(ledger.loudestRecent(1)).toBeCloseTo(-20, 0);
  });

  it('measures nothing when levels are off', () => {
    const { ledger, send } = setup(false);
    ledger.play('r1', 'a', 0, agentG711(-10, 3));
    send(3);
    expect(ledger.loudestRecent(5)).toBe(-127);
  });
});
