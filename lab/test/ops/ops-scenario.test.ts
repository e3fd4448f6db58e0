/** Operations scenario files: the shipped ones load; a bad one fails with one line naming the field. */
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/repo-root.js';
import { scenarioKind } from '../../src/runner/scenario-file.js';
import { loadOpsScenario, OpsScenarioError, parseOpsScenario } from '../../src/runner/ops/ops-scenario.js';

const root = repoRoot();
const LABEL = 'scenarios/t.yaml';

function base(): Record<string, unknown> {
  return {
    name: 't',
    description: 'an operations scenario',
    operations: { gateways: 1, calls: [{ count: 1, hangupAfterMs: 1000 }], steps: [{ do: 'signal', atMs: 100, gateway: 0, signal: 'SIGTERM' }] },
    realtime: { turns: [] },
    expect: [{ check: 'gateway-exit', gateway: 0, step: 0, code: 0, withinMs: 5000 }],
  };
}

function errorOf(doc: Record<string, unknown>): string {
  try {
    parseOpsScenario(doc, LABEL, root);
  } catch (err) {
    expect(err).toBeInstanceOf(OpsScenarioError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message.startsWith(`${LABEL}: `)).toBe(true);
    return message;
  }
  throw new Error('accepted a bad scenario');
}

describe('operations scenarios', () => {
  it.each(['graceful-shutdown', 'crash-kill9-records', 'cluster-failover'])('%s is one, and loads', (name) => {
    expect(scenarioKind(root, name)).toBe('operations');
    expect(loadOpsScenario(root, name).name).toBe(name);
  });

  it('a call scenario is not one', () => {
    expect(scenarioKind(root, 'happy-path')).toBe('call');
    expect(scenarioKind(root, 'no-such-scenario')).toBe('call');
  });

  it('fills defaults', () => {
    const s = parseOpsScenario(base(), LABEL, root);
    expect(s.operations).toMatchObject({ kamailio: false, pingIntervalS: 1, env: {} });
    expect(s.operations.calls[0]).toMatchObject({ startMs: 0, spacingMs: 0, audio: 'fixtures/caller-hello.wav', leadInMs: 300 });
    expect(s.timeoutS).toBe(120);
  });

  it.each([
    ['an unknown key', (d: Record<string, unknown>) => ({ ...d, extra: 1 }), 'scenarios/t.yaml: unknown field "extra"'],
    [
      'a step naming a gateway that does not exist',
      (d: Record<string, unknown>) => ({ ...d, operations: { ...(d.operations as object), steps: [{ do: 'signal', atMs: 1, gateway: 2, signal: 'SIGTERM' }] } }),
      'scenarios/t.yaml: operations.steps.0.gateway: there are 1 gateway(s)',
    ],
    [
      'a check naming a step that does not exist',
      (d: Record<string, unknown>) => ({ ...d, expect: [{ check: 'probe-status', step: 4, status: 503 }] }),
      'scenarios/t.yaml: expect.0.step: there are 1 step(s)',
    ],
    [
      'a dispatcher check without Kamailio',
      (d: Record<string, unknown>) => ({ ...d, expect: [{ check: 'dispatcher-marked-down', gateway: 0, step: 0, withinMs: 100 }] }),
      'scenarios/t.yaml: expect.0: needs operations.kamailio: true',
    ],
    [
      'an unknown signal',
      (d: Record<string, unknown>) => ({ ...d, operations: { ...(d.operations as object), steps: [{ do: 'signal', atMs: 1, gateway: 0, signal: 'SIGHUP' }] } }),
      /operations\.steps\.0\.signal: /,
    ],
    [
      'a missing audio file',
      (d: Record<string, unknown>) => ({ ...d, operations: { ...(d.operations as object), calls: [{ count: 1, hangupAfterMs: 1000, audio: 'fixtures/none.wav' }] } }),
      'scenarios/t.yaml: operations.calls.0.audio: file not found: fixtures/none.wav',
    ],
  ] as const)('refuses %s', (_what, edit, expected) => {
    const message = errorOf(edit(base()));
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });
});
