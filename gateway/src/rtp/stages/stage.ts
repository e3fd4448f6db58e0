/**
 * A media path as small stages that compose (livekit's `Processor`, pion's interceptor chain): each
 * stage does one thing to a unit (a packet, a frame, a chunk of audio) and hands it to the next one.
 * A stage is built in front of its successor by a `(next) => stage` factory, and prints itself and
 * everything after it, so a session can say exactly what its media path is:
 * "SRTP(unprotect) -> RtpParse -> … -> PtMux{0: Jitter(PCMU) -> …, 101: Dtmf}".
 *
 * Hot-path rule: `write` receives a reused, mutable unit (never keep it) and allocates nothing.
 */
export interface Stage<T> {
  write(unit: T): void;
  /** This stage and everything after it, e.g. "Name -> Next -> Sink". */
  toString(): string;
}

/** Builds a stage in front of `next`. */
export type StageFactory<T> = (next: Stage<T>) => Stage<T>;

/** Folds factories onto the sink, first factory outermost: `compose([a, b], sink)` is `a(b(sink))`. */
export function compose<T>(factories: ReadonlyArray<StageFactory<T>>, sink: Stage<T>): Stage<T> {
  let stage = sink;
  for (let i = factories.length - 1; i >= 0; i--) stage = (factories[i] as StageFactory<T>)(stage);
  return stage;
}

/** "name -> next", for a stage's toString. */
export function describeStage(name: string, next: Stage<unknown> | undefined): string {
  return next === undefined ? name : `${name} -> ${String(next)}`;
}
