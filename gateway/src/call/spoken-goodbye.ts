/**
 * The goodbye the model says before the gateway hands the caller back on its own initiative (an idle
 * caller, the maximum call length): the answer in play may end its sentence within a bound (then it
 * is cut, as a barge-in would cut it), the model is asked for a goodbye by a response.create with
 * instructions, and we wait until that response is done and its audio has left as RTP (the playback
 * ledger's truth). Bounded as a whole: whatever the model does, it settles within `boundMs`.
 */
import type { Clock, TimerId } from '../clock.js';
import type { RealtimeBackend, RealtimeBackendEvents } from '../realtime/backend.js';
import type { PlaybackLedger } from './playback-ledger.js';

export interface GoodbyeDeps {
  backend: RealtimeBackend;
  playback: PlaybackLedger;
  clock: Clock;
  /** Stops the answer in play now (flush, truncate at what was sent, cancel). */
  stopAnswer: () => void;
  /** The call's end: the wait stops at once and leaves no timer behind. */
  signal: AbortSignal;
}

export interface GoodbyeOptions {
  /** The model's instructions for the goodbye response. */
  instructions: string;
  /** Longest the answer in play may go on before it is cut, ms. */
  finishAnswerMs: number;
  /** Longest the whole goodbye may take, answer in play included, ms. */
  boundMs: number;
}

/** `played`: the goodbye response was done and heard in full; `timed-out`: the bound (or the call's end) came first. */
export type GoodbyeOutcome = 'played' | 'timed-out';

export async function sayGoodbye(deps: GoodbyeDeps, opts: GoodbyeOptions): Promise<GoodbyeOutcome> {
  const { backend, playback, clock, signal } = deps;
  const timers: TimerId[] = [];
  const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => timers.push(clock.setTimeout(() => resolve(value), ms)));
  let onAbort: (() => void) | undefined;
  let onStarted: ((...args: RealtimeBackendEvents['responseStarted']) => void) | undefined;
  const spoken = async (): Promise<'played'> => {
    if (playback.isPlaying) {
      const ended = await Promise.race([playback.whenPlayedOut().then(() => true), after(opts.finishAnswerMs, false)]);
      if (!ended) deps.stopAnswer();
    }
    // The backend queues our request behind a response still in progress, so the next one to start is ours.
    const started = new Promise<string>((resolve) => {
      onStarted = ({ responseId }) => resolve(responseId);
      backend.on('responseStarted', onStarted);
    });
    backend.createResponse({ instructions: opts.instructions });
    await playback.whenPlayedOut(await started);
    return 'played';
  };
  try {
    if (signal.aborted) return 'timed-out';
    const aborted = new Promise<'timed-out'>((resolve) => {
      onAbort = () => resolve('timed-out');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return await Promise.race([spoken(), after(opts.boundMs, 'timed-out' as const), aborted]);
  } finally {
    for (const t of timers) clock.clearTimeout(t);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    if (onStarted !== undefined) backend.off('responseStarted', onStarted);
  }
}
