import { DTMF_COALESCE_MAX_DIGITS, DtmfCollector, renderDtmfPrompt, type AgentDefinition } from '../agent/index.js';
import type { Clock } from '../clock.js';
import type { ConnectCallContext } from '../connect/index.js';
import type { Logger } from '../log.js';
import type { RealtimeBackend } from '../realtime/backend.js';

const DIGIT = /^[0-9*#A-D]$/;

/**
 * Keys the caller presses, from RFC 4733 telephone-events or SIP INFO (application/dtmf-relay), reach
 * the model as a user text turn: collected ("enter your account number, then #") by the gateway and
 * delivered as one string, or else coalesced: keys pressed within `dtmf.coalesceMs` of each other are
 * one message and one response request (30 keys in 1.5 s used to be 30 turns and 30 response.create,
 * 29 of them refused by the service as colliding with the active response).
 */
export class DtmfInput {
  readonly #collector: DtmfCollector | undefined;
  readonly #deliver: (digits: string) => void;
  readonly #logger: Logger;
  readonly #enabled: boolean;
  digitsReceived = 0;

  /** While digits are being collected (`dtmf.collect`): told true at the first key, false at delivery. */
  readonly #onCollecting: ((collecting: boolean) => void) | undefined;
  #collecting = false;

  constructor(def: AgentDefinition, context: ConnectCallContext, backend: RealtimeBackend, clock: Clock, log: Logger, onCollecting?: (collecting: boolean) => void) {
    this.#logger = log;
    this.#onCollecting = def.dtmf.collect === undefined ? undefined : onCollecting;
    this.#enabled = def.dtmf.deliverToModel;
    this.#deliver = (digits) => {
      log.info({ digits }, 'DTMF delivered to the model');
      backend.addUserText(renderDtmfPrompt(def, context, digits), { respond: true });
    };
    const { collect, coalesceMs } = def.dtmf;
    const window = collect ?? (coalesceMs > 0 ? { maxDigits: DTMF_COALESCE_MAX_DIGITS, terminator: null, interDigitTimeoutMs: coalesceMs } : undefined);
    this.#collector = window === undefined ? undefined : new DtmfCollector(window, clock, (digits) => {
      this.#deliver(digits);
      this.#setCollecting(false);
    });
  }

  key(digit: string, source: 'rfc4733' | 'info'): void {
    if (!DIGIT.test(digit)) {
      this.#logger.warn({ digit, source }, 'ignoring an invalid DTMF key');
      return;
    }
    this.digitsReceived++;
    this.#logger.debug({ digit, source }, 'DTMF key');
    if (!this.#enabled) return;
    if (this.#collector) {
      this.#collector.push(digit);
      if (this.#collector.pending.length > 0) this.#setCollecting(true);
    } else this.#deliver(digit);
  }

  #setCollecting(collecting: boolean): void {
    if (collecting === this.#collecting) return;
    this.#collecting = collecting;
    this.#onCollecting?.(collecting);
  }

  close(): void {
    this.#collector?.close();
  }
}

/**
 * SIP INFO with `application/dtmf-relay` (`Signal=5`, `Duration=160`) or `application/dtmf` (`5`).
 * Returns the key, or undefined when the body carries none.
 */
export function parseDtmfInfo(contentType: string, body: Buffer): string | undefined {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const text = body.toString('utf8').trim();
  if (type === 'application/dtmf') return DIGIT.test(text.toUpperCase()) ? text.toUpperCase() : undefined;
  if (type !== 'application/dtmf-relay') return undefined;
  const signal = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text)?.[1];
  if (signal === undefined) return undefined;
  const key = signal === '10' ? '*' : signal === '11' ? '#' : signal.toUpperCase();
  return DIGIT.test(key) ? key : undefined;
}
