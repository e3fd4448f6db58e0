import { z } from 'zod';
import { callRecordingMatchesWire } from '../call-recording.js';
import { defineCheck } from '../define.js';

/** The gateway's call recording (RECORDINGS_DIR) against the wire. */
export const callRecordingChecks = [
  defineCheck({
    name: 'call-recording-matches-wire',
    doc:
      "the gateway's stereo 8 kHz recording of the call exists beside its call records; its left channel cross-correlates with the caller's RTP as it reached the gateway and its right channel with the gateway's RTP as it left, both within `maxLagMs` of the wire's timeline (frame 0 = the first packet the gateway sent); at least `minPauses` paused spans are digital silence in both channels while the wire carried audio; its length is the gateway's RTP stream's within `durationToleranceMs`",
    params: {
      maxLagMs: z.number().min(0).max(1000).default(20).describe('largest lag of either channel against the wire, ms'),
      minPauses: z.number().int().min(0).max(100).default(0).describe('fewest paused spans the recording must list'),
      durationToleranceMs: z.number().min(0).max(10_000).default(60).describe('recording length minus the RTP stream length, at most, ms'),
    },
    run: (spec, ev) => callRecordingMatchesWire(spec, ev),
  }),
];
