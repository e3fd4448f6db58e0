import type { ResponseFailurePolicy } from '../agent/index.js';
import type { Logger } from '../log.js';
import type { RealtimeBackend } from '../realtime/backend.js';

/**
 * A response the service ends `failed` (a server error) or `incomplete` (max_output_tokens,
 * content_filter) leaves the caller in silence: nothing else will speak. Per the agent's
 * `handBack.onResponseFailure`: `retry` asks once more for a response (a second failure in a row
 * hands back), `hand-back` apologises and returns the caller to Connect at once. Responses that end
 * because their session ended (`connection_lost`, `session_renewed`) are the provider's reconnect's
 * business, and cancelled ones (barge-in) are not failures.
 */
export class ResponseRecovery {
  #failuresInARow = 0;
  retries = 0;

  constructor(backend: RealtimeBackend, policy: ResponseFailurePolicy, handBack: (reason: string) => void, log: Logger) {
    backend.on('responseDone', ({ responseId, status, statusDetails }) => {
      if (status === 'completed') {
        this.#failuresInARow = 0;
        return;
      }
      if (status !== 'failed' && status !== 'incomplete') return;
      const why = describeDetails(statusDetails);
      if (why === 'connection_lost' || why === 'session_renewed') return;
      this.#failuresInARow++;
      if (policy === 'retry' && this.#failuresInARow === 1) {
        this.retries++;
        log.warn({ responseId, status, why }, 'Realtime response did not complete: asking again');
        backend.createResponse();
        return;
      }
      log.error({ responseId, status, why, inARow: this.#failuresInARow }, 'Realtime response did not complete: handing the caller back');
      handBack(`the AI response ended ${status}${why === undefined ? '' : ` (${why})`}`);
    });
  }
}

/** status_details as the service sends them: `{ reason }` for incomplete, `{ error: { code } }` for failed. */
function describeDetails(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as { reason?: unknown; error?: { code?: unknown } | null };
  if (typeof d.reason === 'string') return d.reason.slice(0, 64);
  if (typeof d.error === 'object' && d.error !== null && typeof d.error.code === 'string') return d.error.code.slice(0, 64);
  return undefined;
}
