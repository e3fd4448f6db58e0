/**
 * Lower layers never import higher ones (docs/architecture.md, "Layers"): the protocol layers know
 * nothing of calls or AI, the AI backend knows nothing of calls, SIP or RTP, the entry points are
 * imported by no layer, and the product never imports the lab or test code (gateway tests may use the
 * lab's fakes: they are test doubles). A pure scan of gateway/src: a new upward import fails here
 * with the file, the line and the rule it breaks.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moduleSpecifiers, sourceFilesUnder } from './module-specifiers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SRC = join(ROOT, 'gateway', 'src');
const PACKAGE = 'connect-realtime-gateway';

/** The entry points: gateway.ts assembles the layers, main.ts runs them, index.ts is the public API. */
const ENTRY_POINTS = ['gateway', 'main', 'index'];
const OPERATIONS = ['http', 'store', 'metrics'];
const ABOVE_PROTOCOL = ['call', 'realtime', 'connect', 'agent', ...OPERATIONS, ...ENTRY_POINTS];

/** Per layer (a folder of gateway/src, or a top-level file by its base name): what it may not import, and why. */
const FORBIDDEN: Record<string, { layers: string[]; why: string }> = {
  sip: { layers: ABOVE_PROTOCOL, why: 'sip knows nothing of calls or AI' },
  sdp: { layers: ABOVE_PROTOCOL, why: 'sdp knows nothing of calls or AI' },
  rtp: { layers: ABOVE_PROTOCOL, why: 'rtp knows nothing of calls or AI' },
  audio: { layers: ABOVE_PROTOCOL, why: 'audio knows nothing of calls or AI' },
  realtime: { layers: ['call', 'sip', 'sdp', 'rtp', ...OPERATIONS, ...ENTRY_POINTS], why: 'the AI backend knows nothing of calls, SIP or RTP' },
  call: { layers: OPERATIONS, why: 'calls emit events to observers; they know nothing of HTTP, SQLite or Prometheus' },
  connect: { layers: OPERATIONS, why: 'connect is AWS; operations layers sit above it' },
  agent: { layers: OPERATIONS, why: 'the agent definition knows nothing of the operations layers' },
  store: { layers: ['http', 'metrics'], why: 'the records store serves the HTTP API, not the reverse' },
  metrics: { layers: ['http', 'store'], why: 'metrics are read by the HTTP server, not the reverse' },
  recording: { layers: ['call', 'realtime', 'sip', 'sdp', 'connect', ...OPERATIONS], why: 'recordings are fed by the media taps; the call drives them, not the reverse' },
};
/** Every layer: the entry points sit above all of them (gateway.ts is main.ts's alone). */
const NO_LAYER_IMPORTS = { layers: ENTRY_POINTS, why: 'entry points are imported by no layer' };

const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(dir + sep);

/** The layer of a file under gateway/src: its first folder, or a top-level file's base name. */
function layerOf(path: string): string {
  const [first = ''] = relative(SRC, path).split(sep);
  return first.replace(/\.[cm]?[jt]s$/, '');
}

/** Why `file` may not import `spec`; undefined when it may. */
function violation(file: string, spec: string): string | undefined {
  if (spec === PACKAGE || spec.startsWith(`${PACKAGE}/`)) return `imports the public API '${spec}' from inside it`;
  if (!spec.startsWith('.') && !isAbsolute(spec)) return undefined; // node: built-ins and npm packages
  const target = resolve(file, '..', spec);
  if (inside(join(ROOT, 'lab'), target)) return `imports the lab (${relative(ROOT, target)}): the product never does`;
  if (inside(join(ROOT, 'gateway', 'test'), target)) return `imports test code (${relative(ROOT, target)})`;
  if (!inside(SRC, target)) return undefined;
  const from = layerOf(file);
  const to = layerOf(target);
  if (from === to || (from === 'main' && to === 'gateway')) return undefined;
  for (const rule of [FORBIDDEN[from], NO_LAYER_IMPORTS]) {
    if (rule !== undefined && rule.layers.includes(to)) return `${from} imports ${to} (${relative(ROOT, target)}): ${rule.why}`;
  }
  return undefined;
}

function violationsIn(file: string, source: string): string[] {
  return moduleSpecifiers(file, source).flatMap((spec) => {
    const why = spec.computed ? undefined : violation(file, spec.text);
    return why === undefined ? [] : [`${relative(ROOT, file)}:${spec.line} ${why}`];
  });
}

describe('layers: lower layers never import higher ones', () => {
  it('gateway/src follows the layer rules and imports neither the lab nor test code', () => {
    const files = sourceFilesUnder(SRC);
    const layers = new Set(files.map(layerOf));
    for (const layer of ['sip', 'sdp', 'rtp', 'audio', 'realtime', 'call', 'http', 'store', 'metrics']) expect(layers).toContain(layer);
    expect(files.flatMap((f) => violationsIn(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('catches upward imports (the scan itself can fail)', () => {
    const at = (path: string, ...lines: string[]): string[] => violationsIn(join(SRC, path), lines.join('\n'));
    expect(at('sip/dialog/dialog.ts', `import { Call } from '../../call/call.js';`)).toEqual([
      `gateway/src/sip/dialog/dialog.ts:1 sip imports call (gateway/src/call/call.js): sip knows nothing of calls or AI`,
    ]);
    expect(at('rtp/session/rtp-session.ts', `import type { RealtimeBackend } from '../../realtime/backend.js';`)).toHaveLength(1);
    expect(at('audio/mulaw.ts', `export { x } from '../agent/index.js';`)).toHaveLength(1);
    expect(at('sdp/answer.ts', `const m = await import('../connect/context.js');`)).toHaveLength(1);
    expect(at('realtime/openai/factory.ts', `import { Call } from '../../call/call.js';`, `import { SipServer } from '../../sip/index.js';`)).toHaveLength(2);
    expect(at('call/call.ts', `import { Gateway } from '../gateway.js';`)).toEqual([
      `gateway/src/call/call.ts:1 call imports gateway (gateway/src/gateway.js): entry points are imported by no layer`,
    ]);
    expect(at('sip/server.ts', `import { g711Codec } from '${PACKAGE}';`)).toHaveLength(1);
    expect(at('rtp/index.ts', `import { x } from '../../../lab/src/netem/media-relay.js';`)).toEqual([
      `gateway/src/rtp/index.ts:1 imports the lab (lab/src/netem/media-relay.js): the product never does`,
    ]);
    expect(at('call/call.ts', `import { fakeBackend } from '../../test/call/fakes.js';`)).toHaveLength(1);
    expect(at('call/call.ts', `import { SqliteRecordStore } from '../store/sqlite-record-store.js';`)).toEqual([
      `gateway/src/call/call.ts:1 call imports store (gateway/src/store/sqlite-record-store.js): calls emit events to observers; they know nothing of HTTP, SQLite or Prometheus`,
    ]);
    expect(at('call/call-reporter.ts', `import { GatewayMetrics } from '../metrics/gateway-metrics.js';`, `import { x } from '../http/ops-routes.js';`)).toHaveLength(2);
    expect(at('store/sqlite-record-store.ts', `import { opsRoutes } from '../http/ops-routes.js';`)).toHaveLength(1);
    // The operations layers may observe calls.
    expect(at('store/sqlite-record-store.ts', `import type { CallEvent } from '../call/call-observer.js';`)).toEqual([]);
    // Allowed edges stay allowed: within a layer, down to a lower one, and main.ts assembling the gateway.
    expect(at('call/call.ts', `import { SipServer } from '../sip/index.js';`, `import { x } from './media-bridge.js';`, `import { y } from '../clock.js';`)).toEqual([]);
    expect(at('sdp/answer.ts', `import { PT_PCMU } from '../rtp/constants.js';`)).toEqual([]);
    expect(at('sip/message/parse.ts', `import { err, ok } from '../../result.js';`)).toEqual([]); // result.ts sits below every layer
    expect(at('main.ts', `import { Gateway } from './gateway.js';`)).toEqual([]);
  });
});
