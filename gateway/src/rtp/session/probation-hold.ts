/**
 * Keeps the one packet a new source sends before A.1 validates it (MIN_SEQUENTIAL = 2), so the
 * first 20 ms of a call or of a new SSRC are played instead of thrown away: when the next packet
 * validates the source, the held one is replayed first if it is its direct predecessor.
 * One preallocated buffer per session; holding copies, so the socket's buffer can be reused.
 */
import { MAX_DATAGRAM } from '../constants.js';

export class ProbationHold {
  readonly #bytes = new Uint8Array(MAX_DATAGRAM);
  #length = 0;
  #valid = false;
  #ssrc = 0;
  #seq = 0;
  timestamp = 0;
  marker = false;
  arrivalMs = 0;

  hold(ssrc: number, seq: number, timestamp: number, marker: boolean, payload: Uint8Array, arrivalMs: number): void {
    const n = Math.min(payload.length, MAX_DATAGRAM);
    this.#bytes.set(payload.subarray(0, n));
    this.#length = n;
    this.#ssrc = ssrc;
    this.#seq = seq;
    this.timestamp = timestamp;
    this.marker = marker;
    this.arrivalMs = arrivalMs;
    this.#valid = true;
  }

  /** The held payload if it directly precedes (ssrc, seq); the hold is emptied either way. */
  takePredecessorOf(ssrc: number, seq: number): { seq: number; payload: Uint8Array } | undefined {
    if (!this.#valid) return undefined;
    this.#valid = false;
    if (this.#ssrc !== ssrc || ((this.#seq + 1) & 0xffff) !== seq) return undefined;
    return { seq: this.#seq, payload: this.#bytes.subarray(0, this.#length) };
  }

  clear(): void {
    this.#valid = false;
  }
}
