/** The agent definition's `idle` and `maxDuration`: defaults, overrides, off, and one-line errors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDLE, DEFAULT_MAX_DURATION } from '../../src/agent/agent-definition.js';
import { loadOk, loadProblems, scratch, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

describe('idle', () => {
  it('is on by default: 30 s of silence, two re-prompts, then goodbye', async () => {
    const { definition } = await loadOk(undefined);
    expect(definition.idle).toEqual(DEFAULT_IDLE);
    expect(DEFAULT_IDLE).toMatchObject({ timeoutMs: 30_000, maxPrompts: 2 });
  });

  it('takes the file\'s values and keeps the defaults for the rest', async () => {
    const path = s.write('agent.yaml', 'idle:\n  timeoutMs: 8000\n  maxPrompts: 0\n  goodbye: Bye now.\n');
    const { definition } = await loadOk(path);
    expect(definition.idle).toEqual({ timeoutMs: 8_000, maxPrompts: 0, prompt: DEFAULT_IDLE.prompt, goodbye: 'Bye now.' });
  });

  it('false turns it off', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', 'idle: false\n'));
    expect(definition.idle).toBeUndefined();
  });

  it('is off, with a warning, when the service\'s own idle_timeout_ms is asked for', async () => {
    const { definition, warnings } = await loadOk(s.write('agent.yaml', 'turnDetection: { type: server_vad, idleTimeoutMs: 6000 }\n'));
    expect(definition.idle).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^agent\.yaml: turnDetection\.idleTimeoutMs: .*idle handling .* is off$/)]);
  });

  it('refuses bad values in one line each', async () => {
    expect(await loadProblems(s.write('agent.yaml', 'idle: { timeoutMs: 1000, maxPrompts: 9 }\n'))).toEqual([
      'agent.yaml: idle.timeoutMs: must be 5000..600000 ms',
      'agent.yaml: idle.maxPrompts: must be 0..5',
    ]);
    expect(await loadProblems(s.write('agent.yaml', 'idle: true\n'))).toEqual([expect.stringMatching(/^agent\.yaml: idle: must be false or \{ timeoutMs/)]);
    expect(await loadProblems(s.write('agent.yaml', 'idle: { timeout: 5000 }\n'))).toEqual([expect.stringMatching(/^agent\.yaml: idle/)]);
    expect(await loadProblems(s.write('agent.yaml', `idle: { prompt: "${'x'.repeat(1_001)}" }\n`))).toEqual(['agent.yaml: idle.prompt: must be at most 1000 characters']);
  });

  it('cannot be combined with turnDetection.idleTimeoutMs', async () => {
    const path = s.write('agent.yaml', 'turnDetection: { type: server_vad, idleTimeoutMs: 6000 }\nidle: { timeoutMs: 6000 }\n');
    expect(await loadProblems(path)).toEqual([expect.stringMatching(/^agent\.yaml: idle: cannot be combined with turnDetection\.idleTimeoutMs/)]);
  });
});

describe('maxDuration', () => {
  it('is one hour by default, wrap-up a minute before, hard stop 15 s after', async () => {
    const { definition } = await loadOk(undefined);
    expect(definition.maxDuration).toEqual(DEFAULT_MAX_DURATION);
    expect(DEFAULT_MAX_DURATION).toMatchObject({ seconds: 3_600, wrapUpBeforeS: 60, graceS: 15 });
  });

  it('a short limit gets a wrap-up lead of a quarter of it unless one is given', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', 'maxDuration: { seconds: 20 }\n'));
    expect(definition.maxDuration).toMatchObject({ seconds: 20, wrapUpBeforeS: 5, graceS: 15 });
    const explicit = await loadOk(s.write('agent.yaml', 'maxDuration: { seconds: 12, wrapUpBeforeS: 4, graceS: 5, wrapUp: Wrap up., goodbye: Bye. }\n'));
    expect(explicit.definition.maxDuration).toEqual({ seconds: 12, wrapUpBeforeS: 4, graceS: 5, wrapUp: 'Wrap up.', goodbye: 'Bye.' });
  });

  it('false turns it off', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', 'maxDuration: false\n'));
    expect(definition.maxDuration).toBeUndefined();
  });

  it('refuses bad values in one line each', async () => {
    expect(await loadProblems(s.write('agent.yaml', 'maxDuration: { seconds: 5, graceS: 100 }\n'))).toEqual([
      'agent.yaml: maxDuration.seconds: must be 10..14400 s',
      'agent.yaml: maxDuration.graceS: must be 2..60 s',
    ]);
    expect(await loadProblems(s.write('agent.yaml', 'maxDuration: { seconds: 60, wrapUpBeforeS: 60 }\n'))).toEqual(['agent.yaml: maxDuration.wrapUpBeforeS: must be below maxDuration.seconds (60)']);
    expect(await loadProblems(s.write('agent.yaml', 'maxDuration: 600\n'))).toEqual([expect.stringMatching(/^agent\.yaml: maxDuration: must be false or \{ seconds/)]);
  });
});
