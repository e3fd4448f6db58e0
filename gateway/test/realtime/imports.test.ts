/**
 * The realtime room's import rules, read from the source with TypeScript's own import scanner
 * (`ts.preProcessFile`: static, type-only, re-exports, dynamic and side-effect imports; comments
 * ignored): the GA protocol is owned once by ga/ and core/, and the two providers never reach into
 * each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const REALTIME = join(SRC, 'realtime');

type Area = 'openai' | 'agents-sdk' | 'ga' | 'core' | 'realtime' | `gateway:${string}` | `package:${string}`;

interface Import {
  from: string;
  specifier: string;
  to: Area;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Where a file lies: a realtime sub-room, or another gateway room. */
function areaOf(absolute: string): Area {
  const inRealtime = relative(REALTIME, absolute);
  if (!inRealtime.startsWith('..')) {
    const top = inRealtime.split(sep)[0] ?? '';
    return top === 'openai' || top === 'agents-sdk' || top === 'ga' || top === 'core' ? top : 'realtime';
  }
  return `gateway:${relative(SRC, absolute).split(sep)[0] ?? ''}`;
}

/** Every import of `source` (a file at `file`), resolved to the area it reaches. */
function importsOf(file: string, source: string): Import[] {
  return ts.preProcessFile(source, true, true).importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith('.')) return { from: file, specifier: fileName, to: `package:${fileName}` as const };
    return { from: file, specifier: fileName, to: areaOf(resolve(dirname(file), fileName)) };
  });
}

/** The rules; an empty list means the imports are clean. */
function violations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    const from = areaOf(i.from);
    const where = `${relative(REALTIME, i.from)} imports ${i.specifier}`;
    if (from === 'openai' && i.to === 'agents-sdk') out.push(`${where}: providers never import each other`);
    if (from === 'agents-sdk' && i.to === 'openai') out.push(`${where}: providers never import each other`);
    if ((from === 'ga' || from === 'core') && (i.to === 'openai' || i.to === 'agents-sdk')) out.push(`${where}: the shared GA core imports no provider`);
    if (from === 'ga' && i.to === 'core') out.push(`${where}: the wire protocol (ga/) does not depend on the backend core`);
    if (i.to.startsWith('package:@openai/agents') && from !== 'agents-sdk') out.push(`${where}: only the agents-sdk provider uses the Agents SDK`);
    if (i.to === 'package:openai/realtime/ws' && from !== 'openai') out.push(`${where}: only the openai provider opens OpenAIRealtimeWS`);
    if (['gateway:call', 'gateway:sip', 'gateway:sdp', 'gateway:connect', 'gateway:agent'].includes(i.to)) out.push(`${where}: realtime knows nothing of calls, SIP or Connect`);
  }
  return out;
}

const files = tsFiles(REALTIME);
const all = files.flatMap((f) => importsOf(f, readFileSync(f, 'utf8')));

describe('realtime imports', () => {
  it('the scanner sees every kind of import (so a clean result means something)', () => {
    const file = join(REALTIME, 'openai', 'x.ts');
    const source = [
      "import { a } from '../agents-sdk/a.js';",
      "import type { B } from '../agents-sdk/b.js';",
      "export { c } from '../agents-sdk/c.js';",
      "const d = await import('../agents-sdk/d.js');",
      "import '../agents-sdk/e.js';",
      "// import { f } from '../agents-sdk/f.js';",
    ].join('\n');
    expect(importsOf(file, source).map((i) => i.specifier)).toEqual(['../agents-sdk/a.js', '../agents-sdk/b.js', '../agents-sdk/c.js', '../agents-sdk/d.js', '../agents-sdk/e.js']);
    expect(violations(importsOf(file, source))).toHaveLength(5);
    expect(violations(importsOf(join(REALTIME, 'agents-sdk', 'y.ts'), "import { x } from '../openai/options.js';"))).toEqual([
      'agents-sdk/y.ts imports ../openai/options.js: providers never import each other',
    ]);
    expect(violations(importsOf(join(REALTIME, 'ga', 'z.ts'), "import { RealtimeSession } from '@openai/agents-realtime';"))).toHaveLength(1);
  });

  it('reads the real tree: both providers build on ga/ and core/', () => {
    const uses = (from: Area, to: Area): boolean => all.some((i) => areaOf(i.from) === from && i.to === to);
    expect(files.length).toBeGreaterThan(20);
    for (const provider of ['openai', 'agents-sdk'] as const) {
      expect(uses(provider, 'ga')).toBe(true);
      expect(uses(provider, 'core')).toBe(true);
    }
  });

  it('providers never import each other; the shared core imports no provider, SDK or call layer', () => {
    expect(violations(all)).toEqual([]);
  });
});
