/**
 * The lab uses the gateway only through its public API: the package name 'connect-realtime-gateway'
 * (gateway/src/index.ts). Any other path into the gateway — a relative import of gateway/src, a
 * package subpath, a dynamic import of a computed path — fails here with the file and line.
 * A pure scan of the sources: no sockets, so it runs without the lab lock.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moduleSpecifiers, sourceFilesUnder, type ModuleSpecifier } from './module-specifiers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAB = join(ROOT, 'lab');
const PACKAGE = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(dir + sep);

/** Why `spec`, named by the lab file `file`, breaks the boundary; undefined when it is fine. */
function violation(file: string, spec: ModuleSpecifier): string | undefined {
  if (spec.computed) return `import of a computed specifier (${spec.text}) cannot be checked: name the module in a string literal`;
  if (spec.text === PACKAGE) return undefined;
  if (spec.text.startsWith(`${PACKAGE}/`)) return `'${spec.text}' is a subpath of the package: only its public entry is exported`;
  const isPath = spec.text.startsWith('.') || isAbsolute(spec.text) || spec.text.startsWith('file:');
  if (!isPath) return undefined; // node: built-ins and npm packages
  const target = spec.text.startsWith('file:') ? fileURLToPath(spec.text) : resolve(file, '..', spec.text);
  if (inside(LAB, target)) return undefined;
  if (inside(join(ROOT, 'gateway'), target)) {
    return `'${spec.text}' reaches into ${relative(ROOT, target)}: import it from '${PACKAGE}' (gateway/src/index.ts exports what the lab may use)`;
  }
  return `'${spec.text}' reaches outside lab/ (${relative(ROOT, target)})`;
}

function violationsIn(file: string, source: string): string[] {
  return moduleSpecifiers(file, source).flatMap((spec) => {
    const why = violation(file, spec);
    return why === undefined ? [] : [`${relative(ROOT, file)}:${spec.line} ${why}`];
  });
}

describe('lab boundary: the lab imports the gateway only by its package name', () => {
  it('package.json names the package the lab imports and exports only its public entry', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(PACKAGE).toBe('connect-realtime-gateway');
    expect(Object.keys(pkg.exports)).toEqual(['.']);
    expect(pkg.exports['.']).toEqual({ types: './gateway/src/index.ts', default: './dist/gateway/src/index.js' });
  });

  it('no file in lab/ imports the gateway other than through the package name', () => {
    const files = sourceFilesUnder(LAB, [join(LAB, 'out')]);
    expect(files.length).toBeGreaterThan(100);
    const importsThePackage = files.filter((f) => moduleSpecifiers(f, readFileSync(f, 'utf8')).some((s) => s.text === PACKAGE));
    expect(importsThePackage.length).toBeGreaterThan(30);
    expect(files.flatMap((f) => violationsIn(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('catches every way of reaching past the entry (the scan itself can fail)', () => {
    const file = join(LAB, 'src', 'bench', 'example.ts');
    const source = [
      `import { g711Codec } from '${PACKAGE}';`, // fine
      `import { readFileSync } from 'node:fs';`, // fine
      `import { helper } from './helper.js';`, // fine: inside lab/
      `import { systemClock } from '../../../gateway/src/clock.js';`,
      `import type { Logger } from '../../../gateway/src/log.js';`,
      `export { RtpSession } from '../../../gateway/src/rtp/session/rtp-session.js';`,
      `export * from '../../../gateway/src/index.js';`,
      `import '../../../gateway/src/main.js';`,
      `const m = await import('../../../gateway/src/rtp/index.js');`,
      `const where: string = '../../../gateway/src/sip/index.js';`,
      `const n = await import(where);`,
      `const p = await import(process.env.X ?? '');`,
      `type T = import('../../../gateway/src/realtime/backend.js').RealtimeAudioFormat;`,
      `import fs = require('../../../gateway/src/config/env.js');`,
      `vi.mock('../../../gateway/src/clock.js');`,
      `import { x } from '${PACKAGE}/dist/gateway/src/clock.js';`,
      `import { y } from '../../../vitest.config.js';`,
      `// import { z } from '../../../gateway/src/clock.js'; (a comment is not an import)`,
    ].join('\n');
    const found = violationsIn(file, source);
    expect(found.map((v) => Number(v.split(' ')[0]?.split(':')[1]))).toEqual([4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17]);
    expect(found[0]).toMatch(/reaches into gateway\/src\/clock\.js: import it from 'connect-realtime-gateway'/);
    expect(found[7]).toMatch(/computed specifier \(process\.env\.X \?\? ''\)/);
    expect(found[11]).toMatch(/subpath of the package/);
    expect(found[12]).toMatch(/reaches outside lab\/ \(vitest\.config\.js\)/);
  });
});
