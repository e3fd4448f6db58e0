/**
 * Backend plumbing that does not need an engine: the snapshot codec that carries a container part's
 * records back byte-exact, LAB_BACKEND parsing, the local launcher (env isolation, CPU pinning,
 * start failures), and the Debian mirror look-up the image build uses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/repo-root.js';
import { backendName } from '../../../src/runner/backends/index.js';
import { localLauncher } from '../../../src/runner/backends/local-launcher.js';
import { decodeSnapshot, encodeSnapshot } from '../../../src/runner/backends/snapshot-json.js';

describe('snapshot JSON', () => {
  it('round-trips Buffers, Uint8Arrays and Int16Arrays exactly, nested anywhere', () => {
    const pcm = new Int16Array([0, 1, -1, 32767, -32768, 1234]);
    const value = {
      rtp: [{ t: 1.5, payload: Buffer.from([0xff, 0x00, 0x7f]) }, { t: 2, payload: Buffer.alloc(0) }],
      audio: new Uint8Array([1, 2, 3, 250]),
      pcm,
      // A view into a larger buffer: only the view's bytes travel.
      slice: Buffer.from('abcdef').subarray(2, 4),
      plain: { s: 'x', n: null, list: [1, 'two'] },
    };
    const back = decodeSnapshot<typeof value>(encodeSnapshot(value));
    expect(Buffer.isBuffer(back.rtp[0]!.payload)).toBe(true);
    expect([...back.rtp[0]!.payload]).toEqual([0xff, 0x00, 0x7f]);
    expect(back.rtp[1]!.payload.length).toBe(0);
    expect(back.audio).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.audio)).toBe(false);
    expect([...back.audio]).toEqual([1, 2, 3, 250]);
    expect(back.pcm).toBeInstanceOf(Int16Array);
    expect([...back.pcm]).toEqual([...pcm]);
    expect(back.slice.toString()).toBe('cd');
    expect(back.plain).toEqual(value.plain);
  });

  it('a top-level Buffer survives too', () => {
    expect(decodeSnapshot<Buffer>(encodeSnapshot(Buffer.from('hi'))).toString()).toBe('hi');
  });
});

describe('LAB_BACKEND', () => {
  it('is local when unset or empty, containers when asked, an error naming the choices otherwise', () => {
    expect(backendName(undefined)).toBe('local');
    expect(backendName('')).toBe('local');
    expect(backendName('containers')).toBe('containers');
    expect(() => backendName('docker')).toThrow("LAB_BACKEND must be one of local, containers, got 'docker'");
  });
});

describe('local launcher', () => {
  it('gives a child only PATH, HOME and the variables it was handed', async () => {
    process.env.LAB_LAUNCHER_TEST_LEAK = 'leaked';
    try {
      const p = await localLauncher.spawn('sh', ['-c', 'echo "$LAB_LAUNCHER_TEST_LEAK|$GIVEN|${PATH:+path}"'], { cwd: tmpdir(), env: { GIVEN: 'given' }, name: 't' });
      const [out, code] = await Promise.all([text(p.stdout), p.exited]);
      expect(code).toBe(0);
      expect(out.trim()).toBe('|given|path');
    } finally {
      delete process.env.LAB_LAUNCHER_TEST_LEAK;
    }
  });

  it('pins to the CPUs asked for (taskset)', async () => {
    const p = await localLauncher.spawn('sh', ['-c', 'grep Cpus_allowed_list /proc/self/status'], { cwd: tmpdir(), cpus: '0', name: 't' });
    const [out, code] = await Promise.all([text(p.stdout), p.exited]);
    expect(code).toBe(0);
    expect(out).toMatch(/Cpus_allowed_list:\s+0\s*$/);
  });

  it('reports a program that cannot start instead of throwing', async () => {
    const p = await localLauncher.spawn('/nonexistent/tool', [], { cwd: tmpdir(), name: 't' });
    expect(await p.exited).toBeNull();
    expect((await p.startError)?.message).toMatch(/ENOENT/);
  });

  it('kills on request and knows its PID', async () => {
    const p = await localLauncher.spawn('sleep', ['30'], { cwd: tmpdir(), name: 't' });
    expect(await p.hostPid()).toBeGreaterThan(0);
    p.kill('SIGTERM');
    expect(await p.exited).toBeNull();
    await buffer(p.stdout);
  });
});

describe('debian-mirror.sh', () => {
  const script = join(repoRoot(), 'lab', 'containers', 'debian-mirror.sh');
  it('honours LAB_DEBIAN_MIRROR and otherwise prints one http(s) URL', () => {
    expect(execFileSync('bash', [script], { env: { ...process.env, LAB_DEBIAN_MIRROR: 'http://mirror.example/debian' } }).toString().trim()).toBe(
      'http://mirror.example/debian',
    );
    const found = execFileSync('bash', [script], { env: { ...process.env, LAB_DEBIAN_MIRROR: '' } }).toString().trim();
    expect(found).toMatch(/^https?:\/\/\S+$/);
  });

  it('reads deb822 stanzas (only a deb stanza listing the suite) and the one-line format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-'));
    writeFileSync(
      join(dir, 'a.sources'),
      'Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n\nTypes: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://main.example/debian http://second.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n',
    );
    writeFileSync(join(dir, 'b.list'), 'deb [arch=amd64 signed-by=/k.gpg] http://list.example/debian bookworm main\n');
    const run = (fn: string, file: string): string =>
      execFileSync('bash', ['-c', `source <(sed -n "/^${fn}()/,/^}/p" "${script}"); SUITE=bookworm; ${fn} "${file}"`]).toString().trim();
    expect(run('from_sources', join(dir, 'a.sources'))).toBe('http://main.example/debian');
    expect(run('from_lists', join(dir, 'b.list'))).toBe('http://list.example/debian');
  });
});
