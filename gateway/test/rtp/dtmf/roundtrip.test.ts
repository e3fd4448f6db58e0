import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DtmfReceiver, DtmfSender, type DtmfDigitEvent } from '../../../src/rtp/dtmf/index.js';

interface Wire {
  payload: Uint8Array;
  marker: boolean;
  seq: number;
}

describe('RFC 4733 sender -> receiver round trip', () => {
  it('yields each digit once with its duration under duplication and loss of non-final packets (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...'0123456789*#ABCD'),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.constantFrom('keep', 'drop', 'dup'), { minLength: 120, maxLength: 120 }),
        (digit, durationMs, ts, seq0, fate) => {
          const plan = new DtmfSender().plan(digit, durationMs);
          const wire: Wire[] = plan.map((p, i) => ({ payload: p.payload, marker: p.marker, seq: (seq0 + i) & 0xffff }));
          const sent: Wire[] = [];
          for (const [i, w] of wire.entries()) {
            const last = i === wire.length - 1;
            const f = last ? 'keep' : fate[i % fate.length];
            if (f === 'drop') continue;
            sent.push(w);
            if (f === 'dup') sent.push(w);
          }
          const rx = new DtmfReceiver();
          const got: DtmfDigitEvent[] = [];
          for (const w of sent) {
            const d = rx.push(w.payload, ts, w.marker, w.seq);
            if (d) got.push(d);
          }
          const f = rx.flush();
          if (f) got.push(f);
          expect(got).toEqual([{ digit, durationMs, volume: 10, startTimestamp: ts }]);
        },
      ),
    );
  });

  it('yields a digit sequence in order with consecutive event timestamps', () => {
    const tx = new DtmfSender();
    const rx = new DtmfReceiver();
    const got: string[] = [];
    let ts = 12345;
    let seq = 65530; // crosses the 16-bit wrap
    for (const digit of '0800#*9') {
      for (const p of tx.plan(digit, 120)) {
        const d = rx.push(p.payload, ts, p.marker, seq);
        seq = (seq + 1) & 0xffff;
        if (d) got.push(d.digit);
      }
      ts += 8000; // one second of audio between digits
    }
    expect(got.join('')).toBe('0800#*9');
  });
});
