import { z } from 'zod';
import type { CheckResult } from '../runner/evidence.js';
import type { CallQuality, DirectionName, DirectionQuality } from './call-quality.js';

/**
 * A scenario's audio-quality limits (`quality:` in the YAML). Limits at the top apply to both
 * directions; `callerToModel:` / `modelToCaller:` add or override limits for one direction. Every
 * limit becomes a row of the checks table, so a quality regression fails the run like any check.
 */
const limitFields = {
  /** Lowest acceptable E-model MOS (G.107 Annex B, 1..4.5). */
  mosMin: z.number().min(1).max(4.5).optional(),
  /** Largest fraction of frames the listener missed (lost on the wire, or concealed for lateness), 0..1. */
  lossMax: z.number().min(0).max(1).optional(),
  /** Lowest aligned SNR of what arrived against what was sent, dB (99 = bit-exact). */
  snrMin: z.number().min(-20).max(99).optional(),
  /** Lowest segmental SNR over speech frames, dB (−10..35). */
  segSnrMin: z.number().min(-10).max(35).optional(),
  /** Largest one-way delay, ms. */
  latencyMaxMs: z.number().positive().max(10_000).optional(),
  /** Most dropouts (speech that arrived as near-silence). */
  dropoutsMax: z.number().int().min(0).optional(),
  /** Most dropout time in total, ms. */
  dropoutMsMax: z.number().min(0).optional(),
  /** Largest RFC 3550 interarrival jitter at the receiver, ms. */
  jitterMaxMs: z.number().min(0).optional(),
  /** Most frames concealed by the receiver. */
  concealedMax: z.number().int().min(0).optional(),
  /** Smallest fraction of the sent speech that was heard (a cut-off answer lowers it), 0..1. */
  heardMin: z.number().min(0).max(1).optional(),
};

const directionLimitsSchema = z.strictObject(limitFields);
export const qualityLimitsSchema = z.strictObject({
  ...limitFields,
  callerToModel: directionLimitsSchema.optional(),
  modelToCaller: directionLimitsSchema.optional(),
});

export type DirectionLimits = z.infer<typeof directionLimitsSchema>;
export type QualityLimits = z.infer<typeof qualityLimitsSchema>;

export const LIMIT_DOCS: Record<keyof DirectionLimits, string> = {
  mosMin: 'lowest E-model MOS (ITU-T G.107 Annex B, 1–4.5)',
  lossMax: 'largest fraction of frames the listener missed (lost on the wire, or late and concealed), 0–1',
  snrMin: 'lowest aligned SNR of received against sent audio, dB (99 = bit-exact)',
  segSnrMin: 'lowest segmental SNR over speech frames, dB (−10 to 35)',
  latencyMaxMs: 'largest one-way delay, ms',
  dropoutsMax: 'most dropouts (speech frames that arrived as near-silence)',
  dropoutMsMax: 'most dropout time in total, ms',
  jitterMaxMs: 'largest RFC 3550 interarrival jitter at the receiver, ms',
  concealedMax: 'most frames concealed by the receiver',
  heardMin: 'smallest fraction of the sent speech that was heard, 0–1',
};

export const DIRECTION_LABEL: Record<DirectionName, string> = { callerToModel: 'caller → model', modelToCaller: 'model → caller' };

type Measure = (d: DirectionQuality) => number | null;
const MEASURES: Record<keyof DirectionLimits, { measure: Measure; max: boolean; unit: string }> = {
  mosMin: { measure: (d) => d.emodel?.mos ?? null, max: false, unit: '' },
  lossMax: { measure: (d) => (d.emodel ? d.emodel.Ppl / 100 : null), max: true, unit: '' },
  snrMin: { measure: (d) => d.snrDb, max: false, unit: ' dB' },
  segSnrMin: { measure: (d) => d.segSnrDb, max: false, unit: ' dB' },
  latencyMaxMs: { measure: (d) => d.latencyMs, max: true, unit: ' ms' },
  dropoutsMax: { measure: (d) => (d.unavailable ? null : d.dropouts.count), max: true, unit: '' },
  dropoutMsMax: { measure: (d) => (d.unavailable ? null : d.dropouts.ms), max: true, unit: ' ms' },
  jitterMaxMs: { measure: (d) => d.rtp?.jitterMs ?? null, max: true, unit: ' ms' },
  concealedMax: { measure: (d) => d.concealedFrames, max: true, unit: '' },
  heardMin: { measure: (d) => (d.unavailable || d.speechMs === 0 ? null : d.heardMs / d.speechMs), max: false, unit: '' },
};

/** The checks the limits ask for, in a stable order (caller → model first, then by limit name). */
export function qualityChecks(limits: QualityLimits | undefined, quality: CallQuality): CheckResult[] {
  if (!limits) return [];
  const { callerToModel, modelToCaller, ...both } = limits;
  const out: CheckResult[] = [];
  for (const [dir, own] of [['callerToModel', callerToModel], ['modelToCaller', modelToCaller]] as const) {
    const merged: DirectionLimits = { ...both, ...own };
    const d = quality[dir];
    for (const key of Object.keys(MEASURES) as Array<keyof DirectionLimits>) {
      const limit = merged[key];
      if (limit === undefined) continue;
      const { measure, max, unit } = MEASURES[key];
      const value = measure(d);
      const name = `quality ${dir}.${key.replace(/(Min|Max|MaxMs)$/, '')}`;
      const limitText = `${max ? '≤' : '≥'} ${limit}${unit}`;
      if (value === null) {
        out.push({ name, passed: false, value: null, limit: limitText, detail: `${DIRECTION_LABEL[dir]}: not measured${d.unavailable ? ` (${d.unavailable})` : ''}` });
        continue;
      }
      out.push({ name, passed: max ? value <= limit : value >= limit, value: round(value), limit: limitText, detail: DIRECTION_LABEL[dir] });
    }
  }
  return out;
}

function round(v: number): number {
  return Math.abs(v) >= 10 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}
