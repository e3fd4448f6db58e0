/** Shared pieces of the agent tests: a scratch directory per test, WAV files, a loader with a fixed env. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentDefinition } from '../../src/agent/load-agent-definition.js';
import type { AgentDefinition } from '../../src/agent/agent-definition.js';
import type { AgentDefinitionResult } from '../../src/agent/resolve-agent.js';

export interface Scratch {
  dir: string;
  /** Writes `name` in the scratch directory and returns its path. */
  write(name: string, content: string | Buffer): string;
  remove(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'agent-test-'));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A mono WAV: 16-bit PCM, or 8-bit G.711 (format 7 µ-law / 6 A-law), `samples` long. */
export function wav(opts: { rate?: number; channels?: number; format?: 1 | 6 | 7; samples?: number } = {}): Buffer {
  const rate = opts.rate ?? 8_000;
  const channels = opts.channels ?? 1;
  const format = opts.format ?? 1;
  const bits = format === 1 ? 16 : 8;
  const count = opts.samples ?? 800;
  const data = Buffer.alloc(count * channels * (bits / 8), format === 7 ? 0xff : format === 6 ? 0xd5 : 0);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(format, 20); // 1 PCM, 6 A-law, 7 µ-law
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE((rate * channels * bits) / 8, 28); // byte rate
  header.writeUInt16LE((channels * bits) / 8, 32); // block align
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Loads with a controlled environment (never the test process's). */
export function load(path: string | undefined, env: Record<string, string> = {}): Promise<AgentDefinitionResult> {
  return loadAgentDefinition(path, { env });
}

export async function loadOk(path: string | undefined, env: Record<string, string> = {}): Promise<{ definition: AgentDefinition; warnings: string[] }> {
  const r = await load(path, env);
  if (!r.ok) throw new Error(`expected the definition to load:\n${r.error.join('\n')}`);
  return r.value;
}

export async function loadProblems(path: string | undefined, env: Record<string, string> = {}): Promise<string[]> {
  const r = await load(path, env);
  if (r.ok) throw new Error('expected problems, the definition loaded');
  return r.error;
}
