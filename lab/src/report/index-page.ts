import type { ScenarioReport } from '../runner/report.js';
import { esc, fmt, page } from './html.js';

/** lab/out/index.html: every scenario of a run, pass/fail at a glance, with its quality figures. */
export function indexPage(reports: ReadonlyArray<ScenarioReport & { durationMs?: number }>, opts: { title?: string; elapsedMs?: number; linkPrefix?: string } = {}): string {
  const failed = reports.filter((r) => !r.passed);
  const rows = reports
    .map((r) => {
      const q = r.quality;
      const passedChecks = r.checks.filter((c) => c.passed).length;
      const pair = (a: unknown, b: unknown, digits = 1) => `${fmt(a, digits)} / ${fmt(b, digits)}`;
      const firstFailure = r.error ?? r.checks.find((c) => !c.passed)?.name ?? '';
      return `<tr class="${r.passed ? 'pass' : 'fail'}" data-name="${esc(r.name)}" data-passed="${r.passed}">
<td>${r.passed ? '✓ pass' : '✗ FAIL'}</td><td><a href="${esc(opts.linkPrefix ?? '')}${esc(r.name)}/report.html">${esc(r.name)}</a></td>
<td class="num">${passedChecks}/${r.checks.length}</td>
<td class="num">${q ? pair(q.callerToModel.emodel?.mos, q.modelToCaller.emodel?.mos, 2) : '—'}</td>
<td class="num">${q ? pair(q.callerToModel.snrDb, q.modelToCaller.snrDb) : '—'}</td>
<td class="num">${q ? pair(q.callerToModel.latencyMs, q.modelToCaller.latencyMs, 0) : '—'}</td>
<td class="num">${q ? pair(q.callerToModel.rtp?.lossPct, q.modelToCaller.rtp?.lossPct, 2) : '—'}</td>
<td class="num">${r.durationMs !== undefined ? (r.durationMs / 1000).toFixed(1) : '—'}</td>
<td>${esc(firstFailure)}</td></tr>`;
    })
    .join('\n');
  const status = failed.length === 0 ? 'pass' : 'fail';
  const body = [
    `<div class="${status}" id="status" data-status="${status}"><h1>${esc(opts.title ?? 'Lab run')} <span class="badge">${failed.length === 0 ? 'ALL PASSED' : `${failed.length} FAILED`}</span></h1></div>`,
    `<p id="summary">${reports.length - failed.length} passed, ${failed.length} failed${opts.elapsedMs !== undefined ? ` in ${(opts.elapsedMs / 1000).toFixed(0)} s` : ''}</p>`,
    `<table id="scenarios"><tr><th></th><th>scenario</th><th>checks</th><th>MOS c→m / m→c</th><th>SNR dB c→m / m→c</th><th>latency ms c→m / m→c</th><th>wire loss % c→m / m→c</th><th>s</th><th>first failure</th></tr>\n${rows}</table>`,
    `<p class="note">c→m: caller → model (what the fake Realtime received), m→c: model → caller (what the caller heard). MOS is the ITU-T G.107 E-model estimate.</p>`,
  ];
  return page(opts.title ?? 'Lab run', body.join('\n'));
}
