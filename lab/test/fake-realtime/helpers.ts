/** Synthetic audio and a socket-free FakeSession harness for the fake's tests. */
import { ManualClock, encodeMulaw } from 'connect-realtime-gateway';
import type { FakeScript } from '../../src/fake-realtime/script.js';
import { FakeSession } from '../../src/fake-realtime/session.js';
import { AudioBank, ScriptCursor } from '../../src/fake-realtime/turns.js';

/** A sine at `dbov` (RMS, G.100.1) for `ms` at `rate`. */
export function tone(ms: number, rate = 8000, hz = 440, dbov = -20): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const peak = 32768 * Math.SQRT2 * 10 ** (dbov / 20);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

export function silence(ms: number, rate = 8000): Int16Array {
  return new Int16Array(Math.round((ms * rate) / 1000));
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function mulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  encodeMulaw(pcm, out);
  return out;
}

export type WireEvent = { type: string } & Record<string, unknown>;

export function sessionHarness(script: FakeScript) {
  const clock = new ManualClock();
  const sent: WireEvent[] = [];
  let terminated = false;
  let closeFrame: { code: number; reason: string } | undefined;
  const cursor = new ScriptCursor(script);
  const bank = new AudioBank(script);
  const session: FakeSession = new FakeSession({
    index: 0,
    model: 'gpt-realtime',
    script,
    cursor,
    bank,
    clock,
    epoch: 0,
    transport: {
      send: (text) => sent.push(JSON.parse(text) as WireEvent),
      terminate: () => {
        terminated = true;
        session.onClosed(1006, 'server');
      },
      close: (code, reason) => {
        closeFrame = { code, reason };
        session.onClosed(code, 'server');
      },
    },
  });
  session.start();
  const send = (event: object): void => session.handleMessage(JSON.stringify(event));
  return {
    clock,
    sent,
    session,
    send,
    get terminated() {
      return terminated;
    },
    /** The server's close frame, when it closed the session cleanly. */
    get closeFrame() {
      return closeFrame;
    },
    types: (): string[] => sent.map((e) => e.type),
    ofType: (type: string): WireEvent[] => sent.filter((e) => e.type === type),
    /** Configure G.711 µ-law both ways with server VAD. */
    useMulaw(turnDetection: Record<string, unknown> | null = { type: 'server_vad', silence_duration_ms: 200, create_response: true, interrupt_response: true }, extra: Record<string, unknown> = {}) {
      send({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: turnDetection, ...extra }, output: { format: { type: 'audio/pcmu' } } } },
      });
    },
    /** Appends 8 kHz PCM as µ-law in 20 ms appends. */
    speak(pcm: Int16Array): void {
      const bytes = mulaw(pcm);
      for (let off = 0; off < bytes.length; off += 160) {
        send({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes.subarray(off, off + 160)).toString('base64') });
      }
    },
  };
}
