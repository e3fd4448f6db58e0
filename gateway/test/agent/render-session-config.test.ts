import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectCallContext } from '../../src/connect/context.js';
import { toSessionPayload } from '../../src/realtime/ga/session-payload.js';
import { renderDtmfPrompt, renderSessionConfig } from '../../src/agent/render-session-config.js';
import { BUILTIN_TOOLS } from '../../src/agent/builtin-tools.js';
import { loadOk, scratch, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

const context: ConnectCallContext = {
  headers: {},
  contactId: '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e',
  callerNumber: '+15551230000',
  uui: { raw: '', encoding: 'hex', text: '{"customer":{"tier":"gold"}}', json: { customer: { tier: 'gold' } } },
};

async function definition(yaml: string, env: Record<string, string> = {}) {
  s.write('tools.mjs', `export const tools = [{ name: 'lookup', description: 'Look up.', parameters: { type: 'object', properties: { id: { type: 'string' } } }, handler: () => 'ok' }];\n`);
  return (await loadOk(s.write('agent.yaml', yaml), env)).definition;
}

describe('renderSessionConfig', () => {
  it('renders the instructions and greeting for this call and lists every tool', async () => {
    const def = await definition(
      `instructions: "Caller {{callerNumber}}, tier {{uui.customer.tier}}."
greeting: "Greet the {{uui.customer.tier}} customer."
speed: 1.1
maxOutputTokens: 800
tools: { send_dtmf: true }
toolsModule: tools.mjs
mcpServers: [{ label: crm, url: "https://mcp.example.com", headers: { Authorization: "Bearer \${TOKEN}" } }]
`,
      { TOKEN: 't' },
    );
    const { config, greeting, problems } = renderSessionConfig(def, context, 'pcmu');
    expect(problems).toEqual([]);
    expect(greeting).toBe('Greet the gold customer.');
    expect(config).toMatchObject({
      model: 'gpt-realtime',
      instructions: 'Caller +15551230000, tier gold.',
      voice: 'marin',
      audioFormat: 'pcmu',
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
      noiseReduction: 'near_field',
      transcription: { model: 'gpt-4o-mini-transcribe' },
      speed: 1.1,
      maxOutputTokens: 800,
    });
    expect(config.tools.map((t) => (t.type === 'function' ? t.name : `mcp:${t.server_label}`))).toEqual(['end_call', 'transfer_to_human', 'send_dtmf', 'lookup', 'mcp:crm']);
    expect(config.tools[1]).toEqual({ type: 'function', name: 'transfer_to_human', description: BUILTIN_TOOLS.transfer_to_human.description, parameters: BUILTIN_TOOLS.transfer_to_human.parameters });
    expect(config.tools[4]).toEqual({ type: 'mcp', server_label: 'crm', server_url: 'https://mcp.example.com', require_approval: 'never', headers: { Authorization: 'Bearer t' } });
  });

  it('reports placeholders without a value and renders them empty', async () => {
    const def = await definition('instructions: "Dialled {{dialledNumber}}; plan {{uui.customer.plan}}."\ngreeting: "Hi {{uui.name}}"\n');
    const r = renderSessionConfig(def, context, 'pcma');
    expect(r.config.instructions).toBe('Dialled ; plan .');
    expect(r.greeting).toBe('Hi ');
    expect(r.problems).toEqual([
      'instructions: {{dialledNumber}} has no value for this call; rendered empty',
      'instructions: {{uui.customer.plan}} has no value for this call; rendered empty',
      'greeting: {{uui.name}} has no value for this call; rendered empty',
    ]);
  });

  it('hands out copies: changing one call\'s config does not touch the definition or the next call', async () => {
    const def = await definition('toolsModule: tools.mjs\n');
    const first = renderSessionConfig(def, context, 'pcmu').config;
    const tool = first.tools[2];
    if (tool?.type === 'function') (tool.parameters as { type: string }).type = 'mutated';
    first.turnDetection = null;
    const second = renderSessionConfig(def, context, 'pcmu').config;
    expect(second.tools[2]).toMatchObject({ parameters: { type: 'object' } });
    expect(second.turnDetection).not.toBeNull();
  });

  it('produces a config the OpenAI wire mapping accepts (audio formats, VAD, tools)', async () => {
    const def = await definition('turnDetection: { type: semantic_vad, eagerness: high }\ntoolsModule: tools.mjs\n');
    const payload = toSessionPayload(renderSessionConfig(def, context, 'pcm16').config) as unknown as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'realtime',
      model: 'gpt-realtime',
      audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' }, transcription: { model: 'gpt-4o-mini-transcribe' } }, output: { voice: 'marin' } },
    });
    expect((payload.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(['end_call', 'transfer_to_human', 'lookup']);
  });
});

describe('renderDtmfPrompt', () => {
  it('uses dtmf.collect.prompt, or the default wording', async () => {
    const custom = await definition('dtmf: { collect: { prompt: "Keys {{digits}} from {{callerNumber}}" } }\n');
    expect(renderDtmfPrompt(custom, context, '1234')).toBe('Keys 1234 from +15551230000');
    const plain = await definition('voice: marin\n');
    expect(renderDtmfPrompt(plain, context, '5')).toBe('The caller entered 5 on the keypad.');
  });
});
