import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CallQuality, DirectionQuality } from '../../src/quality/call-quality.js';
import { qualityChecks, qualityLimitsSchema } from '../../src/quality/thresholds.js';
import { repoRoot } from '../../src/repo-root.js';
import { parseScenario, ScenarioError } from '../../src/runner/load-scenario.js';

function direction(over: Partial<DirectionQuality> & Pick<DirectionQuality, 'direction'>): DirectionQuality {
  return {
    latencyMs: 20,
    snrDb: 30,
    segSnrDb: 25,
    speechMs: 1000,
    heardMs: 900,
    dropouts: { count: 1, ms: 20 },
    truncatedMs: 0,
    concealedFrames: 3,
    rtp: { frames: 100, lost: 2, lossPct: 2, bursts: 2, maxBurst: 1, burstR: 1, duplicates: 0, reordered: 0, jitterMs: 4 },
    receiver: null,
    rtcp: null,
    emodel: { R: 80, mos: 4.02, IeEff: 7, Id: 1, Ppl: 2, BurstR: 1, Bpl: 25.1, Ta: 20 },
    ...over,
  };
}

const quality: CallQuality = {
  callerToModel: direction({ direction: 'callerToModel' }),
  modelToCaller: direction({ direction: 'modelToCaller', unavailable: 'no agent audio reached the caller', emodel: null, snrDb: null, latencyMs: null }),
};

describe('quality limits', () => {
  it('turns each limit into a check row per direction, top-level limits for both', () => {
    const limits = qualityLimitsSchema.parse({ mosMin: 4, callerToModel: { lossMax: 0.01, snrMin: 35, heardMin: 0.9, latencyMaxMs: 25, jitterMaxMs: 5 } });
    const rows = qualityChecks(limits, quality);
    expect(rows.map((r) => [r.name, r.passed, r.value])).toEqual([
      ['quality callerToModel.mos', true, 4.02],
      ['quality callerToModel.loss', false, 0.02],
      ['quality callerToModel.snr', false, 30],
      ['quality callerToModel.latency', true, 20],
      ['quality callerToModel.jitter', true, 4],
      ['quality callerToModel.heard', true, 0.9],
      ['quality modelToCaller.mos', false, null],
    ]);
    expect(rows.at(-1)!.detail).toContain('no agent audio reached the caller');
    expect(rows[1]!.limit).toBe('≤ 0.01');
    expect(rows[2]!.limit).toBe('≥ 35 dB');
  });

  it('a direction override replaces the top-level limit', () => {
    const rows = qualityChecks(qualityLimitsSchema.parse({ mosMin: 4.3, callerToModel: { mosMin: 3.9 } }), quality);
    expect(rows[0]).toMatchObject({ name: 'quality callerToModel.mos', passed: true, limit: '≥ 3.9' });
  });

  it('dropouts, concealment and segmental SNR limits read their own measures', () => {
    const rows = qualityChecks(qualityLimitsSchema.parse({ callerToModel: { dropoutsMax: 0, dropoutMsMax: 20, concealedMax: 3, segSnrMin: 26 } }), quality);
    expect(rows.map((r) => [r.name, r.passed])).toEqual([
      ['quality callerToModel.segSnr', false],
      ['quality callerToModel.dropouts', false],
      ['quality callerToModel.dropoutMs', true],
      ['quality callerToModel.concealed', true],
    ]);
  });

  it('no limits, no rows', () => {
    expect(qualityChecks(undefined, quality)).toEqual([]);
  });

  it('a bad quality section is a one-line error naming the field', () => {
    const base = { name: 't', description: 'd', caller: { tool: 'sipp', script: 'uac-call', hangupAfterMs: 1000 }, realtime: { turns: [] }, expect: [{ check: 'caller-script-passed' }] };
    const error = (quality: unknown) => {
      try {
        parseScenario(stringify({ ...base, quality }), 'scenarios/t.yaml', repoRoot());
      } catch (err) {
        expect(err).toBeInstanceOf(ScenarioError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(error({ mosMin: 5 })).toBe('scenarios/t.yaml: quality.mosMin: Too big: expected number to be <=4.5');
    expect(error({ modelToCaller: { snrMn: 3 } })).toBe('scenarios/t.yaml: quality.modelToCaller: unknown field "snrMn"');
    expect(error({ lossMax: 5 })).toBe('scenarios/t.yaml: quality.lossMax: Too big: expected number to be <=1');
  });
});
