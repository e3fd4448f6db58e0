/**
 * The bare reference of a load run: the pacer and its peer as separate processes (from dist/, like
 * every lab part), measured by the runner as a load run measures the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReference } from '../../src/load/run-reference.js';
import { canCapture } from '../../src/load/rtp-capture.js';
import { localBackend } from '../../src/runner/backends/local.js';
import { repoRoot } from '../../src/repo-root.js';

const outDir = mkdtempSync(join(tmpdir(), 'reference-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('load-run reference pacer', () => {
  it('moves every stream both ways on its 20 ms grid and reports CPU, pacing and loop delay', async () => {
    const streams = 40;
    const seconds = 2;
    // As root with dumpcap (CI), the pacer's RTP is captured on loopback as a load run does.
    const capture = canCapture() ? { portMin: 47_000, file: join(outDir, 'reference.pcap') } : undefined;
    const m = await runReference(repoRoot(), localBackend(), outDir, { streams, seconds, host: '127.0.0.1', peerHost: '127.0.0.3', ...(capture ? { capture } : {}) });
    expect(m.wireMeasuredBy).toBe(capture ? 'capture' : 'peer');
    expect(m.streams).toBe(streams);
    // Each stream's packets came back: warm-up (2 s) + measured window at 50 packets/s, give or take the start.
    expect(m.wirePacing.streams).toBe(streams);
    expect(m.wirePacing.packets).toBeGreaterThan(streams * 50 * (seconds + 1));
    expect(m.lostInbound).toBe(0);
    expect(m.cpuPct).toBeGreaterThan(0);
    // cpuPct is rounded to 0.1 %, the per-stream figure is taken from the unrounded value.
    expect(m.cpuPctPerStream).toBeCloseTo(m.cpuPct / streams, 2);
    expect(m.eventLoopLag).not.toBeNull();
    // A pacer this light keeps its grid: far below a frame late (generous for a shared machine).
    expect(m.wirePacing.p50Ms).toBeLessThan(20);
  }, 30_000);
});
