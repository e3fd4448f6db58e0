/**
 * Walking the script: which response comes next (shared by all sessions of a server, so after a
 * reconnect the conversation continues where it was), and each turn's audio, loaded once and
 * converted per session format on first use.
 */
import type { RealtimeAudioFormat } from 'connect-realtime-gateway';
import { encodeForFormat, formatBytesPerMs, sourceToPcm8k } from './audio.js';
import { DEFAULT_CHUNK_MS, type FakeFunctionCall, type FakeResponseFailure, type FakeScript, type FakeTurn } from './script.js';

export type PlannedResponse =
  /** Speak the turn's audio/transcript. */
  | { kind: 'speech'; turnNumber: number; scriptIndex: number; turn: FakeTurn; fail?: FakeResponseFailure }
  /** Call the turn's tool; speech (if any) follows on the next response. */
  | { kind: 'function'; turnNumber: number; scriptIndex: number; turn: FakeTurn; call: FakeFunctionCall }
  /** Script exhausted: an empty completed response. */
  | { kind: 'empty'; turnNumber: number };

export class ScriptCursor {
  readonly #script: FakeScript;
  #nextIndex = 0;
  #turnsTaken = 0;
  #afterFunction: { turnNumber: number; scriptIndex: number; turn: FakeTurn } | undefined;
  /** A turn whose response failed: the next response plays it again (a retried response). */
  #retry: { turnNumber: number; scriptIndex: number; turn: FakeTurn } | undefined;
  /** Script indexes whose scripted failure was played (each fails once). */
  readonly #failed = new Set<number>();

  constructor(script: FakeScript) {
    this.#script = script;
  }

  /** Turns started so far (1-based number of the latest). */
  get turnsTaken(): number {
    return this.#turnsTaken;
  }

  /** The turn the next new response will play (for the caller transcription of the triggering input). */
  peek(): FakeTurn | undefined {
    if (this.#retry !== undefined) return this.#retry.turn;
    if (this.#afterFunction !== undefined) return this.#afterFunction.turn;
    return this.#turnAt(this.#nextIndex);
  }

  take(): PlannedResponse {
    const retry = this.#retry;
    if (retry !== undefined) {
      this.#retry = undefined;
      return { kind: 'speech', ...retry };
    }
    const pending = this.#afterFunction;
    if (pending !== undefined) {
      this.#afterFunction = undefined;
      return this.#speech(pending);
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
    return this.#speech({ turnNumber, scriptIndex, turn });
  }

  /** The turn's speech; its scripted failure the first time, and then a retry of the same turn. */
  #speech(p: { turnNumber: number; scriptIndex: number; turn: FakeTurn }): PlannedResponse {
    const fail = p.turn.fail;
    if (fail === undefined || this.#failed.has(p.scriptIndex)) return { kind: 'speech', ...p };
    this.#failed.add(p.scriptIndex);
    this.#retry = p;
    return { kind: 'speech', ...p, fail };
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
  /** Per turn: the turn's audio (index 0, maybe absent), then its moreItems. */
  readonly #pcm: Array<Array<Int16Array | undefined>>;
  readonly #encoded = new Map<string, Uint8Array>();
  readonly #chunkMs: number;

  constructor(script: FakeScript) {
    this.#pcm = script.turns.map((t) => [t.audio === undefined ? undefined : sourceToPcm8k(t.audio), ...(t.moreItems ?? []).map((i) => sourceToPcm8k(i.audio))]);
    this.#chunkMs = script.chunkMs ?? DEFAULT_CHUNK_MS;
  }

  /**
   * The turn's audio (item 0) or that of its `moreItems[item - 1]` in `format`, cut into chunkMs
   * pieces (views, no copies). Empty when there is none.
   */
  chunks(scriptIndex: number, format: RealtimeAudioFormat, item = 0): Uint8Array[] {
    const pcm = this.#pcm[scriptIndex]?.[item];
    if (pcm === undefined) return [];
    const key = `${scriptIndex}:${item}:${format}`;
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
