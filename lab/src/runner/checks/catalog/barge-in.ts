import { z } from 'zod';
import { defineCheck } from '../define.js';
import { interruptedItem, round } from '../helpers.js';

/** The caller talking over the agent. */
export const bargeInChecks = [
  defineCheck({
    name: 'barge-in-reaction',
    doc: 'the interrupted answer\'s last packet left ≤ `maxMs` after the fake sent speech_started',
    params: {
      maxMs: z.number().positive().default(40).describe('longest reaction, ms'),
    },
    run(spec, ev) {
      const heard = interruptedItem(ev);
      if (!heard) return { name: spec.check, passed: false, value: null, limit: spec.maxMs, detail: 'no agent answer was interrupted (no speech_started during agent audio)' };
      const ms = heard.lastAt - heard.speechStartedAt;
      return {
        name: spec.check,
        passed: ms <= spec.maxMs,
        value: round(ms),
        limit: spec.maxMs,
        detail: `last packet of the interrupted answer ${round(ms)} ms after the fake sent speech_started (${heard.frames} frames heard)`,
      };
    },
  }),
  defineCheck({
    name: 'truncate-accuracy',
    doc: 'the truncate\'s `audio_end_ms` is within `toleranceMs` of what the caller heard of the interrupted answer',
    params: {
      toleranceMs: z.number().positive().default(20).describe('largest error either way, ms'),
    },
    run(spec, ev) {
      const heard = interruptedItem(ev);
      const truncate = ev.realtime.clientEvents.find((e) => e.type === 'conversation.item.truncate');
      if (!heard || !truncate) return { name: spec.check, passed: false, value: null, limit: spec.toleranceMs, detail: !truncate ? 'no conversation.item.truncate received' : 'no interrupted answer' };
      const told = Number(truncate.event.audio_end_ms);
      const heardMs = heard.frames * 20;
      const error = told - heardMs;
      return {
        name: spec.check,
        passed: Math.abs(error) <= spec.toleranceMs && truncate.event.item_id === heard.itemId,
        value: round(error),
        limit: `±${spec.toleranceMs}`,
        detail: `truncate audio_end_ms ${told} vs ${heardMs} ms of the answer heard by the caller`,
      };
    },
  }),
  defineCheck({
    name: 'no-barge-in',
    doc: 'no speech_started during agent audio, no truncate or cancel (the agent was not interrupted)',
    params: {},
    run(spec, ev) {
      const firstAgent = Math.min(...ev.realtime.sentAudio.map((a) => a.firstDeltaAt).filter((t) => Number.isFinite(t)));
      const during = ev.realtime.speechStartedAt.filter((t) => t > firstAgent).length;
      const truncates = ev.realtime.clientEvents.filter((e) => e.type === 'conversation.item.truncate' || e.type === 'response.cancel').length;
      return {
        name: spec.check,
        passed: Number.isFinite(firstAgent) && during === 0 && truncates === 0,
        value: `${during} speech_started during agent audio, ${truncates} truncate/cancel`,
        limit: '0, 0',
      };
    },
  }),
  defineCheck({
    name: 'agent-interrupted',
    doc: 'an agent answer was interrupted (cut short while the caller spoke)',
    params: {},
    run(spec, ev) {
      const heard = interruptedItem(ev);
      return {
        name: spec.check,
        passed: heard !== undefined,
        value: heard ? `cut after ${heard.frames * 20} ms` : 'not interrupted',
        limit: 'interrupted',
      };
    },
  }),
];
