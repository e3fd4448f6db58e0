import type { CallQuality, DirectionName, DirectionQuality } from '../quality/call-quality.js';
import { DIRECTION_LABEL } from '../quality/thresholds.js';
import type { ScenarioReport } from '../runner/report.js';
import { esc, fmt, page } from './html.js';

/** The pictures written beside report.html, per direction (file names relative to it). */
export type Pictures = Partial<Record<DirectionName, { waveform: string; sentSpectrogram: string; receivedSpectrogram: string }>>;

const QUALITY_ROWS: Array<[string, (d: DirectionQuality) => unknown, number?]> = [
  ['estimated MOS (G.107 E-model)', (d) => d.emodel?.mos, 2],
  ['R factor', (d) => d.emodel?.R],
  ['Ie,eff · Id · Bpl', (d) => (d.emodel ? `${d.emodel.IeEff.toFixed(1)} · ${d.emodel.Id.toFixed(1)} · ${d.emodel.Bpl}` : null)],
  ['one-way latency, ms', (d) => d.latencyMs],
  ['aligned SNR, dB', (d) => d.snrDb],
  ['segmental SNR, dB', (d) => d.segSnrDb],
  ['speech heard / sent, ms', (d) => (d.unavailable ? null : `${d.heardMs} / ${d.speechMs}`)],
  ['dropouts (count, ms)', (d) => (d.unavailable ? null : `${d.dropouts.count}, ${d.dropouts.ms}`)],
  ['truncated, ms', (d) => (d.unavailable ? null : d.truncatedMs)],
  ['concealed frames', (d) => d.concealedFrames],
  ['wire: frames, lost, loss %', (d) => (d.rtp ? `${d.rtp.frames}, ${d.rtp.lost}, ${d.rtp.lossPct.toFixed(2)}` : null)],
  ['wire: bursts, longest, burst ratio', (d) => (d.rtp ? `${d.rtp.bursts}, ${d.rtp.maxBurst}, ${d.rtp.burstR.toFixed(2)}` : null)],
  ['wire: duplicates, reordered', (d) => (d.rtp ? `${d.rtp.duplicates}, ${d.rtp.reordered}` : null)],
  ['wire: RFC 3550 jitter, ms', (d) => d.rtp?.jitterMs, 2],
  ['receiver’s own count: lost, jitter ms', (d) => (d.receiver ? `${d.receiver.lost}, ${d.receiver.jitterMs.toFixed(2)}` : null)],
  ['RTCP on the wire: fraction lost, cumulative, jitter ms', (d) => (d.rtcp ? `${d.rtcp.fractionLost.toFixed(3)}, ${d.rtcp.cumulativeLost}, ${d.rtcp.jitterMs.toFixed(2)} (${d.rtcp.reports} blocks)` : null)],
];

function qualityTable(q: CallQuality): string {
  const dirs: DirectionName[] = ['callerToModel', 'modelToCaller'];
  const head = `<tr><th>measure</th>${dirs.map((d) => `<th>${esc(DIRECTION_LABEL[d])}</th>`).join('')}</tr>`;
  const rows = QUALITY_ROWS.map(([label, get, digits]) => `<tr><td>${esc(label)}</td>${dirs.map((d) => `<td class="num">${esc(fmt(get(q[d]), digits))}</td>`).join('')}</tr>`);
  const notes = dirs.flatMap((d) => [q[d].unavailable, q[d].note].filter((t): t is string => t !== undefined).map((t) => `<p class="note">${esc(DIRECTION_LABEL[d])}: ${esc(t)}</p>`));
  return `<table id="quality">${head}${rows.join('')}</table>${notes.join('')}`;
}

function picturesSection(pictures: Pictures): string {
  const parts: string[] = [];
  for (const dir of ['callerToModel', 'modelToCaller'] as const) {
    const p = pictures[dir];
    if (!p) continue;
    const [from, to] = dir === 'callerToModel' ? ['the caller sent', 'the model received'] : ['the model sent', 'the caller heard'];
    parts.push(`<h3>${esc(DIRECTION_LABEL[dir])}</h3>`);
    parts.push(`<img class="waveform" src="${esc(p.waveform)}" alt="waveforms, ${esc(DIRECTION_LABEL[dir])}: what ${from} above what ${to}">`);
    parts.push(`<div class="note">spectrogram of what ${from} (0–4 kHz)</div><img class="spectrogram" src="${esc(p.sentSpectrogram)}" alt="spectrogram, ${from}">`);
    parts.push(`<div class="note">spectrogram of what ${to}</div><img class="spectrogram" src="${esc(p.receivedSpectrogram)}" alt="spectrogram, ${to}">`);
  }
  return parts.length ? `<h2>Sent and received audio</h2>${parts.join('')}` : '';
}

/** The evidence files a call scenario writes beside its report. */
const CALL_EVIDENCE = ['report.json', 'gateway.log', 'sip.log', 'wire.jsonl', 'fates.jsonl'];

export function scenarioPage(report: ScenarioReport, opts: { description?: string; pictures?: Pictures; evidence?: readonly string[] } = {}): string {
  const status = report.passed ? 'pass' : 'fail';
  const failed = report.checks.filter((c) => !c.passed).length;
  const checks = report.checks
    .map(
      (c) =>
        `<tr class="${c.passed ? 'pass' : 'fail'}" data-name="${esc(c.name)}" data-passed="${c.passed}"><td>${c.passed ? '✓' : '✗'}</td><td>${esc(c.name)}</td><td class="num">${esc(fmt(c.value))}</td><td>${esc(fmt(c.limit))}</td><td>${esc(c.detail ?? '')}</td></tr>`,
    )
    .join('');
  const metrics = Object.entries(report.metrics)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(fmt(v))}</td></tr>`)
    .join('');
  const body = [
    `<div class="${status}" id="status" data-status="${status}"><h1>${esc(report.name)} <span class="badge">${status.toUpperCase()}</span></h1></div>`,
    opts.description ? `<p>${esc(opts.description)}</p>` : '',
    report.seed !== undefined ? `<p class="note">network seed ${report.seed} — <code>make scenario NAME=${esc(report.name)} SEED=${report.seed}</code> reproduces the same drops and delays</p>` : '',
    report.error ? `<p class="error">run failed: ${esc(report.error)}</p>` : '',
    `<h2>Checks <span class="note">${report.checks.length - failed}/${report.checks.length} passed</span></h2>`,
    `<table id="checks"><tr><th></th><th>check</th><th>value</th><th>limit</th><th>detail</th></tr>${checks}</table>`,
    report.quality ? `<h2>Audio quality</h2>${qualityTable(report.quality)}` : '',
    picturesSection(opts.pictures ?? {}),
    `<h2>Metrics</h2><table id="metrics">${metrics}</table>`,
    `<p class="note">Evidence beside this page: ${(opts.evidence ?? CALL_EVIDENCE).map((f) => `<a href="${esc(f)}">${esc(f)}</a>`).join(', ')}.</p>`,
  ];
  return page(`${report.name}: ${status}`, body.join('\n'));
}
