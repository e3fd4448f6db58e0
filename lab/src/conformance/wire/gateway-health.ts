/**
 * What the wire suites watch on the running gateway: liveness (an OPTIONS answered), memory
 * (VmRSS from /proc), calls left open (its "call offered" / "call ended" log lines) and crash
 * traces in its logs.
 */
import { readFileSync } from 'node:fs';
import { serializeMessage } from 'connect-realtime-gateway';
import type { GatewayLogLine, GatewayProcess } from '../../runner/gateway-process.js';
import type { Endpoint } from './loopback.js';
import { optionsTo } from './uac-requests.js';
import { responseOf, type UdpPeer } from './udp-peer.js';

/** pino's numeric level for fatal. */
const PINO_FATAL = 60;

/** Resident set size of a process in bytes (Linux /proc), undefined when unreadable. */
export function readVmRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** True while `pid` names a live process (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface CallLedger {
  offered: number;
  ended: number;
  /** offered − ended: calls the gateway still holds. */
  open: number;
}

/** Counts (not Call-IDs: fuzzed corpora repeat Call-IDs) of the per-call log lines. */
export function callLedger(logs: readonly GatewayLogLine[]): CallLedger {
  let offered = 0;
  let ended = 0;
  for (const l of logs) {
    if (l.msg === 'call offered') offered++;
    else if (l.msg === 'call ended') ended++;
  }
  return { offered, ended, open: offered - ended };
}

/** Waits (bounded) until every offered call has its "call ended" line. */
export async function waitForCallsEnded(gateway: GatewayProcess, timeoutMs: number): Promise<CallLedger> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ledger = callLedger(gateway.logs);
    if (ledger.open <= 0 || performance.now() >= deadline) return ledger;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Log lines that mean the process was hurt: fatal level, or an uncaught exception / rejection. */
export function crashTraces(gateway: GatewayProcess): string[] {
  const out: string[] = [];
  for (const l of gateway.logs) {
    if (l.level >= PINO_FATAL || /uncaught|unhandled/i.test(l.msg)) out.push(`${l.level} ${l.msg}`);
  }
  for (const line of gateway.stderr.split('\n')) if (/uncaught|unhandled|fatal|FATAL ERROR/i.test(line)) out.push(`stderr: ${line}`);
  return out;
}

export interface OptionsProbe {
  status: number;
  /** Request sent to response received, ms. */
  rttMs: number;
}

/** Sends one OPTIONS from `peer` and waits at most `timeoutMs` for its final response. */
export async function probeOptions(peer: UdpPeer, gateway: Endpoint, timeoutMs: number): Promise<OptionsProbe | undefined> {
  const req = optionsTo(gateway, peer.local);
  const callId = req.headers.get('Call-ID');
  const sentAt = performance.now();
  const from = peer.received.length;
  await peer.send(serializeMessage(req), gateway);
  const got = await peer.waitFor(
    (d) => {
      const res = responseOf(d);
      return res !== undefined && res.status >= 200 && res.headers.get('Call-ID') === callId;
    },
    timeoutMs,
    from,
  );
  const res = got === undefined ? undefined : responseOf(got);
  return got === undefined || res === undefined ? undefined : { status: res.status, rttMs: got.at - sentAt };
}
