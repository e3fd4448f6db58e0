/**
 * deploy/kamailio as shipped: render.sh fills the template for the lab's loopback addresses (and with
 * TLS), Kamailio itself accepts the result (`kamailio -c`), and bad input is refused. Also the parser
 * of kamcmd's dispatcher list that the cluster scenario reads Kamailio's view with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/repo-root.js';
import { parseDispatcherList, systemBinary } from '../../src/runner/ops/kamailio-process.js';

const root = repoRoot();
const render = join(root, 'deploy/kamailio/render.sh');

describe('deploy/kamailio', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kamailio-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string>) => spawnSync('bash', [render, dir], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

  it('renders a dispatcher list and a configuration Kamailio accepts', () => {
    const r = run({ GATEWAYS: '127.0.0.1:25060, 127.0.0.7:25062', LISTEN_ADDRESS: '127.0.0.6', LISTEN_PORT: '25070', PING_INTERVAL_S: '1', CTL_SOCKET: join(dir, 'ctl') });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'dispatcher.list'), 'utf8').split('\n').filter((l) => l.startsWith('1 '))).toEqual(['1 sip:127.0.0.1:25060 0 0', '1 sip:127.0.0.7:25062 0 0']);
    const cfg = readFileSync(join(dir, 'kamailio.cfg'), 'utf8');
    expect(cfg).not.toMatch(/@[A-Z_]+@/);
    expect(cfg).toContain('listen=udp:127.0.0.6:25070');
    expect(cfg).toContain('modparam("dispatcher", "ds_ping_interval", 1)');
    const kamailio = systemBinary('kamailio');
    expect(kamailio, 'kamailio is installed by make setup').toBeDefined();
    const check = spawnSync(kamailio!, ['-c', '-f', join(dir, 'kamailio.cfg')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('adds a TLS listener with a certificate, which Kamailio accepts too', () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=kamailio.lab', '-days', '1'], { stdio: 'ignore' });
    const r = run({ GATEWAYS: '127.0.0.1:25060', LISTEN_ADDRESS: '127.0.0.6', TLS_CERT_FILE: join(dir, 'c.pem'), TLS_KEY_FILE: join(dir, 'k.pem'), CTL_SOCKET: join(dir, 'ctl') });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'kamailio.cfg'), 'utf8')).toContain('#!define WITH_TLS');
    expect(readFileSync(join(dir, 'tls.cfg'), 'utf8')).toContain(`certificate = ${join(dir, 'c.pem')}`);
    const check = spawnSync(systemBinary('kamailio')!, ['-c', '-f', join(dir, 'kamailio.cfg')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it.each([
    [{}, /GATEWAYS is required/],
    [{ GATEWAYS: '127.0.0.1' }, /GATEWAYS entry '127.0.0.1' is not host:port/],
    [{ GATEWAYS: '127.0.0.1:5060', PING_INTERVAL_S: 'often' }, /'often' is not a number/],
    [{ GATEWAYS: '127.0.0.1:5060', TLS_CERT_FILE: '/nonexistent.pem' }, /TLS_CERT_FILE and TLS_KEY_FILE must both be readable/],
  ])('refuses %j', (env, message) => {
    const r = run(env as Record<string, string>);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

describe('parseDispatcherList', () => {
  it('reads each destination and its flags from kamcmd dispatcher.list', () => {
    const text = `{
	NRSETS: 1
	RECORDS: {
		SET: {
			ID: 1
			TARGETS: {
				DEST: {
					URI: sip:127.0.0.1:25060
					FLAGS: IP
					PRIORITY: 0
				}
				DEST: {
					URI: sip:127.0.0.7:25062
					FLAGS: AP
					PRIORITY: 0
				}
			}
		}
	}
}`;
    expect(parseDispatcherList(text)).toEqual([
      { uri: 'sip:127.0.0.1:25060', flags: 'IP' },
      { uri: 'sip:127.0.0.7:25062', flags: 'AP' },
    ]);
    expect(parseDispatcherList('error: 500 - No Destination Sets')).toEqual([]);
  });
});
