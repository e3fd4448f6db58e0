/** The load tap as a process (dist/, as load runs start it): ready line, stats, snapshot on SIGTERM. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopTap, tapReady } from '../../src/load/load-tap-client.js';
import type { LoadTapConfig, LoadTapStats } from '../../src/load/load-tap-protocol.js';
import { canCapture } from '../../src/load/rtp-capture.js';
import { localBackend } from '../../src/runner/backends/local.js';
import { freePort } from '../../src/runner/ports.js';
import { repoRoot } from '../../src/repo-root.js';

const dir = mkdtempSync(join(tmpdir(), 'load-tap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('load tap process', () => {
  it('starts (capturing the gateway RTP range when it can), reports stats each interval and writes its snapshot on SIGTERM', async () => {
    const config: LoadTapConfig = {
      host: '127.0.0.2',
      port: await freePort('127.0.0.2'),
      gateway: { address: '127.0.0.1', port: await freePort('127.0.0.1') },
      snapshotFile: join(dir, 'snapshot.json'),
      statsEveryMs: 200,
      ...(canCapture() ? { capture: { host: '127.0.0.1', portMin: 48_000, portMax: 48_100, file: join(dir, 'rtp.pcap') } } : {}),
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const backend = localBackend();
    const tap = await backend.launcher.spawn(backend.launcher.node, [join(repoRoot(), 'dist/lab/src/load/load-tap-main.js'), join(dir, 'config.json')], { cwd: repoRoot(), name: 'load-tap' });
    const stats: LoadTapStats[] = [];
    await tapReady(tap, join(dir, 'tap.log'), (s) => stats.push(s));
    await new Promise((r) => setTimeout(r, 700));
    const snapshot = await stopTap(tap, config.snapshotFile);
    expect(await tap.exited).toBe(0);
    expect(stats.length).toBeGreaterThanOrEqual(2);
    expect(snapshot.sip.invited).toBe(0);
    expect(snapshot.calls).toEqual([]);
    expect(snapshot.pacing.packets).toBe(0);
  }, 30_000);
});
