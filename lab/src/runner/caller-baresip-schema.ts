import { z } from 'zod';

/**
 * `caller: { tool: baresip }`: Debian's baresip places the call (lab/src/callers/baresip), an
 * independent SIP/RTP stack, through the lab tap like SIPp.
 */
export const baresipCallerSchema = z
  .object({
    tool: z.literal('baresip'),
    /** WAV (8 kHz mono 16-bit) the caller speaks `leadInMs` after the answer. */
    audio: z.string().min(1).optional(),
    leadInMs: z.number().int().min(0).max(10_000).default(200),
    /** Offered first (the other G.711 law follows). */
    codec: z.enum(['PCMU', 'PCMA']).default('PCMU'),
    /** RFC 4733 key presses, ms after the answer; `gapMs` between digits. */
    dtmf: z
      .array(z.object({ atMs: z.number().int().min(0), digits: z.string().regex(/^[0-9*#A-D]{1,32}$/), gapMs: z.number().int().min(100).max(5000).default(300) }).strict())
      .default([]),
    /** The caller hangs up this long after the answer, ms (the gateway may hang up first). */
    hangupAfterMs: z.number().int().min(0).max(600_000),
    fromUser: z.string().regex(/^[A-Za-z0-9+._-]{1,32}$/).default('+15550100'),
    toUser: z.string().regex(/^[A-Za-z0-9+._-]{1,32}$/).default('+15550199'),
  })
  .strict();

export type BaresipCallerSpec = z.infer<typeof baresipCallerSchema>;
