import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      // The lab imports the gateway by its package name. Node resolves that name through package.json
      // "exports" to the compiled dist/, but tests run from TS sources: map the name to the source
      // entry so a test that imports gateway/src directly and a lab module that imports the package
      // share one instance of each module (one MediaScheduler class, one ManualClock…). Only the bare
      // name: like "exports", no subpath of the package is reachable.
      { find: /^connect-realtime-gateway$/, replacement: fileURLToPath(new URL('./gateway/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['gateway/test/**/*.test.ts', 'lab/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
