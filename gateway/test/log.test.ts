import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { callLogger, createRootLogger } from '../src/log.js';

function capture(): { sink: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { sink, lines };
}

describe('callLogger', () => {
  it('binds the Call-ID and contact id as they are when they are of a real size', () => {
    const { sink, lines } = capture();
    callLogger(createRootLogger('info', sink), 'a84b4c76e66710@pc33.example', '7a9b1c2d-3e4f-4a5b-8c6d-9e0f1a2b3c4d').info('x');
    expect(lines[0]).toMatchObject({ callId: 'a84b4c76e66710@pc33.example', contactId: '7a9b1c2d-3e4f-4a5b-8c6d-9e0f1a2b3c4d' });
  });

  it('cuts a peer-chosen 60 KB Call-ID and contact id instead of copying them into every line of the call', () => {
    const { sink, lines } = capture();
    const log = callLogger(createRootLogger('info', sink), 'c'.repeat(60_000), 'k'.repeat(10_000));
    log.info('one');
    log.info('two');
    for (const line of lines) {
      expect(String(line.callId).startsWith('c'.repeat(128))).toBe(true);
      expect(String(line.callId)).toContain('(+59872 chars)');
      expect(String(line.contactId)).toContain('(+9872 chars)');
      expect(JSON.stringify(line).length).toBeLessThan(1_000);
    }
  });
});
