import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUCTIONS } from '../../src/config/defaults.js';
import { DEFAULT_SERVER_VAD, DEFAULT_TOOL_DENY_MESSAGE } from '../../src/agent/agent-definition.js';
import { load, loadOk, loadProblems, scratch, wav, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

describe('built-in defaults (no agent file)', () => {
  it('uses the model, voice and instructions defaults, the two hand-back tools and the packaged apology', async () => {
    const { definition: d, warnings } = await loadOk(undefined);
    expect(d.source).toBe('built-in defaults');
    expect(d.model).toBe('gpt-realtime');
    expect(d.voice).toBe('marin');
    expect(d.instructions.source).toBe(DEFAULT_INSTRUCTIONS);
    expect(d.audioMode).toBe('passthrough');
    expect(d.turnDetection).toEqual(DEFAULT_SERVER_VAD);
    expect(d.noiseReduction).toBe('near_field');
    expect(d.transcription).toEqual({ model: 'gpt-4o-mini-transcribe' });
    expect(d.builtinTools.map((t) => t.name)).toEqual(['end_call', 'transfer_to_human']);
    expect(d.tools).toEqual([]);
    expect(d.mcpServers).toEqual([]);
    expect(d.toolTimeoutMs).toBe(8_000);
    expect(d.dtmf).toEqual({ deliverToModel: true, coalesceMs: 400 });
    expect(d.handBack.onRealtimeFailure).toBe(false);
    expect(d.handBack.apologyAudio?.path).toMatch(/fixtures\/agent-apology\.wav$/);
    expect(d.handBack.apologyAudio?.samples.length).toBeGreaterThan(8_000);
    expect(warnings).toEqual([]);
  });

  it('takes model, voice, instructions and audio mode from the environment', async () => {
    const { definition: d } = await loadOk(undefined, { OPENAI_VOICE_MODEL: 'gpt-realtime-2', OPENAI_VOICE: 'cedar', OPENAI_INSTRUCTIONS: 'Speak French. Caller: {{callerNumber}}', AUDIO_MODE: 'pcm16' });
    expect([d.model, d.voice, d.audioMode]).toEqual(['gpt-realtime-2', 'cedar', 'pcm16']);
    expect(d.instructions.parts).toContainEqual({ kind: 'field', field: 'callerNumber' });
  });

  it('names the environment variable when it is the one at fault', async () => {
    expect(await loadProblems(undefined, { AUDIO_MODE: 'ulaw', OPENAI_INSTRUCTIONS: 'Hi {{name}}' })).toEqual([
      expect.stringMatching(/^OPENAI_INSTRUCTIONS: unknown placeholder \{\{name\}\}; allowed: /),
      'AUDIO_MODE: must be one of passthrough, pcm16, got "ulaw"',
    ]);
  });

  it('reads the file named by AGENT_FILE', async () => {
    const path = s.write('agent.yaml', 'voice: sage\n');
    const { definition } = await loadOk(undefined, { AGENT_FILE: path });
    expect(definition.voice).toBe('sage');
    expect(definition.source).toBe(path);
  });
});

describe('agent.yaml', () => {
  it('reads every field', async () => {
    s.write('apology.wav', wav({ format: 7, samples: 1_600 }));
    const path = s.write(
      'agent.yaml',
      `
model: gpt-realtime-mini
voice: coral
instructions: "Help {{callerNumber}}"
greeting: Say hello.
audio: { mode: pcm16 }
turnDetection: { type: semantic_vad, eagerness: low, interruptResponse: false }
noiseReduction: null
transcription: { model: whisper-1, language: pt-BR, prompt: Brazilian names }
speed: 1.2
maxOutputTokens: inf
tools:
  end_call: false
  transfer_to_human: { description: Hand over. }
  send_dtmf: true
toolTimeoutMs: 2500
dtmf:
  deliverToModel: true
  collect: { maxDigits: 6, terminator: null, interDigitTimeoutMs: 1500, prompt: "Digits: {{digits}}" }
handBack: { onRealtimeFailure: true, apologyAudio: apology.wav }
`,
    );
    const { definition: d } = await loadOk(path);
    expect(d.model).toBe('gpt-realtime-mini');
    expect(d.voice).toBe('coral');
    expect(d.greeting?.source).toBe('Say hello.');
    expect(d.audioMode).toBe('pcm16');
    expect(d.turnDetection).toEqual({ type: 'semantic_vad', eagerness: 'low', createResponse: true, interruptResponse: false });
    expect(d.noiseReduction).toBeNull();
    expect(d.transcription).toEqual({ model: 'whisper-1', language: 'pt-BR', prompt: 'Brazilian names' });
    expect(d.speed).toBe(1.2);
    expect(d.maxOutputTokens).toBe('inf');
    expect(d.builtinTools).toEqual([
      { name: 'transfer_to_human', description: 'Hand over.' },
      { name: 'send_dtmf', description: expect.stringContaining('DTMF') },
    ]);
    expect(d.toolTimeoutMs).toBe(2_500);
    expect(d.dtmf.collect).toMatchObject({ maxDigits: 6, terminator: null, interDigitTimeoutMs: 1_500 });
    expect(d.handBack.apologyAudio).toMatchObject({ path: `${s.dir}/apology.wav` });
    expect(d.handBack.apologyAudio?.samples.length).toBe(1_600);
  });

  it('an empty file means all defaults', async () => {
    const { definition } = await loadOk(s.write('agent.yml', '# nothing yet\n'));
    expect(definition.voice).toBe('marin');
  });

  it('server_vad fields default one by one', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', 'turnDetection: { type: server_vad, silenceDurationMs: 800, idleTimeoutMs: 6000 }\n'));
    expect(definition.turnDetection).toEqual({ ...DEFAULT_SERVER_VAD, silenceDurationMs: 800, idleTimeoutMs: 6_000 });
  });

  it.each([
    ['turnDetection: { type: semantic_vad, eagerness: fast }', 'agent.yaml: turnDetection.eagerness: must be one of low, medium, high, auto'],
    ['turnDetection: { type: webrtc_vad }', 'agent.yaml: turnDetection.type: must be one of server_vad, semantic_vad'],
    ['turnDetection: { eagerness: low }', 'agent.yaml: turnDetection.type: is required (one of server_vad, semantic_vad)'],
    ['turnDetection: { type: server_vad, threshold: 1.5 }', 'agent.yaml: turnDetection.threshold: must be 0..1'],
    ['turnDetection: { type: server_vad, prefixPaddingMs: 20.5 }', 'agent.yaml: turnDetection.prefixPaddingMs: must be a whole number 0..5000 ms'],
    ['turnDetection: { type: semantic_vad, silenceDurationMs: 200 }', 'agent.yaml: turnDetection.silenceDurationMs: unknown field (expected one of type, eagerness, interruptResponse, createResponse)'],
    ['turn_detection: { type: server_vad }', 'agent.yaml: turn_detection: unknown field (did you mean turnDetection?)'],
    ['speed: 3', 'agent.yaml: speed: must be 0.25..1.5'],
    ['speed: fast', 'agent.yaml: speed: must be a number 0.25..1.5'],
    ['maxOutputTokens: 5000', 'agent.yaml: maxOutputTokens: must be a whole number 1..4096 or inf'],
    ['voice: ""', 'agent.yaml: voice: must not be empty'],
    ['instructions: [a, b]', 'agent.yaml: instructions: must be a string'],
    ['noiseReduction: close', 'agent.yaml: noiseReduction: must be one of near_field, far_field, null'],
    ['transcription: { language: en }', 'agent.yaml: transcription.model: is required'],
    ['transcription: { model: x, language: English }', 'agent.yaml: transcription.language: must be a language code such as en or pt-BR'],
    ['audio: { mode: ulaw }', 'agent.yaml: audio.mode: must be one of passthrough, pcm16'],
    ['tools: { end_call: yes please }', 'agent.yaml: tools.end_call: must be true, false or { description: "..." }'],
    ['tools: { hangup: true }', 'agent.yaml: tools.hangup: unknown field (expected one of end_call, transfer_to_human, send_dtmf, pause_recording, resume_recording)'],
    ['mcpServers: [{ label: crm }]', 'agent.yaml: mcpServers[0].url: is required'],
    ['mcpServers: [{ label: c r m, url: "https://x" }]', "agent.yaml: mcpServers[0].label: must be 1..64 letters, digits, '_' or '-'"],
    ['mcpServers: [{ label: crm, url: "https://x", requireApproval: always }]', 'agent.yaml: mcpServers[0].requireApproval: must be never (on a phone call nobody can approve a tool call)'],
    ['dtmf: { collect: { terminator: "X" } }', 'agent.yaml: dtmf.collect.terminator: must be one DTMF key (0-9, *, #, A-D) or null'],
    ['handBack: { onRealtimeFailure: sometimes }', 'agent.yaml: handBack.onRealtimeFailure: must be true or false'],
    ['toolTimeoutMs: 10', 'agent.yaml: toolTimeoutMs: must be 100..60000 ms'],
    ['toolApproval: { default: ask }', 'agent.yaml: toolApproval.default: must be one of auto-approve, auto-deny, hand-back'],
    ['toolApproval: { tools: { refund: maybe } }', 'agent.yaml: toolApproval.tools.refund: must be one of auto-approve, auto-deny, hand-back'],
    ['toolApproval: { denyMessage: "" }', 'agent.yaml: toolApproval.denyMessage: must not be empty'],
  ])('%s → %s', async (yaml, problem) => {
    expect(await loadProblems(s.write('agent.yaml', `${yaml}\n`))).toEqual([problem]);
  });

  it('reports every problem at once, each on its own line', async () => {
    const problems = await loadProblems(s.write('agent.yaml', 'speed: 9\nvoice: 1\nbogus: true\n'));
    expect(problems).toEqual(['agent.yaml: voice: must be a string', 'agent.yaml: speed: must be 0.25..1.5', expect.stringMatching(/^agent\.yaml: bogus: unknown field \(expected one of model, voice, /)]);
  });

  it('reports template problems under the field', async () => {
    expect(await loadProblems(s.write('agent.yaml', 'instructions: "Hi {{name}}"\ngreeting: "{{contactId"\n'))).toEqual([
      expect.stringMatching(/^agent\.yaml: instructions: unknown placeholder \{\{name\}\}; allowed: \{\{contactId\}\}/),
      'agent.yaml: greeting: unterminated placeholder at character 1: "{{contactId"',
    ]);
  });

  it('YAML syntax errors name the line and column', async () => {
    expect(await loadProblems(s.write('agent.yaml', 'voice: marin\nvoice: cedar\n'))).toEqual(['agent.yaml: line 2, column 1: Map keys must be unique']);
  });

  it('rejects a file that is not a mapping', async () => {
    expect(await loadProblems(s.write('agent.yaml', '- voice: marin\n'))).toEqual(['agent.yaml: must be a mapping of fields (instructions: ..., voice: ...)']);
  });

  it('rejects an unknown extension and a missing file', async () => {
    expect(await loadProblems(s.write('agent.toml', 'voice = "marin"'))).toEqual([expect.stringMatching(/^agent\.toml: must end in \.yaml, \.yml, \.json, \.js/)]);
    expect(await loadProblems(`${s.dir}/nope.yaml`)).toEqual([`nope.yaml: cannot read ${s.dir}/nope.yaml: ENOENT`]);
  });

  it('dtmf.collect needs deliverToModel, and its prompt may use {{digits}}', async () => {
    expect(await loadProblems(s.write('agent.yaml', 'dtmf: { deliverToModel: false, collect: {} }\n'))).toEqual([
      'agent.yaml: dtmf.collect: collected digits go to the model; set dtmf.deliverToModel to true or remove collect',
    ]);
    const { definition } = await loadOk(s.write('agent2.yaml', 'dtmf: { collect: {} }\n'));
    expect(definition.dtmf.collect).toMatchObject({ maxDigits: 16, terminator: '#', interDigitTimeoutMs: 3_000, prompt: { source: 'The caller entered {{digits}} on the keypad.' } });
  });

  it('warns about an unknown voice and about turning transcription off', async () => {
    const { warnings } = await loadOk(s.write('agent.yaml', 'voice: nova\ntranscription: null\n'));
    expect(warnings).toEqual([
      expect.stringMatching(/^agent\.yaml: voice: "nova" is not a voice the Realtime API lists/),
      expect.stringMatching(/^agent\.yaml: transcription: null — caller speech is not transcribed/),
    ]);
    expect((await loadOk(s.write('agent2.yaml', 'voice: voice_abc123\n'))).warnings).toEqual([]);
  });
});

describe('handBack.apologyAudio', () => {
  it.each([
    [{ rate: 16_000 }, 'need 8000 Hz mono, got 16000 Hz mono (convert: sox in.wav -r 8000 -c 1 -b 16 out.wav)'],
    [{ channels: 2 }, 'need 8000 Hz mono, got 8000 Hz with 2 channels (convert: sox in.wav -r 8000 -c 1 -b 16 out.wav)'],
    [{ samples: 31 * 8_000 }, 'longer than 30 s'],
    [{ samples: 0 }, 'no audio in the data chunk'],
  ])('rejects %j', async (spec, problem) => {
    s.write('a.wav', wav(spec));
    expect(await loadProblems(s.write('agent.yaml', 'handBack: { apologyAudio: a.wav }\n'))).toEqual([`agent.yaml: handBack.apologyAudio: ${s.dir}/a.wav: ${problem}`]);
  });

  it('accepts A-law and decodes it', async () => {
    s.write('a.wav', wav({ format: 6, samples: 160 }));
    const { definition } = await loadOk(s.write('agent.yaml', 'handBack: { apologyAudio: a.wav }\n'));
    expect(definition.handBack.apologyAudio?.samples.length).toBe(160);
  });

  it('reports a file that is not a WAV, and one that does not exist', async () => {
    s.write('a.wav', 'not audio');
    expect(await loadProblems(s.write('agent.yaml', 'handBack: { apologyAudio: a.wav }\n'))).toEqual([`agent.yaml: handBack.apologyAudio: ${s.dir}/a.wav: not a RIFF/WAVE file`]);
    expect(await loadProblems(s.write('agent2.yaml', 'handBack: { apologyAudio: gone.wav }\n'))).toEqual([`agent2.yaml: handBack.apologyAudio: cannot read ${s.dir}/gone.wav: ENOENT`]);
  });

  it('is loaded even when set-up failures answer 503 (a backend lost mid-call still gets the apology)', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', 'handBack: { onRealtimeFailure: false }\n'));
    expect(definition.handBack.onRealtimeFailure).toBe(false);
    expect(definition.handBack.apologyAudio.samples.length).toBeGreaterThan(8_000);
  });

  it('a missing configured apology stops start-up whatever onRealtimeFailure says', async () => {
    const problems = await loadProblems(s.write("agent.yaml", "handBack: { onRealtimeFailure: false, apologyAudio: gone.wav }\n"));
    expect(problems.join('\n')).toMatch(/handBack\.apologyAudio/);
  });
});

describe('mcpServers', () => {
  const yaml = (url: string, auth: string) => `mcpServers:\n  - label: crm\n    url: "${url}"\n    allowedTools: [find_customer]\n    headers: { Authorization: "${auth}" }\n`;

  it('become Realtime mcp tools with ${ENV} expanded', async () => {
    const { definition } = await loadOk(s.write('agent.yaml', yaml('https://mcp.example.com/${CRM_PATH}', 'Bearer ${CRM_TOKEN}')), { CRM_TOKEN: 'tok-SECRET', CRM_PATH: 'v1' });
    expect(definition.mcpServers).toEqual([
      { type: 'mcp', server_label: 'crm', server_url: 'https://mcp.example.com/v1', allowed_tools: ['find_customer'], require_approval: 'never', headers: { Authorization: 'Bearer tok-SECRET' } },
    ]);
  });

  it('an unset variable stops start-up, without echoing any value', async () => {
    const problems = await loadProblems(s.write('agent.yaml', yaml('https://x', 'Bearer ${CRM_TOKEN} ${OTHER}')), { OTHER: 'visible-SECRET' });
    expect(problems).toEqual(['agent.yaml: mcpServers[0].headers.Authorization: environment variable CRM_TOKEN not set']);
    expect(problems.join()).not.toContain('visible-SECRET');
  });

  it.each([
    ['http://mcp.example.com', 'Bearer x', 'agent.yaml: mcpServers[0].url: must be an https:// URL (http:// only for loopback)'],
    ['https://x', 'Bearer ${lower-case}', 'agent.yaml: mcpServers[0].headers.Authorization: ${lower-case} is not a variable reference (write ${NAME}: letters, digits, _)'],
    ['https://x', 'Bearer ${TOKEN', 'agent.yaml: mcpServers[0].headers.Authorization: unterminated ${ (write ${NAME})'],
  ])('%s / %s → %s', async (url, auth, problem) => {
    expect(await loadProblems(s.write('agent.yaml', yaml(url, auth)))).toEqual([problem]);
  });

  it('allows http:// on loopback (the lab) and rejects duplicate labels', async () => {
    const both = `mcpServers:\n  - { label: crm, url: "http://127.0.0.1:9000/mcp" }\n  - { label: crm, url: "https://x" }\n`;
    expect(await loadProblems(s.write('agent.yaml', both))).toEqual(['agent.yaml: mcpServers[1].label: duplicate label "crm" (also mcpServers[0])']);
  });
});

describe('toolsModule', () => {
  const TOOL = `{ name: 'lookup', description: 'Look up.', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, handler: async () => 'ok' }`;

  it('loads the tools, relative to the agent file, and compiles their argument checks', async () => {
    s.write('tools.mjs', `export const tools = [${TOOL}];\n`);
    const { definition } = await loadOk(s.write('agent.yaml', 'toolsModule: ./tools.mjs\n'));
    expect(definition.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(definition.tools[0]?.checkArgs({ id: 'x' })).toEqual({ ok: true, value: { id: 'x' } });
    expect(definition.tools[0]?.checkArgs({})).toMatchObject({ ok: false });
  });

  it('accepts a default export { tools } too', async () => {
    s.write('tools.mjs', `export default { tools: [${TOOL}] };\n`);
    expect((await loadOk(s.write('agent.yaml', 'toolsModule: tools.mjs\n'))).definition.tools).toHaveLength(1);
  });

  it('reports every bad tool: names, duplicates, built-in clashes, schemas, handlers', async () => {
    s.write(
      'tools.mjs',
      `export const tools = [
  ${TOOL},
  ${TOOL},
  { name: 'end_call', description: 'x', parameters: { type: 'object' }, handler() {} },
  { name: 'has space', description: '', parameters: { type: 'objec' }, handler: 'nope' },
  { name: 'schema', description: 'x', parameters: { type: 'object', properties: { a: { type: 'strin' }, type: { type: 'string' } }, required: ['b'] }, handler() {} },
  { name: 'enums', description: 'x', parameters: { type: 'object', properties: { k: { enum: [{ type: 'not-a-type' }] } } }, handler() {} },
  42,
];\n`,
    );
    const problems = await loadProblems(s.write('agent.yaml', 'toolsModule: tools.mjs\n'));
    expect(problems).toEqual([
      'agent.yaml: toolsModule (tools.mjs): tools[1].name: duplicate tool name "lookup" (also tools[0])',
      'agent.yaml: toolsModule (tools.mjs): tools[2].name: "end_call" is a built-in tool (end_call, transfer_to_human, send_dtmf, pause_recording, resume_recording); choose another name',
      "agent.yaml: toolsModule (tools.mjs): tools[3].name: must be 1..64 letters, digits, '_' or '-'",
      'agent.yaml: toolsModule (tools.mjs): tools[3].description: must be a non-empty string',
      'agent.yaml: toolsModule (tools.mjs): tools[3].handler: must be a function (args, ctx) => result',
      'agent.yaml: toolsModule (tools.mjs): tools[3].parameters.type: must be "object" (tool arguments are an object), got "objec"',
      'agent.yaml: toolsModule (tools.mjs): tools[4].parameters.required: "b" is not in properties',
      'agent.yaml: toolsModule (tools.mjs): tools[4].parameters.properties.a.type: "strin" is not a JSON Schema type (string, number, integer, boolean, object, array, null)',
      'agent.yaml: toolsModule (tools.mjs): tools[6]: must be an object with name, description, parameters and handler',
    ]);
  });

  it('reports a module that does not load, or exports no tools', async () => {
    s.write('boom.mjs', `throw new Error('database unreachable');\n`);
    expect(await loadProblems(s.write('agent.yaml', 'toolsModule: boom.mjs\n'))).toEqual([`agent.yaml: toolsModule (boom.mjs): cannot load ${s.dir}/boom.mjs: database unreachable`]);
    s.write('empty.mjs', `export const other = 1;\n`);
    expect(await loadProblems(s.write('agent2.yaml', 'toolsModule: empty.mjs\n'))).toEqual([
      'agent2.yaml: toolsModule (empty.mjs): exports no `tools` (export const tools = [...], or a default export { tools })',
    ]);
  });
});

describe('agent definition as a JS module', () => {
  it('uses the default export, validated like YAML', async () => {
    const { definition } = await loadOk(s.write('agent.mjs', `export default { voice: 'ash', turnDetection: { type: 'semantic_vad' } };\n`));
    expect(definition.voice).toBe('ash');
    expect(definition.turnDetection).toMatchObject({ type: 'semantic_vad', eagerness: 'auto' });
    expect(await loadProblems(s.write('bad.mjs', `export default { speed: 2 };\n`))).toEqual(['bad.mjs: speed: must be 0.25..1.5']);
  });

  it('needs a default export object', async () => {
    expect(await loadProblems(s.write('agent.mjs', `export const voice = 'ash';\n`))).toEqual(['agent.mjs: must default-export the agent definition object (export default { instructions: ... })']);
  });

  it('load() never rejects, even for a module that throws', async () => {
    await expect(load(s.write('agent.mjs', `throw new TypeError('bad');\n`))).resolves.toEqual({ ok: false, error: [`agent.mjs: cannot load ${s.dir}/agent.mjs: bad`] });
  });
});

describe('toolApproval', () => {
  it('defaults to auto-deny with a message for the model; the file may set a default, per-tool actions and the message', async () => {
    const none = await loadOk(s.write('a.yaml', 'voice: marin\n'));
    expect(none.definition.toolApproval).toEqual({ default: 'auto-deny', tools: {}, denyMessage: DEFAULT_TOOL_DENY_MESSAGE });
    const set = await loadOk(s.write('b.yaml', 'toolApproval: { default: hand-back, denyMessage: Not today., tools: { lookup_order: auto-approve } }\n'));
    expect(set.definition.toolApproval).toEqual({ default: 'hand-back', tools: { lookup_order: 'auto-approve' }, denyMessage: 'Not today.' });
  });
});
