/** Script validation, option resolution and the command line. */
import { describe, expect, it } from 'vitest';
import { parseCliArgs, CliError } from '../../src/callers/lab-caller/cli-args.js';
import { LabCaller, LabCallerErrorCode, parseLabScript, resolveOptions } from '../../src/callers/lab-caller/index.js';
import { actionKind, entryOrigin } from '../../src/callers/lab-caller/script.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('timeline scripts', () => {
  it('accepts every action with its parameters and knows where each counts from', () => {
    const s = parseLabScript([
      { at: 0, from: 'invite', action: { options: true } },
      { at: 50, action: { cancel: true } },
      { at: 100, action: { speak: 'fixtures/caller-hello.wav', gainDb: -6 } },
      { at: 200, action: { dtmf: '12#*AD', durationMs: 80, gapMs: 40, via: 'info' } },
      { at: 300, action: { hold: true } },
      { at: 400, action: { resume: true } },
      { at: 500, action: { echo: { gainDb: -20, delayMs: 40 } } },
      { at: 550, action: { echo: false } },
      { at: 600, action: { reinvite: { direction: 'inactive', codecs: ['PCMA'] } } },
      { at: 700, action: { speakWhenAgentTalking: { afterMs: 800, wav: 'fixtures/caller-interrupt.wav', thresholdDbov: -40 } } },
      { at: 800, action: { waitForBye: { timeoutMs: 5_000 } } },
      { at: 900, action: { bye: true } },
    ]);
    expect(s.map((e) => actionKind(e.action))).toEqual([
      'options', 'cancel', 'speak', 'dtmf', 'hold', 'resume', 'echo', 'echo', 'reinvite', 'speakWhenAgentTalking', 'waitForBye', 'bye',
    ]);
    expect(s.map(entryOrigin)).toEqual(['invite', 'invite', ...Array<string>(10).fill('answer')]);
  });

  it.each([
    ['an unknown action', [{ at: 0, action: { dance: true } }]],
    ['two actions in one entry', [{ at: 0, action: { bye: true, hold: true } }]],
    ['a negative time', [{ at: -1, action: { bye: true } }]],
    ['a bad DTMF digit', [{ at: 0, action: { dtmf: '12x' } }]],
    ['a too-short DTMF digit', [{ at: 0, action: { dtmf: '1', durationMs: 10 } }]],
    ['speaking before the answer', [{ at: 0, from: 'invite', action: { speak: 'x.wav' } }]],
    ['cancel counted from the answer', [{ at: 0, from: 'answer', action: { cancel: true } }]],
    ['two cancels', [{ at: 0, action: { cancel: true } }, { at: 5, action: { cancel: true } }]],
    ['an echo delay of 3 s', [{ at: 0, action: { echo: { gainDb: -20, delayMs: 3_000 } } }]],
  ])('rejects %s', (_what, script) => {
    expect(codeOf(() => parseLabScript(script))).toBe(LabCallerErrorCode.BAD_SCRIPT);
  });

  it('fails the run up front on a WAV it cannot read', async () => {
    const caller = new LabCaller({ target: '127.0.0.1:9' });
    await expect(caller.run([{ at: 0, action: { speak: '/nonexistent/x.wav' } }])).rejects.toMatchObject({ code: LabCallerErrorCode.BAD_WAV });
    await expect(caller.run([])).rejects.toMatchObject({ code: LabCallerErrorCode.ALREADY_RUN });
  });
});

describe('options', () => {
  it('fills the named defaults', () => {
    const o = resolveOptions({ target: '127.0.0.1:5060' });
    expect(o).toMatchObject({ transport: 'udp', localAddress: '127.0.0.1', codecs: ['PCMU', 'PCMA'], telephoneEvent: 101, srtp: 'off', t1Ms: 500, t2Ms: 4_000, loseAcks: 0 });
  });

  it.each([
    ['target', { target: '10.0.0.1:5060' }],
    ['target', { target: 'gateway.example:5060' }],
    ['localAddress', { target: '127.0.0.1:5060', localAddress: '192.168.1.2' }],
    ['codecs', { target: '127.0.0.1:5060', codecs: [] }],
    ['telephoneEvent', { target: '127.0.0.1:5060', telephoneEvent: 8 }],
    ['extraHeaders', { target: '127.0.0.1:5060', extraHeaders: [['X-Evil', 'a\r\nVia: x']] as Array<[string, string]> }],
    ['loseAcks', { target: '127.0.0.1:5060', loseAcks: -1 }],
    ['rtcpIntervalMs', { target: '127.0.0.1:5060', rtcpIntervalMs: 5 }],
  ])('rejects a bad %s, naming it', (field, opts) => {
    expect(() => resolveOptions(opts as Parameters<typeof resolveOptions>[0])).toThrow(new RegExp(`^${field}`));
  });
});

describe('command line', () => {
  const read = (p: string): string => {
    if (p === 'script.yaml') return '- at: 2000\n  action:\n    dtmf: "42"\n';
    if (p === 'ca.pem') return 'PEM';
    throw new Error(`ENOENT: ${p}`);
  };

  it('turns flags into options and a timeline', () => {
    const r = parseCliArgs(
      [
        '--target', '127.0.0.1:5061', '--transport', 'tls', '--ca', 'ca.pem', '--srtp', 'sdes',
        '--header', 'X-Amzn-ConnectContactId: abc', '--speak', 'fixtures/caller-hello.wav@500',
        '--barge-in', '800:fixtures/caller-interrupt.wav', '--echo', '-20,40', '--hangup-after', '8000',
        '--script', 'script.yaml', '--session-expires', '120', '--refresher', 'uac', '--record', 'out.wav',
      ],
      read,
    );
    expect(r.options).toMatchObject({
      target: '127.0.0.1:5061',
      transport: 'tls',
      tls: { ca: 'PEM', rejectUnauthorized: true },
      srtp: 'sdes',
      extraHeaders: [['X-Amzn-ConnectContactId', 'abc']],
      sessionTimer: { expiresS: 120, refresher: 'uac', refresh: true },
    });
    expect(r.script).toEqual([
      { at: 500, action: { speak: 'fixtures/caller-hello.wav' } },
      { at: 0, action: { speakWhenAgentTalking: { afterMs: 800, wav: 'fixtures/caller-interrupt.wav' } } },
      { at: 0, action: { echo: { gainDb: -20, delayMs: 40 } } },
      { at: 8000, action: { bye: true } },
      { at: 2000, action: { dtmf: '42' } },
    ]);
    expect(r.recordPath).toBe('out.wav');
  });

  it.each([
    [['--target', '127.0.0.1:5060', '--bogus'], 'unknown flag --bogus (see --help)'],
    [['--transport', 'udp'], '--target host:port is required'],
    [['--target', '127.0.0.1:5060', '--transport', 'sctp'], '--transport: sctp is not udp, tcp or tls'],
    [['--target', '127.0.0.1:5060', '--hangup-after', 'soon'], '--hangup-after: "soon" is not a number'],
    [['--target', '127.0.0.1:5060', '--dtmf', '9z'], "script[0]: 'z' is not a DTMF digit (0-9 * # A-D)"],
    [['--target', '127.0.0.1:5060', '--script', 'missing.yaml'], '--script missing.yaml: ENOENT: missing.yaml'],
    [['--target', '127.0.0.1:5060', '--user', 'u'], '--user and --password go together'],
    [['--target', '127.0.0.1:5060', '--speak'], '--speak needs a value'],
  ])('refuses %j with one line', (argv, message) => {
    let err: unknown;
    try {
      parseCliArgs(argv, read);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toBe(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
