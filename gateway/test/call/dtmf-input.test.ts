import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DTMF_COALESCE_MS, DTMF_COALESCE_MAX_DIGITS, loadAgentDefinition, type AgentDefinition } from '../../src/agent/index.js';
import { DtmfInput, parseDtmfInfo } from '../../src/call/dtmf-input.js';
import { ManualClock } from '../../src/clock.js';
import type { ConnectCallContext } from '../../src/connect/index.js';
import { FakeBackend, silentLog } from './fakes.js';

const RELAY = 'application/dtmf-relay';
const info = (contentType: string, body: string | Buffer) => parseDtmfInfo(contentType, typeof body === 'string' ? Buffer.from(body) : body);

describe('SIP INFO application/dtmf-relay (parseDtmfInfo)', () => {
  it('reads Signal= and ignores Duration=', () => {
    expect(info(RELAY, 'Signal=5\r\nDuration=160\r\n')).toBe('5');
    expect(info(RELAY, 'Signal=0\r\nDuration=250')).toBe('0');
  });

  it('Signal=10 is * and Signal=11 is # (event numbers some devices send); the characters work too', () => {
    expect(info(RELAY, 'Signal=10\r\nDuration=160')).toBe('*');
    expect(info(RELAY, 'Signal=11\r\nDuration=160')).toBe('#');
    expect(info(RELAY, 'Signal=*\r\nDuration=160')).toBe('*');
    expect(info(RELAY, 'Signal=#\r\nDuration=160')).toBe('#');
  });

  it('letters A-D in either case come back upper-case', () => {
    expect(info(RELAY, 'Signal=a\r\nDuration=160')).toBe('A');
    expect(info(RELAY, 'Signal=D\r\nDuration=160')).toBe('D');
  });

  it('tolerates case and spaces in the field, bare LF line ends, and any order of lines', () => {
    expect(info(RELAY, 'signal = 7\nduration = 100\n')).toBe('7');
    expect(info(RELAY, 'Duration=160\r\nSIGNAL=9\r\n')).toBe('9');
  });

  it('the content type is matched without case and without its parameters', () => {
    expect(info('Application/DTMF-Relay; charset=utf-8', 'Signal=3\r\nDuration=160')).toBe('3');
    expect(info(' application/dtmf-relay ;x=y', 'Signal=4')).toBe('4');
  });

  it('junk is undefined: no Signal, an unknown key, several tokens, other content types', () => {
    expect(info(RELAY, 'Duration=160')).toBeUndefined();
    expect(info(RELAY, '')).toBeUndefined();
    expect(info(RELAY, 'Signal=E\r\nDuration=160')).toBeUndefined();
    expect(info(RELAY, 'Signal=16\r\nDuration=160')).toBeUndefined();
    expect(info(RELAY, 'Signal=5 Duration=160')).toBeUndefined();
    expect(info('text/plain', 'Signal=5')).toBeUndefined();
    expect(info('application/media_control+xml', '<media_control/>')).toBeUndefined();
    expect(info(RELAY, Buffer.from([0xff, 0xfe, 0x00, 0x80]))).toBeUndefined();
  });
});

describe('SIP INFO application/dtmf (parseDtmfInfo)', () => {
  it('the body is the key itself', () => {
    expect(info('application/dtmf', '5')).toBe('5');
    expect(info('application/dtmf', '#\r\n')).toBe('#');
    expect(info('application/dtmf', 'b')).toBe('B');
    expect(info('Application/DTMF; foo=bar', '*')).toBe('*');
  });

  it('anything but one key is undefined', () => {
    for (const body of ['', '12', 'Signal=5', 'E', '10']) expect(info('application/dtmf', body), JSON.stringify(body)).toBeUndefined();
  });
});

describe('parseDtmfInfo on arbitrary input', () => {
  it('property: never throws; answers undefined or exactly one DTMF key', () => {
    fc.assert(
      fc.property(fc.constantFrom(RELAY, 'application/dtmf', 'text/plain', 'APPLICATION/DTMF-RELAY;a=b', ''), fc.uint8Array({ maxLength: 80 }), (type, body) => {
        const key = parseDtmfInfo(type, Buffer.from(body));
        if (key !== undefined) expect(key).toMatch(/^[0-9*#A-D]$/);
      }),
      { numRuns: 400 },
    );
  });

  it('property: every key round-trips through a dtmf-relay body', () => {
    fc.assert(
      fc.property(fc.constantFrom(...'0123456789*#ABCD'), fc.integer({ min: 40, max: 2000 }), (key, duration) => {
        expect(info(RELAY, `Signal=${key}\r\nDuration=${duration}\r\n`)).toBe(key);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------

const CONTEXT: ConnectCallContext = { headers: {}, callerNumber: '+15551230000', contactId: '4a8d5c1e-2b7f-4c3a-9e6d-1f2a3b4c5d6e' };
let dir: string;
/** Built-in defaults (per key), collect with '#' and a custom prompt, collect without terminator, deliverToModel false. */
let defs: { builtin: AgentDefinition; collect: AgentDefinition; noTerminator: AgentDefinition; silent: AgentDefinition; immediate: AgentDefinition };

async function define(name: string, yaml: string | undefined): Promise<AgentDefinition> {
  let path: string | undefined;
  if (yaml !== undefined) {
    path = join(dir, `${name}.yaml`);
    writeFileSync(path, yaml);
  }
  const r = await loadAgentDefinition(path, { env: {} });
  if (!r.ok) throw new Error(r.error.join('\n'));
  return r.value.definition;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'call-dtmf-'));
  defs = {
    builtin: await define('builtin', undefined),
    collect: await define(
      'collect',
      ['dtmf:', '  collect:', '    maxDigits: 4', "    terminator: '#'", '    interDigitTimeoutMs: 2000', "    prompt: 'Caller {{callerNumber}} entered {{digits}}'", ''].join('\n'),
    ),
    noTerminator: await define('no-terminator', ['dtmf:', '  collect:', '    maxDigits: 3', '    terminator: null', '    interDigitTimeoutMs: 1000', ''].join('\n')),
    silent: await define('silent', ['dtmf:', '  deliverToModel: false', ''].join('\n')),
    immediate: await define('immediate', ['dtmf:', '  coalesceMs: 0', ''].join('\n')),
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(def: AgentDefinition) {
  const clock = new ManualClock();
  const backend = new FakeBackend();
  const dtmf = new DtmfInput(def, CONTEXT, backend, clock, silentLog);
  const texts = () => backend.of('addUserText').map((c) => [c.text, c.respond]);
  return { clock, backend, dtmf, texts };
}

describe('DtmfInput: keys coalesced (no dtmf.collect)', () => {
  it('a key reaches the model once no other key followed it for coalesceMs (default 400 ms)', () => {
    const { dtmf, texts, clock } = input(defs.builtin);
    expect(defs.builtin.dtmf.coalesceMs).toBe(DEFAULT_DTMF_COALESCE_MS);
    dtmf.key('1', 'rfc4733');
    clock.advance(DEFAULT_DTMF_COALESCE_MS - 1);
    expect(texts()).toEqual([]);
    clock.advance(1);
    expect(texts()).toEqual([['The caller entered 1 on the keypad.', true]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a burst (30 INFOs in 1.5 s) is one user turn and one response request, # and * included', () => {
    const { dtmf, texts, clock } = input(defs.builtin);
    const keys = '0123456789*#ABCD0123456789*#AB';
    for (const k of keys) {
      dtmf.key(k, 'info');
      clock.advance(50);
    }
    clock.advance(DEFAULT_DTMF_COALESCE_MS);
    expect(texts()).toEqual([[`The caller entered ${keys} on the keypad.`, true]]);
    expect(dtmf.digitsReceived).toBe(30);
  });

  it('a caller who never pauses is delivered every DTMF_COALESCE_MAX_DIGITS keys', () => {
    const { dtmf, texts, clock } = input(defs.builtin);
    for (let i = 0; i < DTMF_COALESCE_MAX_DIGITS + 1; i++) {
      dtmf.key('5', 'rfc4733');
      clock.advance(100);
    }
    expect(texts()).toEqual([[`The caller entered ${'5'.repeat(DTMF_COALESCE_MAX_DIGITS)} on the keypad.`, true]]);
  });

  it('coalesceMs 0 delivers each key at once', () => {
    const { dtmf, texts } = input(defs.immediate);
    dtmf.key('1', 'rfc4733');
    dtmf.key('*', 'info');
    expect(texts()).toEqual([
      ['The caller entered 1 on the keypad.', true],
      ['The caller entered * on the keypad.', true],
    ]);
  });

  it('invalid keys are ignored and not counted', () => {
    const { dtmf, backend } = input(defs.builtin);
    for (const bad of ['E', '11', '', ' 1', '1 ', 'a', '**']) dtmf.key(bad, 'info');
    expect(backend.calls).toEqual([]);
    expect(dtmf.digitsReceived).toBe(0);
  });
});

describe('DtmfInput: collected digits (dtmf.collect)', () => {
  it('the terminator delivers what came before it, without itself, through the prompt template', () => {
    const { dtmf, texts, clock } = input(defs.collect);
    dtmf.key('1', 'rfc4733');
    dtmf.key('2', 'rfc4733');
    expect(texts()).toEqual([]);
    dtmf.key('#', 'rfc4733');
    expect(texts()).toEqual([['Caller +15551230000 entered 12', true]]);
    expect(clock.pendingTimers).toBe(0);
    expect(dtmf.digitsReceived).toBe(3);
  });

  it('maxDigits delivers at once', () => {
    const { dtmf, texts, clock } = input(defs.collect);
    for (const k of '4321') dtmf.key(k, 'info');
    expect(texts()).toEqual([['Caller +15551230000 entered 4321', true]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('interDigitTimeoutMs of silence after the last key delivers, the wait restarting on each key', () => {
    const { dtmf, texts, clock } = input(defs.collect);
    dtmf.key('9', 'rfc4733');
    clock.advance(1_999);
    dtmf.key('8', 'rfc4733');
    clock.advance(1_999);
    expect(texts()).toEqual([]);
    clock.advance(1);
    expect(texts()).toEqual([['Caller +15551230000 entered 98', true]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('invalid keys in the middle neither end nor enter the collection', () => {
    const { dtmf, texts } = input(defs.collect);
    dtmf.key('5', 'info');
    dtmf.key('X', 'info');
    dtmf.key('6', 'info');
    dtmf.key('#', 'info');
    expect(texts()).toEqual([['Caller +15551230000 entered 56', true]]);
    expect(dtmf.digitsReceived).toBe(3);
  });

  it('with terminator null, # is an ordinary digit and the default prompt wording is used', () => {
    const { dtmf, texts } = input(defs.noTerminator);
    for (const k of '#1*') dtmf.key(k, 'rfc4733');
    expect(texts()).toEqual([['The caller entered #1* on the keypad.', true]]);
  });

  it('close() drops digits still held and leaves no timer behind', () => {
    const { dtmf, texts, clock } = input(defs.collect);
    dtmf.key('1', 'rfc4733');
    dtmf.close();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    dtmf.key('#', 'rfc4733');
    expect(texts()).toEqual([]);
  });
});

describe('DtmfInput: collection in progress (pauses a call recording)', () => {
  it('says collecting at the first key and done at delivery, by terminator or by timeout; never while coalescing', () => {
    const clock = new ManualClock();
    const seen: Array<[number, boolean]> = [];
    const dtmf = new DtmfInput(defs.collect, CONTEXT, new FakeBackend(), clock, silentLog, (c) => seen.push([clock.now(), c]));
    dtmf.key('1', 'rfc4733');
    clock.advance(100);
    dtmf.key('2', 'rfc4733');
    dtmf.key('#', 'rfc4733');
    expect(seen).toEqual([
      [0, true],
      [100, false],
    ]);
    dtmf.key('#', 'rfc4733'); // a terminator alone collects nothing
    dtmf.key('7', 'info');
    clock.advance(2000);
    expect(seen.slice(2)).toEqual([
      [100, true],
      [2100, false],
    ]);
    const coalescing: boolean[] = [];
    const plain = new DtmfInput(defs.builtin, CONTEXT, new FakeBackend(), clock, silentLog, (c) => coalescing.push(c));
    plain.key('5', 'info');
    clock.advance(1000);
    expect(coalescing).toEqual([]);
  });
});

describe('DtmfInput: deliverToModel false', () => {
  it('keys are counted but nothing is sent and nothing is scheduled', () => {
    const { dtmf, backend, clock } = input(defs.silent);
    for (const k of '12#') dtmf.key(k, 'rfc4733');
    clock.advance(60_000);
    expect(backend.calls).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    expect(dtmf.digitsReceived).toBe(3);
  });
});
