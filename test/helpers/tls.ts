import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A self-signed certificate (openssl, which .ci/run installs) for `subject` with the given
 * subjectAltName, written as key.pem and ca.pem (the certificate is its own CA) into `dir`.
 */
export function selfSignedCertificate(
  dir: string,
  subject: string,
  altName: string,
): { key: Buffer; cert: Buffer; caPath: string } {
  const keyPath = path.join(dir, 'key.pem');
  const caPath = path.join(dir, 'ca.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${subject}`,
    '-addext',
    `subjectAltName=${altName}`,
  ];
  execFileSync('openssl', [...args, '-keyout', keyPath, '-out', caPath], { stdio: 'ignore' });
  return { key: fs.readFileSync(keyPath), cert: fs.readFileSync(caPath), caPath };
}
