/**
 * Typed event emitter whose emit never lets a throwing listener escape into the media loop
 * (mediasoup `safeEmit`): one bad handler must not stop packets for every call on the scheduler.
 * Beside clock.ts and log.ts, below every layer, so rtp and realtime share it without one
 * importing the other.
 */
import { EventEmitter } from 'node:events';

export type ListenerErrorHook = (event: string, error: unknown) => void;

export class SafeEmitter<T extends Record<keyof T, unknown[]>> extends EventEmitter<T> {
  #onListenerError: ListenerErrorHook | undefined;
  readonly #faultHooks: ListenerErrorHook[] = [];
  /** Listener exceptions caught so far. */
  listenerErrors = 0;

  constructor(onListenerError?: ListenerErrorHook) {
    super();
    this.#onListenerError = onListenerError;
  }

  /**
   * Also tells `hook` about every listener exception (after counting and the constructor's report).
   * The emitter's owner logs; whoever registered the listeners decides what a fault means (a call
   * ends itself: its state may be half-updated). A throwing hook is ignored.
   */
  onListenerFault(hook: ListenerErrorHook): void {
    this.#faultHooks.push(hook);
  }

  /** Emits `event`; exceptions from listeners are counted and reported, never thrown. */
  safeEmit<K extends keyof T & string>(event: K, ...args: T[K]): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      this.listenerErrors++;
      this.#onListenerError?.(event, error);
      for (const hook of this.#faultHooks) {
        try {
          hook(event, error);
        } catch {
          // A fault hook must not undo the containment it exists for.
        }
      }
    }
  }
}
