import type { Clock } from '../../clock.js';
import type { SipTimers } from '../timers.js';

/**
 * What a transaction needs from the world: time, the timer values, whether the transport is
 * reliable, a way to put bytes on the wire towards its fixed peer, and a counter sink.
 */
export interface TransactionEnv {
  clock: Clock;
  timers: SipTimers;
  reliable: boolean;
  /** Sends to the transaction's peer. Resolves when written; rejects on transport failure. */
  send(data: Buffer): Promise<void>;
  /** Counts an event by name (retransmissions, timeouts) into the server stats. */
  count(name: string): void;
  /** Called once when the transaction reaches Terminated, so the owner can forget it. */
  onTerminated(): void;
}
