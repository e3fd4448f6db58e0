/** The agent file's `recording:` section: off by default, its tools follow it, bad values get one line each. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOk, loadProblems, scratch, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

describe('recording in the agent definition', () => {
  it('is off by default, with no recording tools', async () => {
    const { definition } = await loadOk(undefined);
    expect(definition.recording).toEqual({ enabled: false, pauseDuringDtmfCollection: true });
    expect(definition.builtinTools.map((t) => t.name)).toEqual(['end_call', 'transfer_to_human']);
  });

  it('enabled: pause_recording and resume_recording are on unless the file turns them off', async () => {
    const on = await loadOk(s.write('a.yaml', 'recording:\n  enabled: true\n'));
    expect(on.definition.recording).toEqual({ enabled: true, pauseDuringDtmfCollection: true });
    expect(on.definition.builtinTools.map((t) => t.name)).toEqual(['end_call', 'transfer_to_human', 'pause_recording', 'resume_recording']);
    const off = await loadOk(s.write('b.yaml', 'recording:\n  enabled: true\n  pauseDuringDtmfCollection: false\ntools:\n  resume_recording: false\n'));
    expect(off.definition.recording.pauseDuringDtmfCollection).toBe(false);
    expect(off.definition.builtinTools.map((t) => t.name)).toEqual(['end_call', 'transfer_to_human', 'pause_recording']);
  });

  it('refuses a recording tool without recording, and bad values, one line each', async () => {
    expect(await loadProblems(s.write('c.yaml', 'tools:\n  pause_recording: true\n'))).toEqual([
      'c.yaml: tools.pause_recording: needs recording.enabled: true (there is no recording to pause)',
    ]);
    const bad = await loadProblems(s.write('d.yaml', 'recording:\n  enabled: "yes"\n'));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^d\.yaml: recording\.enabled: must be true or false/);
    const unknown = await loadProblems(s.write('e.yaml', 'recording:\n  enabled: true\n  dir: /tmp\n'));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/recording/);
  });
});
