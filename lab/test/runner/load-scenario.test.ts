/** Scenario files: every shipped one loads; a bad one fails with ONE line naming the field. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot } from '../../src/repo-root.js';
import { loadScenario, parseScenario, ScenarioError } from '../../src/runner/load-scenario.js';
import { scenarioKind } from '../../src/runner/scenario-file.js';

const root = repoRoot();
const LABEL = 'scenarios/t.yaml';

/** A minimal valid SIPp scenario, as an object the test edits before turning it into YAML. */
function base(): Record<string, unknown> {
  return {
    name: 't',
    description: 'a test scenario',
    caller: { tool: 'sipp', script: 'uac-call', hangupAfterMs: 1000 },
    realtime: { turns: [] },
    expect: [{ check: 'caller-script-passed' }],
  };
}

function labBase(): Record<string, unknown> {
  return { ...base(), caller: { tool: 'lab', hangupAfterMs: 1000 } };
}

/** The error parseScenario throws for `doc` (fails the test when it does not throw). */
function errorOf(doc: Record<string, unknown> | string): ScenarioError {
  const text = typeof doc === 'string' ? doc : stringify(doc);
  try {
    parseScenario(text, LABEL, root);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    const e = err as ScenarioError;
    expect(e.message).not.toContain('\n'); // one line, for a terminal
    expect(e.message.startsWith(`${LABEL}: `)).toBe(true);
    return e;
  }
  throw new Error('parseScenario accepted a bad scenario');
}

describe('scenarios/*.yaml', () => {
  // Load runs (a `load:` section) have their own format, tested in lab/test/load/.
  const names = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    // Load runs and operations scenarios (several processes) have their own formats and tests.
    .filter((n) => scenarioKind(root, n) === 'call');

  it('ships scenarios to load', () => {
    expect(names.length).toBeGreaterThan(10);
  });

  it.each(names)('%s loads, and its name matches its file', (name) => {
    const s = loadScenario(root, name);
    expect(s.name).toBe(name);
    expect(s.expect.length).toBeGreaterThan(0);
  });

  it('a minimal scenario gets its defaults', () => {
    const s = parseScenario(stringify(base()), LABEL, root);
    expect(s.timeoutS).toBe(60);
    expect(s.network).toEqual({ seed: 1 });
    expect(s.gateway).toEqual({ env: {} });
    expect(s.caller).toMatchObject({ codec: 'PCMU', transport: 'udp', leadInMs: 200, expectExit: 0, fromUser: '+15550100' });
  });

  it('loadScenario refuses names that are not lower-case words and files that do not exist', () => {
    expect(() => loadScenario(root, '../etc/passwd')).toThrow(/must be lower-case words/);
    expect(() => loadScenario(root, 'no-such-scenario-here')).toThrow('no such scenario: scenarios/no-such-scenario-here.yaml');
  });
});

describe('scenario errors name the field in one line', () => {
  it('an unknown top-level key (typo of an optional one)', () => {
    expect(errorOf({ ...base(), timeoutSecs: 5 }).message).toBe(`${LABEL}: unknown field "timeoutSecs"`);
  });

  it('an unknown key inside the caller', () => {
    const doc = base();
    doc.caller = { ...(doc.caller as object), leadInMS: 100 };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller: unknown field "leadInMS"`);
  });

  it('an unknown key inside a check', () => {
    const doc = { ...base(), expect: [{ check: 'caller-script-passed' }, { check: 'bye-answered', withinMS: 300 }] };
    expect(errorOf(doc).message).toBe(`${LABEL}: expect.1: unknown field "withinMS"`);
  });

  it('an unknown key inside the network impairment', () => {
    const doc = { ...base(), network: { toGateway: { los: 0.1 } } };
    expect(errorOf(doc).message).toBe(`${LABEL}: network.toGateway: unknown field "los"`);
  });

  it('a wrong type', () => {
    expect(errorOf({ ...base(), timeoutS: 'fast' }).message).toBe(`${LABEL}: timeoutS: Invalid input: expected number, received string`);
  });

  it('a value out of range', () => {
    const doc = { ...base(), network: { toGateway: { loss: 1.5 } } };
    expect(errorOf(doc).message).toBe(`${LABEL}: network.toGateway.loss: Too big: expected number to be <=1`);
  });

  it('a missing required field', () => {
    const doc = base();
    doc.caller = { tool: 'sipp', script: 'uac-call' };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.hangupAfterMs: Invalid input: expected number, received undefined`);
  });

  it('a misspelt check name', () => {
    const doc = { ...base(), expect: [{ check: 'bye-answerd' }] };
    const msg = errorOf(doc).message;
    expect(msg.startsWith(`${LABEL}: expect.0.check: Invalid discriminator value. Expected 'caller-script-passed' | 'bye-answered'`)).toBe(true);
    expect(msg).toContain("'outbound-pacing'");
  });

  it('an empty expect list', () => {
    expect(errorOf({ ...base(), expect: [] }).message).toBe(`${LABEL}: expect: Too small: expected array to have >=1 items`);
  });

  it('a caller audio file that does not exist', () => {
    const doc = base();
    doc.caller = { ...(doc.caller as object), audio: 'fixtures/no-such-file.wav' };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.audio: file not found: fixtures/no-such-file.wav`);
  });

  it('a SIPp script that does not exist', () => {
    const doc = base();
    doc.caller = { ...(doc.caller as object), script: 'uac-no-such-script' };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.script: no lab/sipp/uac-no-such-script.xml`);
  });

  it('a SIPp script name that is a path', () => {
    const doc = base();
    doc.caller = { ...(doc.caller as object), script: '../uac-call' };
    expect(errorOf(doc).message).toMatch(/: caller\.script: script must be a file name under lab\/sipp\//);
  });

  it('text that is not YAML', () => {
    expect(errorOf('name: [unclosed\ncaller: {').message).toMatch(new RegExp(`^${LABEL}: not valid YAML: `));
  });

  it('the realtime section is validated by the fake’s own schema, errors naming the field', () => {
    expect(errorOf({ ...base(), realtime: { turns: [], tempo: 3 } }).message).toBe(`${LABEL}: realtime: unknown field "tempo"`);
    const wrongType = errorOf({ ...base(), realtime: { turns: [{ audio: { tone: { hz: 5000, ms: 100 } } }] } }).message;
    expect(wrongType).toBe(`${LABEL}: realtime.turns.0.audio.tone.hz: Too big: expected number to be <=3999`);
    expect(errorOf({ ...base(), realtime: { turns: [{ transcript: 3 }] } }).message).toBe(`${LABEL}: realtime.turns.0.transcript: Invalid input: expected string, received number`);
    expect(errorOf({ ...base(), realtime: { turns: [], speed: -1 } }).message).toMatch(/^scenarios\/t\.yaml: realtime\.speed: /);
    expect(errorOf({ ...base(), realtime: { turns: [{ audio: { wav: 'fixtures/missing.wav' } }] } }).message).toBe(
      `${LABEL}: realtime.turns.0.audio.wav: file not found: fixtures/missing.wav`,
    );
    expect(errorOf({ ...base(), realtime: { turns: [{ functionCall: { name: '', arguments: {} } }] } }).message).toMatch(/^scenarios\/t\.yaml: realtime\.turns\.0\.functionCall\.name: /);
  });

  it('bad lab-caller actions', () => {
    const doc = labBase();
    doc.caller = { ...(doc.caller as object), actions: [{ at: 100, action: { dance: true } }] };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.actions: script.0.action: Invalid input`);
    // Valid by type, invalid by rule: a DTMF key that does not exist.
    doc.caller = { ...(doc.caller as object), actions: [{ at: 100, action: { dtmf: '12X' } }] };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.actions: script[0]: 'X' is not a DTMF digit (0-9 * # A-D)`);
  });

  it('a lab caller with good actions loads', () => {
    const doc = labBase();
    doc.caller = { ...(doc.caller as object), actions: [{ at: 500, action: { dtmf: '12#' } }, { at: 2000, action: { hold: true } }] };
    const s = parseScenario(stringify(doc), LABEL, root);
    expect(s.caller.tool).toBe('lab');
  });

  it('a document that is not a mapping', () => {
    expect(errorOf('just a string').message).toBe(`${LABEL}: (top level): Invalid input: expected object, received string`);
  });

  it('an unknown caller tool', () => {
    const doc = base();
    doc.caller = { tool: 'linphone', hangupAfterMs: 1000 };
    expect(errorOf(doc).message).toBe(`${LABEL}: caller.tool: Invalid discriminator value. Expected 'sipp' | 'lab' | 'baresip'`);
  });
});
