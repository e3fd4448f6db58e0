import { renderSessionConfig, type AgentDefinition, type ToolRegistry } from '../agent/index.js';
import { g711Codec } from '../audio/index.js';
import { TrackingClock, type Clock, type TimerId } from '../clock.js';
import {
  handBackContact,
  parseConnectContext,
  type ConnectCallContext,
  type ContactAttributesWriter,
  type HandBackOutcome,
} from '../connect/index.js';
import { callLogger, type Logger } from '../log.js';
import type { RealtimeBackend, RealtimeBackendFactory } from '../realtime/backend.js';
import { RtpSession, type LatenessSummary, type MediaScheduler, type PortAllocator } from '../rtp/index.js';
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
import type { CallTimeline, EndReason } from './call-stats.js';
import { DtmfInput, parseDtmfInfo } from './dtmf-input.js';
import { MediaBridge, realtimeFormatFor } from './media-bridge.js';
import { PlaybackLedger, type PlaybackItem } from './playback-ledger.js';
import { ToolDispatcher, type CallControl } from './tool-dispatcher.js';
import { TranscriptLog } from './transcript.js';

/** What every call shares: built once by the gateway. */
export interface CallEnvironment {
  clock: Clock;
  logger: Logger;
  scheduler: MediaScheduler;
  ports: PortAllocator;
  realtime: RealtimeBackendFactory;
  agent: AgentDefinition;
  tools: ToolRegistry;
  connect: { writer: ContactAttributesWriter; instanceId?: string | undefined; region?: string | undefined };
  media: {
    bindAddress: string;
    /** Address in our SDP (the public one behind NAT). */
    advertisedAddress: string;
    codecs: ReadonlyArray<'PCMU' | 'PCMA'>;
    srtp: NegotiationPrefs['srtp'];
    inactivityMs: number;
    jitter: { minDelayMs: number; maxDelayMs: number };
  };
  realtimeConnectTimeoutMs: number;
  /** Echo gate in front of the AI (undefined: off). */
  echoGuard: { marginDb: number; tailMs: number } | undefined;
  /** Retry-After seconds sent with 503 when the AI side cannot be reached. */
  retryAfterS: number;
  /** A snapshot for the "call ended" log line, taken after this call released everything. */
  resources: () => Record<string, number>;
  /** The shared pacer's send lateness (how late each 20 ms packet left), for the call summary. */
  pacing: () => LatenessSummary;
}

type State = 'setting-up' | 'answered' | 'ending' | 'ended';

/** Response and item id of the gateway's own apology prompt in the playback ledger. */
const APOLOGY_ID = 'gateway-apology';
/** Longest the gateway waits for an answer to finish playing before hanging up anyway, ms. */
const MAX_FINISH_SPEAKING_MS = 60_000;

/**
 * One phone call, from INVITE to the last log line. It is the only place that knows about SIP,
 * media and the AI at once. Every way a call can end goes through `end(reason)`, which releases
 * everything exactly once.
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
  #state: State = 'setting-up';
  #rtp: RtpSession<PlaybackItem> | undefined;
  #playback: PlaybackLedger | undefined;
  #backend: RealtimeBackend | undefined;
  #bridge: MediaBridge | undefined;
  #dialog: Dialog | undefined;
  #media: NegotiatedMedia | undefined;
  /** Our o= line state for this dialog (RFC 3264 §8: version bumps only when our SDP changes). */
  #sdpSession: LocalSdpSession | undefined;
  #transcript: TranscriptLog | undefined;
  #dtmf: DtmfInput | undefined;
  #tools: ToolDispatcher | undefined;
  #handingBack = false;
  #endReason: EndReason | undefined;
  #ended: Promise<void> | undefined;
  readonly #onEnded: (call: Call) => void;

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
    this.log.info(
      {
        source: `${incoming.source.transport}:${incoming.source.address}:${incoming.source.port}`,
        caller: context.callerNumber,
        dialled: context.dialledNumber,
        connect: { initialContactId: context.initialContactId, instanceId: context.instanceId, uui: context.uui?.json ?? context.uui?.text },
      },
      'call offered',
    );
    for (const problem of problems) this.log.warn({ problem }, 'Connect context problem (call proceeds)');
  }

  get state(): State {
    return this.#state;
  }

  get endReason(): EndReason | undefined {
    return this.#endReason;
  }

  /** Runs the call set-up; never throws (every failure ends the call with the right SIP answer). */
  async start(): Promise<void> {
    this.#incoming.on('cancel', () => void this.end('cancelled'));
    try {
      await this.#setUp();
    } catch (err) {
      this.log.error({ err }, 'call set-up failed');
      await this.end('error');
    }
  }

  async #setUp(): Promise<void> {
    const env = this.#env;
    const offer = this.#incoming.offer;

    // Reject an unusable offer before taking any resource (scanners and misconfigured trunks).
    if (offer !== undefined) {
      const probe = negotiate(offer, this.#prefs(9));
      if (!probe.ok) {
        this.log.warn({ status: probe.status, reason: probe.reason }, 'SDP offer rejected');
        const phrase = probe.status === 488 ? 'Not Acceptable Here' : 'Bad Request';
        this.#reject(probe.status, `${phrase} (${probe.reason})`, [['Warning', `399 ${env.media.advertisedAddress} "${probe.warning}"`]]);
        return void (await this.end('rejected'));
      }
      this.#media = probe.media;
    }

    const codec = this.#media?.codec.name ?? env.media.codecs[0] ?? 'PCMU';
    try {
      this.#rtp = await RtpSession.open<PlaybackItem>({
        clock: env.clock,
        scheduler: env.scheduler,
        logger: this.log,
        ports: env.ports,
        bindAddress: env.media.bindAddress,
        codec,
        payloadType: this.#media?.codec.payloadType ?? (codec === 'PCMU' ? 0 : 8),
        ...(this.#media?.dtmf ? { dtmfPayloadType: this.#media.dtmf.payloadType } : {}),
        rtcpMux: this.#media?.rtcpMux ?? false,
        inactivityMs: env.media.inactivityMs,
        jitter: env.media.jitter,
      });
    } catch (err) {
      this.log.error({ err }, 'no RTP port available');
      this.#reject(503, 'Service Unavailable (no media ports)', [['Retry-After', String(env.retryAfterS)]]);
      return void (await this.end('rejected'));
    }
    this.#playback = new PlaybackLedger(this.#rtp.playout, { codec, measureLevels: env.echoGuard !== undefined });
    if (this.#state !== 'setting-up') return; // cancelled while binding

    let answerSdp: string;
    let pending: PendingOffer | undefined;
    if (offer !== undefined) {
      const result = negotiate(offer, this.#prefs(this.#rtp.localPort));
      if (!result.ok) throw new Error(`SDP negotiation failed on the second pass: ${result.reason}`);
      this.#sdpSession = result.session;
      this.#applyMedia(result.media);
      answerSdp = result.answerSdp;
    } else {
      // RFC 3264 §5 via RFC 3261 §13.2.1: SDP-less INVITE, our offer goes in the 200, the answer in the ACK.
      const created = createOffer(this.#prefs(this.#rtp.localPort));
      this.#sdpSession = created.session;
      pending = created.pending;
      answerSdp = created.offerSdp;
    }

    // Open the AI session while the phone rings, so the caller never hears a dead first second.
    this.#incoming.progress(180);
    this.timeline.ringingAt = env.clock.wallNow();
    const rendered = renderSessionConfig(env.agent, this.context, realtimeFormatFor(env.agent.audioMode, codec));
    for (const problem of rendered.problems) this.log.warn({ problem }, 'agent session rendering problem');
    const backend = env.realtime.create({ logger: this.log, callId: this.callId, clock: this.#clock });
    this.#backend = backend;
    this.#wireBackend(backend);
    let realtimeReady = true;
    try {
      await backend.connect(rendered.config, { timeoutMs: env.realtimeConnectTimeoutMs, signal: this.#abort.signal });
    } catch (err) {
      if (this.#state !== 'setting-up') return;
      realtimeReady = false;
      if (!env.agent.handBack.onRealtimeFailure) {
        this.log.error({ err }, 'Realtime unavailable: rejecting the call so Connect takes its error branch');
        this.#reject(503, 'Service Unavailable (AI backend unreachable)', [['Retry-After', String(env.retryAfterS)]]);
        return void (await this.end('realtime-unavailable'));
      }
      this.log.error({ err }, 'Realtime unavailable: answering to apologise and hand the caller back to Connect');
    }
    if (this.#state !== 'setting-up') return;
    if (realtimeReady) {
      this.timeline.realtimeReadyAt = env.clock.wallNow();
      this.#bridge = new MediaBridge(this.#rtp, this.#playback, backend, env.agent.audioMode, codec, this.log, env.echoGuard);
      backend.on('speechStarted', () => {
        // With interrupt_response the server cancels its response itself; otherwise we do.
        const td = rendered.config.turnDetection;
        this.#bridge?.bargeIn({ cancel: td !== null && !td.interruptResponse });
      });
      this.#transcript = new TranscriptLog(backend, () => env.clock.wallNow());
      this.#dtmf = new DtmfInput(env.agent, this.context, backend, this.#clock, this.log);
      this.#tools = new ToolDispatcher(
        env.tools,
        backend,
        this.#control(),
        { callId: this.callId, connect: this.context, handBackAttributes: this.#handBackAttributes, signal: this.#abort.signal },
        this.log,
      );
    }

    let dialog: Dialog;
    try {
      dialog = await this.#incoming.accept(answerSdp);
    } catch (err) {
      if (this.#state === 'setting-up') {
        this.log.warn({ err }, 'call not confirmed');
        await this.end('no-ack');
      }
      return;
    }
    this.#dialog = dialog;
    dialog.setLocalSdp(answerSdp);
    this.timeline.answeredAt = env.clock.wallNow();
    if (this.#state !== 'setting-up') {
      // Ended (e.g. shutdown) while the 200 OK was in flight: hang up the dialog we just confirmed.
      await dialog.bye().catch(() => undefined);
      return;
    }
    this.#state = 'answered';
    this.timeline.confirmedAt = env.clock.wallNow();
    if (pending) {
      const answer = dialog.ackBody === undefined ? undefined : acceptAnswer(pending, dialog.ackBody);
      if (!answer || !answer.ok) {
        this.log.warn({ reason: answer?.ok === false ? answer.reason : 'ACK carried no SDP answer' }, 'unusable SDP answer in ACK');
        return void (await this.end('error'));
      }
      this.#applyMedia(answer.media);
    }
    dialog.on('bye', () => void this.end('remote-bye'));
    dialog.on('terminated', (reason) => void this.end(reason === 'session-expired' ? 'session-expired' : reason === 'no-ack' ? 'no-ack' : 'remote-bye'));
    dialog.on('offer', (o) => this.#onReoffer(o.sdp, o.method, o.respond));
    dialog.on('info', (info) => {
      const key = parseDtmfInfo(info.contentType, info.body);
      if (key === undefined) {
        info.respond(415);
        return;
      }
      info.respond(200);
      this.#dtmf?.key(key, 'info');
    });
    this.#rtp.on('dtmf', (ev) => this.#dtmf?.key(ev.digit, 'rfc4733'));
    this.#rtp.on('inactive', ({ silentMs }) => {
      this.log.warn({ silentMs }, 'no RTP from the caller: hanging up');
      void this.end('rtp-timeout');
    });
    this.log.info({ codec, mode: env.agent.audioMode, localPort: this.#rtp.localPort, srtp: Boolean(this.#media?.srtp) }, 'call answered');
    if (!realtimeReady) {
      await this.#apologiseAndHandBack('the AI backend could not be reached');
      return;
    }
    if (rendered.greeting !== undefined) backend.createResponse({ instructions: rendered.greeting });
  }

  #wireBackend(backend: RealtimeBackend): void {
    backend.on('error', (e) => this.log.warn({ code: e.code, message: e.message, fatal: e.fatal }, 'Realtime error event'));
    backend.on('responseDone', ({ responseId }) => this.#playback?.responseDone(responseId));
    backend.on('state', ({ state, reason }) => {
      if (state === 'reconnecting') this.log.warn({ reason }, 'Realtime socket lost: reconnecting');
      if (state === 'ready' && this.#state === 'answered') this.log.info('Realtime session ready again');
      if (state === 'closed' && this.#state === 'answered' && !this.#handingBack) {
        // Reconnecting did not work: the caller hears the gateway's own apology, Connect gets the caller back.
        this.log.error({ reason }, 'Realtime session lost for good');
        void this.#apologiseAndHandBack(`the AI backend failed: ${reason ?? 'closed'}`);
      }
    });
  }

  #control(): CallControl {
    return {
      finishSpeaking: (responseId) => this.#finishSpeaking(responseId),
      hangUp: (outcome, reason, summary) => this.#handBack(outcome, reason, summary),
      sendDtmf: async (digits) => {
        const rtp = this.#rtp;
        if (!rtp) return false;
        for (const d of digits) if (!(await rtp.sendDtmf(d))) return false;
        return true;
      },
    };
  }

  /**
   * Resolves once every byte of `responseId`'s audio has left as RTP: its response.done arrived (so
   * no more audio is coming) and the playout queue has drained. Bounded, and immediate if the call ends.
   */
  async #finishSpeaking(responseId: string | undefined): Promise<void> {
    const playback = this.#playback;
    if (!playback) return;
    let timer: TimerId | undefined;
    const bound = new Promise<void>((resolve) => (timer = this.#clock.setTimeout(resolve, MAX_FINISH_SPEAKING_MS)));
    await Promise.race([playback.whenPlayedOut(responseId), bound]);
    this.#clock.clearTimeout(timer);
  }

  /** Writes the outcome to the Connect contact so the flow can route on it, then BYE. */
  async #handBack(outcome: HandBackOutcome, reason: string, summary?: string): Promise<void> {
    if (this.#handingBack || this.#state !== 'answered') return;
    this.#handingBack = true;
    const report = await handBackContact(
      this.#env.connect.writer,
      this.context,
      { instanceId: this.#env.connect.instanceId, region: this.#env.connect.region },
      {
        outcome,
        reason,
        summary: summary ?? this.#transcript?.summary() ?? '',
        at: this.#env.clock.wallNow(),
        transcript: this.#transcript?.turns ?? [],
        extra: Object.fromEntries(this.#handBackAttributes),
      },
    );
    for (const problem of report.problems) this.log.warn({ problem }, 'hand-back attribute problem');
    if (report.result.ok) {
      this.log.info({ outcome, attempts: report.result.attempts, target: report.target, attributes: Object.keys(report.attributes) }, 'contact attributes updated');
    } else {
      this.log.error({ outcome, error: report.result.error }, 'could not update the contact attributes (hanging up anyway)');
    }
    await this.end(outcome === 'ai_unavailable' ? 'realtime-failed' : outcome === 'transfer_to_human' ? 'handed-back' : 'agent-hangup');
  }

  /** The AI is gone: say sorry in the gateway's own voice (a fixture prompt), then hand back. */
  async #apologiseAndHandBack(reason: string): Promise<void> {
    if (this.#handingBack) return;
    this.#bridge?.close();
    const playback = this.#playback;
    const apology = this.#env.agent.handBack.apologyAudio;
    if (playback && apology.samples.length > 0) {
      playback.stop();
      const codec = g711Codec(this.#media?.codec.name ?? 'PCMU');
      const bytes = new Uint8Array(apology.samples.length);
      codec.encode(apology.samples, bytes);
      playback.play(APOLOGY_ID, APOLOGY_ID, 0, bytes);
      playback.endItem(APOLOGY_ID);
      await this.#finishSpeaking(undefined);
    }
    await this.#handBack('ai_unavailable', reason);
  }

  #prefs(port: number): NegotiationPrefs {
    const env = this.#env;
    return {
      codecs: env.media.codecs,
      dtmf: true,
      srtp: env.media.srtp,
      local: { address: env.media.advertisedAddress, port },
      ...(this.#sdpSession ? { session: this.#sdpSession } : {}),
    };
  }

  /**
   * re-INVITE or UPDATE in the dialog (RFC 3264 §8): hold/resume, a new address or codec, or a plain
   * session refresh. A refused re-offer leaves the media as it was (RFC 3261 §14.2).
   */
  #onReoffer(sdp: string | undefined, method: 'INVITE' | 'UPDATE', respond: DialogOffer['respond']): void {
    const rtp = this.#rtp;
    const previous = this.#media;
    if (this.#state !== 'answered' || !rtp || !previous || !this.#sdpSession) {
      respond(491);
      return;
    }
    if (sdp === undefined) {
      // An offer-less re-INVITE asks for our offer; our current SDP is it (answer arrives in the ACK).
      respond(200);
      return;
    }
    const result = renegotiate(previous, sdp, { ...this.#prefs(rtp.localPort), session: this.#sdpSession });
    if (!result.ok) {
      this.log.warn({ method, status: result.status, reason: result.reason }, 're-offer refused; media unchanged');
      respond(result.status, { headers: [['Warning', `399 ${this.#env.media.advertisedAddress} "${result.warning}"`]] });
      return;
    }
    const { media, changes } = result;
    this.#media = media;
    rtp.updateRemote({
      ...(changes.remoteAddress ? { remote: { address: media.remoteAddress, port: media.remotePort, rtcpPort: media.remoteRtcpPort } } : {}),
      ...(changes.codec ? { codec: media.codec.name, payloadType: media.codec.payloadType } : {}),
      ...(changes.dtmf ? { dtmfPayloadType: media.dtmf?.payloadType ?? null } : {}),
      ...(changes.srtp ? { srtp: media.srtp ? new SrtpSession({ local: media.srtp.localKeys, remote: media.srtp.remoteKeys }) : null } : {}),
    });
    if (changes.codec) {
      this.#bridge?.codecChanged(media.codec.name);
      this.#playback?.codecChanged(media.codec.name);
    }
    if (changes.direction) rtp.setDirection(media.direction);
    this.log.info({ method, direction: media.direction, onHold: media.onHold, changes }, 'session modified');
    respond(200, { sdp: result.answerSdp });
  }

  #applyMedia(media: NegotiatedMedia): void {
    this.#media = media;
    this.#rtp?.updateRemote({
      remote: { address: media.remoteAddress, port: media.remotePort, rtcpPort: media.remoteRtcpPort },
      codec: media.codec.name,
      payloadType: media.codec.payloadType,
      dtmfPayloadType: media.dtmf?.payloadType ?? null,
      srtp: media.srtp ? new SrtpSession({ local: media.srtp.localKeys, remote: media.srtp.remoteKeys }) : null,
    });
    this.#rtp?.setDirection(media.direction);
  }

  #reject(status: number, reason: string, headers: Array<[string, string]> = []): void {
    if (this.#incoming.state === 'proceeding') this.#incoming.reject(status, { reason, headers });
  }

  /**
   * The one teardown. Idempotent: the first reason wins and later calls wait for the same end.
   * Order matters: media stops first (no RTP after the caller's BYE was answered), then the AI
   * session closes (no more appends), then SIP, then the summary is logged.
   */
  end(reason: EndReason): Promise<void> {
    if (this.#ended) return this.#ended;
    this.#endReason = reason;
    const wasAnswered = this.#state === 'answered';
    this.#state = 'ending';
    this.#ended = (async () => {
      this.#abort.abort();
      this.#bridge?.close();
      this.#playback?.close();
      this.#dtmf?.close();
      const rtpClosed = this.#rtp?.close(reason);
      const backendClosed = this.#backend?.close();
      if (!wasAnswered && reason !== 'cancelled' && reason !== 'rejected' && reason !== 'realtime-unavailable') {
        this.#reject(reason === 'shutdown' ? 503 : 500, reason === 'shutdown' ? 'Service Unavailable (shutting down)' : 'Server Internal Error');
      }
      const hangUp = wasAnswered && this.#dialog && reason !== 'remote-bye' && reason !== 'no-ack';
      await Promise.allSettled([rtpClosed, backendClosed, hangUp ? this.#dialog!.bye({ reason: byeReason(reason) }) : undefined]);
      this.#state = 'ended';
      this.timeline.endedAt = this.#env.clock.wallNow();
      this.#onEnded(this);
      this.log.info(
        {
          reason,
          durationMs: this.timeline.answeredAt ? this.timeline.endedAt - this.timeline.answeredAt : 0,
          timeline: this.timeline,
          media: this.#rtp?.stats(),
          bridge: this.#bridge
            ? {
                framesToRealtime: this.#bridge.framesToRealtime,
                concealedToRealtime: this.#bridge.concealedToRealtime,
                echoSuppressedFrames: this.#bridge.echoSuppressedFrames,
                bargeIns: this.#bridge.bargeIns,
              }
            : undefined,
          realtime: this.#backend?.stats(),
          tools: this.#tools ? { calls: this.#tools.calls, failures: this.#tools.failures } : undefined,
          dtmfDigits: this.#dtmf?.digitsReceived ?? 0,
          transcript: this.#transcript?.turns.map((t) => `${t.role}: ${t.text}`),
          pacing: this.#env.pacing(),
          resources: { ...this.#env.resources(), callTimers: this.#clock.pendingTimers },
        },
        'call ended',
      );
    })();
    return this.#ended;
  }
}

function byeReason(reason: EndReason): string {
  switch (reason) {
    case 'rtp-timeout':
      return 'SIP;cause=408;text="RTP timeout"';
    case 'session-expired':
      return 'SIP;cause=408;text="Session expired"';
    case 'realtime-failed':
      return 'SIP;cause=503;text="AI backend lost"';
    case 'shutdown':
      return 'SIP;cause=503;text="Gateway shutting down"';
    case 'handed-back':
      return 'SIP;cause=200;text="Transfer to a human"';
    case 'agent-hangup':
      return 'SIP;cause=200;text="Call completed"';
    default:
      return `SIP;cause=200;text="${reason}"`;
  }
}
