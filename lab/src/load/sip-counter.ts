import type { SipRecord } from '../netem/sip-alg.js';

export interface SipCounts {
  /** Calls (Call-IDs) that sent an INVITE. */
  invited: number;
  /** … that got a 200 OK to it. */
  answered: number;
  /** … that got a final failure (3xx-6xx) to their INVITE. */
  rejected: number;
  /** … whose caller sent BYE, and of those, that got a 200 OK to it. */
  callerByes: number;
  byesAnswered: number;
  /** … that the gateway hung up itself. */
  gatewayByes: number;
  /** Answered and not yet ended (no BYE answered, no gateway BYE). */
  active: number;
}

/** Counts a load run's calls from the SIP the tap saw, incrementally (each record read once). */
export class SipCallCounter {
  readonly #invited = new Set<string>();
  readonly #answered = new Set<string>();
  readonly #rejected = new Set<string>();
  readonly #callerByes = new Set<string>();
  readonly #byesAnswered = new Set<string>();
  readonly #gatewayByes = new Set<string>();
  #next = 0;

  /** Reads the records added since the last call. */
  update(records: readonly SipRecord[]): SipCounts {
    for (; this.#next < records.length; this.#next++) {
      const r = records[this.#next]!;
      if (r.callId === undefined) continue;
      const method = r.cseq?.split(/\s+/)[1];
      if (r.firstLine.startsWith('SIP/2.0 ')) {
        const status = Number(r.firstLine.slice(8, 11));
        if (method === 'INVITE' && status === 200) this.#answered.add(r.callId);
        else if (method === 'INVITE' && status >= 300) this.#rejected.add(r.callId);
        else if (method === 'BYE' && status === 200 && r.dir === 'toCaller') this.#byesAnswered.add(r.callId);
      } else if (r.firstLine.startsWith('INVITE ') && r.dir === 'toGateway') this.#invited.add(r.callId);
      else if (r.firstLine.startsWith('BYE ')) (r.dir === 'toGateway' ? this.#callerByes : this.#gatewayByes).add(r.callId);
    }
    return this.counts();
  }

  counts(): SipCounts {
    let ended = 0;
    for (const id of this.#answered) if (this.#byesAnswered.has(id) || this.#gatewayByes.has(id)) ended++;
    return {
      invited: this.#invited.size,
      answered: this.#answered.size,
      rejected: this.#rejected.size,
      callerByes: this.#callerByes.size,
      byesAnswered: this.#byesAnswered.size,
      gatewayByes: this.#gatewayByes.size,
      active: this.#answered.size - ended,
    };
  }
}
