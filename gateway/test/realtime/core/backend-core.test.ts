/**
 * The shared backend core, driven through a scripted provider: no sockets, a ManualClock, and GA
 * server events fed to the core's router by hand. What both providers inherit is proved here once;
 * the providers' own tests cover what they add.
 */
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import type { Logger } from '../../../src/log.js';
import type { RealtimeSessionConfig } from '../../../src/realtime/backend.js';
import { RealtimeBackendCore } from '../../../src/realtime/core/backend-core.js';
import { RealtimeError } from '../../../src/realtime/errors.js';
import { GaEventRouter } from '../../../src/realtime/ga/event-router.js';
import { parseServerEvent } from '../../../src/realtime/ga/server-events.js';
import { baseConfig, capturingLogger, recordEvents } from '../helpers.js';

/** A provider whose session opens when the test says so, and which records what it is asked to send. */
class ScriptedBackend extends RealtimeBackendCore {
  readonly opened: RealtimeSessionConfig[] = [];
  readonly sent: RealtimeClientEvent[] = [];
  readonly callerAudio: number[] = [];
  readonly requested: Array<{ instructions?: string }> = [];
  readonly applied: Array<{ partial: Partial<RealtimeSessionConfig>; previous: RealtimeSessionConfig; now: RealtimeSessionConfig | undefined }> = [];
  teardowns = 0;
  acceptsAudio = true;
  readonly #router: GaEventRouter;
  #open: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(clock: ManualClock, logger: Logger, connectTimeoutMs?: number) {
    super({ logger, clock, ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }) });
    this.#router = new GaEventRouter(this.routerContext(), { functionCallDone: (call) => this.emitEvent('functionCall', call) });
  }

  /** The provider confirmed the session (or failed to). */
  confirm(): void {
    this.#open?.resolve();
  }

  fail(err: unknown): void {
    this.#open?.reject(err);
  }

  /** A GA server event, as the provider's socket would deliver it. */
  receive(raw: Record<string, unknown>): void {
    const evt = this.#router.screen(parseServerEvent({ event_id: 'ev', ...raw }));
    if (evt !== undefined) this.#router.route(evt);
  }

  loseSession(code: string): void {
    this.endLiveTurn(code);
  }

  sendFunctionOutput(): void {}
  addUserText(): void {}
  askOutOfBand(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  addAssistantText(): void {}

  protected openSession(config: Readonly<RealtimeSessionConfig>): Promise<void> {
    this.opened.push(config);
    return new Promise((resolve, reject) => (this.#open = { resolve, reject }));
  }

  protected sendCallerAudio(bytes: Uint8Array): boolean {
    if (this.acceptsAudio) this.callerAudio.push(bytes.byteLength);
    return this.acceptsAudio;
  }

  protected sendClientEvent(event: RealtimeClientEvent): void {
    if (this.state === 'ready') this.sent.push(event);
  }

  protected requestResponse(opts: { instructions?: string }): void {
    this.requested.push(opts);
  }

  protected applySessionUpdate(partial: Partial<RealtimeSessionConfig>, previous: RealtimeSessionConfig): void {
    this.applied.push({ partial, previous, now: this.config });
  }

  protected teardown(): Promise<void> {
    this.teardowns++;
    return Promise.resolve();
  }
}

function setup(connectTimeoutMs?: number) {
  const clock = new ManualClock();
  const { logger, lines } = capturingLogger('call-core@example.invalid');
  const backend = new ScriptedBackend(clock, logger, connectTimeoutMs);
  const logged = (): string[] => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  return { clock, backend, logged, ...recordEvents(backend) };
}

async function ready(connectTimeoutMs?: number) {
  const h = setup(connectTimeoutMs);
  const connecting = h.backend.connect(baseConfig);
  h.backend.confirm();
  await connecting;
  return h;
}

/** response.output_item.added: audio for the item may follow (unannounced audio is dropped). */
const announce = (responseId: string, itemId: string) => ({
  type: 'response.output_item.added',
  response_id: responseId,
  output_index: 0,
  item: { id: itemId, type: 'message', role: 'assistant' },
});

const delta = (responseId: string, itemId: string, bytes: number) => ({
  type: 'response.output_audio.delta',
  response_id: responseId,
  item_id: itemId,
  output_index: 0,
  content_index: 0,
  delta: Buffer.alloc(bytes).toString('base64'),
});

describe('backend core: connect()', () => {
  it('idle -> connecting -> ready once the provider confirmed; the provider opens a copy of the config', async () => {
    const { backend, states, clock } = await ready();
    expect(states()).toEqual(['connecting', 'ready']);
    expect(backend.opened).toEqual([baseConfig]);
    expect(backend.opened[0]).not.toBe(baseConfig);
    expect(clock.pendingTimers).toBe(0);
  });

  it('twice, or after close(): RT_ERR_STATE, not fatal', async () => {
    const { backend } = await ready();
    await expect(backend.connect(baseConfig)).rejects.toMatchObject({ code: 'RT_ERR_STATE', fatal: false });
    await backend.close();
    await expect(backend.connect(baseConfig)).rejects.toMatchObject({ code: 'RT_ERR_STATE' });
  });

  it.each([
    [{ model: '' }, /model/],
    [{ audioFormat: 'opus' as never }, /audioFormat must be pcmu, pcma or pcm16, got opus/],
    [{ voice: '' }, /voice/],
    [{ speed: 3 }, /speed must be 0.25..1.5, got 3/],
    [{ speed: 0.2 }, /speed/],
  ])('an invalid session config %o is RT_ERR_CONFIG before anything opens', async (patch, message) => {
    const { backend, states } = setup();
    const err = await backend.connect({ ...baseConfig, ...patch }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RT_ERR_CONFIG', fatal: true });
    expect((err as Error).message).toMatch(message);
    expect(backend.opened).toEqual([]);
    expect(states()).toEqual([]);
  });

  it('speeds at the bounds are valid', async () => {
    for (const speed of [0.25, 1.5]) {
      const { backend } = setup();
      const connecting = backend.connect({ ...baseConfig, speed });
      backend.confirm();
      await expect(connecting).resolves.toBeUndefined();
    }
  });

  it("the deadline runs on the injected clock: the provider's default, or the caller's", async () => {
    const byDefault = setup(3000);
    const pending = byDefault.backend.connect(baseConfig).catch((e: unknown) => e);
    byDefault.clock.advance(2999);
    expect(byDefault.states()).toEqual(['connecting']);
    byDefault.clock.advance(1);
    expect(await pending).toMatchObject({ code: 'RT_ERR_CONNECT_TIMEOUT', fatal: true, message: 'no confirmed session within 3000 ms' });
    expect(byDefault.states()).toEqual(['connecting', 'closed']);
    expect(byDefault.of('error')).toEqual([{ code: 'RT_ERR_CONNECT_TIMEOUT', message: 'no confirmed session within 3000 ms', fatal: true }]);
    expect(byDefault.backend.teardowns).toBe(1);
    expect(byDefault.clock.pendingTimers).toBe(0);

    const byCaller = setup(3000);
    const short = byCaller.backend.connect(baseConfig, { timeoutMs: 100 }).catch((e: unknown) => e);
    byCaller.clock.advance(100);
    expect(await short).toMatchObject({ code: 'RT_ERR_CONNECT_TIMEOUT' });
  });

  it('without any deadline it waits for the provider (its own attempt timeouts apply)', async () => {
    const { backend, clock, states } = setup();
    const connecting = backend.connect(baseConfig);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(3_600_000);
    expect(states()).toEqual(['connecting']);
    backend.confirm();
    await connecting;
    expect(states()).toEqual(['connecting', 'ready']);
  });

  it('an AbortSignal, aborted before or during: RT_ERR_ABORTED, closed', async () => {
    const before = setup();
    const ctl = new AbortController();
    ctl.abort();
    await expect(before.backend.connect(baseConfig, { signal: ctl.signal })).rejects.toMatchObject({ code: 'RT_ERR_ABORTED', fatal: true });
    expect(before.states()).toEqual(['connecting', 'closed']);

    const during = setup(5000);
    const ctl2 = new AbortController();
    const pending = during.backend.connect(baseConfig, { signal: ctl2.signal });
    ctl2.abort();
    await expect(pending).rejects.toMatchObject({ code: 'RT_ERR_ABORTED' });
    expect(during.clock.pendingTimers).toBe(0);
  });

  it("a provider failure: its RealtimeError as is, anything else RT_ERR_CONNECT_FAILED with the message", async () => {
    const rejected = setup();
    const p1 = rejected.backend.connect(baseConfig).catch((e: unknown) => e);
    rejected.backend.fail(new RealtimeError('RT_ERR_SESSION_REJECTED', 'session.update rejected', { fatal: true, providerCode: 'invalid_value' }));
    expect(await p1).toMatchObject({ code: 'RT_ERR_SESSION_REJECTED', providerCode: 'invalid_value' });
    expect(rejected.of('error')).toEqual([expect.objectContaining({ code: 'RT_ERR_SESSION_REJECTED', fatal: true })]);

    const broken = setup();
    const p2 = broken.backend.connect(baseConfig).catch((e: unknown) => e);
    broken.backend.fail({ message: 'ECONNREFUSED 127.0.0.1:9' });
    const err = await p2;
    expect(RealtimeError.is(err) && err.code).toBe('RT_ERR_CONNECT_FAILED');
    expect((err as Error).message).toBe('ECONNREFUSED 127.0.0.1:9');
    expect(RealtimeError.is(err) && err.classify()).toBe('provider-unavailable');
    expect(broken.states()).toEqual(['connecting', 'closed']);
    expect(broken.backend.teardowns).toBe(1);
  });

  it('close() while connecting: RT_ERR_CLOSED, whatever the provider does next, and no error event', async () => {
    const { backend, of, states } = setup(5000);
    const pending = backend.connect(baseConfig).catch((e: unknown) => e);
    await backend.close();
    backend.confirm();
    expect(await pending).toMatchObject({ code: 'RT_ERR_CLOSED', fatal: true });
    expect(of('error')).toEqual([]);
    expect(states()).toEqual(['connecting', 'closed']);
    expect(backend.teardowns).toBe(1);
  });
});

describe('backend core: close() and events', () => {
  it('is idempotent and re-entrant: one teardown, one promise, even from a closed listener', async () => {
    const { backend, logged } = await ready();
    const again: Array<Promise<void>> = [];
    backend.on('state', (s) => {
      if (s.state === 'closed') again.push(backend.close());
    });
    const first = backend.close();
    expect(again).toEqual([first]);
    expect(backend.close()).toBe(first);
    await first;
    expect(backend.teardowns).toBe(1);
    expect(logged().filter((m) => m === 'realtime closed')).toHaveLength(1);
  });

  it('nothing is emitted after closed', async () => {
    const { backend, events } = await ready();
    await backend.close();
    const count = events.length;
    backend.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'i1' });
    backend.createResponse();
    backend.updateSession({ voice: 'cedar' });
    expect(events).toHaveLength(count);
    expect(backend.requested).toEqual([]);
    expect(backend.applied).toEqual([]);
  });

  it('a throwing listener is logged and does not stop later events; an error without a listener is not thrown', async () => {
    const clock = new ManualClock();
    const { logger, lines } = capturingLogger('call-core@example.invalid');
    // Not recordEvents(): it would add an 'error' listener.
    const backend = new ScriptedBackend(clock, logger);
    const heard: string[] = [];
    backend.on('speechStarted', () => {
      throw new Error('listener bug');
    });
    backend.on('speechStopped', (e) => heard.push(e.itemId));
    const connecting = backend.connect(baseConfig);
    backend.confirm();
    await connecting;
    backend.receive({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'i1' });
    backend.receive({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 500, item_id: 'i1' });
    expect(heard).toEqual(['i1']);
    expect(backend.listenerErrors).toBe(1);
    expect(lines.map((l) => JSON.parse(l) as { msg: string; event?: string; err?: string }).find((l) => l.msg === 'realtime event listener threw')).toMatchObject({
      event: 'speechStarted',
      err: 'listener bug',
    });
    // A server error is counted and logged, not thrown into the socket handler.
    expect(() => backend.receive({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).not.toThrow();
    expect(backend.stats().serverErrors).toBe(1);
  });
});

describe('backend core: what the call layer asks for', () => {
  it('appendAudio: dropped and counted unless ready and taken by the provider', async () => {
    const { backend } = setup();
    backend.appendAudio(new Uint8Array(160));
    const connecting = backend.connect(baseConfig);
    backend.appendAudio(new Uint8Array(160));
    backend.confirm();
    await connecting;
    backend.appendAudio(new Uint8Array(160));
    backend.acceptsAudio = false; // backlogged socket
    backend.appendAudio(new Uint8Array(80));
    expect(backend.callerAudio).toEqual([160]);
    expect(backend.stats()).toMatchObject({ appendedBytes: 160, droppedAudioBytes: 400 });
  });

  it('createResponse() while connecting is requested once ready, with its instructions', async () => {
    const { backend } = setup();
    const connecting = backend.connect(baseConfig);
    backend.createResponse({ instructions: 'Greet the caller.' });
    expect(backend.requested).toEqual([]);
    backend.confirm();
    await connecting;
    expect(backend.requested).toEqual([{ instructions: 'Greet the caller.' }]);
    backend.createResponse();
    expect(backend.requested).toHaveLength(2);
  });

  it('cancelResponse(): one response.cancel for the live response; its late audio is dropped and counted', async () => {
    const { backend, of } = await ready();
    backend.receive({ type: 'response.created', response: { id: 'resp_1' } });
    backend.receive(announce('resp_1', 'item_1'));
    backend.receive(delta('resp_1', 'item_1', 800));
    backend.cancelResponse();
    backend.cancelResponse('resp_1');
    backend.receive(delta('resp_1', 'item_1', 800));
    backend.receive({ type: 'response.output_audio.done', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 });
    expect(backend.sent).toEqual([{ type: 'response.cancel', response_id: 'resp_1' }]);
    expect(of('audio')).toHaveLength(1);
    expect(of('audioDone')).toEqual([]);
    expect(backend.stats()).toMatchObject({ deltasReceived: 1, deltaBytes: 800, lateDeltasDropped: 1 });
  });

  it('truncate(): clamped to the audio received for the item, in the session format; unknown items are not sent', async () => {
    const { backend } = await ready();
    backend.receive(announce('resp_1', 'item_1'));
    backend.receive(delta('resp_1', 'item_1', 8000)); // 1000 ms of G.711
    backend.truncate('item_1', 0, 400.7);
    backend.truncate('item_1', 0, 60_000);
    backend.truncate('item_from_before_a_reconnect', 0, 10);
    expect(backend.sent).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 400 },
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 1000 },
    ]);
    backend.updateSession({ audioFormat: 'pcm16' }); // 48 bytes/ms: the same 8000 bytes are 166 ms
    backend.truncate('item_1', 0, 500);
    expect(backend.sent.at(-1)).toMatchObject({ audio_end_ms: 166 });
  });

  it('updateSession(): merged into the config the provider sees; ignored before connect and after close', async () => {
    const { backend } = setup();
    backend.updateSession({ voice: 'cedar' });
    const connecting = backend.connect(baseConfig);
    backend.confirm();
    await connecting;
    backend.updateSession({ instructions: 'Speak slowly.' });
    expect(backend.applied).toEqual([{ partial: { instructions: 'Speak slowly.' }, previous: baseConfig, now: { ...baseConfig, instructions: 'Speak slowly.' } }]);
    await backend.close();
    backend.updateSession({ voice: 'cedar' });
    expect(backend.applied).toHaveLength(1);
  });

  it('a lost session ends the live response as failed with the code, unless we had cancelled it', async () => {
    const { backend, of } = await ready();
    backend.receive({ type: 'response.created', response: { id: 'resp_1' } });
    backend.loseSession('connection_lost');
    expect(of('responseDone')).toEqual([{ responseId: 'resp_1', status: 'failed', statusDetails: { type: 'failed', error: { code: 'connection_lost' } } }]);
    backend.receive({ type: 'response.created', response: { id: 'resp_2' } });
    backend.cancelResponse();
    backend.loseSession('session_renewed');
    expect(of('responseDone')).toHaveLength(1);
  });

  it('stats() is a snapshot: later counting does not change it', async () => {
    const { backend } = await ready();
    backend.receive({ type: 'rate_limits.updated', rate_limits: [{ name: 'requests', limit: 10, remaining: 9, reset_seconds: 1 }] });
    const before = backend.stats();
    backend.appendAudio(new Uint8Array(160));
    backend.receive({ type: 'rate_limits.updated', rate_limits: [] });
    expect(before.appendedBytes).toBe(0);
    expect(before.lastRateLimits).toEqual([{ name: 'requests', limit: 10, remaining: 9, resetSeconds: 1 }]);
    expect(backend.stats().lastRateLimits).toEqual([]);
  });
});
