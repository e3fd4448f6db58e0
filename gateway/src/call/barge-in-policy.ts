/**
 * Barge-in decided by the gateway instead of the provider, for greetings the caller cannot talk over
 * (`greeting.interruptible: false`) and a minimum interruption length (`bargeIn.minSpeechMs`).
 *
 * Why the gateway: with `interrupt_response: true` the SERVICE cancels the response in progress on
 * every speech_started, so nothing the gateway does afterwards can keep a disclosure playing or
 * ignore a cough. With either setting the session runs with `interrupt_response: false` and
 * `create_response: false` for the whole call (`managedTurnDetection`), and this policy does what the
 * service would have done, with two exceptions:
 *  - interruption: once the caller's speech (from the provider's speech_started) has lasted
 *    `minSpeechMs` of caller frames AND the caller is still voiced (a frame at or above
 *    VOICED_DBOV after the echo gate, so the agent's own echo never counts), the agent is cut off
 *    through the usual path (MediaBridge.bargeIn: flush before the next packet, response.cancel,
 *    truncate at what was sent as RTP). Never while protected audio (the greeting) is on the wire.
 *    The voiced check matters: the provider's speech_stopped comes silence_duration_ms after the
 *    speech ended, so "no speech_stopped yet" alone would let a 300 ms cough through.
 *  - the answer: at speech_stopped (the turn is committed) a response is requested, as
 *    create_response would have; except for a short turn over the agent (it started while the agent
 *    spoke and never reached minSpeechMs): that is a backchannel or noise, the committed audio stays
 *    in the conversation and the agent goes on without answering it. A turn over protected audio
 *    is answered, after the protected audio: the response queue waits for the greeting's
 *    response.done and the playout queue plays its audio after the greeting's.
 * Nothing here owns a timer: speech is counted in caller frames (one per 20 ms tick).
 */
import { energyOfG711, type G711Codec } from '../audio/index.js';
import type { BargeInSettings } from '../agent/greeting-audio.js';
import type { Logger } from '../log.js';
import type { SemanticVadTurnDetection, ServerVadTurnDetection } from '../realtime/backend.js';
import { describeStage, type JitterFrame, type Stage } from '../rtp/index.js';
import type { BargeIn } from './media-bridge.js';

/** A caller frame at or above this level counts as speech (the lab's fake VAD uses the same level). */
export const VOICED_DBOV = -45;
const FRAME_MS = 20;
/** Protected responses remembered (a greeting and its clip; a handful at most). */
const MAX_PROTECTED = 8;

/** Whether the agent definition needs the gateway to decide barge-in (see the file comment). */
export function gatewayManagesBargeIn(def: { greetingInterruptible?: boolean; bargeIn?: BargeInSettings }): boolean {
  return def.greetingInterruptible === false || (def.bargeIn?.minSpeechMs ?? 0) > 0;
}

/**
 * The Agents SDK's RealtimeSession runs its own interruption on every speech_started (it calls the
 * transport's interrupt, which cancels the response when interrupt_response is off), so the gateway
 * cannot hold a greeting or ignore a short sound there.
 */
export const AGENTS_SDK_BARGE_IN_REFUSAL =
  'AGENT_FILE: greeting.interruptible: false and bargeIn.minSpeechMs are not supported with REALTIME_PROVIDER=agents-sdk (the SDK interrupts the agent on every speech_started itself); use REALTIME_PROVIDER=openai or remove them';

/** The session's turn detection when the gateway decides barge-in: the provider neither interrupts nor answers. */
export function managedTurnDetection<T extends ServerVadTurnDetection | SemanticVadTurnDetection>(td: T): T {
  return { ...td, interruptResponse: false, createResponse: false };
}

export interface BargeInPolicyDeps {
  minSpeechMs: number;
  /** The agent file's createResponse: whether a committed turn gets an answer at all. */
  respond: boolean;
  /** The response on the wire now (undefined: the agent is silent). */
  playing(): string | undefined;
  /** Cut the agent off (flush, cancel, truncate at the RTP truth). */
  bargeIn(): BargeIn | undefined;
  createResponse(): void;
  /** A barge-in happened (records, metrics). */
  onBargeIn(stopped: BargeIn, audioStartMs: number): void;
  logger: Logger;
}

interface CallerTurn {
  audioStartMs: number;
  /** Caller frames since speech_started. */
  frames: number;
  /** The agent was speaking when it started. */
  overAgent: boolean;
  /** Lasted minSpeechMs with the caller still voiced: a real turn. */
  real: boolean;
  /** This turn cut the agent off. */
  interrupted: boolean;
}

export class BargeInPolicy {
  readonly #d: BargeInPolicyDeps;
  readonly #protected = new Set<string>();
  #protectNext = false;
  #turn: CallerTurn | undefined;
  /** Short turns over the agent that were not answered (counted for the call summary). */
  ignoredTurns = 0;
  /** Caller speech that started over protected audio. */
  protectedOverlaps = 0;

  constructor(deps: BargeInPolicyDeps) {
    this.#d = deps;
  }

  /** A gateway clip (its ledger response id) the caller cannot interrupt. */
  protect(responseId: string): void {
    this.#protected.add(responseId);
    if (this.#protected.size > MAX_PROTECTED) this.#protected.delete(this.#protected.values().next().value as string);
  }

  /** The next response the provider starts (the greeting requested now) cannot be interrupted. */
  protectNextResponse(): void {
    this.#protectNext = true;
  }

  responseStarted(responseId: string): void {
    if (!this.#protectNext) return;
    this.#protectNext = false;
    this.protect(responseId);
  }

  speechStarted(audioStartMs: number): void {
    const playing = this.#d.playing();
    this.#turn = { audioStartMs, frames: 0, overAgent: playing !== undefined, real: this.#d.minSpeechMs === 0, interrupted: false };
    if (playing !== undefined && this.#protected.has(playing)) this.protectedOverlaps++;
    if (this.#d.minSpeechMs === 0) this.#tryBargeIn(this.#turn);
  }

  /** One caller frame after the echo gate (every 20 ms while the call is live). */
  callerFrame(voiced: boolean): void {
    const turn = this.#turn;
    if (turn === undefined || turn.interrupted) return;
    turn.frames++;
    if (!turn.real && voiced && turn.frames * FRAME_MS >= this.#d.minSpeechMs) turn.real = true;
    // A real turn still cuts off unprotected audio that starts playing while the caller talks on.
    if (turn.real && voiced) this.#tryBargeIn(turn);
  }

  /** The provider's session was lost mid-turn (reconnecting): its speech_stopped will never come. */
  reset(): void {
    this.#turn = undefined;
  }

  speechStopped(): void {
    const turn = this.#turn;
    this.#turn = undefined;
    if (!this.#d.respond) return;
    if (turn !== undefined && turn.overAgent && !turn.real) {
      this.ignoredTurns++;
      this.#d.logger.info({ audioStartMs: turn.audioStartMs, speechMs: turn.frames * FRAME_MS, minSpeechMs: this.#d.minSpeechMs }, 'short caller sound over the agent: not an interruption, not answered');
      return;
    }
    this.#d.createResponse();
  }

  #tryBargeIn(turn: CallerTurn): void {
    const playing = this.#d.playing();
    if (playing === undefined || this.#protected.has(playing)) return;
    const stopped = this.#d.bargeIn();
    if (stopped === undefined) return;
    turn.interrupted = true;
    this.#d.onBargeIn(stopped, turn.audioStartMs);
  }
}

/** Tells the policy whether each caller frame (after the echo gate) is voiced; passes it on unchanged. */
export class SpeechTap implements Stage<JitterFrame> {
  readonly #codec: G711Codec;
  readonly #policy: BargeInPolicy;
  readonly #next: Stage<JitterFrame>;
  constructor(codec: G711Codec, policy: BargeInPolicy, next: Stage<JitterFrame>) {
    this.#codec = codec;
    this.#policy = policy;
    this.#next = next;
  }
  write(frame: JitterFrame): void {
    this.#policy.callerFrame(energyOfG711(frame.payload, this.#codec) >= VOICED_DBOV);
    this.#next.write(frame);
  }
  toString(): string {
    return describeStage(`SpeechTap(${VOICED_DBOV} dBov)`, this.#next);
  }
}
