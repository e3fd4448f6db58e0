/** LAB_GATEWAY_BUILD: the lab can run another checkout's compiled gateway (before/after comparisons). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayEntry } from '../../src/runner/gateway-process.js';

const other = mkdtempSync(join(tmpdir(), 'gateway-build-'));
afterAll(() => rmSync(other, { recursive: true, force: true }));

describe('gatewayEntry', () => {
  it("runs this checkout's build unless LAB_GATEWAY_BUILD names another, and refuses one that was never built", () => {
    expect(gatewayEntry('/repo', {})).toBe('/repo/dist/gateway/src/main.js');
    expect(gatewayEntry('/repo', { LAB_GATEWAY_BUILD: '' })).toBe('/repo/dist/gateway/src/main.js');
    expect(() => gatewayEntry('/repo', { LAB_GATEWAY_BUILD: other })).toThrow(/LAB_GATEWAY_BUILD=.*run make build there/);
    mkdirSync(join(other, 'dist/gateway/src'), { recursive: true });
    writeFileSync(join(other, 'dist/gateway/src/main.js'), '');
    expect(gatewayEntry('/repo', { LAB_GATEWAY_BUILD: other })).toBe(join(other, 'dist/gateway/src/main.js'));
  });
});
