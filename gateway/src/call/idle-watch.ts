/**
 * Caller silence (agent definition `idle`). The clock runs only while the line is quiet: the caller
 * is not speaking, no response is in progress and none of the agent's audio is still queued or on
 * the wire — it starts when the agent's last audio finished playing as RTP (the playback ledger's
 * truth), not when the model finished generating it. After `timeoutMs` of that the model is asked to
 * re-prompt ("Are you still there?"), up to `maxPrompts` times; the next timeout calls `onIdle` (the
 * call says goodbye and hands back). Caller speech and DTMF are activity: they reset the count.
 *
 * The gateway's own timer serves both providers and both VAD types. The service's server-VAD
 * `idle_timeout_ms` is not used for this: it counts from its guess of the end of playback (response
 * start + audio length, docs/realtime-facts.md #7), answers the silence without our instructions,
 * and exists for server_vad only, 5..30 s.
 */
import type { IdleSettings } from '../agent/index.js';
import type { Clock, TimerId } from '../clock.js';
import type { Logger } from '../log.js';
import type { RealtimeBackend, RealtimeBackendEvents } from '../realtime/backend.js';
import type { PlaybackLedger } from './playback-ledger.js';

export interface IdleWatchDeps {
  backend: RealtimeBackend;
  playback: PlaybackLedger;
  clock: Clock;
  settings: IdleSettings;
  log: Logger;
  /** The caller stayed silent through every re-prompt. Called once; the watch is closed by then. */
  onIdle: () => void;
}

type Listener<K extends keyof RealtimeBackendEvents> = (...args: RealtimeBackendEvents[K]) => void;

export class IdleWatch {
  readonly #d: IdleWatchDeps;
  #timer: TimerId | undefined;
  #prompts = 0;
  #callerSpeaking = false;
  /** The response started and not yet done (one at a time, docs/realtime-facts.md #1): the model is answering. */
  #active: string | undefined;
  #closed = false;
  readonly #onSpeechStarted: Listener<'speechStarted'> = () => {
    this.#callerSpeaking = true;
    this.#activity();
  };
  readonly #onSpeechStopped: Listener<'speechStopped'> = () => {
    this.#callerSpeaking = false;
    this.#armIfQuiet();
  };
  readonly #onResponseStarted: Listener<'responseStarted'> = ({ responseId }) => {
    this.#active = responseId;
    this.#disarm();
  };
  readonly #onResponseDone: Listener<'responseDone'> = ({ responseId }) => {
    if (this.#active === responseId) this.#active = undefined;
    // The clock starts once its audio has left as RTP, not now (deltas arrive faster than real time).
    void this.#d.playback.whenPlayedOut(responseId).then(() => this.#armIfQuiet());
  };

  constructor(deps: IdleWatchDeps) {
    this.#d = deps;
    const { backend } = deps;
    backend.on('speechStarted', this.#onSpeechStarted);
    backend.on('speechStopped', this.#onSpeechStopped);
    backend.on('responseStarted', this.#onResponseStarted);
    backend.on('responseDone', this.#onResponseDone);
    this.#armIfQuiet();
  }

  /** Re-prompts so far since the caller last spoke or pressed a key. */
  get prompts(): number {
    return this.#prompts;
  }

  /** True while the silence clock runs. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** The caller did something other than speak (a DTMF key): the count starts over. */
  callerActive(): void {
    this.#activity();
    this.#armIfQuiet();
  }

  /** Idempotent: clears the timer and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    const { backend } = this.#d;
    backend.off('speechStarted', this.#onSpeechStarted);
    backend.off('speechStopped', this.#onSpeechStopped);
    backend.off('responseStarted', this.#onResponseStarted);
    backend.off('responseDone', this.#onResponseDone);
  }

  #activity(): void {
    this.#prompts = 0;
    this.#disarm();
  }

  #armIfQuiet(): void {
    if (this.#closed || this.#timer !== undefined) return;
    if (this.#callerSpeaking || this.#active !== undefined || this.#d.playback.isPlaying) return;
    this.#timer = this.#d.clock.setTimeout(() => this.#expired(), this.#d.settings.timeoutMs);
  }

  #disarm(): void {
    this.#d.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #expired(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const { settings, log } = this.#d;
    if (this.#prompts >= settings.maxPrompts) {
      log.info({ silentMs: settings.timeoutMs, prompts: this.#prompts }, 'caller still silent after every re-prompt: goodbye and hand-back');
      this.close();
      this.#d.onIdle();
      return;
    }
    this.#prompts++;
    log.info({ silentMs: settings.timeoutMs, prompt: this.#prompts, of: settings.maxPrompts }, 'caller silent: re-prompting');
    this.#d.backend.createResponse({ instructions: settings.prompt });
    // Counted from the request too: a backend that never starts the response still reaches the goodbye.
    this.#armIfQuiet();
  }
}
