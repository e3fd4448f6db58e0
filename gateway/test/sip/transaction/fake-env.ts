import { ManualClock } from '../../../src/clock.js';
import { SipError } from '../../../src/sip/errors.js';
import { parseMessage, type SipMessage, type SipResponse } from '../../../src/sip/message/index.js';
import { SipTimers } from '../../../src/sip/timers.js';
import type { TransactionEnv } from '../../../src/sip/transaction/env.js';
import { sealResponse, type WireResponse } from '../../../src/sip/transaction/wire-response.js';

/** A transaction environment that records what was sent and when. */
export class FakeEnv implements TransactionEnv {
  readonly clock = new ManualClock();
  readonly timers = new SipTimers();
  readonly sent: Array<{ at: number; msg: SipMessage }> = [];
  readonly counts = new Map<string, number>();
  terminated = 0;
  fail = false;

  constructor(readonly reliable = false) {}

  send = (data: Buffer): Promise<void> => {
    if (this.fail) return Promise.reject(new SipError('SIP_ERR_TRANSPORT', 'injected'));
    const r = parseMessage(data);
    if (!r.ok) throw new Error(r.error.reason);
    this.sent.push({ at: this.clock.now(), msg: r.value });
    return Promise.resolve();
  };

  count = (name: string): void => {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  };

  onTerminated = (): void => {
    this.terminated++;
  };

  /** Times (ms) at which something was sent. */
  get times(): number[] {
    return this.sent.map((s) => s.at);
  }

  /** Advances in 10 ms steps (so each firing shows at its own time). */
  run(ms: number): void {
    for (let t = 0; t < ms; t += 10) this.clock.advance(10);
  }
}

export function req(text: string): import('../../../src/sip/message/index.js').SipRequest {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.value.type !== 'request') throw new Error('bad fixture');
  return r.value;
}

export function res(text: string): import('../../../src/sip/message/index.js').SipResponse {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.value.type !== 'response') throw new Error('bad fixture');
  return r.value;
}

export const HDRS = [
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtx1;rport',
  'Max-Forwards: 70',
  'From: <sip:gw@127.0.0.1>;tag=ours',
  'To: <sip:peer@127.0.0.2>;tag=theirs',
  'Call-ID: tx-test',
];

export function request(method: string, seq = 1): string {
  return `${method} sip:peer@127.0.0.2 SIP/2.0\r\n${HDRS.join('\r\n')}\r\nCSeq: ${seq} ${method}\r\nContent-Length: 0\r\n\r\n`;
}

export function response(status: number, method: string, seq = 1): string {
  const hdrs = HDRS.filter((h) => !h.startsWith('Max-Forwards'));
  return `SIP/2.0 ${status} X\r\n${hdrs.join('\r\n')}\r\nCSeq: ${seq} ${method}\r\nContent-Length: 0\r\n\r\n`;
}

/** A response sealed as the server seals it (no Server: header here). */
export function wire(res: SipResponse): WireResponse {
  return sealResponse(res, undefined);
}
