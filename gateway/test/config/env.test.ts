import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS } from '../../src/config/defaults.js';
import { ConfigError, parseEnv, type Env } from '../../src/config/env.js';
import { clientCertMode, setupCallsPerSource } from '../../src/config/sip-hardening.js';

/** The smallest environment that starts: everything else defaulted. */
const KEY = { OPENAI_API_KEY: 'sk-test-not-a-real-key' };

/** The problems parseEnv reports, or a test failure if it accepted the environment or threw anything else. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw new Error(`expected a ConfigError, got ${String(err)}`);
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}, the environment was accepted`);
}

describe('defaults', () => {
  it('fills every variable that is not set', () => {
    const expected: Env = {
      AMAZON_CONNECT_SIP_HOST: '0.0.0.0',
      AMAZON_CONNECT_SIP_PORT: 5060,
      AMAZON_CONNECT_SIP_USERNAME: 'ai-agent',
      SIP_AUTH_ALGORITHMS: ['SHA-256', 'MD5'],
      SIP_TRANSPORTS: ['udp', 'tcp'],
      SIP_TLS_PORT: 5061,
      SIP_ALLOW_FROM: ['3.80.16.0/23', '99.77.253.0/24', '99.77.233.0/24', '99.77.247.0/24', '99.77.249.0/24', '99.77.244.0/24'],
      SIP_MAX_CALLS: 200,
      SIP_INVITE_RATE: 20,
      SIP_INVITE_BURST: 40,
      SIP_REQUEST_RATE: 100,
      SIP_REQUEST_BURST: 200,
      SIP_MAX_TRANSACTIONS: 5_000,
      SIP_MAX_TRANSACTIONS_PER_SOURCE: 1_000,
      SIP_TCP_MAX_CONNECTIONS: 1_024,
      SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: 32,
      SIP_TCP_MESSAGE_TIMEOUT_MS: 5_000,
      SIP_TCP_IDLE_TIMEOUT_S: 30,
      SIP_TCP_DIALOG_IDLE_TIMEOUT_S: 600,
      SIP_TLS_HANDSHAKE_TIMEOUT_MS: 5_000,
      SIP_SESSION_EXPIRES_S: 1800,
      SIP_MIN_SE_S: 90,
      RTP_PORT_MIN: 10_000,
      RTP_PORT_MAX: 20_000,
      SRTP: 'optional',
      JITTER_MIN_MS: 20,
      JITTER_MAX_MS: 200,
      RTP_INACTIVITY_MS: 30_000,
      RTP_SOURCE_POLICY: 'strict',
      RTP_FIRST_PACKET_TIMEOUT_MS: 5_000,
      ECHO_GUARD_MARGIN_DB: 12,
      ECHO_GUARD_TAIL_MS: 250,
      CODECS: ['PCMU', 'PCMA'],
      REALTIME_PROVIDER: 'openai',
      OPENAI_API_KEY: KEY.OPENAI_API_KEY,
      OPENAI_BASE_URL: 'https://api.openai.com/v1',
      OPENAI_VOICE_MODEL: 'gpt-realtime',
      REALTIME_CONNECT_TIMEOUT_MS: 5_000,
      REALTIME_APPEND_MS: 'auto',
      REALTIME_MAX_TRANSCRIPT_ITEM_CHARS: 16_384,
      REALTIME_MAX_TRANSCRIPT_CALL_CHARS: 1_048_576,
      REALTIME_MAX_RECONNECTS: 5,
      AGENT_AUDIO_MAX_QUEUED_MS: 120_000,
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: 8080,
      RECORDS_PATH: 'records/calls.db',
      RECORDS_RETENTION_DAYS: 30,
      RECORDING_RETENTION_DAYS: 30,
      RECORDING_MAX_DURATION_S: 7200,
      RECORDINGS_MAX_TOTAL_MB: 10240,
      DRAIN_TIMEOUT_S: 60,
      HELPER_THREAD_NICE: 10,
      LOG_LEVEL: 'info',
    };
    expect(parseEnv(KEY)).toEqual(expected);
  });

  it('leaves the optional variables absent', () => {
    const env = parseEnv(KEY);
    for (const name of [
      'AMAZON_CONNECT_SIP_DOMAIN',
      'AMAZON_CONNECT_SIP_PASSWORD',
      'SIP_TLS_CERT_FILE',
      'SIP_TLS_KEY_FILE',
      'SIP_TLS_CA_FILE',
      'SIP_TLS_CLIENT_CA_FILE',
      'SIP_TLS_CLIENT_CERT',
      'SIP_MAX_SETUP_CALLS_PER_SOURCE',
      'PUBLIC_IP',
      'RTP_HOST',
      'AGENTS_SDK_MODULE',
      'HTTP_API_TOKEN',
      'CALLBACK_SECRET',
    ] as const) {
      expect(env[name], name).toBeUndefined();
    }
  });

  it('treats an empty string as unset (docker-compose passes VAR= for unset variables)', () => {
    const env = parseEnv({ ...KEY, AMAZON_CONNECT_SIP_PORT: '', SIP_ALLOW_FROM: '', LOG_LEVEL: '', AMAZON_CONNECT_SIP_DOMAIN: '' });
    expect(env.AMAZON_CONNECT_SIP_PORT).toBe(5060);
    expect(env.SIP_ALLOW_FROM).toEqual(Object.values(CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS));
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.AMAZON_CONNECT_SIP_DOMAIN).toBeUndefined();
  });

  it('ignores variables it does not know (the process environment is full of them)', () => {
    expect(() => parseEnv({ ...KEY, PATH: '/usr/bin', HOME: '/root', SIP_PORT_TYPO: 'x' })).not.toThrow();
  });
});

describe('values that are read', () => {
  it('coerces numbers, trims list entries and drops empty ones', () => {
    const env = parseEnv({
      ...KEY,
      AMAZON_CONNECT_SIP_PORT: '5080',
      SIP_TRANSPORTS: ' udp , tls ,',
      SIP_TLS_CERT_FILE: '/etc/tls/cert.pem',
      SIP_TLS_KEY_FILE: '/etc/tls/key.pem',
      RTP_PORT_MIN: '40000',
      RTP_PORT_MAX: '40003',
      RTP_INACTIVITY_MS: '0',
      ECHO_GUARD_MARGIN_DB: '0',
      REALTIME_APPEND_MS: '60',
    });
    expect(env.REALTIME_APPEND_MS).toBe(60); // a fixed period instead of auto
    expect(env.AMAZON_CONNECT_SIP_PORT).toBe(5080);
    expect(env.SIP_TRANSPORTS).toEqual(['udp', 'tls']);
    expect([env.RTP_PORT_MIN, env.RTP_PORT_MAX]).toEqual([40_000, 40_003]);
    expect(env.RTP_INACTIVITY_MS).toBe(0); // 0 disables the inactivity hang-up
    expect(env.ECHO_GUARD_MARGIN_DB).toBe(0); // 0 disables the echo guard
  });

  it('upper-cases codec and digest algorithm names', () => {
    const env = parseEnv({ ...KEY, CODECS: 'pcma', SIP_AUTH_ALGORITHMS: 'md5' });
    expect(env.CODECS).toEqual(['PCMA']);
    expect(env.SIP_AUTH_ALGORITHMS).toEqual(['MD5']);
  });

  it('accepts IPv4 and IPv6 addresses for the host variables', () => {
    const env = parseEnv({ ...KEY, AMAZON_CONNECT_SIP_HOST: '::', PUBLIC_IP: '203.0.113.7', RTP_HOST: '2001:db8::1' });
    expect([env.AMAZON_CONNECT_SIP_HOST, env.PUBLIC_IP, env.RTP_HOST]).toEqual(['::', '203.0.113.7', '2001:db8::1']);
  });
});

describe('SIP_ALLOW_FROM', () => {
  it('defaults to the Chime Voice Connector signalling subnets of every region', () => {
    const env = parseEnv(KEY);
    expect(env.SIP_ALLOW_FROM).toEqual(Object.values(CHIME_VOICE_CONNECTOR_SIGNALLING_CIDRS));
    expect(env.SIP_ALLOW_FROM).toContain('3.80.16.0/23'); // us-east-1
  });

  it('"any" (spaces allowed) is the empty list: no source filtering', () => {
    expect(parseEnv({ ...KEY, SIP_ALLOW_FROM: 'any' }).SIP_ALLOW_FROM).toEqual([]);
    expect(parseEnv({ ...KEY, SIP_ALLOW_FROM: '  any ' }).SIP_ALLOW_FROM).toEqual([]);
  });

  it('a comma list of IPv4/IPv6 CIDRs and bare addresses is kept as given', () => {
    expect(parseEnv({ ...KEY, SIP_ALLOW_FROM: ' 10.0.0.0/8 ,2001:db8::/32, 127.0.0.1' }).SIP_ALLOW_FROM).toEqual(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']);
  });

  it('anything else is a problem naming the variable', () => {
    for (const bad of ['10.0.0.0/33', 'any,10.0.0.0/8', 'chime', '10.0.0.0/8;10.1.0.0/16']) {
      expect(problemsOf({ ...KEY, SIP_ALLOW_FROM: bad }), bad).toEqual(['SIP_ALLOW_FROM must be "any" or a comma list of CIDRs']);
    }
  });
});

describe('a bad value is a ConfigError naming the variable', () => {
  // [variable, value, the problem reported first]
  const cases: Array<[string, string, RegExp]> = [
    ['AMAZON_CONNECT_SIP_HOST', 'sip.example.com', /^AMAZON_CONNECT_SIP_HOST must be an IPv4 or IPv6 address$/],
    ['AMAZON_CONNECT_SIP_PORT', '70000', /^AMAZON_CONNECT_SIP_PORT must be 0\.\.65535$/],
    ['AMAZON_CONNECT_SIP_PORT', '-1', /^AMAZON_CONNECT_SIP_PORT must be 0\.\.65535$/],
    ['AMAZON_CONNECT_SIP_PORT', 'sip', /^AMAZON_CONNECT_SIP_PORT must be a port number$/],
    ['AMAZON_CONNECT_SIP_PORT', '5060.5', /^AMAZON_CONNECT_SIP_PORT must be an integer$/],
    ['AMAZON_CONNECT_SIP_USERNAME', 'ai agent', /^AMAZON_CONNECT_SIP_USERNAME must be a SIP user part/],
    ['AMAZON_CONNECT_SIP_PASSWORD', 'short', /^AMAZON_CONNECT_SIP_PASSWORD must be at least 8 characters$/],
    ['SIP_AUTH_ALGORITHMS', 'SHA-512', /^SIP_AUTH_ALGORITHMS entries must be SHA-256 or MD5$/],
    ['SIP_AUTH_ALGORITHMS', ',', /^SIP_AUTH_ALGORITHMS: /],
    ['SIP_TRANSPORTS', 'sctp', /^SIP_TRANSPORTS entries must be udp, tcp or tls$/],
    ['SIP_TLS_PORT', 'tls', /^SIP_TLS_PORT must be a port number$/],
    ['SIP_MAX_CALLS', '0', /^SIP_MAX_CALLS must be > 0$/],
    ['SIP_MAX_CALLS', 'many', /^SIP_MAX_CALLS must be a number$/],
    ['SIP_INVITE_RATE', '2.5', /^SIP_INVITE_RATE must be an integer$/],
    ['SIP_INVITE_BURST', '-3', /^SIP_INVITE_BURST must be > 0$/],
    ['SIP_REQUEST_RATE', '0', /^SIP_REQUEST_RATE must be >= 1$/],
    ['SIP_MAX_TRANSACTIONS', 'lots', /^SIP_MAX_TRANSACTIONS must be a number$/],
    ['SIP_MAX_SETUP_CALLS_PER_SOURCE', '1.5', /^SIP_MAX_SETUP_CALLS_PER_SOURCE must be an integer$/],
    ['SIP_TCP_MESSAGE_TIMEOUT_MS', '50', /^SIP_TCP_MESSAGE_TIMEOUT_MS must be >= 100 ms$/],
    ['SIP_TCP_IDLE_TIMEOUT_S', '0', /^SIP_TCP_IDLE_TIMEOUT_S must be >= 1 s$/],
    ['SIP_TLS_HANDSHAKE_TIMEOUT_MS', '200000', /^SIP_TLS_HANDSHAKE_TIMEOUT_MS must be <= 120000 ms$/],
    ['SIP_TLS_CLIENT_CERT', 'yes', /^SIP_TLS_CLIENT_CERT must be off, optional or required$/],
    ['SIP_SESSION_EXPIRES_S', '89', /^SIP_SESSION_EXPIRES_S must be >= 90 \(RFC 4028\)$/],
    ['SIP_MIN_SE_S', '60', /^SIP_MIN_SE_S must be >= 90 \(RFC 4028\)$/],
    ['PUBLIC_IP', '203.0.113', /^PUBLIC_IP must be an IPv4 or IPv6 address$/],
    ['RTP_HOST', 'localhost', /^RTP_HOST must be an IPv4 or IPv6 address$/],
    ['RTP_PORT_MIN', '65536', /^RTP_PORT_MIN must be 0\.\.65535$/],
    ['RTP_PORT_MAX', 'high', /^RTP_PORT_MAX must be a port number$/],
    ['SRTP', 'yes', /^SRTP must be off, optional or required$/],
    ['JITTER_MIN_MS', '0', /^JITTER_MIN_MS must be > 0$/],
    ['JITTER_MIN_MS', '1001', /^JITTER_MIN_MS must be <= 1000$/],
    ['JITTER_MAX_MS', '2001', /^JITTER_MAX_MS must be <= 2000$/],
    ['RTP_INACTIVITY_MS', '-1', /^RTP_INACTIVITY_MS must be >= 0 \(0 disables\)$/],
    ['RTP_INACTIVITY_MS', '1.5', /^RTP_INACTIVITY_MS must be an integer$/],
    ['RTP_SOURCE_POLICY', 'latch', /^RTP_SOURCE_POLICY must be strict or learn$/],
    ['RTP_FIRST_PACKET_TIMEOUT_MS', '-5', /^RTP_FIRST_PACKET_TIMEOUT_MS must be >= 0 \(0 disables\)$/],
    ['RTP_FIRST_PACKET_TIMEOUT_MS', '120000', /^RTP_FIRST_PACKET_TIMEOUT_MS must be <= 60000$/],
    ['ECHO_GUARD_MARGIN_DB', '-1', /^ECHO_GUARD_MARGIN_DB must be >= 0 \(0 disables\)$/],
    ['ECHO_GUARD_MARGIN_DB', '61', /^ECHO_GUARD_MARGIN_DB must be <= 60$/],
    ['ECHO_GUARD_MARGIN_DB', 'loud', /^ECHO_GUARD_MARGIN_DB must be a number$/],
    ['ECHO_GUARD_TAIL_MS', '19', /^ECHO_GUARD_TAIL_MS must be >= 20$/],
    ['ECHO_GUARD_TAIL_MS', '2001', /^ECHO_GUARD_TAIL_MS must be <= 2000$/],
    ['REALTIME_APPEND_MS', '0', /^REALTIME_APPEND_MS must be > 0$/],
    ['REALTIME_APPEND_MS', 'fast', /^REALTIME_APPEND_MS must be auto or a number of ms$/],
    ['REALTIME_APPEND_MS', '10', /^REALTIME_APPEND_MS must be >= 20$/],
    ['REALTIME_APPEND_MS', '220', /^REALTIME_APPEND_MS must be <= 200$/],
    ['REALTIME_APPEND_MS', '50', /^REALTIME_APPEND_MS must be a multiple of 20 \(one RTP frame\)$/],
    ['CODECS', 'G722', /^CODECS entries must be PCMU or PCMA$/],
    ['REALTIME_PROVIDER', 'gemini', /^REALTIME_PROVIDER must be openai or agents-sdk$/],
    ['OPENAI_BASE_URL', 'api.openai.com', /^OPENAI_BASE_URL must be a URL/],
    ['REALTIME_CONNECT_TIMEOUT_MS', '0', /^REALTIME_CONNECT_TIMEOUT_MS must be > 0$/],
    ['HTTP_HOST', 'ops.example.com', /^HTTP_HOST must be an IPv4 or IPv6 address$/],
    ['HTTP_PORT', '80800', /^HTTP_PORT must be 0\.\.65535$/],
    ['HTTP_API_TOKEN', 'short', /^HTTP_API_TOKEN must be at least 16 characters$/],
    ['HTTP_API_TOKEN', 'has spaces in it, sixteen+', /^HTTP_API_TOKEN must be a bearer token/],
    ['CALLBACK_SECRET', 'too-short-secret', /^CALLBACK_SECRET must be at least 32 characters$/],
    ['RECORDS_RETENTION_DAYS', '-1', /^RECORDS_RETENTION_DAYS must be >= 0 \(0 keeps records forever\)$/],
    ['RECORDS_RETENTION_DAYS', 'month', /^RECORDS_RETENTION_DAYS must be a number$/],
    ['DRAIN_TIMEOUT_S', '1.5', /^DRAIN_TIMEOUT_S must be an integer$/],
    ['DRAIN_TIMEOUT_S', '-2', /^DRAIN_TIMEOUT_S must be >= 0$/],
    ['HELPER_THREAD_NICE', '-5', /^HELPER_THREAD_NICE must be >= 0/],
    ['HELPER_THREAD_NICE', '20', /^HELPER_THREAD_NICE must be <= 19$/],
    ['HELPER_THREAD_NICE', 'low', /^HELPER_THREAD_NICE must be a number$/],
    ['LOG_LEVEL', 'verbose', /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent$/],
  ];

  it.each(cases)('%s=%s', (name, value, first) => {
    const problems = problemsOf({ ...KEY, [name]: value });
    expect(problems[0]).toMatch(first);
  });

  it('the error carries a stable code and one message listing every problem', () => {
    let caught: unknown;
    try {
      parseEnv({ ...KEY, SIP_MAX_CALLS: '0', LOG_LEVEL: 'loud', SRTP: 'maybe' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.code).toBe('CONFIG_ERR_INVALID');
    expect(e.name).toBe('ConfigError');
    expect(e.problems).toHaveLength(3);
    expect(e.problems.map((p) => p.split(' ')[0])).toEqual(expect.arrayContaining(['SIP_MAX_CALLS', 'LOG_LEVEL', 'SRTP']));
    expect(e.message).toBe(`invalid configuration: ${e.problems.join('; ')}`);
  });

  it('a problem whose message does not name its variable is prefixed with it', () => {
    expect(problemsOf({ ...KEY, SIP_AUTH_ALGORITHMS: ' , ' })[0]).toMatch(/^SIP_AUTH_ALGORITHMS: /);
    expect(problemsOf({ ...KEY, RTP_PORT_MIN: '10000', RTP_PORT_MAX: '10002' })).toEqual(['RTP_PORT_MAX: RTP port range must hold at least two even/odd port pairs']);
  });

  it('property: any junk in a numeric variable is rejected by name, never thrown as anything else', () => {
    const numeric = ['AMAZON_CONNECT_SIP_PORT', 'SIP_MAX_CALLS', 'JITTER_MIN_MS', 'RTP_INACTIVITY_MS', 'ECHO_GUARD_TAIL_MS', 'REALTIME_CONNECT_TIMEOUT_MS'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...numeric), fc.stringMatching(/^[a-z!?%]{1,8}$/), (name, junk) => {
        const problems = problemsOf({ ...KEY, [name]: junk });
        expect(problems[0]?.startsWith(name)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('cross-field rules', () => {
  it('RTP_PORT_MIN must not exceed RTP_PORT_MAX', () => {
    expect(problemsOf({ ...KEY, RTP_PORT_MIN: '20000', RTP_PORT_MAX: '10000' })).toContain('RTP_PORT_MIN must not exceed RTP_PORT_MAX');
  });

  it('the RTP range holds at least two even/odd pairs: width 3 is the smallest accepted', () => {
    expect(problemsOf({ ...KEY, RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30002' })).toEqual(['RTP_PORT_MAX: RTP port range must hold at least two even/odd port pairs']);
    expect(parseEnv({ ...KEY, RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30003' }).RTP_PORT_MAX).toBe(30_003);
  });

  it('JITTER_MIN_MS must not exceed JITTER_MAX_MS (equal is fine: a fixed delay)', () => {
    expect(problemsOf({ ...KEY, JITTER_MIN_MS: '300', JITTER_MAX_MS: '200' })).toEqual(['JITTER_MIN_MS must not exceed JITTER_MAX_MS']);
    const env = parseEnv({ ...KEY, JITTER_MIN_MS: '60', JITTER_MAX_MS: '60' });
    expect([env.JITTER_MIN_MS, env.JITTER_MAX_MS]).toEqual([60, 60]);
  });

  it('RFC 4028 §4: SIP_MIN_SE_S must not exceed SIP_SESSION_EXPIRES_S', () => {
    expect(problemsOf({ ...KEY, SIP_MIN_SE_S: '1900' })).toEqual(['SIP_MIN_SE_S must not exceed SIP_SESSION_EXPIRES_S']);
    const env = parseEnv({ ...KEY, SIP_MIN_SE_S: '600', SIP_SESSION_EXPIRES_S: '600' });
    expect([env.SIP_MIN_SE_S, env.SIP_SESSION_EXPIRES_S]).toEqual([600, 600]);
  });

  it('tls in SIP_TRANSPORTS needs both SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE', () => {
    const message = 'SIP_TRANSPORTS includes tls: SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE are required';
    expect(problemsOf({ ...KEY, SIP_TRANSPORTS: 'udp,tls' })).toEqual([message]);
    expect(problemsOf({ ...KEY, SIP_TRANSPORTS: 'tls', SIP_TLS_CERT_FILE: '/c.pem' })).toEqual([message]);
    expect(problemsOf({ ...KEY, SIP_TRANSPORTS: 'tls', SIP_TLS_KEY_FILE: '/k.pem' })).toEqual([message]);
    const env = parseEnv({ ...KEY, SIP_TRANSPORTS: 'tls', SIP_TLS_CERT_FILE: '/c.pem', SIP_TLS_KEY_FILE: '/k.pem' });
    expect(env.SIP_TRANSPORTS).toEqual(['tls']);
  });

  it('the TLS files are not needed without tls', () => {
    expect(parseEnv({ ...KEY, SIP_TRANSPORTS: 'udp,tcp' }).SIP_TLS_CERT_FILE).toBeUndefined();
  });

  it('SIP hardening: per-source caps within totals, dialog idle not below idle, request burst not below INVITE burst', () => {
    expect(problemsOf({ ...KEY, SIP_TCP_MAX_CONNECTIONS: '10', SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: '20' })).toEqual(['SIP_TCP_MAX_CONNECTIONS_PER_SOURCE must not exceed SIP_TCP_MAX_CONNECTIONS']);
    expect(problemsOf({ ...KEY, SIP_TCP_IDLE_TIMEOUT_S: '60', SIP_TCP_DIALOG_IDLE_TIMEOUT_S: '30' })).toEqual(['SIP_TCP_DIALOG_IDLE_TIMEOUT_S must not be below SIP_TCP_IDLE_TIMEOUT_S']);
    expect(problemsOf({ ...KEY, SIP_MAX_TRANSACTIONS: '100', SIP_MAX_TRANSACTIONS_PER_SOURCE: '200' })).toEqual(['SIP_MAX_TRANSACTIONS_PER_SOURCE must not exceed SIP_MAX_TRANSACTIONS']);
    expect(problemsOf({ ...KEY, SIP_REQUEST_BURST: '10' })).toEqual(['SIP_REQUEST_BURST (every method) must not be below SIP_INVITE_BURST']);
  });

  it('client certificates: a mode that verifies needs SIP_TLS_CLIENT_CA_FILE; a CA file with the mode off is refused; a CA file alone means required', () => {
    expect(problemsOf({ ...KEY, SIP_TLS_CLIENT_CERT: 'required' })).toEqual(['SIP_TLS_CLIENT_CERT=required needs SIP_TLS_CLIENT_CA_FILE (the CAs client certificates must chain to)']);
    expect(problemsOf({ ...KEY, SIP_TLS_CLIENT_CERT: 'optional' })[0]).toMatch(/^SIP_TLS_CLIENT_CERT=optional needs SIP_TLS_CLIENT_CA_FILE/);
    expect(problemsOf({ ...KEY, SIP_TLS_CLIENT_CERT: 'off', SIP_TLS_CLIENT_CA_FILE: '/ca.pem' })).toEqual(['SIP_TLS_CLIENT_CA_FILE is set but SIP_TLS_CLIENT_CERT=off: unset one of them']);
    expect(clientCertMode(parseEnv({ ...KEY, SIP_TLS_CLIENT_CA_FILE: '/ca.pem' }))).toBe('required');
    expect(clientCertMode(parseEnv({ ...KEY, SIP_TLS_CLIENT_CA_FILE: '/ca.pem', SIP_TLS_CLIENT_CERT: 'optional' }))).toBe('optional');
    expect(clientCertMode(parseEnv(KEY))).toBe('off');
  });

  it('calls in set-up per source default to a quarter of min(call slots, RTP pairs), 2 to 50; a set value wins', () => {
    expect(setupCallsPerSource(parseEnv(KEY))).toBe(50);
    expect(setupCallsPerSource(parseEnv({ ...KEY, RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30019' }))).toBe(2);
    expect(setupCallsPerSource(parseEnv({ ...KEY, SIP_MAX_CALLS: '100' }))).toBe(25);
    expect(setupCallsPerSource(parseEnv({ ...KEY, RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30019', SIP_MAX_SETUP_CALLS_PER_SOURCE: '7' }))).toBe(7);
  });

  it('REALTIME_PROVIDER=agents-sdk needs AGENTS_SDK_MODULE', () => {
    expect(problemsOf({ ...KEY, REALTIME_PROVIDER: 'agents-sdk' })).toEqual(['REALTIME_PROVIDER=agents-sdk needs AGENTS_SDK_MODULE (a module exporting a RealtimeAgent)']);
    const env = parseEnv({ ...KEY, REALTIME_PROVIDER: 'agents-sdk', AGENTS_SDK_MODULE: './agent.mjs' });
    expect([env.REALTIME_PROVIDER, env.AGENTS_SDK_MODULE]).toEqual(['agents-sdk', './agent.mjs']);
  });
});

describe('OPENAI_API_KEY is required unless OPENAI_BASE_URL is loopback', () => {
  const KEY_PROBLEM = 'OPENAI_API_KEY is required (only a loopback OPENAI_BASE_URL, such as the lab fake, may omit it)';

  it('is required for the default (public) base URL and any other public host', () => {
    expect(problemsOf({})).toEqual([KEY_PROBLEM]);
    expect(problemsOf({ OPENAI_BASE_URL: 'https://gateway.example.com/v1' })).toEqual([KEY_PROBLEM]);
    expect(problemsOf({ OPENAI_BASE_URL: 'http://localhost.example.com/v1' })).toEqual([KEY_PROBLEM]);
    expect(problemsOf({ OPENAI_BASE_URL: 'http://10.0.0.5:8080/v1' })).toEqual([KEY_PROBLEM]);
  });

  it('may be omitted for localhost, 127.0.0.0/8 and [::1] (the lab fake)', () => {
    for (const url of ['http://localhost:8089/v1', 'http://127.0.0.1:8089/v1', 'http://127.9.8.7/v1', 'http://[::1]:8089/v1']) {
      const env = parseEnv({ OPENAI_BASE_URL: url });
      expect(env.OPENAI_API_KEY, url).toBeUndefined();
      expect(env.OPENAI_BASE_URL).toBe(url);
    }
  });

  it('a DNS name that merely starts with "127." is not loopback', () => {
    expect(problemsOf({ OPENAI_BASE_URL: 'http://127.example.com/v1' })).toEqual([KEY_PROBLEM]);
  });

  it('a base URL that is not a URL is a ConfigError even without a key (not a TypeError from the key rule)', () => {
    expect(problemsOf({ OPENAI_BASE_URL: 'not a url' })[0]).toMatch(/^OPENAI_BASE_URL must be a URL/);
  });
});
