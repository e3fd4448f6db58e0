import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOk, loadProblems, scratch, wav, type Scratch } from './helpers.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.remove());

describe('agent file: greeting and bargeIn', () => {
  it('the plain string greeting still means instructions for the first response, interruptible, minSpeechMs 0', async () => {
    const { definition: d } = await loadOk(s.write('a.yaml', 'greeting: Say hello.\n'));
    expect(d.greeting?.source).toBe('Say hello.');
    expect(d.greetingInterruptible).toBeUndefined();
    expect(d.greetingAudio).toBeUndefined();
    expect(d.bargeIn).toEqual({ minSpeechMs: 0 });
  });

  it('greeting.audio with its text is read and decoded at start-up; instructions may follow it', async () => {
    s.write('hello.wav', wav({ samples: 8_000, format: 7 }));
    const { definition: d } = await loadOk(
      s.write('a.yaml', 'greeting:\n  audio: hello.wav\n  text: Hello, you are through to Example.\n  instructions: Ask how you can help.\n  interruptible: false\nbargeIn: { minSpeechMs: 300 }\n'),
    );
    expect(d.greetingAudio).toMatchObject({ path: `${s.dir}/hello.wav`, text: 'Hello, you are through to Example.' });
    expect(d.greetingAudio?.samples.length).toBe(8_000);
    expect(d.greeting?.source).toBe('Ask how you can help.');
    expect(d.greetingInterruptible).toBe(false);
    expect(d.bargeIn).toEqual({ minSpeechMs: 300 });
  });

  it('greeting.text alone is said word for word by the model', async () => {
    const { definition: d } = await loadOk(s.write('a.yaml', 'greeting: { text: This call is recorded., interruptible: false }\n'));
    expect(d.greeting?.source).toContain('"This call is recorded."');
    expect(d.greetingAudio).toBeUndefined();
  });

  it('refuses bad greetings and bargeIn values with one line each', async () => {
    expect(await loadProblems(s.write('a.yaml', 'greeting: { audio: x.wav }\n'))).toEqual([
      'a.yaml: greeting.text: required with greeting.audio (what the recording says, so the model knows it was said)',
    ]);
    expect((await loadProblems(s.write('b.yaml', 'greeting: { text: Hi, audio: missing.wav }\n')))[0]).toMatch(/^b\.yaml: greeting\.audio: cannot read .*missing\.wav: ENOENT$/);
    s.write('stereo.wav', wav({ channels: 2 }));
    expect((await loadProblems(s.write('c.yaml', 'greeting: { text: Hi, audio: stereo.wav }\n')))[0]).toMatch(/greeting\.audio: .*need 8000 Hz mono/);
    s.write('long.wav', wav({ samples: 8_000 * 61 }));
    expect((await loadProblems(s.write('d.yaml', 'greeting: { text: Hi, audio: long.wav }\n')))[0]).toMatch(/greeting\.audio: .*longer than 60 s/);
    expect(await loadProblems(s.write('e.yaml', 'greeting: { interruptible: false }\n'))).toEqual(['e.yaml: greeting: needs instructions, text or audio']);
    expect((await loadProblems(s.write('f.yaml', 'greeting: { text: Hi, instructions: Greet. }\n')))[0]).toMatch(/^f\.yaml: greeting: give either instructions or text/);
    expect((await loadProblems(s.write('g.yaml', 'bargeIn: { minSpeechMs: 5000 }\n')))[0]).toMatch(/bargeIn\.minSpeechMs: must be 0\.\.2000 ms/);
    expect((await loadProblems(s.write('h.yaml', 'greeting: 42\n')))[0]).toMatch(/greeting: must be a string/);
    expect(await loadProblems(s.write('i.yaml', 'bargeIn: { minSpeechMs: 300 }\nturnDetection: { type: server_vad, interruptResponse: false }\n'))).toEqual([
      'i.yaml: greeting.interruptible and bargeIn.minSpeechMs need turnDetection.interruptResponse true (with it false the caller can never interrupt the agent)',
    ]);
  });
});
