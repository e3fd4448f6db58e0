/** The lab's fake OpenAI Realtime server: in-process API for the scenario runner and tests. */
export { startFakeRealtime, type AttemptOutcome, type ConnectionAttempt, type FakeRealtimeOptions, type FakeRealtimeServer } from './server.js';
export {
  DEFAULT_CHUNK_MS,
  DEFAULT_RESPONSE_DELAY_MS,
  DEFAULT_SPEED,
  DEFAULT_VAD_MIN_SPEECH_MS,
  DEFAULT_VAD_THRESHOLD_DBOV,
  defaultFakeScript,
  loadFakeScript,
  parseFakeScript,
  resolveScriptPaths,
  scriptFileSchema,
  type FakeAudioSource,
  type FakeDropInjection,
  type FakeErrorInjection,
  type FakeFailures,
  type FakeFunctionCall,
  type FakeScript,
  type FakeTurn,
  type FakeVadParams,
} from './script.js';
export { FakeSession, type DeltaRecord, type Direction, type RecordedEvent, type ResponseRecord, type TruncateRecord } from './session.js';
export { EnergyVad, VAD_FRAME_MS, type EnergyVadParams, type VadTransition } from './vad.js';
export { readPcm16Wav, wavFile } from './wav.js';
