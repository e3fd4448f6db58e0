import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulaw, encodeMulaw } from 'connect-realtime-gateway';
import { readWav } from '../callers/wav.js';
import { analyzeCallQuality, type CallQuality, type QualitySignals } from '../quality/call-quality.js';
import { qualityChecks } from '../quality/thresholds.js';
import { scenarioPage, type Pictures } from '../report/scenario-page.js';
import { spectrogramPng } from '../report/spectrogram.js';
import { waveformSvg } from '../report/waveform.js';
import type { CheckResult, Evidence } from './evidence.js';
import type { ScenarioReport } from './report.js';
import type { Scenario } from './scenario-schema.js';

/**
 * The audio-quality part of a run: both directions measured from the evidence, the scenario's
 * quality limits turned into checks, the impairment fate log written, and (after the report is
 * final) report.html with its pictures.
 */
export function assessQuality(root: string, scenario: Scenario, evidence: Evidence, outDir: string): { quality: CallQuality; checks: CheckResult[]; signals: QualitySignals } {
  writeFateLog(outDir, evidence);
  // Callers that do not hand back what they sent (the lab caller, baresip): their WAV, through G.711.
  const callerReference = (scenario.caller.tool === 'lab' || scenario.caller.tool === 'baresip') && scenario.caller.audio ? g711RoundTrip(readWav(join(root, scenario.caller.audio)).samples) : undefined;
  const { quality, signals } = analyzeCallQuality({ evidence, ...(callerReference ? { callerReference } : {}) });
  return { quality, checks: qualityChecks(scenario.quality, quality), signals };
}

/**
 * fates.jsonl: what the seeded impairment decided for each RTP packet, in order per direction —
 * time-free, so two runs with the same seed produce the same file.
 */
function writeFateLog(outDir: string, evidence: Evidence): void {
  const lines = evidence.rtp
    .filter((r) => !r.rtcp && r.index !== undefined)
    .sort((a, b) => (a.dir === b.dir ? a.index! - b.index! : a.dir < b.dir ? -1 : 1))
    .map((r) => JSON.stringify({ dir: r.dir, i: r.index, fate: r.fate, ...(r.delaysMs ? { delaysMs: r.delaysMs.map((d) => Math.round(d * 1000) / 1000) } : {}) }));
  writeFileSync(join(outDir, 'fates.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
}

function g711RoundTrip(samples: Int16Array): Int16Array {
  const bytes = Buffer.alloc(samples.length);
  encodeMulaw(samples, bytes);
  const out = new Int16Array(samples.length);
  decodeMulaw(bytes, out);
  return out;
}

/** Writes report.html and its pictures; returns the pictures' file names. */
export function writeScenarioPage(outDir: string, report: ScenarioReport, scenario: Scenario, signals: QualitySignals | undefined): Pictures {
  const pictures: Pictures = {};
  for (const dir of ['callerToModel', 'modelToCaller'] as const) {
    const s = signals?.[dir];
    if (!s) continue;
    // The sent audio moved to where the receiver got it, so both panes share one time axis.
    const sent = new Int16Array(s.received.length);
    const at = Math.round(s.offsetSamples);
    for (let i = Math.max(0, -at); i < s.sent.length && at + i < sent.length; i++) sent[at + i] = s.sent[i]!;
    const [from, to] = dir === 'callerToModel' ? ['caller sent', 'model received'] : ['model sent', 'caller heard'];
    writeFileSync(
      join(outDir, `${dir}-waveform.svg`),
      waveformSvg([
        { label: from, signal: sent, colour: '#0969da' },
        { label: to, signal: s.received, colour: '#bf3989' },
      ]),
    );
    writeFileSync(join(outDir, `${dir}-sent.png`), spectrogramPng(sent));
    writeFileSync(join(outDir, `${dir}-received.png`), spectrogramPng(s.received));
    pictures[dir] = { waveform: `${dir}-waveform.svg`, sentSpectrogram: `${dir}-sent.png`, receivedSpectrogram: `${dir}-received.png` };
  }
  writeFileSync(join(outDir, 'report.html'), scenarioPage(report, { description: scenario.description.trim(), pictures }));
  return pictures;
}
