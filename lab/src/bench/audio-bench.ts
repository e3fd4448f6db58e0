/**
 * Audio benchmarks: our G.711 against `alawmulaw`, and our 8 kHz <-> 24 kHz resamplers against the
 * Speex resampler (WASM, qualities 5 and 10) and libsamplerate (WASM, sinc converters). Every
 * resampler is timed per 20 ms frame (160 <-> 480 samples, int16 in and out, including whatever
 * format conversion the library needs) and measured for quality with the same lab/src/analysis code
 * the unit tests use, on int16 output, streamed in 20 ms frames from a fresh state.
 *
 * Timing: process.hrtime.bigint() around rounds of `frames` frames after a warm-up; the median round
 * is reported, which ignores GC pauses and a noisy neighbour on a shared machine.
 */
import alawmulaw from 'alawmulaw';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import {
  aliasLevelDb,
  converterDelayMs,
  converterThdPlusNDb,
  imageLevelDb,
  passbandRippleDb,
  sine,
  toInt16,
  type ConverterUnderTest,
} from '../analysis/index.js';
import {
  decodeAlaw,
  decodeMulaw,
  Downsampler24to8,
  encodeAlaw,
  encodeMulaw,
  RESAMPLER_TAPS,
  Upsampler8to24,
} from 'connect-realtime-gateway';

export type ResampleDirection = '8k->24k' | '24k->8k';

export interface AudioBenchResult {
  g711: Array<{ impl: string; op: string; ns_per_frame: number }>;
  resampler: Array<{
    impl: string;
    direction: ResampleDirection;
    ns_per_frame: number;
    /** THD+N of a 997 Hz tone at −1 dBFS, int16 output, dB. */
    thdn_db: number;
    /** 24k->8k: worst alias of 4.6–12 kHz tones; 8k->24k: worst image of 0.1–3.4 kHz tones (dB re tone). */
    alias_db: number | null;
    /** Real-time latency in ms: signal delay plus any output held back at the start of a stream. */
    delay_ms: number;
    /** Max − min gain over 100–3400 Hz, dB. */
    ripple_db: number;
  }>;
}

/** A streaming int16 resampler with a reusable output buffer, as the call would use it. */
interface FrameResampler {
  readonly impl: string;
  readonly direction: ResampleDirection;
  /** Converts one frame; returns the number of samples written to `out`. */
  process(input: Int16Array, out: Int16Array): number;
  /** Back to a fresh state (start of a new stream). */
  reset(): void;
}

const FRAME_8K = 160;
const FRAME_24K = 480;
const ROUNDS = 5;

function rates(direction: ResampleDirection): { inRate: number; outRate: number; inFrame: number; outFrame: number } {
  return direction === '8k->24k'
    ? { inRate: 8000, outRate: 24000, inFrame: FRAME_8K, outFrame: FRAME_24K }
    : { inRate: 24000, outRate: 8000, inFrame: FRAME_24K, outFrame: FRAME_8K };
}

// ---------------------------------------------------------------------------------------------
// Adapters

function oursResampler(direction: ResampleDirection): FrameResampler {
  const make = () => (direction === '8k->24k' ? new Upsampler8to24() : new Downsampler24to8());
  let r = make();
  return {
    impl: `ours (${RESAMPLER_TAPS}-tap Kaiser polyphase)`,
    direction,
    process: (input, out) => r.process(input, out),
    reset: () => {
      r = make();
    },
  };
}

/** The subset of the Emscripten module of @echogarden/speex-resampler-wasm that we call. */
interface SpeexModule {
  HEAP16: Int16Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
  _speex_resampler_process_int(st: number, channel: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
  _speex_resampler_reset_mem(st: number): number;
}

async function loadSpeex(): Promise<SpeexModule> {
  // The package ships no type declarations; a computed specifier keeps tsc from demanding them and
  // the result is narrowed to the functions above right here.
  const specifier: string = '@echogarden/speex-resampler-wasm';
  const mod = (await import(specifier)) as { default: () => Promise<SpeexModule> };
  return mod.default();
}

function speexResampler(speex: SpeexModule, direction: ResampleDirection, quality: number): FrameResampler {
  const { inRate, outRate, inFrame, outFrame } = rates(direction);
  const errPtr = speex._malloc(4);
  const st = speex._speex_resampler_init(1, inRate, outRate, quality, errPtr);
  if (st === 0 || speex.HEAP32[errPtr >> 2] !== 0) throw new Error(`speex_resampler_init failed (${speex.HEAP32[errPtr >> 2]})`);
  // Buffers in WASM memory, allocated once; only the per-frame copies in and out remain.
  const inPtr = speex._malloc(inFrame * 2 * 2);
  const outPtr = speex._malloc(outFrame * 2 * 2);
  const inLenPtr = speex._malloc(4);
  const outLenPtr = speex._malloc(4);
  return {
    impl: `speex-wasm q${quality}`,
    direction,
    process: (input, out) => {
      speex.HEAP16.set(input, inPtr >> 1);
      speex.HEAPU32[inLenPtr >> 2] = input.length;
      speex.HEAPU32[outLenPtr >> 2] = out.length;
      speex._speex_resampler_process_int(st, 0, inPtr, inLenPtr, outPtr, outLenPtr);
      const n = speex.HEAPU32[outLenPtr >> 2] as number;
      out.set(speex.HEAP16.subarray(outPtr >> 1, (outPtr >> 1) + n));
      return n;
    },
    reset: () => {
      speex._speex_resampler_reset_mem(st);
    },
  };
}

type LibsamplerateSrc = Awaited<ReturnType<typeof libsamplerate.create>>;

async function libsamplerateResampler(direction: ResampleDirection, type: 'SRC_SINC_FASTEST' | 'SRC_SINC_MEDIUM_QUALITY' | 'SRC_SINC_BEST_QUALITY'): Promise<FrameResampler> {
  const { inRate, outRate, inFrame, outFrame } = rates(direction);
  const src: LibsamplerateSrc = await libsamplerate.create(1, inRate, outRate, { converterType: libsamplerate.ConverterType[type] });
  const floatIn = new Float32Array(inFrame);
  const floatOut = new Float32Array(outFrame + 8);
  const written = { frames: 0 };
  return {
    impl: `libsamplerate ${type.replace('SRC_SINC_', 'sinc-').toLowerCase().replace('_quality', '')}`,
    direction,
    process: (input, out) => {
      for (let i = 0; i < input.length; i++) floatIn[i] = (input[i] as number) / 32768;
      src.full(floatIn.subarray(0, input.length), floatOut, written);
      const n = Math.min(written.frames, out.length);
      for (let i = 0; i < n; i++) {
        const v = Math.round((floatOut[i] as number) * 32768);
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
      return n;
    },
    // Re-assigning the rate re-creates the converter state (documented setter of the wrapper).
    reset: () => {
      src.inputSampleRate = inRate;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Median ns per call of `fn` over ROUNDS rounds of `calls` calls, after a warm-up round. */
function timePerCall(calls: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.max(50, calls >> 2); i++) fn(i);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  return median(rounds);
}

/**
 * The resampler as a whole-signal converter for lab/src/analysis: a fresh stream fed in 20 ms
 * frames. Output a library holds back at the start is replaced by leading zeros, so that the
 * measured delay is what a real-time consumer of fixed frames experiences.
 */
function asConverter(r: FrameResampler): ConverterUnderTest {
  const { inRate, outRate, inFrame, outFrame } = rates(r.direction);
  return {
    inRate,
    outRate,
    convert: (input) => {
      r.reset();
      const frames = Math.floor(input.length / inFrame);
      const out = new Int16Array(frames * outFrame);
      const scratch = new Int16Array(outFrame + 8);
      let produced = 0;
      const chunks: Int16Array[] = [];
      for (let f = 0; f < frames; f++) {
        const n = r.process(input.subarray(f * inFrame, (f + 1) * inFrame), scratch);
        chunks.push(scratch.slice(0, n));
        produced += n;
      }
      let at = Math.max(0, out.length - produced); // held-back output shows up as latency
      for (const c of chunks) {
        const take = Math.min(c.length, out.length - at);
        out.set(c.subarray(0, take), at);
        at += take;
      }
      return out;
    },
  };
}

function benchResampler(r: FrameResampler, frames: number): AudioBenchResult['resampler'][number] {
  const { inRate, inFrame, outFrame } = rates(r.direction);
  const signal = toInt16(sine(997, inRate, 1, -6));
  const framesInSignal = Math.floor(signal.length / inFrame);
  const out = new Int16Array(outFrame + 8);
  r.reset();
  const ns = timePerCall(frames, (i) => {
    const f = i % framesInSignal;
    r.process(signal.subarray(f * inFrame, (f + 1) * inFrame), out);
  });
  const c = asConverter(r);
  return {
    impl: r.impl,
    direction: r.direction,
    ns_per_frame: Math.round(ns),
    thdn_db: round1(converterThdPlusNDb(c, 997)),
    alias_db: round1(r.direction === '24k->8k' ? aliasLevelDb(c) : imageLevelDb(c)),
    delay_ms: Math.round(converterDelayMs(c) * 1000) / 1000,
    ripple_db: Math.round(passbandRippleDb(c) * 10000) / 10000,
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function benchG711(frames: number): AudioBenchResult['g711'] {
  const pcm = toInt16(sine(997, 8000, 0.02, -10)); // one 20 ms frame
  const codes = new Uint8Array(FRAME_8K);
  const decoded = new Int16Array(FRAME_8K);
  const muCodes = alawmulaw.mulaw.encode(pcm);
  const aCodes = alawmulaw.alaw.encode(pcm);
  const calls = frames * 20; // ~100 ns each: more calls for a stable figure
  const rows: AudioBenchResult['g711'] = [];
  const add = (impl: string, op: string, fn: () => void) => rows.push({ impl, op, ns_per_frame: Math.round(timePerCall(calls, fn)) });
  add('ours', 'encode µ-law', () => encodeMulaw(pcm, codes));
  add('alawmulaw', 'encode µ-law', () => alawmulaw.mulaw.encode(pcm));
  add('ours', 'decode µ-law', () => decodeMulaw(muCodes, decoded));
  add('alawmulaw', 'decode µ-law', () => alawmulaw.mulaw.decode(muCodes));
  add('ours', 'encode A-law', () => encodeAlaw(pcm, codes));
  add('alawmulaw', 'encode A-law', () => alawmulaw.alaw.encode(pcm));
  add('ours', 'decode A-law', () => decodeAlaw(aCodes, decoded));
  add('alawmulaw', 'decode A-law', () => alawmulaw.alaw.decode(aCodes));
  return rows;
}

/**
 * Runs all audio benchmarks. `frames`: 20 ms frames timed per round for each resampler (×20 for
 * G.711); the default keeps the whole run around 10 s on a 2-core machine.
 */
export async function runAudioBench(opts: { frames?: number } = {}): Promise<AudioBenchResult> {
  const frames = Math.max(10, Math.floor(opts.frames ?? 2000));
  const speex = await loadSpeex();
  const resamplers: FrameResampler[] = [];
  for (const direction of ['8k->24k', '24k->8k'] as const) {
    resamplers.push(oursResampler(direction));
    resamplers.push(speexResampler(speex, direction, 5));
    resamplers.push(speexResampler(speex, direction, 10));
    resamplers.push(await libsamplerateResampler(direction, 'SRC_SINC_FASTEST'));
    resamplers.push(await libsamplerateResampler(direction, 'SRC_SINC_MEDIUM_QUALITY'));
  }
  return {
    g711: benchG711(frames),
    resampler: resamplers.map((r) => benchResampler(r, frames)),
  };
}

/** A plain-text table of the results, for the console and the bench log. */
export function formatAudioBenchTable(result: AudioBenchResult): string {
  const lines: string[] = [];
  lines.push('G.711 (per 160-sample frame)');
  lines.push(`  ${'impl'.padEnd(12)} ${'op'.padEnd(14)} ${'ns/frame'.padStart(9)}`);
  for (const r of result.g711) lines.push(`  ${r.impl.padEnd(12)} ${r.op.padEnd(14)} ${String(r.ns_per_frame).padStart(9)}`);
  lines.push('');
  lines.push('Resampler (per 20 ms frame; quality on int16 output; alias = 24k->8k aliasing, or 8k->24k imaging)');
  const head = ['impl'.padEnd(36), 'direction'.padEnd(9), 'ns/frame'.padStart(9), 'THD+N dB'.padStart(9), 'alias dB'.padStart(9), 'delay ms'.padStart(9), 'ripple dB'.padStart(10)];
  lines.push(`  ${head.join(' ')}`);
  for (const r of result.resampler) {
    lines.push(
      `  ${r.impl.padEnd(36)} ${r.direction.padEnd(9)} ${String(r.ns_per_frame).padStart(9)} ${r.thdn_db.toFixed(1).padStart(9)} ${(r.alias_db === null ? 'n/a' : r.alias_db.toFixed(1)).padStart(9)} ${r.delay_ms.toFixed(3).padStart(9)} ${r.ripple_db.toFixed(4).padStart(10)}`,
    );
  }
  return lines.join('\n');
}
