/**
 * Command-line flags of the lab caller, parsed into LabCallerOptions plus a timeline. Pure: no I/O
 * except reading a --script file through the injected reader. Any problem is a CliError with one
 * line of text (main prints it and exits 2).
 */
import { parse as parseYaml } from 'yaml';
import { isOfferCodecName, type OfferCodecName } from './codecs.js';
import { isLabCallerError } from './errors.js';
import { describeError, isSrtpProfile, type SrtpProfile } from 'connect-realtime-gateway';
import type { LabCallerOptions, LabCallerSessionTimer } from './options.js';
import { parseLabScript, type TimelineEntry } from './script.js';

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface CliRequest {
  options: LabCallerOptions;
  script: TimelineEntry[];
  /** Write the received audio here. */
  recordPath: string | undefined;
  /** Write the result as JSON here ('-' = stdout). */
  jsonPath: string | undefined;
  help: boolean;
}

export const USAGE = `usage: lab-caller --target 127.0.0.1:5060 [options]
  --transport udp|tcp|tls        SIP transport (default udp)
  --local 127.0.0.x              our address; --local-port N  our SIP port
  --ca FILE | --insecure         TLS: CA to trust, or accept any certificate
  --from USER --to USER --display NAME
  --header "Name: value"         extra INVITE header (repeatable): X-Amzn-*, User-to-User …
  --codecs PCMU,PCMA,G722…       offer list; --telephone-event PT | --no-telephone-event
  --srtp off|sdes                --srtp-profiles AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32
  --user NAME --password PW      digest credentials for 401/407
  --session-expires S [--min-se S] [--refresher uac|uas] [--no-refresh] [--refresh-method INVITE|UPDATE]
  --lose-acks N                  do not send the first N ACKs; --drop-packets 3,17,40
  --speak FILE[@MS]              play a WAV (8 kHz mono) MS after the answer (repeatable)
  --barge-in AFTER_MS:FILE       speak FILE once the agent has talked for AFTER_MS
  --echo GAIN_DB,DELAY_MS[@MS]   echo the agent back (e.g. -20,40)
  --dtmf DIGITS[@MS]             RFC 4733; --dtmf-info DIGITS[@MS] via SIP INFO
  --hold MS  --resume MS         re-INVITE sendonly / sendrecv at MS
  --hangup-after MS              BYE at MS;  --wait-for-bye MS  expect the gateway's BYE
  --cancel-after MS              CANCEL MS after the INVITE;  --options  OPTIONS ping first
  --script FILE                  timeline (JSON or YAML array of {at, action}) added to the flags
  --max-call MS  --answer-timeout MS
  --record FILE                  write the received audio as WAV;  --json FILE|-  write the result`;

const VALUE_FLAGS = new Set([
  '--target', '--transport', '--local', '--local-port', '--ca', '--from', '--to', '--display', '--header', '--codecs',
  '--telephone-event', '--srtp', '--srtp-profiles', '--user', '--password', '--session-expires', '--min-se', '--refresher',
  '--refresh-method', '--lose-acks', '--drop-packets', '--speak', '--barge-in', '--echo', '--dtmf', '--dtmf-info', '--hold',
  '--resume', '--hangup-after', '--wait-for-bye', '--cancel-after', '--script', '--max-call', '--answer-timeout', '--record', '--json',
]);
const BOOL_FLAGS = new Set(['--insecure', '--no-telephone-event', '--no-refresh', '--options', '--help', '-h']);

function num(flag: string, v: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw new CliError(`${flag}: "${v}" is not a number`);
  return Number(v);
}

/** "X@MS" → [X, MS] (MS defaults to `dflt`). */
function at(flag: string, v: string, dflt = 0): [string, number] {
  const i = v.lastIndexOf('@');
  if (i < 0) return [v, dflt];
  return [v.slice(0, i), num(flag, v.slice(i + 1))];
}

export function parseCliArgs(argv: readonly string[], readFile: (path: string) => string): CliRequest {
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (BOOL_FLAGS.has(a)) {
      bools.add(a);
      continue;
    }
    if (!VALUE_FLAGS.has(a)) throw new CliError(`unknown flag ${a} (see --help)`);
    const v = argv[i + 1];
    if (v === undefined) throw new CliError(`${a} needs a value`);
    i++;
    values.set(a, [...(values.get(a) ?? []), v]);
  }
  const help = bools.has('--help') || bools.has('-h');
  const one = (f: string): string | undefined => {
    const all = values.get(f);
    if (all !== undefined && all.length > 1) throw new CliError(`${f} given more than once`);
    return all?.[0];
  };
  const many = (f: string): string[] => values.get(f) ?? [];

  const target = one('--target');
  if (target === undefined && !help) throw new CliError('--target host:port is required');
  const options: LabCallerOptions = { target: target ?? '127.0.0.1:5060' };
  const transport = one('--transport');
  if (transport !== undefined) {
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new CliError(`--transport: ${transport} is not udp, tcp or tls`);
    options.transport = transport;
  }
  const local = one('--local');
  if (local !== undefined) options.localAddress = local;
  const localPort = one('--local-port');
  if (localPort !== undefined) options.localSipPort = num('--local-port', localPort);
  const ca = one('--ca');
  if (ca !== undefined || bools.has('--insecure')) {
    options.tls = { rejectUnauthorized: !bools.has('--insecure') };
    if (ca !== undefined) options.tls.ca = readFile(ca);
  }
  const from = one('--from');
  if (from !== undefined) options.fromUser = from;
  const to = one('--to');
  if (to !== undefined) options.toUser = to;
  const display = one('--display');
  if (display !== undefined) options.fromDisplayName = display;
  const headers: Array<[string, string]> = [];
  for (const h of many('--header')) {
    const c = h.indexOf(':');
    if (c <= 0) throw new CliError(`--header: "${h}" is not "Name: value"`);
    headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]);
  }
  if (headers.length > 0) options.extraHeaders = headers;
  const codecs = one('--codecs');
  if (codecs !== undefined) {
    const list = codecs.split(',').map((c) => c.trim());
    for (const c of list) if (!isOfferCodecName(c)) throw new CliError(`--codecs: unknown codec ${c}`);
    options.codecs = list as OfferCodecName[];
  }
  if (bools.has('--no-telephone-event')) options.telephoneEvent = false;
  const te = one('--telephone-event');
  if (te !== undefined) options.telephoneEvent = num('--telephone-event', te);
  const srtp = one('--srtp');
  if (srtp !== undefined) {
    if (srtp !== 'off' && srtp !== 'sdes') throw new CliError(`--srtp: ${srtp} is not off or sdes`);
    options.srtp = srtp;
  }
  const profiles = one('--srtp-profiles');
  if (profiles !== undefined) {
    const list = profiles.split(',').map((p) => p.trim());
    for (const p of list) if (!isSrtpProfile(p)) throw new CliError(`--srtp-profiles: unknown profile ${p}`);
    options.srtpProfiles = list as SrtpProfile[];
  }
  const user = one('--user');
  const password = one('--password');
  if ((user === undefined) !== (password === undefined)) throw new CliError('--user and --password go together');
  if (user !== undefined && password !== undefined) options.credentials = { username: user, password };
  const se = one('--session-expires');
  if (se !== undefined) {
    const st: LabCallerSessionTimer = { expiresS: num('--session-expires', se), refresh: !bools.has('--no-refresh') };
    const minSe = one('--min-se');
    if (minSe !== undefined) st.minSE = num('--min-se', minSe);
    const refresher = one('--refresher');
    if (refresher !== undefined) {
      if (refresher !== 'uac' && refresher !== 'uas') throw new CliError(`--refresher: ${refresher} is not uac or uas`);
      st.refresher = refresher;
    }
    const method = one('--refresh-method');
    if (method !== undefined) {
      if (method !== 'INVITE' && method !== 'UPDATE') throw new CliError(`--refresh-method: ${method} is not INVITE or UPDATE`);
      st.method = method;
    }
    options.sessionTimer = st;
  } else {
    for (const f of ['--min-se', '--refresher', '--refresh-method']) if (values.has(f)) throw new CliError(`${f} needs --session-expires`);
  }
  const lose = one('--lose-acks');
  if (lose !== undefined) options.loseAcks = num('--lose-acks', lose);
  const drops = one('--drop-packets');
  if (drops !== undefined) options.dropPackets = drops.split(',').map((d) => num('--drop-packets', d.trim()));
  const maxCall = one('--max-call');
  if (maxCall !== undefined) options.maxCallMs = num('--max-call', maxCall);
  const answer = one('--answer-timeout');
  if (answer !== undefined) options.answerTimeoutMs = num('--answer-timeout', answer);

  const script: TimelineEntry[] = [];
  if (bools.has('--options')) script.push({ at: 0, from: 'invite', action: { options: true } });
  for (const s of many('--speak')) {
    const [path, t] = at('--speak', s);
    script.push({ at: t, action: { speak: path } });
  }
  for (const b of many('--barge-in')) {
    const c = b.indexOf(':');
    if (c <= 0) throw new CliError(`--barge-in: "${b}" is not AFTER_MS:FILE`);
    script.push({ at: 0, action: { speakWhenAgentTalking: { afterMs: num('--barge-in', b.slice(0, c)), wav: b.slice(c + 1) } } });
  }
  for (const e of many('--echo')) {
    const [spec, t] = at('--echo', e);
    const [g, d] = spec.split(',');
    if (g === undefined || d === undefined) throw new CliError(`--echo: "${e}" is not GAIN_DB,DELAY_MS[@MS]`);
    script.push({ at: t, action: { echo: { gainDb: num('--echo', g), delayMs: num('--echo', d) } } });
  }
  for (const d of many('--dtmf')) {
    const [digits, t] = at('--dtmf', d);
    script.push({ at: t, action: { dtmf: digits, via: 'rfc4733' } });
  }
  for (const d of many('--dtmf-info')) {
    const [digits, t] = at('--dtmf-info', d);
    script.push({ at: t, action: { dtmf: digits, via: 'info' } });
  }
  for (const h of many('--hold')) script.push({ at: num('--hold', h), action: { hold: true } });
  for (const r of many('--resume')) script.push({ at: num('--resume', r), action: { resume: true } });
  const hangup = one('--hangup-after');
  if (hangup !== undefined) script.push({ at: num('--hangup-after', hangup), action: { bye: true } });
  const wait = one('--wait-for-bye');
  if (wait !== undefined) script.push({ at: 0, action: { waitForBye: { timeoutMs: num('--wait-for-bye', wait) } } });
  const cancel = one('--cancel-after');
  if (cancel !== undefined) script.push({ at: num('--cancel-after', cancel), action: { cancel: true } });
  const file = one('--script');
  if (file !== undefined) {
    let data: unknown;
    try {
      data = parseYaml(readFile(file));
    } catch (err) {
      throw new CliError(`--script ${file}: ${describeError(err, { firstLine: true })}`);
    }
    try {
      script.push(...parseLabScript(data));
    } catch (err) {
      throw new CliError(`--script ${file}: ${isLabCallerError(err) ? err.message : String(err)}`);
    }
  }
  try {
    parseLabScript(script);
  } catch (err) {
    throw new CliError(isLabCallerError(err) ? err.message : String(err));
  }
  return { options, script, recordPath: one('--record'), jsonPath: one('--json'), help };
}
