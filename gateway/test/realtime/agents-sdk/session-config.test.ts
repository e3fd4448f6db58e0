import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseVoice, mergeSdkConfig, toSdkSessionConfig } from '../../../src/realtime/agents-sdk/index.js';
import type { RealtimeSessionConfig } from '../../../src/realtime/backend.js';
import { toSessionPayload, toWireFormat } from '../../../src/realtime/ga/session-payload.js';
import { baseConfig, frontDesk } from './helpers.js';

describe('agents-sdk session config: gateway config -> SDK config (GA shape, GA wire values)', () => {
  it.each([
    ['pcmu', { type: 'audio/pcmu' }],
    ['pcma', { type: 'audio/pcma' }],
    ['pcm16', { type: 'audio/pcm', rate: 24000 }],
  ] as const)('%s is the format of both directions', (format, wire) => {
    const c = toSdkSessionConfig({ ...baseConfig, audioFormat: format }, 'marin');
    expect(c.audio?.input?.format).toEqual(wire);
    expect(c.audio?.output?.format).toEqual(wire);
  });

  it('maps turn detection, transcription, noise reduction, voice, speed and max tokens', () => {
    const c = toSdkSessionConfig(
      {
        ...baseConfig,
        turnDetection: { type: 'server_vad', threshold: 0.6, prefixPaddingMs: 200, silenceDurationMs: 400, createResponse: true, interruptResponse: false, idleTimeoutMs: 8000 },
        transcription: { model: 'gpt-4o-transcribe', language: 'de' },
        noiseReduction: 'near_field',
        speed: 1.2,
        maxOutputTokens: 512,
      },
      'cedar',
    );
    expect(c).toEqual({
      outputModalities: ['audio'],
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          // The GA wire shape, which the SDK passes through to its session.update.
          turnDetection: { type: 'server_vad', threshold: 0.6, prefix_padding_ms: 200, silence_duration_ms: 400, create_response: true, interrupt_response: false, idle_timeout_ms: 8000 },
          transcription: { model: 'gpt-4o-transcribe', language: 'de' },
          noiseReduction: { type: 'near_field' },
        },
        output: { format: { type: 'audio/pcmu' }, voice: 'cedar', speed: 1.2 },
      },
      providerData: { max_output_tokens: 512 },
    });
  });

  it('null settings stay null (turn detection off, no transcription, no noise reduction); semantic VAD keeps its eagerness', () => {
    expect(toSdkSessionConfig({ ...baseConfig, turnDetection: null, transcription: null, noiseReduction: null }, 'marin').audio?.input).toEqual({
      format: { type: 'audio/pcmu' },
      turnDetection: null,
      transcription: null,
      noiseReduction: null,
    });
    expect(
      toSdkSessionConfig({ ...baseConfig, turnDetection: { type: 'semantic_vad', eagerness: 'high', createResponse: false, interruptResponse: true } }, 'marin').audio?.input
        ?.turnDetection,
    ).toEqual({ type: 'semantic_vad', eagerness: 'high', create_response: false, interrupt_response: true });
  });

  it('property: the audio settings are the GA session payload\'s values, one mapping for both providers', () => {
    const turnDetection: fc.Arbitrary<RealtimeSessionConfig['turnDetection']> = fc.oneof(
      fc.constant(null),
      fc.record(
        {
          type: fc.constant('server_vad' as const),
          threshold: fc.double({ min: 0, max: 1, noNaN: true }),
          prefixPaddingMs: fc.nat(2000),
          silenceDurationMs: fc.nat(2000),
          createResponse: fc.boolean(),
          interruptResponse: fc.boolean(),
          idleTimeoutMs: fc.nat(30_000),
        },
        { requiredKeys: ['type', 'threshold', 'prefixPaddingMs', 'silenceDurationMs', 'createResponse', 'interruptResponse'] },
      ),
      fc.record({ type: fc.constant('semantic_vad' as const), eagerness: fc.constantFrom('low', 'medium', 'high', 'auto' as const), createResponse: fc.boolean(), interruptResponse: fc.boolean() }),
    );
    const config = fc.record({
      audioFormat: fc.constantFrom('pcmu', 'pcma', 'pcm16' as const),
      turnDetection,
      transcription: fc.option(fc.record({ model: fc.constantFrom('gpt-4o-mini-transcribe', 'whisper-1'), language: fc.constantFrom('en', 'de') }, { requiredKeys: ['model'] }), { nil: null }),
      noiseReduction: fc.constantFrom(null, 'near_field', 'far_field' as const),
      voice: fc.constantFrom('marin', 'cedar'),
      speed: fc.option(fc.double({ min: 0.25, max: 1.5, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(config, (patch) => {
        const c: RealtimeSessionConfig = { ...baseConfig, ...patch };
        if (c.speed === undefined) delete c.speed;
        const ga = toSessionPayload(c).audio;
        const sdk = toSdkSessionConfig(c, c.voice).audio;
        expect(sdk?.input).toEqual({
          format: ga?.input?.format,
          turnDetection: ga?.input?.turn_detection,
          transcription: ga?.input?.transcription,
          noiseReduction: ga?.input?.noise_reduction,
        });
        expect(sdk?.output).toEqual(ga?.output);
      }),
      { numRuns: 300 },
    );
  });

  it("the agent's voice wins when it has one", () => {
    expect(chooseVoice(frontDesk({ voice: 'cedar' }), baseConfig)).toBe('cedar');
    expect(chooseVoice(frontDesk(), baseConfig)).toBe('marin');
  });
});

describe("agents-sdk session config: merged with the deployment's sessionOptions.config", () => {
  it('keeps its other fields, ours win on audio; deprecated audio keys are dropped', () => {
    const ours = toSdkSessionConfig(baseConfig, 'marin');
    const merged = mergeSdkConfig(
      {
        toolChoice: 'required',
        providerData: { truncation: 'auto' },
        audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { speed: 0.9 } },
        // A beta-shape key: would switch the SDK to its deprecated mapping and drop our audio block.
        ...({ inputAudioFormat: 'pcm16' } as object),
      },
      ours,
    );
    expect(merged).toMatchObject({ toolChoice: 'required', providerData: { truncation: 'auto' } });
    expect(merged.audio?.input?.format).toEqual({ type: 'audio/pcmu' });
    expect(merged.audio?.output).toEqual({ format: { type: 'audio/pcmu' }, voice: 'marin', speed: 0.9 });
    expect('inputAudioFormat' in merged).toBe(false);
  });

  it('property: whatever the deployment sets, the session formats are the gateway format', () => {
    const format = fc.constantFrom({ type: 'audio/pcm', rate: 24000 } as const, { type: 'audio/pcma' } as const, { type: 'audio/pcmu' } as const);
    fc.assert(
      fc.property(format, format, fc.constantFrom('pcmu', 'pcma', 'pcm16') as fc.Arbitrary<'pcmu' | 'pcma' | 'pcm16'>, (inFmt, outFmt, ours) => {
        const merged = mergeSdkConfig({ audio: { input: { format: inFmt }, output: { format: outFmt } } }, toSdkSessionConfig({ ...baseConfig, audioFormat: ours }, 'marin'));
        expect(merged.audio?.input?.format).toEqual(toWireFormat(ours));
        expect(merged.audio?.output?.format).toEqual(toWireFormat(ours));
      }),
      { numRuns: 100 },
    );
  });
});
