/**
 * One call placed by Debian's baresip, an independent SIP/RTP stack: started headless with a
 * generated config folder, driven over ctrl_tcp (dial, RFC 4733 key presses, hangup, quit), its
 * speech from a WAV and what it heard recorded to a WAV. Every step is bounded; whatever happens,
 * baresip is stopped (quit, then SIGTERM, then SIGKILL) before this returns.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Launcher, ToolProcess } from '../../runner/backends/backend.js';
import { readWav, wavBytes } from '../wav.js';
import { writeBaresipConfig } from './config.js';
import { BaresipControl, type BaresipEvent } from './ctrl-tcp.js';
import { describeError } from 'connect-realtime-gateway';

export interface BaresipCallOptions {
  launcher: Launcher;
  /** Folder for the config, the source WAV, the recordings and the log. */
  dir: string;
  /** Our address, 127.0.0.x. */
  address: string;
  sipPort: number;
  ctrlPort: number;
  rtpPorts: [number, number];
  /** Where to send the INVITE (the lab tap, or the gateway). */
  target: { address: string; port: number };
  fromUser: string;
  toUser: string;
  codecs: Array<'PCMU' | 'PCMA'>;
  /** The utterance (8 kHz mono WAV) and when it starts after the answer, ms. */
  speech?: { wav: string; atMs: number };
  /** Key presses, ms after the answer; each digit is pressed and released, then `gapMs` pause. */
  dtmf: Array<{ atMs: number; digits: string; gapMs: number }>;
  hangupAfterMs: number;
  /** Bound on the whole call, ms. */
  timeoutMs: number;
}

export interface BaresipCallResult {
  established: boolean;
  /** performance.now() times. */
  dialledAt?: number;
  establishedAt?: number;
  closedAt?: number;
  /** baresip's CALL_CLOSED reason (e.g. "Connection reset by peer" when the far end hung up). */
  closeReason?: string;
  /** We sent the BYE (true), or the far end ended the call (false). */
  hungUpByCaller: boolean;
  dtmfSent: Array<{ at: number; digit: string; ok: boolean }>;
  /** The WAV of what baresip decoded from the gateway (8 kHz), when it wrote one. */
  heardWav?: string;
  /** The WAV baresip sent from (lead-in silence, the utterance, silence to the end). */
  sentWav: string;
  exitCode: number | null;
  events: BaresipEvent[];
  /** What went wrong, one line each. */
  problems: string[];
}

const START_MS = 5_000;
const ANSWER_MS = 10_000;
const CLOSE_MS = 5_000;
const QUIT_MS = 3_000;
const RATE = 8000;

/** Lead-in silence + utterance + silence, long enough that aufile never runs dry during the call. */
function sourceWav(path: string, speech: BaresipCallOptions['speech'], totalMs: number): string {
  const total = Math.ceil((totalMs * RATE) / 1000);
  const samples = new Int16Array(total);
  if (speech) {
    const { samples: utterance, sampleRate } = readWav(speech.wav);
    if (sampleRate !== RATE) throw new Error(`${speech.wav}: baresip's aufile needs ${RATE} Hz, got ${sampleRate}`);
    const at = Math.round((speech.atMs * RATE) / 1000);
    samples.set(utterance.subarray(0, Math.max(0, total - at)), at);
  }
  writeFileSync(path, wavBytes(samples, RATE));
  return path;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function placeBaresipCall(o: BaresipCallOptions): Promise<BaresipCallResult> {
  const recordDir = join(o.dir, 'recordings');
  mkdirSync(o.dir, { recursive: true });
  const sentWav = sourceWav(join(o.dir, 'caller-source.wav'), o.speech, o.hangupAfterMs + 5_000);
  writeBaresipConfig(join(o.dir, 'config'), {
    address: o.address,
    sipPort: o.sipPort,
    ctrlPort: o.ctrlPort,
    rtpPorts: o.rtpPorts,
    sourceWav: sentWav,
    recordDir,
    codecs: o.codecs,
    user: o.fromUser,
  });
  const result: BaresipCallResult = { established: false, hungUpByCaller: false, dtmfSent: [], sentWav, exitCode: null, events: [], problems: [] };
  const deadline = performance.now() + o.timeoutMs;
  const left = (): number => Math.max(0, deadline - performance.now());
  // -t: baresip quits by itself after this long even if nothing else stops it.
  const selfQuitS = Math.ceil(o.timeoutMs / 1000) + 5;
  const proc = await o.launcher.spawn('baresip', ['-f', join(o.dir, 'config'), '-t', String(selfQuitS)], { cwd: o.dir, name: 'baresip' });
  const log: string[] = [];
  proc.stdout.on('data', (d: Buffer) => log.push(d.toString()));
  proc.stderr.on('data', (d: Buffer) => log.push(d.toString()));
  let ctrl: BaresipControl | undefined;
  try {
    const startError = await Promise.race([proc.startError, sleep(200).then(() => undefined)]);
    if (startError) throw startError;
    ctrl = await BaresipControl.connect(o.address, o.ctrlPort, Math.min(START_MS, left()));
    result.dialledAt = performance.now();
    const dial = await ctrl.command('dial', `sip:${o.toUser}@${o.target.address}:${o.target.port}`);
    if (!dial.ok) throw new Error(`dial refused: ${dial.data}`);
    const answered = await ctrl.waitFor((e) => e.type === 'CALL_ESTABLISHED' || e.type === 'CALL_CLOSED', Math.min(ANSWER_MS, left()));
    if (answered?.type !== 'CALL_ESTABLISHED') {
      throw new Error(answered ? `call closed before it was answered: ${answered.param ?? ''}` : `no answer within ${ANSWER_MS} ms`);
    }
    result.established = true;
    result.establishedAt = answered.at;
    const closed = ctrl.waitFor((e) => e.type === 'CALL_CLOSED', o.hangupAfterMs + CLOSE_MS + 1_000);
    let remoteClosed = false;
    void closed.then((e) => (remoteClosed = e !== undefined));
    // Key presses, in time order, while the call lasts.
    const presses = o.dtmf.flatMap((d) => [...d.digits].map((digit, i) => ({ at: d.atMs + i * d.gapMs, digit }))).sort((a, b) => a.at - b.at);
    for (const p of presses) {
      if (p.at >= o.hangupAfterMs) break;
      await sleep(answered.at + p.at - performance.now());
      if (remoteClosed) break;
      const r = await ctrl.command('sndcode', p.digit);
      result.dtmfSent.push({ at: performance.now(), digit: p.digit, ok: r.ok });
      if (!r.ok) result.problems.push(`sndcode ${p.digit}: ${r.data}`);
    }
    await Promise.race([sleep(answered.at + o.hangupAfterMs - performance.now()), closed]);
    if (!remoteClosed) {
      result.hungUpByCaller = true;
      const r = await ctrl.command('hangup');
      if (!r.ok) result.problems.push(`hangup: ${r.data}`);
    }
    const end = await ctrl.waitFor((e) => e.type === 'CALL_CLOSED', Math.min(CLOSE_MS, left()));
    if (end) {
      result.closedAt = end.at;
      if (end.param !== undefined) result.closeReason = end.param;
    } else {
      result.problems.push(`no CALL_CLOSED within ${CLOSE_MS} ms of the hangup`);
    }
  } catch (err) {
    result.problems.push(describeError(err));
  } finally {
    result.exitCode = await stop(proc, ctrl);
    if (ctrl) result.events = ctrl.events;
    ctrl?.close();
    writeFileSync(join(o.dir, 'baresip.log'), log.join(''));
  }
  const dump = readdirSync(recordDir).filter((f) => f.endsWith('-dec.wav'));
  if (dump.length === 1) result.heardWav = join(recordDir, dump[0]!);
  else result.problems.push(`expected one received-audio recording, found ${dump.length}`);
  return result;
}

/** quit over ctrl_tcp, then SIGTERM, then SIGKILL: baresip never outlives the call. */
async function stop(proc: ToolProcess, ctrl: BaresipControl | undefined): Promise<number | null> {
  const exited = (ms: number): Promise<boolean> => Promise.race([proc.exited.then(() => true), sleep(ms).then(() => false)]);
  if (ctrl) await ctrl.command('quit', '', 1_000);
  if (!(await exited(QUIT_MS))) {
    proc.kill('SIGTERM');
    if (!(await exited(QUIT_MS))) proc.kill('SIGKILL');
  }
  return proc.exited;
}
