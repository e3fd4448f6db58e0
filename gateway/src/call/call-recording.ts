/**
 * A call's recording as the call sees it (the recorder itself is recording/): started when the call
 * is confirmed, if the agent definition enables it and the store accepts it; its taps on the RTP
 * session's chains; pauses from the `pause_recording`/`resume_recording` tools and, when configured,
 * for as long as keypad digits are being collected; finished when the call ends. Every step is a call
 * event (the call record names the file and lists the pauses with their times) and a log line.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ActiveRecording, RecordingStore } from '../recording/recording-store.js';
import type { MediaTap } from '../rtp/index.js';
import type { CallObserver, CallRef } from './call-observer.js';

/** What starts recordings (the gateway's RecordingStore). */
export type RecordingStarter = Pick<RecordingStore, 'start'>;

export type PauseReason = 'tool' | 'dtmf';

/** The RTP session's part a recording uses. */
export interface TappedMedia {
  setMediaTap(tap: MediaTap | undefined): void;
  mediaChains(): unknown;
}

export class CallRecording {
  readonly #active: ActiveRecording;
  readonly #rtp: TappedMedia;
  readonly #observer: CallObserver;
  readonly #ref: CallRef;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #finished = false;

  private constructor(active: ActiveRecording, rtp: TappedMedia, observer: CallObserver, ref: CallRef, clock: Clock, log: Logger) {
    this.#active = active;
    this.#rtp = rtp;
    this.#observer = observer;
    this.#ref = ref;
    this.#clock = clock;
    this.#logger = log;
  }

  /** Starts recording `rtp` (from its next packet), or undefined when the store refuses. */
  static start(store: RecordingStarter, rtp: TappedMedia, observer: CallObserver, ref: CallRef, clock: Clock, log: Logger): CallRecording | undefined {
    const active = store.start(ref.recordId, log);
    if (active === undefined) return undefined;
    rtp.setMediaTap(active.recorder);
    log.info({ file: active.file, chains: rtp.mediaChains() }, 'call recording started');
    observer.onCallEvent(ref, { type: 'recording-started', at: clock.wallNow(), file: active.file });
    return new CallRecording(active, rtp, observer, ref, clock, log);
  }

  get file(): string {
    return this.#active.file;
  }

  get paused(): boolean {
    return this.#active.recorder.paused;
  }

  /** Digital silence in both channels from the next frame; true when this started a pause. */
  pause(reason: PauseReason): boolean {
    if (this.#finished) return false;
    const atMs = this.#active.recorder.pause(reason);
    if (atMs === undefined) return false;
    this.#logger.info({ reason, atMs }, 'call recording paused');
    this.#observer.onCallEvent(this.#ref, { type: 'recording-paused', at: this.#clock.wallNow(), reason, atMs });
    return true;
  }

  /** Records again from the next frame once no reason to pause is left; true when it did. */
  resume(reason: PauseReason): boolean {
    if (this.#finished) return false;
    const atMs = this.#active.recorder.resume(reason);
    if (atMs === undefined) return false;
    this.#logger.info({ reason, atMs }, 'call recording resumed');
    this.#observer.onCallEvent(this.#ref, { type: 'recording-resumed', at: this.#clock.wallNow(), reason, atMs });
    return true;
  }

  /** The call ended (its media is closed): the timeline ends now, the file is completed in the background. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#rtp.setMediaTap(undefined);
    const { stats, done } = this.#active.finish();
    const pauses = this.#active.recorder.pauses.map((p) => ({ fromMs: p.fromMs, toMs: p.toMs ?? stats.durationMs, reason: p.reason }));
    this.#observer.onCallEvent(this.#ref, {
      type: 'recording-finished',
      at: this.#clock.wallNow(),
      file: this.#active.file,
      durationMs: stats.durationMs,
      truncated: stats.truncated,
      pauses,
      callerSamplesOutsideWindow: stats.callerSamplesOutsideWindow,
    });
    void done.then(
      (r) => this.#logger.info({ file: r.file, path: this.#active.path, durationMs: r.durationMs, dataBytes: r.dataBytes, droppedFrames: r.droppedFrames, truncated: r.truncated, pauses, error: r.error }, 'call recording finished'),
      (err: unknown) => this.#logger.error({ err, file: this.#active.file }, 'call recording could not be finished'),
    );
  }
}
