/**
 * The lab's own SIP caller: a real UAC and RTP/SRTP endpoint driven by a timeline script,
 * recording everything it sees. One LabCaller places one call:
 *
 *   const result = await new LabCaller({ target: '127.0.0.1:5060', transport: 'tls', srtp: 'sdes',
 *     tls: { rejectUnauthorized: false } }).run([{ at: 500, action: { speak: 'fixtures/caller-hello.wav' } },
 *     { at: 8000, action: { bye: true } }]);
 *
 * run() resolves with plain data once the call is over (BYE either way, CANCEL, rejection, or the
 * maxCallMs bound); it rejects only for local problems (options, script, WAVs, sockets).
 */
import { writeFileSync } from 'node:fs';
import { runAction } from './call-actions.js';
import { background, newCallState, note, type CallContext } from './call-context.js';
import { sendBye } from './dialog-requests.js';
import { LabCallerError, LabCallerErrorCode } from './errors.js';
import { describeError, newCallId, newTag } from 'connect-realtime-gateway';
import { placeCall, requestCancel } from './invite-flow.js';
import { MediaSession, type MediaRecords } from './media/media-session.js';
import { RtpEndpoint } from './media/rtp-endpoint.js';
import { isLoopbackV4, resolveOptions, type HostPort, type LabCallerOptions, type ResolvedOptions } from './options.js';
import { onPeerRequest, onStrayResponse } from './peer-requests.js';
import type { EndReason, LabCallerCounters, LabCallerResult, SipRecord } from './result.js';
import { RunClock } from './run-clock.js';
import { scriptWavPaths, validateScript, type LabScript } from './script.js';
import { LocalSdp } from './sdp/local-sdp.js';
import { UacDialog } from './sip/dialog.js';
import { SipAgent } from './sip/sip-agent.js';
import { Timeline } from './timeline.js';
import { loadSpeechWavs, receivedAudioWav } from './wav-loader.js';

/** After the call ends, sockets stay open this long so last messages go out and echoes are recorded, ms. */
const LINGER_MS = 50;
/** Past maxCallMs, the BYE or CANCEL we sent gets this long (beyond 64·T1) before the run is cut, ms. */
const LAST_RESORT_GRACE_MS = 2_000;

function zeroCounters(): LabCallerCounters {
  return {
    sipParseErrors: 0,
    sipUnmatchedResponses: 0,
    rtpMalformed: 0,
    srtpFailures: { short: 0, auth: 0, replay: 0, malformed: 0 },
    rtpFromUnexpectedSource: 0,
    recordsDropped: 0,
    internalErrors: 0,
  };
}

export class LabCaller {
  readonly options: ResolvedOptions;
  #ran = false;

  /** Throws LabCallerError (BAD_OPTION) naming the field when an option is wrong. */
  constructor(opts: LabCallerOptions) {
    this.options = resolveOptions(opts);
  }

  async run(script: LabScript): Promise<LabCallerResult> {
    if (this.#ran) throw new LabCallerError(LabCallerErrorCode.ALREADY_RUN, 'a LabCaller places one call; make a new one');
    this.#ran = true;
    validateScript(script);
    const wavs = loadSpeechWavs(scriptWavPaths(script));
    const o = this.options;
    const clock = new RunClock();
    const startedAtWallMs = Date.now();
    const state = newCallState();
    const counters = zeroCounters();
    const sip: SipRecord[] = [];
    const records: MediaRecords = { rtpReceived: [], rtpSent: [], rtcpReceived: [] };
    let endpoint: RtpEndpoint | undefined;
    let agent: SipAgent | undefined;
    let media: MediaSession | undefined;
    try {
      endpoint = await RtpEndpoint.open(o.localAddress);
      let ctx: CallContext | undefined;
      agent = await SipAgent.open(
        {
          transport: o.transport,
          localAddress: o.localAddress,
          localPort: o.localSipPort,
          target: o.target,
          tls: o.tls,
          clock,
          t1Ms: o.t1Ms,
          t2Ms: o.t2Ms,
          records: sip,
          counters,
          isLoopback: isLoopbackV4,
        },
        {
          onRequest: (req, from) => {
            if (ctx !== undefined) onPeerRequest(ctx, req, from);
          },
          onStrayResponse: (res) => {
            if (ctx !== undefined) onStrayResponse(ctx, res);
          },
          onClosed: (reason) => {
            if (ctx === undefined) return;
            note(ctx, `SIP transport closed: ${reason}`);
            ctx.finish('transport-closed');
          },
        },
      );
      const dialog = new UacDialog({
        callId: o.callId ?? newCallId(agent.localAddress),
        localTag: newTag(),
        local: {
          transport: o.transport,
          address: agent.localAddress,
          port: agent.localPort,
          user: o.fromUser,
          displayName: o.fromDisplayName,
          userAgent: o.userAgent,
        },
        target: o.target,
        toUser: o.toUser,
        initialCSeq: Math.floor(Math.random() * 10_000),
      });
      const sdp = new LocalSdp({
        address: o.localAddress,
        rtpPort: endpoint.rtpPort,
        codecs: o.codecs,
        telephoneEvent: o.telephoneEvent,
        srtp: o.srtp,
        srtpProfiles: o.srtpProfiles,
      });
      const warned = new Set<string>();
      const m = new MediaSession({
        clock,
        endpoint,
        records,
        counters,
        dropPackets: o.dropPackets,
        rtcpIntervalMs: o.rtcpIntervalMs,
        maxCallMs: o.maxCallMs,
        safeDestination: (hp: HostPort, what: string): HostPort => {
          if (isLoopbackV4(hp.host)) return hp;
          const key = `${what}|${hp.host}`;
          if (!warned.has(key) && ctx !== undefined) {
            warned.add(key);
            note(ctx, `${what} address ${hp.host} in the SDP is not loopback: sending to ${o.target.host}:${hp.port} instead`);
          }
          return { host: o.target.host, port: hp.port };
        },
        onDtmfDigit: (digit, t) => state.dtmfSent.push({ t, digit, via: 'rfc4733' }),
      });
      media = m;

      let endReason: EndReason | undefined;
      let resolveEnd!: (r: EndReason) => void;
      const ended = new Promise<EndReason>((r) => (resolveEnd = r));
      const endHooks: Array<() => void> = [];
      const timeline = new Timeline(script, clock, (entry, record) => ctx !== undefined && runAction(ctx, entry, record), state.actions);
      const c: CallContext = {
        opts: o,
        clock,
        agent,
        dialog,
        sdp,
        media: m,
        state,
        wavs,
        nextHop: (req) => dialog.nextHop(req, isLoopbackV4),
        finish: (reason) => {
          if (endReason !== undefined) return;
          endReason = reason;
          state.phase = 'ended';
          m.stop();
          timeline.close(`call ended (${reason}) first`);
          for (const h of endHooks) h();
          resolveEnd(reason);
        },
        onEnd: (fn) => {
          if (endReason !== undefined) fn();
          else endHooks.push(fn);
        },
        onAnswered: (t) => timeline.onAnswer(t),
      };
      ctx = c;

      clock.after(o.maxCallMs, () => {
        if (state.phase === 'ended') return;
        note(c, `maxCallMs (${o.maxCallMs} ms) reached`);
        if (state.phase === 'confirmed') background(c, sendBye(c, 'bye-sent'));
        else if (state.phase === 'inviting') requestCancel(c);
      });
      clock.after(o.maxCallMs + 64 * o.t1Ms + LAST_RESORT_GRACE_MS, () => {
        note(c, 'run cut: the far end never completed the last transaction');
        c.finish(state.answeredAt !== undefined ? 'bye-sent' : 'no-response');
      });

      timeline.onInvite(clock.now());
      placeCall(c).catch((err: unknown) => {
        state.internalErrors++;
        note(c, `internal error placing the call: ${describeError(err, { stack: true })}`);
        c.finish('no-response');
      });
      const reason = await ended;
      await clock.sleep(LINGER_MS);
      for (const a of state.actions) {
        if (a.outcome === 'pending') {
          a.outcome = 'skipped';
          a.detail ??= 'did not complete before the call ended';
        }
      }
      counters.internalErrors += state.internalErrors;
      return {
        transport: o.transport,
        callId: dialog.callId,
        startedAtWallMs,
        durationMs: clock.now(),
        finalStatus: state.finalStatus,
        finalReason: state.finalReason,
        inviteAttempts: state.inviteAttempts,
        answered: state.answeredAt !== undefined,
        endReason: reason,
        gatewayHungUp: state.gatewayHungUp,
        timings: state.timings,
        negotiated: state.negotiated,
        sip,
        rtpReceived: records.rtpReceived,
        rtpSent: records.rtpSent,
        rtcpReceived: records.rtcpReceived,
        actions: state.actions,
        dtmfSent: state.dtmfSent,
        receivedAudio: m.receivedAudio(),
        receivedCodec: m.receivedCodec,
        pacer: m.pacerStats,
        counters,
        notes: state.notes,
      };
    } finally {
      media?.stop();
      agent?.close();
      endpoint?.close();
      clock.dispose();
    }
  }
}

/** Writes the received (agent) audio of a result as an 8 kHz mono 16-bit WAV. */
export function writeReceivedWav(path: string, result: Pick<LabCallerResult, 'receivedAudio'>): void {
  writeFileSync(path, receivedAudioWav(result.receivedAudio));
}
