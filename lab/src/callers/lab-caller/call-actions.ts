/**
 * What each timeline action does to the call. Actions never throw: each ends its ActionRecord as
 * done, failed (with why) or skipped; the asynchronous ones (re-INVITE, INFO, waitForBye, the
 * barge-in trigger) complete their record when they finish.
 */
import { background, note, type CallContext } from './call-context.js';
import { newBranch, newCallId, newTag } from 'connect-realtime-gateway';
import { reinvite, inDialogRequest, sendBye } from './dialog-requests.js';
import { requestCancel } from './invite-flow.js';
import type { ActionRecord } from './result.js';
import { DEFAULT_DTMF_GAP_MS, DEFAULT_DTMF_MS, DEFAULT_TALK_THRESHOLD_DBOV, type TimelineEntry } from './script.js';

function finish(record: ActionRecord, outcome: ActionRecord['outcome'], detail?: string): void {
  record.outcome = outcome;
  if (detail !== undefined) record.detail = detail;
}

function established(ctx: CallContext, record: ActionRecord): boolean {
  if (ctx.state.phase === 'confirmed') return true;
  finish(record, 'skipped', `call is ${ctx.state.phase}`);
  return false;
}

function wav(ctx: CallContext, path: string): Int16Array {
  // Every path was loaded before the call started (scriptWavPaths).
  return ctx.wavs.get(path) ?? new Int16Array(0);
}

function settle(record: ActionRecord, p: Promise<string>): void {
  record.outcome = 'pending';
  void p.then((r) => (r === 'done' ? finish(record, 'done') : finish(record, r.startsWith('skipped') ? 'skipped' : 'failed', r)));
}

export function runAction(ctx: CallContext, entry: TimelineEntry, record: ActionRecord): void {
  const a = entry.action;
  if ('cancel' in a) {
    if (requestCancel(ctx)) finish(record, 'done');
    else finish(record, 'skipped', `nothing to cancel (call is ${ctx.state.phase})`);
    return;
  }
  if ('options' in a) {
    settle(record, sendOptions(ctx));
    return;
  }
  if (!established(ctx, record)) return;

  if ('speak' in a) {
    if (ctx.media.speak(wav(ctx, a.speak), a.gainDb ?? 0)) finish(record, 'done');
    else finish(record, 'failed', 'too many inserts playing at once');
  } else if ('dtmf' in a) {
    const duration = a.durationMs ?? DEFAULT_DTMF_MS;
    const gap = a.gapMs ?? DEFAULT_DTMF_GAP_MS;
    if ((a.via ?? 'rfc4733') === 'rfc4733') {
      if (ctx.media.dtmf(a.dtmf, duration, gap)) finish(record, 'done');
      else finish(record, 'failed', 'no telephone-event negotiated (or digit queue full)');
    } else {
      settle(record, sendInfoDigits(ctx, a.dtmf, duration, gap));
    }
  } else if ('hold' in a) {
    ctx.state.want = 'sendonly';
    settle(record, reinvite(ctx, 'sendonly'));
  } else if ('resume' in a) {
    ctx.state.want = 'sendrecv';
    settle(record, reinvite(ctx, 'sendrecv'));
  } else if ('reinvite' in a) {
    const direction = a.reinvite.direction ?? ctx.state.want;
    settle(record, reinvite(ctx, direction, a.reinvite.codecs));
  } else if ('bye' in a) {
    finish(record, 'done');
    background(ctx, sendBye(ctx, 'bye-sent'));
  } else if ('echo' in a) {
    ctx.media.setEcho(a.echo === false ? undefined : a.echo);
    finish(record, 'done');
  } else if ('waitForBye' in a) {
    waitForBye(ctx, record, a.waitForBye.timeoutMs);
  } else if ('speakWhenAgentTalking' in a) {
    const w = a.speakWhenAgentTalking;
    ctx.media.armTalkTrigger({
      afterMs: w.afterMs,
      samples: wav(ctx, w.wav),
      gainDb: w.gainDb ?? 0,
      thresholdDbov: w.thresholdDbov ?? DEFAULT_TALK_THRESHOLD_DBOV,
      onFire: (t, onset) => {
        record.t = t;
        finish(record, 'done', `agent talking since ${onset.toFixed(1)} ms; spoke at ${t.toFixed(1)} ms`);
      },
    });
  }
}

/** RFC 3261 §11 OPTIONS outside the dialog: its own Call-ID and tag, to the target. */
async function sendOptions(ctx: CallContext): Promise<string> {
  const req = ctx.dialog.outOfDialogOptions(newCallId(ctx.dialog.local.address), newTag(), newBranch());
  const sentAt = ctx.clock.now();
  const o = await ctx.agent.request(req, ctx.opts.target).done;
  if (o.kind !== 'final') return `failed: no final response (${o.kind})`;
  const ms = (ctx.clock.now() - sentAt).toFixed(1);
  return o.response.status < 300 ? 'done' : `failed: ${o.response.status} ${o.response.reason} after ${ms} ms`;
}

/** SIP INFO application/dtmf-relay, one request per digit, spaced like key presses. */
async function sendInfoDigits(ctx: CallContext, digits: string, durationMs: number, gapMs: number): Promise<string> {
  let failures = 0;
  for (const digit of digits) {
    if (ctx.state.phase !== 'confirmed') return 'skipped: call ended meanwhile';
    const started = ctx.clock.now();
    const entry: CallContext['state']['dtmfSent'][number] = { t: started, digit, via: 'info' };
    ctx.state.dtmfSent.push(entry);
    const body = Buffer.from(`Signal=${digit}\r\nDuration=${Math.round(durationMs)}\r\n`);
    const { outcome } = await inDialogRequest(ctx, 'INFO', { body, contentType: 'application/dtmf-relay' });
    if (outcome.kind === 'final') entry.status = outcome.response.status;
    if (outcome.kind !== 'final' || outcome.response.status >= 300) failures++;
    const next = started + durationMs + gapMs;
    await ctx.clock.sleep(next - ctx.clock.now());
  }
  return failures === 0 ? 'done' : `failed: ${failures} of ${digits.length} INFO requests not accepted`;
}

function waitForBye(ctx: CallContext, record: ActionRecord, timeoutMs: number): void {
  record.outcome = 'pending';
  const deadline = ctx.clock.after(timeoutMs, () => {
    if (ctx.state.phase !== 'confirmed') return;
    finish(record, 'timeout', `gateway did not hang up within ${timeoutMs} ms; we sent BYE`);
    note(ctx, `waitForBye: no BYE within ${timeoutMs} ms`);
    background(ctx, sendBye(ctx, 'bye-sent'));
  });
  ctx.onEnd(() => {
    deadline();
    if (record.outcome === 'pending') finish(record, ctx.state.gatewayHungUp ? 'done' : 'skipped', ctx.state.gatewayHungUp ? 'gateway hung up' : 'call ended otherwise');
  });
}
