import { describe, expect, it } from 'vitest';
import { ResponseRecovery } from '../../src/call/response-recovery.js';
import { TranscriptLog } from '../../src/call/transcript.js';
import { FakeBackend, silentLog } from './fakes.js';

function setup(policy: 'retry' | 'hand-back') {
  const backend = new FakeBackend();
  const handBacks: string[] = [];
  const recovery = new ResponseRecovery(backend, policy, (reason) => handBacks.push(reason), silentLog);
  const done = (status: string, statusDetails?: unknown) => backend.emit('responseDone', { responseId: `r${Math.random()}`, status, ...(statusDetails === undefined ? {} : { statusDetails }) });
  return { backend, recovery, handBacks, done };
}

const FAILED = { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error' } };

describe('ResponseRecovery', () => {
  it('retry: a failed response is asked for once more; a second failure in a row hands back', () => {
    const { backend, recovery, handBacks, done } = setup('retry');
    done('failed', FAILED);
    expect(backend.of('createResponse')).toHaveLength(1);
    expect(recovery.retries).toBe(1);
    expect(handBacks).toEqual([]);
    done('incomplete', { type: 'incomplete', reason: 'content_filter' });
    expect(backend.of('createResponse')).toHaveLength(1);
    expect(handBacks).toEqual(['the AI response ended incomplete (content_filter)']);
  });

  it('retry: a completed response in between starts the count again', () => {
    const { backend, handBacks, done } = setup('retry');
    done('failed', FAILED);
    done('completed');
    done('incomplete', { type: 'incomplete', reason: 'max_output_tokens' });
    expect(backend.of('createResponse')).toHaveLength(2);
    expect(handBacks).toEqual([]);
  });

  it('hand-back: the first failure apologises and hands back', () => {
    const { backend, handBacks, done } = setup('hand-back');
    done('failed', FAILED);
    expect(backend.of('createResponse')).toHaveLength(0);
    expect(handBacks).toEqual(['the AI response ended failed (server_error)']);
  });

  it('cancelled responses and those ended by a lost or renewed session are not failures', () => {
    const { backend, handBacks, done } = setup('hand-back');
    done('cancelled', { type: 'cancelled', reason: 'turn_detected' });
    done('failed', { type: 'failed', error: { code: 'connection_lost' } });
    done('failed', { type: 'failed', error: { code: 'session_renewed' } });
    expect(backend.calls).toEqual([]);
    expect(handBacks).toEqual([]);
  });
});

describe('TranscriptLog: what the caller heard and said', () => {
  it('records a failed transcription and an idle timeout as such, and drops agent items never heard', () => {
    const backend = new FakeBackend();
    const log = new TranscriptLog(backend, () => 0);
    backend.emit('transcriptionFailed', { itemId: 'u1', code: 'audio_unintelligible', message: 'Audio could not be transcribed.' });
    backend.emit('transcript', { role: 'assistant', itemId: 'a1', text: 'First part.', final: true });
    backend.emit('transcript', { role: 'assistant', itemId: 'a2', text: 'Second part never played.', final: true });
    log.notHeard('a2');
    backend.emit('inputTimeout', { itemId: 'u2', audioStartMs: 4000, audioEndMs: 10000 });
    expect(log.turns.map((t) => [t.role, t.text])).toEqual([
      ['user', '[caller speech not transcribed: audio_unintelligible]'],
      ['assistant', 'First part.'],
      ['user', '[caller silent for 6 s]'],
    ]);
  });
});
