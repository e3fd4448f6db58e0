import { join } from 'node:path';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { encodeWavMulaw } from '../signal.js';
import { rtpPackets } from '../wire.js';
import { round } from '../helpers.js';

/** The slow-tool filler and the hand-off summary (issue 14). */
export const agentExtrasChecks = [
  defineCheck({
    name: 'tool-filler-heard',
    doc:
      'the filler `wav` reached the caller `afterMs` (+`toleranceMs`) after the fake sent the function call, its last frame left ≤ `maxTailMs` after the tool output reached the fake and before the answer\'s first frame, and it was never sent to the model as an assistant item',
    params: {
      wav: z.string().describe('the filler recording (repository path) the agent definition names'),
      afterMs: z.number().nonnegative().describe('the agent definition\'s toolFiller.afterMs'),
      toleranceMs: z.number().positive().default(100).describe('latest start after afterMs, ms (one 20 ms tick, the tap and scheduling)'),
      maxTailMs: z.number().nonnegative().default(40).describe('longest the filler may go on after the tool output reached the fake, ms (two frames)'),
    },
    run(spec, ev) {
      const limit = `start ${spec.afterMs}..${spec.afterMs + spec.toleranceMs} ms after the call; cut ≤ ${spec.maxTailMs} ms after the output, before the answer`;
      const fail = (detail: string) => ({ name: spec.check, passed: false, value: null, limit, detail });
      const callAt = ev.realtime.functionCallsAt[0];
      if (callAt === undefined) return fail('the fake sent no function call');
      const output = ev.realtime.clientEvents.find((e) => e.t > callAt && e.type === 'conversation.item.create' && (e.event.item as { type?: unknown } | undefined)?.type === 'function_call_output');
      if (output === undefined) return fail('no function_call_output reached the fake');
      const filler = encodeWavMulaw(join(ev.root, spec.wav));
      const heard = rtpPackets(ev.rtp, 'toCaller')
        .filter((r) => r.payload !== undefined)
        .sort((a, b) => a.t - b.t);
      const start = heard.findIndex((r) => r.t > callAt && r.payload!.equals(filler.subarray(0, 160)));
      if (start < 0) return fail('no frame of the filler reached the caller after the function call');
      let frames = 0;
      while (start + frames < heard.length && (frames + 1) * 160 <= filler.length && heard[start + frames]!.payload!.equals(filler.subarray(frames * 160, (frames + 1) * 160))) frames++;
      const startedMs = heard[start]!.t - callAt;
      const lastAt = heard[start + frames - 1]!.t;
      const tailMs = lastAt - output.t;
      // The answer: the first audio the fake sent after the output, as it left the gateway.
      const answer = ev.realtime.sentAudio.find((a) => a.firstDeltaAt > output.t && a.bytes.length >= 160);
      const answerAt = answer === undefined ? undefined : heard.find((r) => r.t > output.t && r.payload!.equals(answer.bytes.subarray(0, 160)))?.t;
      const assistantItems = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.create' && (e.event.item as { role?: unknown } | undefined)?.role === 'assistant').length;
      const passed =
        startedMs >= spec.afterMs &&
        startedMs <= spec.afterMs + spec.toleranceMs &&
        tailMs <= spec.maxTailMs &&
        answerAt !== undefined &&
        lastAt < answerAt &&
        assistantItems === 0;
      return {
        name: spec.check,
        passed,
        value: `started ${round(startedMs)} ms after the call, ${frames} of ${Math.floor(filler.length / 160)} frames, last ${round(tailMs)} ms after the output`,
        limit,
        detail: `answer's first frame ${answerAt === undefined ? 'not heard' : `${round(answerAt - lastAt)} ms after the filler's last`}; assistant items sent to the model: ${assistantItems}`,
      };
    },
  }),
];
