/** caller-recording-heard-agent: finds each answer in the caller's own recording, and can fail. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw } from 'connect-realtime-gateway';
import { wavBytes } from '../../src/callers/wav.js';
import { checkSpecSchema, runCheck } from '../../src/runner/checks/index.js';
import type { Evidence } from '../../src/runner/evidence.js';

const RATE = 8000;
const dir = mkdtempSync(join(tmpdir(), 'recording-check-'));

/** A speech-like answer that correlates with itself at one lag only: seeded noise under a syllable envelope. */
function answer(seed: number): Int16Array {
  const out = new Int16Array(RATE * 1.2);
  let x = seed * 7919 + 1;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (RATE * 0.3));
    out[i] = Math.round(((x / 2 ** 32) * 2 - 1) * 6000 * envelope);
  }
  return out;
}

/** A recording: silence, then each answer through a G.711 µ-law round trip, with silence between. */
function recording(name: string, parts: Int16Array[], noise = 0): string {
  const out = new Int16Array(RATE * 6);
  let at = 1234;
  for (const p of parts) {
    const codes = new Uint8Array(p.length);
    encodeMulaw(p, codes);
    const decoded = new Int16Array(p.length);
    decodeMulaw(codes, decoded);
    out.set(decoded, at);
    at += p.length + 2000;
  }
  let x = 1;
  for (let i = 0; i < out.length && noise > 0; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = Math.max(-32768, Math.min(32767, out[i]! + ((x / 2 ** 32) * 2 - 1) * noise));
  }
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, wavBytes(out, RATE));
  return path;
}

function evidence(heardWav: string | undefined, answers: Int16Array[]): Evidence {
  return {
    caller: { exitCode: 0, detail: '', sentPayload: Buffer.alloc(0), sentPackets: 0, ...(heardWav ? { heardWav } : {}) },
    realtime: { sentReference8k: answers },
  } as unknown as Evidence;
}

// Through the registry, as a scenario's `expect:` entry is parsed and run (minSnrDb defaults to 20).
const spec = checkSpecSchema.parse({ check: 'caller-recording-heard-agent' });
const callerRecordingHeardAgent = runCheck;

describe('caller-recording-heard-agent', () => {
  it('is registered with its default limit', () => {
    expect(spec).toEqual({ check: 'caller-recording-heard-agent', minSnrDb: 20 });
  });

  it('passes when every answer is in the recording, and says where', () => {
    const answers = [answer(1), answer(2)];
    const r = callerRecordingHeardAgent(spec, evidence(recording('both', answers), answers));
    expect(r.passed).toBe(true);
    expect(r.value as number).toBeGreaterThan(30);
    expect(r.detail).toMatch(/answer 1 at 0\.15 s .*answer 2 at /);
  });

  it('fails when an answer is missing, drowned in noise, or nothing was recorded', () => {
    const answers = [answer(1), answer(2)];
    expect(callerRecordingHeardAgent(spec, evidence(recording('first-only', [answers[0]!]), answers)).passed).toBe(false);
    expect(callerRecordingHeardAgent(spec, evidence(recording('noisy', answers, 8000), answers)).passed).toBe(false);
    const none = callerRecordingHeardAgent(spec, evidence(undefined, answers));
    expect(none.passed).toBe(false);
    expect(none.detail).toBe('the caller recorded nothing');
  });

  it('finds answers in order: the same audio sent twice must be heard twice', () => {
    const same = answer(3);
    // The second copy louder: it is the best cross-correlation match, yet the first answer is the first copy.
    const louder = same.map((v) => Math.round(v * 1.5));
    const twice = callerRecordingHeardAgent(spec, evidence(recording('twice', [same, louder]), [same, same]));
    expect(twice.passed).toBe(true);
    expect(twice.detail).toMatch(/answer 1 at 0\.15 s .*answer 2 at 1\.60 s /);
    const once = callerRecordingHeardAgent(spec, evidence(recording('once', [same]), [same, same]));
    expect(once.passed).toBe(false);
    expect(once.detail).toMatch(/answer 2 /);
  });
});
