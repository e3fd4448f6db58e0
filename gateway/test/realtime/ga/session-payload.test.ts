import { describe, expect, it } from 'vitest';
import type { RealtimeSessionConfig } from '../../../src/realtime/backend.js';
import { toPartialSessionPayload, toSessionPayload, toWireFormat } from '../../../src/realtime/ga/session-payload.js';

const config: RealtimeSessionConfig = {
  model: 'gpt-realtime',
  instructions: 'You are a helpful agent.',
  voice: 'marin',
  audioFormat: 'pcmu',
  turnDetection: { type: 'server_vad', threshold: 0.6, prefixPaddingMs: 300, silenceDurationMs: 500, createResponse: true, interruptResponse: false, idleTimeoutMs: 8000 },
  noiseReduction: 'near_field',
  transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' },
  tools: [
    { type: 'function', name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { id: { type: 'string' } } } },
    { type: 'mcp', server_label: 'crm', server_url: 'https://mcp.example.invalid', require_approval: 'never' },
  ],
  speed: 1.1,
  maxOutputTokens: 'inf',
};

describe('GA session.update payload', () => {
  it('maps audio formats to the GA format objects', () => {
    expect(toWireFormat('pcmu')).toEqual({ type: 'audio/pcmu' });
    expect(toWireFormat('pcma')).toEqual({ type: 'audio/pcma' });
    expect(toWireFormat('pcm16')).toEqual({ type: 'audio/pcm', rate: 24000 });
  });

  it('builds a full type:"realtime" session with audio.input/output', () => {
    expect(toSessionPayload(config)).toEqual({
      type: 'realtime',
      model: 'gpt-realtime',
      instructions: 'You are a helpful agent.',
      max_output_tokens: 'inf',
      tools: [
        { type: 'function', name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { id: { type: 'string' } } } },
        { type: 'mcp', server_label: 'crm', server_url: 'https://mcp.example.invalid', require_approval: 'never' },
      ],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          turn_detection: { type: 'server_vad', threshold: 0.6, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: false, idle_timeout_ms: 8000 },
          noise_reduction: { type: 'near_field' },
          transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' },
        },
        output: { format: { type: 'audio/pcmu' }, voice: 'marin', speed: 1.1 },
      },
    });
  });

  it('sends null to switch features off (turn detection, noise reduction, transcription)', () => {
    const p = toSessionPayload({ ...config, turnDetection: null, noiseReduction: null, transcription: null });
    expect(p.audio?.input?.turn_detection).toBeNull();
    expect(p.audio?.input?.noise_reduction).toBeNull();
    expect(p.audio?.input?.transcription).toBeNull();
  });

  it('maps semantic_vad', () => {
    const p = toSessionPayload({ ...config, turnDetection: { type: 'semantic_vad', eagerness: 'low', createResponse: true, interruptResponse: true } });
    expect(p.audio?.input?.turn_detection).toEqual({ type: 'semantic_vad', eagerness: 'low', create_response: true, interrupt_response: true });
  });

  it('a partial update carries only the given fields', () => {
    expect(toPartialSessionPayload({ instructions: 'new' })).toEqual({ type: 'realtime', instructions: 'new' });
    expect(toPartialSessionPayload({ voice: 'cedar' })).toEqual({ type: 'realtime', audio: { output: { voice: 'cedar' } } });
  });
});
