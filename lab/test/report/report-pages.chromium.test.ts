/**
 * The lab's HTML reports as a person sees them: a real scenario run renders report.html, a run index
 * lists it, and headless Chromium (Debian's, driven by playwright-core) checks that the pictures load,
 * the checks table says what report.json says, and a failed scenario is marked as such.
 * Binds the lab's loopback addresses: run under `flock /tmp/lab.lock`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { repoRoot } from '../../src/repo-root.js';
import { indexPage } from '../../src/report/index-page.js';
import { parseScenario } from '../../src/runner/load-scenario.js';
import type { ScenarioReport } from '../../src/runner/report.js';
import { runScenario } from '../../src/runner/run-scenario.js';

const root = repoRoot();
const NAME = 'report-pages-check';
const outDir = join(root, 'lab', 'out', NAME);
const indexFile = join(root, 'lab', 'out', `${NAME}-index.html`);

// happy-path with one quality limit nobody can meet: the run fails on exactly that row.
const happyPath = parseYaml(readFileSync(join(root, 'scenarios', 'happy-path.yaml'), 'utf8')) as Record<string, unknown>;
const scenarioText = stringifyYaml({ ...happyPath, name: NAME, quality: { mosMin: 4, callerToModel: { latencyMaxMs: 0.001 } } });

let context: BrowserContext;
let profile: string | undefined;
let report: ScenarioReport;

beforeAll(async () => {
  report = await runScenario(root, parseScenario(scenarioText, `${NAME}.yaml`, root));
  const passing: ScenarioReport = { name: 'a-passing-one', passed: true, checks: [{ name: 'caller-script-passed', passed: true, value: 0, limit: 0 }], metrics: {}, outDir: '' };
  writeFileSync(indexFile, indexPage([passing, report], { title: 'report pages check' }));
  profile = mkdtempSync(join(tmpdir(), 'lab-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    // --allow-file-access-from-files: the test reads a picture's pixels back from a file:// page.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  rmSync(indexFile, { force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe('report.html in Chromium', () => {
  it('shows the failed run, every picture loaded, and the checks table of report.json', async () => {
    const json = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as ScenarioReport;
    expect(json.passed).toBe(false);
    // The impossible limit fails for sure; on a loaded machine another timing check may fail beside it.
    expect(json.checks.filter((c) => !c.passed).map((c) => c.name)).toContain('quality callerToModel.latency');
    const page = await context.newPage();
    await page.goto(`file://${join(outDir, 'report.html')}`, { waitUntil: 'load' });
    expect(await page.getAttribute('#status', 'data-status')).toBe('fail');

    const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ src: i.getAttribute('src'), ok: i.complete, w: i.naturalWidth, h: i.naturalHeight })));
    expect(images.map((i) => i.src).sort()).toEqual(
      ['callerToModel-received.png', 'callerToModel-sent.png', 'callerToModel-waveform.svg', 'modelToCaller-received.png', 'modelToCaller-sent.png', 'modelToCaller-waveform.svg'],
    );
    for (const img of images) {
      expect(img.ok, img.src ?? '').toBe(true);
      expect(img.w, img.src ?? '').toBeGreaterThan(0);
      expect(img.h, img.src ?? '').toBeGreaterThan(0);
    }

    const rows = await page.$$eval('#checks tr[data-name]', (trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-name'), passed: tr.getAttribute('data-passed') === 'true', marked: tr.classList.contains('fail') ? 'fail' : 'pass' })),
    );
    expect(rows).toEqual(json.checks.map((c) => ({ name: c.name, passed: c.passed, marked: c.passed ? 'pass' : 'fail' })));

    // The spectrogram of what the caller heard shows the answer: bright speech columns, not a blank picture.
    // (Runs in the page; written as a string because this project compiles without DOM types.)
    const lit = await page.evaluate<number>(`(() => {
      const img = document.querySelector('img[src="modelToCaller-received.png"]');
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let bright = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 150) bright++;
      return bright / (data.length / 4);
    })()`);
    expect(lit).toBeGreaterThan(0.02);
    const mos = await page.$$eval('#quality tr', (trs) => trs.find((tr) => tr.textContent?.includes('estimated MOS'))?.textContent ?? '');
    expect(mos).toMatch(/4\.\d\d.*4\.\d\d/s);
    await page.close();
  });

  it('marks the failed scenario on the index page', async () => {
    const page = await context.newPage();
    await page.goto(`file://${indexFile}`, { waitUntil: 'load' });
    expect(await page.getAttribute('#status', 'data-status')).toBe('fail');
    expect(await page.textContent('#summary')).toContain('1 passed, 1 failed');
    const rows = await page.$$eval('#scenarios tr[data-name]', (trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-name'), failMarked: tr.classList.contains('fail'), text: tr.textContent ?? '' })),
    );
    expect(rows.map((r) => [r.name, r.failMarked])).toEqual([
      ['a-passing-one', false],
      [NAME, true],
    ]);
    expect(rows[1]!.text).toContain('FAIL');
    expect(rows[1]!.text).toContain(report.checks.find((c) => !c.passed)?.name ?? 'a failed check');
    await page.close();
  });
});
