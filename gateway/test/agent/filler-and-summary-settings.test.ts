import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentDefinition } from '../../src/agent/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-extras-'));
const wav = resolve('fixtures/agent-short.wav');

async function load(yaml: string) {
  const path = join(dir, `a${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return loadAgentDefinition(path, { env: {} });
}

describe('toolFiller and handoffSummary in the agent definition', () => {
  it('both are off by default', async () => {
    const r = await load('instructions: Hi.\n');
    expect(r.ok && r.value.definition.toolFiller).toBeUndefined();
    expect(r.ok && r.value.definition.handoffSummary).toBeUndefined();
  });

  it('defaults: filler afterMs 1500 and 2 plays; summary 2000 ms and the standard attribute names', async () => {
    const r = await load(`toolFiller:\n  audio: ${wav}\nhandoffSummary:\n  facts:\n    - { name: orderNumber, description: the order }\n`);
    if (!r.ok) throw new Error(r.error.join('\n'));
    const d = r.value.definition;
    expect(d.toolFiller && { afterMs: d.toolFiller.afterMs, maxPlays: d.toolFiller.maxPlays, samples: d.toolFiller.samples.length }).toEqual({ afterMs: 1500, maxPlays: 2, samples: 15272 });
    expect(d.handoffSummary).toEqual({
      timeoutMs: 2000,
      facts: [{ name: 'orderNumber', description: 'the order' }],
      attributes: {
        intent: 'ai_intent',
        outcome: 'ai_summary_outcome',
        endReason: 'ai_end_reason',
        latencyMedianMs: 'ai_latency_median_ms',
        latencyP95Ms: 'ai_latency_p95_ms',
        orderNumber: 'ai_order_number',
      },
    });
  });

  it.each([
    [`toolFiller:\n  audio: ${wav}\n  afterMs: 50\n`, /toolFiller\.afterMs: must be 200\.\.10000 ms/],
    [`toolFiller:\n  audio: ${wav}\n  maxPlays: 9\n`, /toolFiller\.maxPlays: must be 1\.\.5/],
    ['toolFiller:\n  audio: ./missing.wav\n', /toolFiller\.audio: cannot read .*missing\.wav: ENOENT/],
    [`toolFiller:\n  audio: ${resolve('fixtures/agent-answer.wav')}\n`, /toolFiller\.audio: .*longer than 5 s/],
    ['handoffSummary:\n  timeoutMs: 9000\n', /handoffSummary\.timeoutMs: must be 0\.\.5000 ms/],
    ['handoffSummary:\n  attributes: { intent: ai_outcome }\n', /handoffSummary\.attributes\.intent: is written by the gateway itself/],
    ['handoffSummary:\n  attributes: { intent: "bad name" }\n', /handoffSummary\.attributes\.intent: may contain only letters/],
    ['handoffSummary:\n  attributes: { mood: ai_mood }\n', /handoffSummary\.attributes\.mood: not a summary field/],
    ['handoffSummary:\n  facts: [{ name: intent, description: x }]\n', /handoffSummary\.facts: fact intent: named twice or the name of a standard field/],
  ])('refuses with one line: %s', async (yaml, message) => {
    const r = await load(`instructions: Hi.\n${yaml}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.join('\n')).toMatch(message);
  });
});
