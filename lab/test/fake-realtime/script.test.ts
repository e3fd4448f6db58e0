import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/fake-realtime/main.js';
import { defaultFakeScript, loadFakeScript, parseFakeScript } from '../../src/fake-realtime/script.js';
import { ScriptCursor } from '../../src/fake-realtime/turns.js';

describe('fake Realtime script files', () => {
  it('loads YAML and resolves WAV paths against the script directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-script-'));
    const file = join(dir, 'calls.yaml');
    writeFileSync(
      file,
      ['turns:', '  - audio: { wav: ../fixtures/agent-short.wav }', '    transcript: Sure, one moment please.', '  - audio: { tone: { hz: 1000, ms: 300 } }', 'speed: 8', 'failures:', '  refuseConnections: 2', '  drops: [{ duringTurn: 1 }]'].join('\n'),
    );
    const script = loadFakeScript(file);
    expect(script.turns[0]?.audio).toEqual({ wav: join(dir, '..', 'fixtures', 'agent-short.wav') });
    expect(script.speed).toBe(8);
    expect(script.failures).toEqual({ refuseConnections: 2, drops: [{ duringTurn: 1 }] });
  });

  it('accepts JSON (a YAML subset)', () => {
    const script = parseFakeScript('{"turns":[{"transcript":"hi"}],"loop":true}', '/x');
    expect(script).toEqual({ turns: [{ transcript: 'hi' }], loop: true });
  });

  it('rejects unknown keys and bad values with a one-line message naming the field', () => {
    expect(() => parseFakeScript('turns: []\nsped: 4', '/x', 's.yaml')).toThrow(/^s\.yaml: \(root\): .*sped/);
    expect(() => parseFakeScript('turns:\n  - audio: { tone: { hz: -1, ms: 10 } }', '/x', 's.yaml')).toThrow(/^s\.yaml: turns\.0\.audio/);
    expect(() => parseFakeScript('turns: [\n', '/x', 's.yaml')).toThrow(/^s\.yaml: not YAML\/JSON/);
  });

  it('the default script answers every turn with fixtures/agent-answer.wav', () => {
    const cursor = new ScriptCursor(defaultFakeScript('/repo/fixtures'));
    const a = cursor.take();
    const b = cursor.take();
    expect(a.kind === 'speech' && a.turn.audio).toEqual({ wav: '/repo/fixtures/agent-answer.wav' });
    expect(b).toMatchObject({ kind: 'speech', turnNumber: 2 });
  });

  it('without loop, exhausted scripts yield empty responses', () => {
    const cursor = new ScriptCursor({ turns: [{ transcript: 'only' }] });
    expect(cursor.take().kind).toBe('speech');
    expect(cursor.take()).toEqual({ kind: 'empty', turnNumber: 2 });
  });
});

describe('fake Realtime CLI flags', () => {
  it('defaults to 127.0.0.1:8081', () => {
    expect(parseCli([], {})).toEqual({ host: '127.0.0.1', port: 8081, scriptPath: undefined, recordDir: undefined, logLevel: 'info' });
  });

  it('takes env, and flags win over env', () => {
    const env = { FAKE_REALTIME_HOST: '127.0.0.2', FAKE_REALTIME_PORT: '9000', FAKE_REALTIME_RECORD: '/tmp/r' };
    expect(parseCli(['--port', '9100', '--script', 's.yaml'], env)).toEqual({ host: '127.0.0.2', port: 9100, scriptPath: 's.yaml', recordDir: '/tmp/r', logLevel: 'info' });
  });

  it('rejects unknown flags, bad ports and bad log levels', () => {
    expect(() => parseCli(['--bogus'], {})).toThrow(/bogus/);
    expect(() => parseCli(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseCli(['--port', 'abc'], {})).toThrow(/--port/);
    expect(() => parseCli(['--log-level', 'loud'], {})).toThrow(/--log-level/);
  });
});
