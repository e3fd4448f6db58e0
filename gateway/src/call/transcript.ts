import type { TranscriptTurn } from '../connect/index.js';
import type { RealtimeBackend } from '../realtime/backend.js';
import { callerSilent, notTranscribed } from './call-reporter.js';

export interface TimedTurn extends TranscriptTurn {
  /** Wall-clock ms when the turn's text was final. */
  at: number;
  itemId: string;
}

/**
 * The call's conversation as text, in order: the caller's turns (input transcription) and the agent's
 * (output audio transcripts). The hand-back summary and the Connect attributes are built from it.
 */
export class TranscriptLog {
  readonly turns: TimedTurn[] = [];

  constructor(backend: RealtimeBackend, wallNow: () => number) {
    backend.on('transcript', (t) => {
      if (!t.final || t.text.trim() === '') return;
      this.turns.push({ role: t.role, text: t.text.trim(), at: wallNow(), itemId: t.itemId });
    });
    // A truncated agent turn was not fully heard: mark it so the hand-back summary does not claim it was.
    backend.on('truncated', ({ itemId }) => {
      const turn = this.turns.find((x) => x.itemId === itemId && x.role === 'assistant');
      if (turn) turn.text = `${turn.text} [interrupted]`;
    });
    backend.on('transcriptionFailed', ({ itemId, code }) => {
      this.turns.push({ role: 'user', text: notTranscribed(code), at: wallNow(), itemId });
    });
    // The provider's idle timeout: the caller said nothing after the agent's answer (the model is asked to go on).
    backend.on('inputTimeout', ({ itemId, audioStartMs, audioEndMs }) => {
      this.turns.push({ role: 'user', text: callerSilent(audioEndMs - audioStartMs), at: wallNow(), itemId });
    });
  }

  /** An agent item the caller never heard (a later item of an interrupted response): not part of the call. */
  notHeard(itemId: string): void {
    const k = this.turns.findIndex((x) => x.itemId === itemId && x.role === 'assistant');
    if (k >= 0) this.turns.splice(k, 1);
  }

  /** A short plain-text summary for humans picking the call up: the last few turns. */
  summary(maxTurns = 6): string {
    return this.turns
      .slice(-maxTurns)
      .map((t) => `${t.role === 'user' ? 'caller' : 'agent'}: ${t.text}`)
      .join('\n');
  }
}
