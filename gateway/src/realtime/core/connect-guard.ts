/**
 * connect()'s outer bounds, on the injected clock: an overall deadline and the caller's AbortSignal.
 * `race(work)` settles with `work` unless the deadline passes or the signal aborts first; `stop()`
 * removes the timer and the listener (call it on every path, so nothing outlives connect()).
 */
import type { Clock } from '../../clock.js';
import { RealtimeError } from '../errors.js';

export interface ConnectGuard {
  race<T>(work: Promise<T>): Promise<T>;
  stop(): void;
}

/** No deadline when `timeoutMs` is undefined (the provider's own attempt timeouts still apply). */
export function startConnectGuard(clock: Clock, timeoutMs: number | undefined, signal: AbortSignal | undefined): ConnectGuard {
  let stop = (): void => undefined;
  const tripped = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(new RealtimeError('RT_ERR_ABORTED', 'connect aborted', { fatal: true }));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : clock.setTimeout(() => reject(new RealtimeError('RT_ERR_CONNECT_TIMEOUT', `no confirmed session within ${timeoutMs} ms`, { fatal: true })), timeoutMs);
    stop = () => {
      signal?.removeEventListener('abort', onAbort);
      clock.clearTimeout(timer);
    };
  });
  // Settled only when tripped; a guard that is stopped unused must not leave a rejection unobserved.
  tripped.catch(() => undefined);
  return { race: (work) => Promise.race([work, tripped]), stop: () => stop() };
}
