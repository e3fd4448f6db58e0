import { DTMF_DIGITS, digitToEvent } from './digits.js';
import { DTMF_PAYLOAD_SIZE, MAX_EVENT_DURATION_UNITS, MAX_VOLUME, writeDtmfPayload } from './event-payload.js';

/** One telephone-event packet to send; all packets of a plan share one RTP timestamp. */
export interface DtmfPacketPlan {
  payload: Uint8Array;
  /** RTP marker: set on the first packet of the event only (RFC 4733 §2.5.1.2). */
  marker: boolean;
  /** E bit of the payload (mirrored here for the pacer's convenience). */
  end: boolean;
}

export interface DtmfSenderOptions {
  /** telephone-event clock rate, Hz. Default 8000. */
  clockRate?: number;
  /** Interval between event packets, ms. Default 20 (our audio ptime). */
  packetMs?: number;
  /** Power level in -dBm0, 0..63. Default 10 (a typical keypad level). */
  volume?: number;
  /** Number of end packets (RFC 4733 §2.5.1.4 recommends three). Default 3. */
  endRepeats?: number;
}

/** Named defaults (see DtmfSenderOptions). */
export const DTMF_SENDER_DEFAULTS = { clockRate: 8000, packetMs: 20, volume: 10, endRepeats: 3 } as const;

/**
 * RFC 4733 §2.5.1 sender. plan() returns one packet per packetMs tick:
 *
 *   tick 0            start: M=1, E=0, duration = one packet interval
 *   tick 1..n-2       continuation: M=0, E=0, duration growing by one interval
 *   tick n-1          first end: E=1, duration = the full digit length
 *   + endRepeats-1    retransmitted ends, identical payload (§2.5.1.4)
 *
 * The caller stamps every packet with the same RTP timestamp (the event start) and consecutive
 * sequence numbers, and sends one per tick in place of an audio packet.
 */
export class DtmfSender {
  readonly #clockRate: number;
  readonly #packetUnits: number;
  readonly #volume: number;
  readonly #endRepeats: number;

  constructor(opts: DtmfSenderOptions = {}) {
    const clockRate = opts.clockRate ?? DTMF_SENDER_DEFAULTS.clockRate;
    const packetMs = opts.packetMs ?? DTMF_SENDER_DEFAULTS.packetMs;
    const volume = opts.volume ?? DTMF_SENDER_DEFAULTS.volume;
    const endRepeats = opts.endRepeats ?? DTMF_SENDER_DEFAULTS.endRepeats;
    if (!Number.isInteger(clockRate) || clockRate <= 0) throw new RangeError(`clockRate ${clockRate} must be a positive integer`);
    const packetUnits = Math.round((packetMs * clockRate) / 1000);
    if (!Number.isFinite(packetMs) || packetUnits < 1) throw new RangeError(`packetMs ${packetMs} must be at least one clock tick`);
    if (!Number.isInteger(volume) || volume < 0 || volume > MAX_VOLUME) throw new RangeError(`volume ${volume} not in 0..${MAX_VOLUME}`);
    if (!Number.isInteger(endRepeats) || endRepeats < 1) throw new RangeError(`endRepeats ${endRepeats} must be an integer >= 1`);
    this.#clockRate = clockRate;
    this.#packetUnits = packetUnits;
    this.#volume = volume;
    this.#endRepeats = endRepeats;
  }

  /** Longest digit one event can carry without RFC 4733 §2.5.2.3 segmentation, ms. */
  get maxDurationMs(): number {
    return Math.floor((MAX_EVENT_DURATION_UNITS * 1000) / this.#clockRate);
  }

  /**
   * Packets for one digit held for durationMs. Throws RangeError for a digit outside 0-9 * # A-D
   * (check with isDtmfDigit first) or a duration outside (0, maxDurationMs].
   */
  plan(digit: string, durationMs: number): DtmfPacketPlan[] {
    const event = digitToEvent(digit);
    if (event < 0) throw new RangeError(`'${digit}' is not a DTMF digit (${DTMF_DIGITS})`);
    if (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs > this.maxDurationMs) {
      throw new RangeError(`durationMs ${durationMs} not in (0, ${this.maxDurationMs}]`);
    }
    const total = Math.max(1, Math.round((durationMs * this.#clockRate) / 1000));
    const ticks = Math.ceil(total / this.#packetUnits);
    const plans: DtmfPacketPlan[] = [];
    for (let i = 0; i < ticks; i++) {
      const end = i === ticks - 1;
      const duration = end ? total : (i + 1) * this.#packetUnits;
      plans.push(this.#packet(event, end, duration, i === 0));
    }
    for (let r = 1; r < this.#endRepeats; r++) plans.push(this.#packet(event, true, total, false));
    return plans;
  }

  #packet(event: number, end: boolean, duration: number, marker: boolean): DtmfPacketPlan {
    const payload = new Uint8Array(DTMF_PAYLOAD_SIZE);
    writeDtmfPayload({ event, end, volume: this.#volume, duration }, payload);
    return { payload, marker, end };
  }
}
