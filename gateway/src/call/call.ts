import { renderSessionConfig, type RenderedSession } from '../agent/index.js';
import type { G711Name } from '../audio/index.js';
import { TrackingClock, type TimerId } from '../clock.js';
import { handBackContact, parseConnectContext, type ConnectCallContext, type HandBackOutcome } from '../connect/index.js';
import { describeError, excerpt } from '../describe-error.js';
import { callLogger, type Logger } from '../log.js';
import type { RealtimeBackend } from '../realtime/backend.js';
import { RtpSession } from '../rtp/index.js';
import { SrtpSession } from '../rtp/srtp/index.js';
import {
  acceptAnswer,
  createOffer,
  negotiate,
  renegotiate,
  type LocalSdpSession,
  type NegotiatedMedia,
  type NegotiationPrefs,
  type PendingOffer,
} from '../sdp/index.js';
import type { Dialog, DialogOffer, IncomingCall } from '../sip/index.js';
import { reasonPhrase } from '../sip/message/index.js';
import type { CallEnvironment } from './call-environment.js';
import { CallReporter } from './call-reporter.js';
import { holdingsOf, type CallAgent, type CallMedia, type CallPhase, type CallState } from './call-state.js';
import type { CallTimeline, EndReason } from './call-stats.js';
import { byeReason, callSummary } from './call-summary.js';
import { BargeInPolicy, gatewayManagesBargeIn, managedTurnDetection, SpeechTap } from './barge-in-policy.js';
import { DtmfInput, parseDtmfInfo } from './dtmf-input.js';
import { CallRecording } from './call-recording.js';
import { DurationLimit } from './duration-limit.js';
import { IdleWatch } from './idle-watch.js';
import { sayGoodbye } from './spoken-goodbye.js';
import { collectHandoffSummary } from './handoff-summary.js';
import { ResponseRecovery } from './response-recovery.js';
import { MediaBridge, realtimeFormatFor, type BargeIn } from './media-bridge.js';
import { PlaybackLedger, type PlaybackItem } from './playback-ledger.js';
import { ToolDispatcher, type CallControl } from './tool-dispatcher.js';
import { ToolFiller } from './tool-filler.js';
import { TranscriptLog } from './transcript.js';

export type { CallEnvironment } from './call-environment.js';

/** Response and item id of the gateway's own apology prompt in the playback ledger. */
const APOLOGY_ID = 'gateway-apology';
/** Response and item id of the agent's pre-recorded greeting (greeting.audio) in the playback ledger. */
const GREETING_ID = 'gateway-greeting';
/** Longest the gateway waits for an answer to finish playing before hanging up anyway, ms. */
const MAX_FINISH_SPEAKING_MS = 60_000;
/**
 * Longest end() waits for the RTP session, the Realtime socket and the BYE transaction, ms: a peer
 * that never answers must not hold the call (or a shutdown) open. What is still pending goes on
 * releasing itself in the background.
 */
const MAX_END_WAIT_MS = 5_000;
/** Longest a faulted call may spend on its apology and hand-back before it is ended anyway, ms. */
const MAX_FAULT_HAND_BACK_MS = 15_000;
/** Longest the idle caller's goodbye may take before the hand-back goes ahead anyway, ms. */
const IDLE_GOODBYE_MAX_MS = 15_000;
/** At the maximum call length, how long the answer in play may go on before it is cut for the goodbye, ms. */
const FINISH_ANSWER_MAX_MS = 5_000;
/** Ends that have already answered the INVITE (or need no answer) by the time end() runs. */
const ANSWERED_BEFORE_END: ReadonlySet<EndReason> = new Set(['cancelled', 'rejected', 'realtime-unavailable']);

/** The answer we give the INVITE, and the offer/answer state that goes with it (media phase). */
interface MediaSetUp {
  media: CallMedia;
  /** Our SDP in the 200 OK: the answer, or (SDP-less INVITE) our offer. */
  localSdp: string;
  /** Set when our SDP is an offer: the answer comes in the ACK. */
  pending: PendingOffer | undefined;
}

/** What the AI phase produced: the rendered session and, if the backend is ready, the agent. */
interface AiSetUp {
  rendered: RenderedSession;
  agent: CallAgent | undefined;
}

/**
 * One phone call, from INVITE to the last log line. It is the only place that knows about SIP,
 * media and the AI at once. Set-up runs in named phases (offer → media → AI → answer), each moving
 * the state union forward; every way a call can end goes through `end(reason)`, which releases
 * everything the current state holds exactly once.
 */
export class Call {
  readonly callId: string;
  readonly context: ConnectCallContext;
  readonly log: Logger;
  readonly timeline: CallTimeline;
  readonly #env: CallEnvironment;
  readonly #incoming: IncomingCall;
  /** The call's own timers (Realtime backend, DTMF collection, waits), so teardown can prove none is left. */
  readonly #clock: TrackingClock;
  readonly #abort = new AbortController();
  readonly #handBackAttributes = new Map<string, string>();
  /** Set when the call is confirmed and the agent definition records (call-recording.ts). */
  #recording: CallRecording | undefined;
  readonly #onEnded: (call: Call) => void;
  /** The call's events towards the records and metrics, from the INVITE to the end. */
  readonly #reporter: CallReporter;
  #state: CallState = { phase: 'offered' };
  #ended: Promise<void> | undefined;
  #faulted = false;
  /** Caller silence (agent `idle`) and the maximum call length (agent `maxDuration`), from the answer. */
  #idle: IdleWatch | undefined;
  #duration: DurationLimit | undefined;
  #sayingGoodbye = false;

  constructor(env: CallEnvironment, incoming: IncomingCall, onEnded: (call: Call) => void) {
    this.#env = env;
    this.#incoming = incoming;
    this.#onEnded = onEnded;
    this.callId = incoming.callId;
    const { context, problems } = parseConnectContext(incoming.request);
    this.context = context;
    this.log = callLogger(env.logger, incoming.callId, context.contactId);
    this.#clock = new TrackingClock(env.clock);
    this.timeline = { invitedAt: env.clock.wallNow() };
    const source = `${incoming.source.transport}:${incoming.source.address}:${incoming.source.port}`;
    this.#reporter = new CallReporter(incoming.callId, env.observer, env.clock);
    this.#reporter.offered(context, source);
    this.log.info(
      {
        source,
        caller: context.callerNumber,
        dialled: context.dialledNumber,
        connect: { initialContactId: context.initialContactId, instanceId: context.instanceId, uui: context.uui?.json ?? context.uui?.text },
      },
      'call offered',
    );
    for (const problem of problems) this.log.warn({ problem }, 'Connect context problem (call proceeds)');
  }

  get phase(): CallPhase {
    return this.#state.phase;
  }

  get endReason(): EndReason | undefined {
    return this.#state.phase === 'ending' || this.#state.phase === 'ended' ? this.#state.reason : undefined;
  }

  /** The call's id in the records (GET /calls/:id). */
  get recordId(): string {
    return this.#reporter.ref.recordId;
  }

  /** Reports the caller stream's quality now (the gateway samples every live call periodically). */
  sampleQuality(): void {
    const answered = this.#answered();
    if (answered !== undefined) this.#reporter.quality(answered.media.rtp.stats());
  }

  /**
   * Drain: an answered call is handed back to Connect (attributes, then BYE) so the flow routes the
   * caller on; a call still being set up is refused with 503. Resolves once the call has ended.
   */
  async handBackForShutdown(): Promise<void> {
    await this.#handBack('gateway_shutdown', 'the gateway is shutting down');
    await this.end('shutdown');
  }

  /** Runs the call set-up; never throws (every failure ends the call with the right SIP answer). */
  async start(): Promise<void> {
    this.#contain(this.#incoming, 'sip');
    this.#incoming.on('cancel', () => this.#detach('cancel', this.end('cancelled')));
    try {
      // Each phase answers undefined once the call has ended (it then has already said why).
      const offer = await this.#offerPhase();
      if (offer === undefined) return;
      const setUp = await this.#mediaPhase(offer.probe);
      if (setUp === undefined) return;
      const ai = await this.#aiPhase(setUp.media);
      if (ai === undefined) return;
      await this.#answerPhase(setUp, ai);
    } catch (err) {
      this.log.error({ err }, 'call set-up failed');
      await this.end('error');
    }
  }

  // ---------------------------------------------------------------- set-up phases

  /** Offer: reject an unusable SDP before taking any resource (scanners and misconfigured trunks). */
  async #offerPhase(): Promise<{ probe: NegotiatedMedia | undefined } | undefined> {
    const offer = this.#incoming.offer;
    if (offer === undefined) return { probe: undefined }; // SDP-less INVITE: we make the offer
    const probe = negotiate(offer, this.#prefs(9, undefined));
    if (probe.ok) return { probe: probe.value.media };
    this.log.warn({ status: probe.error.status, reason: probe.error.reason }, 'SDP offer rejected');
    this.#reject(probe.error.status, probe.error.reason, [['Warning', `399 ${this.#env.media.advertisedAddress} "${probe.error.warning}"`]]);
    await this.end('rejected');
    return undefined;
  }

  /**
   * Media: bind the RTP pair, then settle offer/answer with our real port (or, for an SDP-less
   * INVITE, make our offer: RFC 3264 §5 via RFC 3261 §13.2.1, the answer comes in the ACK).
   */
  async #mediaPhase(probe: NegotiatedMedia | undefined): Promise<MediaSetUp | undefined> {
    const env = this.#env;
    const codec = probe?.codec.name ?? env.media.codecs[0] ?? 'PCMU';
    let rtp: RtpSession<PlaybackItem>;
    try {
      rtp = await RtpSession.open<PlaybackItem>({
        clock: env.clock,
        scheduler: env.scheduler,
        logger: this.log,
        ports: env.ports,
        sockets: env.media.sockets,
        bindAddress: env.media.bindAddress,
        codec,
        payloadType: probe?.codec.payloadType ?? (codec === 'PCMU' ? 0 : 8),
        ...(probe?.dtmf ? { dtmfPayloadType: probe.dtmf.payloadType } : {}),
        rtcpMux: probe?.rtcpMux ?? false,
        inactivityMs: env.media.inactivityMs,
        jitter: env.media.jitter,
        sourcePolicy: env.media.sourcePolicy,
        firstPacketTimeoutMs: env.media.firstPacketTimeoutMs,
        // No media to the offer's address before the ACK: an INVITE that is never confirmed (or
        // whose SDP names a third party) gets no packet. We send no early media (180 has no SDP).
        confirmed: false,
      });
    } catch (err) {
      this.log.error({ err }, 'no RTP port available');
      this.#reject(503, 'no media ports', [['Retry-After', String(env.retryAfterS)]]);
      await this.end('rejected');
      return undefined;
    }
    if (this.#state.phase !== 'offered') {
      // Ended (CANCEL, shutdown) while the ports were being bound: nobody else will close them.
      await rtp.close(this.endReason);
      return undefined;
    }
    this.#contain(rtp, 'rtp');
    const playback = new PlaybackLedger(rtp.playout, { codec, measureLevels: env.echoGuard !== undefined });
    const offer = this.#incoming.offer;
    let setUp: MediaSetUp;
    if (offer !== undefined) {
      const result = negotiate(offer, this.#prefs(rtp.localPort, undefined));
      if (!result.ok) {
        await rtp.close('error');
        throw new Error(`SDP negotiation failed on the second pass: ${result.error.reason}`);
      }
      setUp = { media: { rtp, playback, sdp: result.value.session, negotiated: result.value.media, codec }, localSdp: result.value.answerSdp, pending: undefined };
      applyMedia(rtp, result.value.media);
    } else {
      const created = createOffer(this.#prefs(rtp.localPort, undefined));
      setUp = { media: { rtp, playback, sdp: created.session, negotiated: undefined, codec }, localSdp: created.offerSdp, pending: created.pending };
    }
    this.#state = { phase: 'setting-up', media: setUp.media, backend: undefined, agent: undefined };
    return setUp;
  }

  /**
   * AI: open the Realtime session while the phone rings, so the caller never hears a dead first
   * second. If it cannot be had, either refuse the call (503, Connect's error branch) or, when the
   * agent asks for it, answer anyway to apologise and hand back. Undefined: the call has ended.
   */
  async #aiPhase(media: CallMedia): Promise<AiSetUp | undefined> {
    const env = this.#env;
    this.#incoming.progress(180);
    this.timeline.ringingAt = env.clock.wallNow();
    const rendered = renderSessionConfig(env.agent, this.context, realtimeFormatFor(env.agent.audioMode, media.codec));
    for (const problem of rendered.problems) this.log.warn({ problem }, 'agent session rendering problem');
    // The provider must not interrupt (or answer) on its own when the gateway decides barge-in (barge-in-policy.ts).
    const td = rendered.config.turnDetection;
    if (gatewayManagesBargeIn(env.agent) && td !== null) rendered.config.turnDetection = managedTurnDetection(td);
    const backend = env.realtime.create({ logger: this.log, callId: this.callId, clock: this.#clock, limits: env.realtimeLimits });
    this.#contain(backend, 'realtime');
    const ringing = this.#settingUp();
    if (ringing === undefined) {
      await backend.close();
      return undefined;
    }
    this.#state = { ...ringing, backend };
    this.#wireBackend(backend, media);
    this.#reporter.watch(backend, () => (this.#agent()?.bridge.framesToRealtime ?? 0) * 20);
    const connectStarted = env.clock.now();
    try {
      await backend.connect(rendered.config, { timeoutMs: env.realtimeConnectTimeoutMs, signal: this.#abort.signal });
    } catch (err) {
      if (this.#settingUp() === undefined) return undefined;
      this.#reporter.realtimeUnavailable(err, env.agent.handBack.onRealtimeFailure);
      if (!env.agent.handBack.onRealtimeFailure) {
        this.log.error({ err: describeError(err) }, 'Realtime unavailable: rejecting the call so Connect takes its error branch');
        this.#reject(503, 'AI backend unreachable', [['Retry-After', String(env.retryAfterS)]]);
        await this.end('realtime-unavailable');
        return undefined;
      }
      this.log.error({ err: describeError(err) }, 'Realtime unavailable: answering to apologise and hand the caller back to Connect');
      return { rendered, agent: undefined };
    }
    const ready = this.#settingUp();
    if (ready === undefined) return undefined;
    this.timeline.realtimeReadyAt = env.clock.wallNow();
    this.#reporter.realtimeReady(Math.round(env.clock.now() - connectStarted));
    const agent = this.#startAgent(media, backend, rendered);
    this.#state = { ...ready, agent };
    return { rendered, agent };
  }

  /** Answer: 200 OK, wait for the ACK, then the call is live (greeting, or the apology without an agent). */
  async #answerPhase(setUp: MediaSetUp, ai: AiSetUp): Promise<void> {
    let dialog: Dialog;
    try {
      dialog = await this.#incoming.accept(setUp.localSdp);
    } catch (err) {
      if (this.#settingUp() !== undefined) {
        this.log.warn({ err }, 'call not confirmed');
        await this.end('no-ack');
      }
      return;
    }
    dialog.setLocalSdp(setUp.localSdp);
    this.timeline.answeredAt = this.#env.clock.wallNow();
    const confirmed = this.#settingUp();
    if (confirmed === undefined) {
      // Ended (e.g. shutdown) while the 200 OK was in flight: hang up the dialog we just confirmed.
      await dialog.bye().catch(() => undefined);
      return;
    }
    const { media } = confirmed;
    this.#state = { phase: 'answered', media, dialog, backend: confirmed.backend, agent: confirmed.agent, handingBack: false };
    this.timeline.confirmedAt = this.#env.clock.wallNow();
    if (setUp.pending) {
      const answer = dialog.ackBody === undefined ? undefined : acceptAnswer(setUp.pending, dialog.ackBody);
      if (!answer || !answer.ok) {
        this.log.warn({ reason: answer?.ok === false ? answer.error.reason : 'ACK carried no SDP answer' }, 'unusable SDP answer in ACK');
        await this.end('error');
        return;
      }
      media.negotiated = answer.value;
      applyMedia(media.rtp, answer.value);
      if (answer.value.codec.name !== media.codec) this.#followCodec(media, ai.agent, answer.value.codec.name);
    }
    this.#wireDialog(dialog, media, ai.agent);
    if (this.#env.agent.recording.enabled && this.#env.recordings) this.#recording = CallRecording.start(this.#env.recordings, media.rtp, this.#env.observer, this.#reporter.ref, this.#env.clock, this.log);
    // Confirmed: media flows from the next 20 ms tick, so the greeting requested below is heard at once.
    media.rtp.confirm();
    this.log.info(
      {
        codec: media.codec,
        mode: this.#env.agent.audioMode,
        localPort: media.rtp.localPort,
        srtp: Boolean(media.negotiated?.srtp),
        chains: { ...media.rtp.mediaChains(), agentAudio: ai.agent?.bridge.chains().agentToCaller },
      },
      'call answered',
    );
    this.#reporter.answered(media.codec, this.#env.agent.audioMode, Boolean(media.negotiated?.srtp));
    if (ai.agent === undefined) {
      await this.#apologiseAndHandBack('the AI backend could not be reached');
      return;
    }
    this.#greet(media, ai.agent, confirmed.backend, ai.rendered.greeting);
    if (confirmed.backend !== undefined) this.#watchTime(media, confirmed.backend, ai.agent, ai.rendered);
  }

  /**
   * The greeting, right after the ACK: the pre-recorded one is queued at once (heard from the next
   * 20 ms tick, whatever the model's latency) and the model is told it was said; a greeting response
   * follows it when the agent has instructions for one. Protected from barge-in when not interruptible.
   */
  #greet(media: CallMedia, agent: CallAgent, backend: RealtimeBackend | undefined, instructions: string | undefined): void {
    const protect = this.#env.agent.greetingInterruptible === false ? agent.bargeIn : undefined;
    const recording = this.#env.agent.greetingAudio;
    if (recording !== undefined) {
      protect?.protect(GREETING_ID);
      media.playback.playClip(GREETING_ID, recording.samples);
      backend?.addAssistantText(recording.text);
      this.log.info({ ms: Math.round(recording.samples.length / 8), interruptible: protect === undefined }, 'pre-recorded greeting playing');
    }
    if (instructions === undefined) return;
    protect?.protectNextResponse();
    backend?.createResponse({ instructions });
  }

  /** Arms the idle-caller watch and the maximum call length; both are closed by end(). */
  #watchTime(media: CallMedia, backend: RealtimeBackend, agent: CallAgent, rendered: RenderedSession): void {
    const { idle, maxDuration } = this.#env.agent;
    const goodbye = (instructions: string, outcome: HandBackOutcome, reason: string, boundMs: number) =>
      this.#detach(`${reason} hand-back`, this.#goodbyeAndHandBack(media, backend, agent, { instructions, boundMs }, outcome, reason));
    if (idle !== undefined) {
      this.#idle = new IdleWatch({ backend, playback: media.playback, clock: this.#clock, settings: idle, log: this.log, onIdle: () => goodbye(idle.goodbye, 'caller_idle', 'idle', IDLE_GOODBYE_MAX_MS) });
    }
    if (maxDuration !== undefined) {
      this.#duration = new DurationLimit(this.#clock, maxDuration, {
        wrapUp: () => {
          this.log.info({ inS: maxDuration.wrapUpBeforeS }, 'maximum call length near: the model is told to wrap up');
          backend.updateSession({ instructions: `${rendered.config.instructions}\n\n${maxDuration.wrapUp}` });
        },
        limit: () => goodbye(maxDuration.goodbye, 'max_duration', 'max-duration', maxDuration.graceS * 1_000),
        hardStop: () => {
          this.log.warn({ graceS: maxDuration.graceS }, 'maximum call length: the goodbye did not finish in time, hard stop');
          this.#detach('max-duration hard stop', this.#handBack('max_duration', 'max-duration'));
        },
      });
    }
  }

  /** The gateway ends the call itself (idle caller, maximum length): the model says goodbye, then hand back. */
  async #goodbyeAndHandBack(media: CallMedia, backend: RealtimeBackend, agent: CallAgent, opts: { instructions: string; boundMs: number }, outcome: HandBackOutcome, reason: string): Promise<void> {
    if (this.#sayingGoodbye || this.#answered()?.handingBack !== false) return;
    this.#sayingGoodbye = true;
    this.#idle?.close();
    this.log.info({ reason }, 'ending the call: goodbye, then hand-back');
    const said = await sayGoodbye(
      { backend, playback: media.playback, clock: this.#clock, stopAnswer: () => agent.bridge.bargeIn({ cancel: true }), signal: this.#abort.signal },
      { instructions: opts.instructions, finishAnswerMs: FINISH_ANSWER_MAX_MS, boundMs: opts.boundMs },
    );
    if (said === 'timed-out') this.log.warn({ reason, boundMs: opts.boundMs }, 'the goodbye did not finish in time: handing back anyway');
    await this.#handBack(outcome, reason);
  }

  // ---------------------------------------------------------------- wiring

  /** The AI side of the call: the media bridge, barge-in, transcript, DTMF to the model and tools. */
  #startAgent(media: CallMedia, backend: RealtimeBackend, rendered: RenderedSession): CallAgent {
    const env = this.#env;
    const transcript = new TranscriptLog(backend, () => env.clock.wallNow());
    const policy: BargeInPolicy | undefined = gatewayManagesBargeIn(env.agent)
      ? new BargeInPolicy({
          minSpeechMs: env.agent.bargeIn?.minSpeechMs ?? 0,
          respond: env.agent.turnDetection.createResponse,
          playing: () => media.playback.playingResponseId,
          bargeIn: (): BargeIn | undefined => bridge.bargeIn({ cancel: true }),
          createResponse: () => backend.createResponse(),
          onBargeIn: (stopped, audioStartMs) => this.#reporter.bargeIn(stopped, audioStartMs),
          logger: this.log,
        })
      : undefined;
    const bridge: MediaBridge = new MediaBridge(media.rtp, media.playback, backend, env.agent.audioMode, media.codec, this.log, {
      echoGuard: env.echoGuard,
      maxQueuedMs: env.agentAudioMaxQueuedMs,
      ...(env.appendPeriod === undefined ? {} : { appendPeriod: env.appendPeriod }),
      onNotHeard: (itemId) => transcript.notHeard(itemId),
      ...(policy === undefined ? {} : { callerTap: (codec, next) => new SpeechTap(codec, policy, next) }),
    });
    if (policy !== undefined) {
      backend.on('speechStopped', () => policy.speechStopped());
      backend.on('responseStarted', ({ responseId }) => policy.responseStarted(responseId));
      backend.on('state', ({ state }) => {
        if (state === 'reconnecting') policy.reset();
      });
    }
    const td = rendered.config.turnDetection;
    // With interrupt_response the server cancels its response itself; otherwise we do.
    backend.on('speechStarted', ({ audioStartMs }) => {
      if (policy !== undefined) {
        policy.speechStarted(audioStartMs);
        return;
      }
      const stopped = bridge.bargeIn({ cancel: td !== null && !td.interruptResponse });
      if (stopped) this.#reporter.bargeIn(stopped, audioStartMs);
    });
    // The provider stopped its answer itself (a guardrail): what is still queued must not play, and
    // the model keeps only what the caller heard.
    backend.on('interrupted', ({ reason }) => {
      const stopped = bridge.bargeIn({ cancel: true });
      this.log.info({ reason, itemId: stopped?.itemId, sentMs: stopped?.sentMs, flushedMs: stopped?.flushedMs }, 'agent answer stopped by the provider');
    });
    const filler = this.#toolFiller(media);
    return {
      bridge,
      transcript,
      ...(policy === undefined ? {} : { bargeIn: policy }),
      dtmf: new DtmfInput(env.agent, this.context, backend, this.#clock, this.log, (collecting) => {
        if (!env.agent.recording.pauseDuringDtmfCollection) return;
        if (collecting) this.#recording?.pause('dtmf');
        else this.#recording?.resume('dtmf');
      }),
      recovery: new ResponseRecovery(backend, env.agent.handBack.onResponseFailure, (reason) => this.#detach('response-failure hand-back', this.#apologiseAndHandBack(reason)), this.log),
      tools: new ToolDispatcher(
        env.tools,
        backend,
        this.#control(media),
        { callId: this.callId, connect: this.context, handBackAttributes: this.#handBackAttributes, signal: this.#abort.signal },
        this.log,
        (r) => this.#reporter.toolResult(r.toolCallId, r.name, r.ok, r.output, r.durationMs),
        filler,
      ),
    };
  }

  /** The slow-tool filler when the agent definition has one; its timer ends with the call. */
  #toolFiller(media: CallMedia): ToolFiller | undefined {
    const settings = this.#env.agent.toolFiller;
    if (settings === undefined) return undefined;
    const filler = new ToolFiller(settings, media.playback, this.#clock, this.log);
    this.#abort.signal.addEventListener('abort', () => filler.close(), { once: true });
    return filler;
  }

  #wireBackend(backend: RealtimeBackend, media: CallMedia): void {
    backend.on('error', (e) => this.log.warn({ code: e.code, message: excerpt(e.message), fatal: e.fatal }, 'Realtime error event'));
    backend.on('responseDone', ({ responseId }) => media.playback.responseDone(responseId));
    backend.on('inputTimeout', ({ audioStartMs, audioEndMs }) => this.log.info({ silentMs: audioEndMs - audioStartMs }, 'caller silent past the idle timeout: the model goes on'));
    backend.on('handBackRequested', ({ reason }) => this.#detach('requested hand-back', this.#handBackAfterSpeaking(media, reason)));
    backend.on('state', ({ state, reason }) => {
      if (state === 'reconnecting') this.log.warn({ reason: reason === undefined ? undefined : excerpt(reason) }, 'Realtime socket lost: reconnecting');
      const answered = this.#answered();
      if (state === 'ready' && answered) this.log.info('Realtime session ready again');
      if (state === 'closed' && answered && !answered.handingBack) {
        // Reconnecting did not work: the caller hears the gateway's own apology, Connect gets the caller back.
        this.log.error({ reason: reason === undefined ? undefined : excerpt(reason) }, 'Realtime session lost for good');
        this.#detach('AI-lost hand-back', this.#apologiseAndHandBack(`the AI backend failed: ${excerpt(reason ?? 'closed')}`));
      }
    });
  }

  #wireDialog(dialog: Dialog, media: CallMedia, agent: CallAgent | undefined): void {
    this.#contain(dialog, 'dialog');
    dialog.on('bye', () => this.#detach('bye', this.end('remote-bye')));
    dialog.on('terminated', (reason) => this.#detach('terminated', this.end(reason === 'session-expired' ? 'session-expired' : reason === 'no-ack' ? 'no-ack' : 'remote-bye')));
    dialog.on('offer', (o) => this.#onReoffer(o.sdp, o.method, o.respond));
    dialog.on('info', (info) => {
      const key = parseDtmfInfo(info.contentType, info.body);
      if (key === undefined) {
        info.respond(415);
        return;
      }
      info.respond(200);
      this.#idle?.callerActive();
      agent?.dtmf.key(key, 'info');
    });
    media.rtp.on('dtmf', (ev) => {
      this.#idle?.callerActive();
      agent?.dtmf.key(ev.digit, 'rfc4733');
    });
    media.rtp.on('unheard', ({ remote, waitedMs, packetsSent }) => {
      this.log.warn(
        { remote, waitedMs, packetsSent, limitMs: this.#env.media.firstPacketTimeoutMs },
        'no RTP or RTCP from the remote media address since the call was answered: stopped sending, hanging up',
      );
      void this.end('no-inbound-media');
    });
    media.rtp.on('inactive', ({ silentMs }) => {
      this.log.warn({ silentMs }, 'no RTP from the caller: hanging up');
      this.#detach('rtp-timeout', this.end('rtp-timeout'));
    });
  }

  #control(media: CallMedia): CallControl {
    return {
      finishSpeaking: (responseId) => this.#finishSpeaking(media, responseId),
      hangUp: (outcome, reason, summary) => this.#handBack(outcome, reason, summary),
      sendDtmf: async (digits) => {
        for (const d of digits) if (!(await media.rtp.sendDtmf(d))) return false;
        return true;
      },
      recording: (action) => {
        const recording = this.#recording;
        if (recording === undefined) return 'not-recording';
        if (action === 'pause') return recording.pause('tool') ? 'paused' : 'unchanged';
        return recording.resume('tool') ? 'resumed' : 'unchanged';
      },
      fault: (where, err) => this.#fault(where, err),
    };
  }

  // ---------------------------------------------------------------- containment

  /**
   * A listener of `emitter` that throws is counted and logged by the emitter (SafeEmitter); the call
   * that registered it ends itself, because its state may now be half-updated.
   */
  #contain(emitter: { onListenerFault(hook: (event: string, error: unknown) => void): void }, source: string): void {
    emitter.onListenerFault((event, err) => this.#fault(`${source} ${event}`, err));
  }

  /** A promise the event handler does not wait for: a rejection is this call's fault, never the process's. */
  #detach(where: string, work: Promise<void>): void {
    work.catch((err: unknown) => this.#fault(where, err));
  }

  /**
   * Something inside this call's event handling threw. The call ends cleanly, once: an answered call
   * through the AI-lost policy (apology, hand-back, BYE) within a bound, anything else at once; no
   * other call notices, and nothing reaches the process handler.
   */
  #fault(where: string, err: unknown): void {
    if (this.#faulted) return;
    this.#faulted = true;
    this.log.error({ in: where, err: describeError(err, { stack: true }) }, 'call event handling failed: ending this call');
    const answered = this.#answered();
    if (answered === undefined || answered.handingBack) {
      this.end('error').catch(() => undefined);
      return;
    }
    let bound: TimerId | undefined;
    const deadline = new Promise<void>((resolve) => (bound = this.#env.clock.setTimeout(resolve, MAX_FAULT_HAND_BACK_MS)));
    void Promise.race([this.#apologiseAndHandBack(`internal error: ${describeError(err, { firstLine: true })}`).catch(() => undefined), deadline])
      .then(() => {
        this.#env.clock.clearTimeout(bound);
        return this.end('error');
      })
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- during the call

  /**
   * Resolves once every byte of `responseId`'s audio has left as RTP: its response.done arrived (so
   * no more audio is coming) and the playout queue has drained. Driven by the queue's notifications
   * through the playback ledger; bounded, and immediate once the call ends (the ledger closes).
   */
  async #finishSpeaking(media: CallMedia, responseId: string | undefined): Promise<void> {
    let timer: TimerId | undefined;
    const bound = new Promise<void>((resolve) => (timer = this.#clock.setTimeout(resolve, MAX_FINISH_SPEAKING_MS)));
    await Promise.race([media.playback.whenPlayedOut(responseId), bound]);
    this.#clock.clearTimeout(timer);
  }

  /** Writes the outcome to the Connect contact so the flow can route on it, then BYE. */
  async #handBack(outcome: HandBackOutcome, reason: string, summary?: string): Promise<void> {
    const answered = this.#answered();
    if (answered === undefined || answered.handingBack) return;
    answered.handingBack = true;
    this.#idle?.close();
    const transcript = answered.agent?.transcript;
    const handoff = await this.#handoffSummary(answered.backend, outcome, reason);
    const report = await handBackContact(
      this.#env.connect.writer,
      this.context,
      { instances: this.#env.connect.instances, region: this.#env.connect.region },
      {
        outcome,
        reason,
        summary: summary ?? transcript?.summary() ?? '',
        at: this.#env.clock.wallNow(),
        transcript: transcript?.turns ?? [],
        extra: { ...Object.fromEntries(this.#handBackAttributes), ...handoff },
      },
    );
    for (const problem of report.problems) this.log.warn({ problem }, 'hand-back attribute problem');
    this.#reporter.handBack(outcome, reason, report);
    if (report.result.ok) {
      this.log.info({ outcome, attempts: report.result.value.attempts, target: report.target, attributes: Object.keys(report.attributes) }, 'contact attributes updated');
    } else {
      this.log.error({ outcome, error: report.result.error }, 'could not update the contact attributes (hanging up anyway)');
    }
    await this.end(handBackEndReason(outcome));
  }

  /** The hand-off summary's attributes (agent definition `handoffSummary`), bounded in time; none when off. */
  async #handoffSummary(backend: RealtimeBackend | undefined, outcome: HandBackOutcome, reason: string): Promise<Record<string, string>> {
    const settings = this.#env.agent.handoffSummary;
    if (settings === undefined) return {};
    const summary = await collectHandoffSummary(settings, backend, this.#clock, {
      endReason: handBackEndReason(outcome),
      outcome,
      reason,
      transcript: this.#answered()?.agent?.transcript.turns ?? [],
      latenciesMs: this.#reporter.turnLatenciesMs(),
    });
    this.log.info({ source: summary.source, fallback: summary.fallbackReason, waitedMs: summary.waitedMs, attributes: Object.keys(summary.attributes) }, 'hand-off summary');
    return summary.attributes;
  }

  /** The backend asks for a person (a tool approval policy): what is queued plays out, then hand back. */
  async #handBackAfterSpeaking(media: CallMedia, reason: string): Promise<void> {
    if (this.#answered()?.handingBack !== false) return;
    this.log.info({ reason }, 'the AI backend asks to hand the caller back');
    await this.#finishSpeaking(media, undefined);
    await this.#handBack('transfer_to_human', reason);
  }

  /** The AI is gone: say sorry in the gateway's own voice (a fixture prompt), then hand back. */
  async #apologiseAndHandBack(reason: string): Promise<void> {
    const answered = this.#answered();
    if (answered === undefined || answered.handingBack) return;
    answered.agent?.bridge.close();
    const { media } = answered;
    const apology = this.#env.agent.handBack.apologyAudio;
    if (apology.samples.length > 0) {
      media.playback.stop();
      media.playback.playClip(APOLOGY_ID, apology.samples);
      await this.#finishSpeaking(media, undefined);
    }
    await this.#handBack('ai_unavailable', reason);
  }

  /**
   * re-INVITE or UPDATE in the dialog (RFC 3264 §8): hold/resume, a new address or codec, or a plain
   * session refresh. A refused re-offer leaves the media as it was (RFC 3261 §14.2).
   */
  #onReoffer(sdp: string | undefined, method: 'INVITE' | 'UPDATE', respond: DialogOffer['respond']): void {
    const answered = this.#answered();
    const previous = answered?.media.negotiated;
    if (answered === undefined || previous === undefined) {
      respond(491);
      return;
    }
    if (sdp === undefined) {
      // An offer-less re-INVITE asks for our offer; our current SDP is it (answer arrives in the ACK).
      respond(200);
      return;
    }
    const { media } = answered;
    const result = renegotiate(previous, sdp, { ...this.#prefs(media.rtp.localPort, media.sdp), session: media.sdp });
    if (!result.ok) {
      this.log.warn({ method, status: result.error.status, reason: result.error.reason }, 're-offer refused; media unchanged');
      respond(result.error.status, { headers: [['Warning', `399 ${this.#env.media.advertisedAddress} "${result.error.warning}"`]] });
      return;
    }
    const { media: next, changes } = result.value;
    media.negotiated = next;
    media.rtp.updateRemote({
      ...(changes.remoteAddress ? { remote: remoteOf(next) } : {}),
      ...(changes.codec ? { codec: next.codec.name, payloadType: next.codec.payloadType } : {}),
      ...(changes.dtmf ? { dtmfPayloadType: next.dtmf?.payloadType ?? null } : {}),
      ...(changes.srtp ? { srtp: srtpSessionFor(next) } : {}),
    });
    if (changes.codec) this.#followCodec(media, answered.agent, next.codec.name);
    if (changes.direction) media.rtp.setDirection(next.direction);
    this.log.info({ method, direction: next.direction, onHold: next.onHold, changes }, 'session modified');
    respond(200, { sdp: result.value.answerSdp });
  }

  /** The call's G.711 law changed (re-INVITE, or an answer in the ACK): levels, echo gate and encoder follow. */
  #followCodec(media: CallMedia, agent: CallAgent | undefined, codec: G711Name): void {
    media.codec = codec;
    media.playback.codecChanged(codec);
    agent?.bridge.codecChanged(codec);
  }

  // ---------------------------------------------------------------- teardown

  /**
   * The one teardown. Idempotent: the first reason wins and later calls wait for the same end.
   * Order matters: media stops first (no RTP after the caller's BYE was answered), then the AI
   * session closes (no more appends), then SIP, then the summary is logged.
   */
  end(reason: EndReason): Promise<void> {
    if (this.#ended) return this.#ended;
    const before = this.#state;
    const held = holdingsOf(before);
    this.#state = { phase: 'ending', reason, held };
    this.#ended = (async () => {
      this.#abort.abort();
      this.#idle?.close();
      this.#duration?.close();
      held.agent?.bridge.close();
      held.media?.playback.close();
      held.agent?.dtmf.close();
      const rtpClosed = held.media?.rtp.close(reason);
      const backendClosed = held.backend?.close();
      if (before.phase !== 'answered' && !ANSWERED_BEFORE_END.has(reason)) {
        if (reason === 'shutdown') this.#reject(503, 'shutting down');
        else this.#reject(500);
      }
      const hangUp = before.phase === 'answered' && reason !== 'remote-bye' && reason !== 'no-ack' ? before.dialog.bye({ reason: byeReason(reason) }) : undefined;
      let bound: TimerId | undefined;
      const waited = await Promise.race([
        Promise.allSettled([rtpClosed, backendClosed, hangUp]).then(() => true),
        new Promise<false>((resolve) => (bound = this.#env.clock.setTimeout(() => resolve(false), MAX_END_WAIT_MS))),
      ]);
      this.#env.clock.clearTimeout(bound);
      if (!waited) this.log.warn({ waitedMs: MAX_END_WAIT_MS }, 'call end: media, Realtime or BYE still closing; not waiting longer');
      this.#state = { phase: 'ended', reason, held };
      this.#recording?.finish();
      const endedAt = this.#env.clock.wallNow();
      this.timeline.endedAt = endedAt;
      const { answeredAt } = this.timeline;
      this.#reporter.ended(reason, answeredAt === undefined ? 0 : endedAt - answeredAt, held.media?.rtp.stats());
      this.#onEnded(this);
      this.log.info(
        callSummary(reason, this.timeline, held, {
          pacing: this.#env.pacing(),
          resources: { ...this.#env.resources(), callTimers: this.#clock.pendingTimers },
        }),
        'call ended',
      );
    })();
    return this.#ended;
  }

  // ---------------------------------------------------------------- helpers

  #settingUp(): Extract<CallState, { phase: 'setting-up' }> | undefined {
    return this.#state.phase === 'setting-up' ? this.#state : undefined;
  }

  #answered(): Extract<CallState, { phase: 'answered' }> | undefined {
    return this.#state.phase === 'answered' ? this.#state : undefined;
  }

  /** The AI side while the call is being set up or live. */
  #agent(): CallAgent | undefined {
    const state = this.#state;
    return state.phase === 'setting-up' || state.phase === 'answered' ? state.agent : undefined;
  }

  #prefs(port: number, session: LocalSdpSession | undefined): NegotiationPrefs {
    const env = this.#env;
    return {
      codecs: env.media.codecs,
      dtmf: true,
      srtp: env.media.srtp,
      local: { address: env.media.advertisedAddress, port },
      ...(session ? { session } : {}),
    };
  }

  /** Answers the INVITE with an error; the reason phrase is the standard one, with `detail` after it. */
  #reject(status: number, detail?: string, headers: Array<[string, string]> = []): void {
    if (this.#incoming.state !== 'proceeding') return;
    const reason = detail === undefined ? reasonPhrase(status) : `${reasonPhrase(status)} (${detail})`;
    this.#incoming.reject(status, { reason, headers });
  }
}

/** The end reason a hand-back outcome gives the call. */
function handBackEndReason(outcome: HandBackOutcome): EndReason {
  switch (outcome) {
    case 'ai_unavailable':
      return 'realtime-failed';
    case 'transfer_to_human':
      return 'handed-back';
    case 'gateway_shutdown':
      return 'shutdown';
    case 'caller_idle':
      return 'caller-idle';
    case 'max_duration':
      return 'max-duration';
    case 'completed':
    case 'caller_hangup':
      return 'agent-hangup';
  }
}

/** The RTP destination a negotiation names. */
function remoteOf(media: NegotiatedMedia): { address: string; port: number; rtcpPort: number } {
  return { address: media.remoteAddress, port: media.remotePort, rtcpPort: media.remoteRtcpPort };
}

/** The SRTP context for negotiated SDES keys (null: plain RTP). The only place a call builds one. */
function srtpSessionFor(media: NegotiatedMedia): SrtpSession | null {
  return media.srtp ? new SrtpSession({ local: media.srtp.localKeys, remote: media.srtp.remoteKeys }) : null;
}

/** Points the session at a fresh negotiation (initial answer, or the answer in the ACK). */
function applyMedia(rtp: RtpSession<PlaybackItem>, media: NegotiatedMedia): void {
  rtp.updateRemote({
    remote: remoteOf(media),
    codec: media.codec.name,
    payloadType: media.codec.payloadType,
    dtmfPayloadType: media.dtmf?.payloadType ?? null,
    srtp: srtpSessionFor(media),
  });
  rtp.setDirection(media.direction);
}
