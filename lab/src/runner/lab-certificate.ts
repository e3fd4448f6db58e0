import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from 'connect-realtime-gateway';

/**
 * A throw-away self-signed certificate for the gateway's TLS listener in a lab run (CN gateway.lab,
 * SAN IP 127.0.0.1), made with the openssl CLI (node:crypto cannot issue X.509 certificates).
 */
export function makeLabCertificate(outDir: string): { certFile: string; keyFile: string; cert: string } {
  const certFile = join(outDir, 'gateway-cert.pem');
  const keyFile = join(outDir, 'gateway-key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=gateway.lab', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(`could not make a lab TLS certificate with openssl: ${describeError(err, { firstLine: true })}`);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
