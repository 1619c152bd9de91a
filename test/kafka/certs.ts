/**
 * Throwaway TLS material for a SASL_SSL test listener, made with openssl: a CA, and a broker key and
 * certificate for 127.0.0.1 signed by it, packed as the PKCS12 key store the broker reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** PEM file of the CA that signed the broker certificate (what clients trust). */
  readonly caFile: string;
  /** PKCS12 key store of the broker. */
  readonly keystore: string;
  readonly keystorePassword: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestCertificates(parent = tmpdir()): TestCertificates {
  const dir = mkdtempSync(join(parent, 'faustgen-certs-'));
  const password = 'test-keystore-pw';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=faustgen test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', '2', '-extfile', 'san.ext'], dir);
  openssl(['pkcs12', '-export', '-in', 'broker.pem', '-inkey', 'broker.key', '-certfile', 'ca.pem', '-name', 'broker', '-out', 'broker.p12', '-passout', `pass:${password}`], dir);
  return { dir, caFile: join(dir, 'ca.pem'), keystore: join(dir, 'broker.p12'), keystorePassword: password };
}
