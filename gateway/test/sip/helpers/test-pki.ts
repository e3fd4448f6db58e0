import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  /** The CA that signs the server and the good client certificate. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Signed by the CA (CN sip-client). */
  clientCert: string;
  clientKey: string;
  /** Self-signed: chains to nothing we trust. */
  rogueCert: string;
  rogueKey: string;
}

/**
 * A throw-away PKI for mutual-TLS tests: a P-256 CA, a server certificate for 127.0.0.1, a client
 * certificate it signed and a self-signed rogue one, made with the openssl CLI (node:crypto cannot
 * issue X.509 certificates) in a private temp directory removed as soon as the PEMs are read, so
 * nothing expires in the repository and no key is kept.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sip-pki-'));
  const f = (name: string): string => join(dir, name);
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe', timeout: 10_000 });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    run(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=SIP Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
    const issue = (name: string, subject: string, ext: string): void => {
      run(['req', ...ec, '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
      writeFileSync(f(`${name}.ext`), ext);
      run(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`)]);
    };
    issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    issue('client', '/CN=sip-client', 'extendedKeyUsage=clientAuth\n');
    run(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=rogue', '-keyout', f('rogue.key'), '-out', f('rogue.pem')]);
    const read = (name: string): string => readFileSync(f(name), 'utf8');
    return {
      caCert: read('ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
      rogueCert: read('rogue.pem'),
      rogueKey: read('rogue.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
