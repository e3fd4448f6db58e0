/**
 * Runs the script: entries counting from the INVITE are scheduled when it is sent, the others when
 * the call is answered (the ACK of the 200). Each execution leaves an ActionRecord; entries whose
 * anchor never came (no answer) or whose time never came (the call ended) are recorded as skipped.
 */
import type { ActionRecord } from './result.js';
import type { RunClock } from './run-clock.js';
import { actionKind, entryOrigin, type LabScript, type TimelineEntry } from './script.js';

export type ActionRunner = (entry: TimelineEntry, record: ActionRecord) => void;

export class Timeline {
  readonly #script: LabScript;
  readonly #clock: RunClock;
  readonly #run: ActionRunner;
  readonly #records: ActionRecord[];
  readonly #started = new Set<number>();
  #cancels: Array<() => void> = [];
  #closed = false;

  constructor(script: LabScript, clock: RunClock, run: ActionRunner, records: ActionRecord[]) {
    this.#script = script;
    this.#clock = clock;
    this.#run = run;
    this.#records = records;
  }

  /** The INVITE went out at run time t. */
  onInvite(t: number): void {
    this.#schedule('invite', t);
  }

  /** The call was answered at run time t. */
  onAnswer(t: number): void {
    this.#schedule('answer', t);
  }

  /** The call is over: nothing more runs; entries that never ran are recorded as skipped. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#cancels) c();
    this.#cancels = [];
    const t = this.#clock.now();
    this.#script.forEach((e, index) => {
      if (this.#started.has(index)) return;
      this.#records.push({ t, index, kind: actionKind(e.action), outcome: 'skipped', detail: reason });
    });
    this.#records.sort((a, b) => a.index - b.index);
  }

  #schedule(origin: 'invite' | 'answer', t0: number): void {
    if (this.#closed) return;
    this.#script.forEach((entry, index) => {
      if (entryOrigin(entry) !== origin) return;
      this.#cancels.push(
        this.#clock.at(t0 + entry.at, () => {
          if (this.#closed) return;
          this.#started.add(index);
          const record: ActionRecord = { t: this.#clock.now(), index, kind: actionKind(entry.action), outcome: 'pending' };
          this.#records.push(record);
          this.#run(entry, record);
        }),
      );
    });
  }
}
