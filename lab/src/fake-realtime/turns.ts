/**
 * Walking the script: which response comes next (shared by all sessions of a server, so after a
 * reconnect the conversation continues where it was), and each turn's audio, loaded once and
 * converted per session format on first use.
 */
import type { RealtimeAudioFormat } from 'connect-realtime-gateway';
import { encodeForFormat, formatBytesPerMs, sourceToPcm8k } from './audio.js';
import { DEFAULT_CHUNK_MS, type FakeFunctionCall, type FakeScript, type FakeTurn } from './script.js';

export type PlannedResponse =
  /** Speak the turn's audio/transcript. */
  | { kind: 'speech'; turnNumber: number; scriptIndex: number; turn: FakeTurn }
  /** Call the turn's tool; speech (if any) follows on the next response. */
  | { kind: 'function'; turnNumber: number; scriptIndex: number; turn: FakeTurn; call: FakeFunctionCall }
  /** Script exhausted: an empty completed response. */
  | { kind: 'empty'; turnNumber: number };

export class ScriptCursor {
  readonly #script: FakeScript;
  #nextIndex = 0;
  #turnsTaken = 0;
  #afterFunction: { turnNumber: number; scriptIndex: number; turn: FakeTurn } | undefined;

  constructor(script: FakeScript) {
    this.#script = script;
  }

  /** Turns started so far (1-based number of the latest). */
  get turnsTaken(): number {
    return this.#turnsTaken;
  }

  /** The turn the next new response will play (for the caller transcription of the triggering input). */
  peek(): FakeTurn | undefined {
    if (this.#afterFunction !== undefined) return this.#afterFunction.turn;
    return this.#turnAt(this.#nextIndex);
  }

  take(): PlannedResponse {
    const pending = this.#afterFunction;
    if (pending !== undefined) {
      this.#afterFunction = undefined;
      return { kind: 'speech', ...pending };
    }
    const turn = this.#turnAt(this.#nextIndex);
    if (turn === undefined) return { kind: 'empty', turnNumber: ++this.#turnsTaken };
    const scriptIndex = this.#nextIndex % Math.max(1, this.#script.turns.length);
    this.#nextIndex++;
    const turnNumber = ++this.#turnsTaken;
    if (turn.functionCall !== undefined) {
      if (turn.audio !== undefined || turn.transcript !== undefined) this.#afterFunction = { turnNumber, scriptIndex, turn };
      return { kind: 'function', turnNumber, scriptIndex, turn, call: turn.functionCall };
    }
    return { kind: 'speech', turnNumber, scriptIndex, turn };
  }

  #turnAt(index: number): FakeTurn | undefined {
    const n = this.#script.turns.length;
    if (n === 0) return undefined;
    if (index < n) return this.#script.turns[index];
    return this.#script.loop ? this.#script.turns[index % n] : undefined;
  }
}

/** Each turn's audio as 8 kHz PCM (loaded eagerly so a bad path fails at startup) and per format. */
export class AudioBank {
  readonly #pcm: Array<Int16Array | undefined>;
  readonly #encoded = new Map<string, Uint8Array>();
  readonly #chunkMs: number;

  constructor(script: FakeScript) {
    this.#pcm = script.turns.map((t) => (t.audio === undefined ? undefined : sourceToPcm8k(t.audio)));
    this.#chunkMs = script.chunkMs ?? DEFAULT_CHUNK_MS;
  }

  /** The turn's audio in `format`, cut into chunkMs pieces (views, no copies). Empty when the turn has none. */
  chunks(scriptIndex: number, format: RealtimeAudioFormat): Uint8Array[] {
    const pcm = this.#pcm[scriptIndex];
    if (pcm === undefined) return [];
    const key = `${scriptIndex}:${format}`;
    let bytes = this.#encoded.get(key);
    if (bytes === undefined) {
      bytes = encodeForFormat(pcm, format);
      this.#encoded.set(key, bytes);
    }
    const step = Math.max(1, Math.round(this.#chunkMs * formatBytesPerMs(format)));
    const out: Uint8Array[] = [];
    for (let off = 0; off < bytes.length; off += step) out.push(bytes.subarray(off, Math.min(bytes.length, off + step)));
    return out;
  }
}
