import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';

const root = join(import.meta.dirname, '..', '..');

describe('GATEWAY_NODE_FLAGS', () => {
  it('are the flags of every launch: make gateway and the production image', () => {
    expect(GATEWAY_NODE_FLAGS).toContain('--max-semi-space-size=8');
    const make = /\ngateway: build\n\t@node (.*) dist\/gateway\/src\/main\.js\n/.exec(readFileSync(join(root, 'Makefile'), 'utf8'));
    expect(make?.[1]?.split(' ')).toEqual([...GATEWAY_NODE_FLAGS]);
    const cmd = /\nCMD (\[.*\])\n?/.exec(readFileSync(join(root, 'deploy/image/Dockerfile'), 'utf8'));
    expect(JSON.parse(cmd?.[1] ?? '[]')).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/gateway/src/main.js']);
  });
});
