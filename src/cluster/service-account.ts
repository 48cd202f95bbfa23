import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import { AuthError, UsageError } from '../errors';

/**
 * A CI logs in without a human, as `dcos auth login --username --private-key` does:
 * a service login token is an RS256 JWT with claims {uid, exp: now + 5 min}, signed
 * with the account's private key (docs/reference/dcos-cli-plugin.md §5).
 */

export interface ServiceAccount {
  uid: string;
  /** Undefined: the key is in the environment (a secret of a job or app). */
  privateKeyPath?: string;
}

const LOGIN_TOKEN_SECONDS = 5 * 60;

/** The key must be readable by its owner only (0600 or 0400), as the DC/OS CLI demands. */
export function readPrivateKey(privateKeyPath: string): crypto.KeyObject {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(privateKeyPath);
  } catch {
    throw new UsageError(
      `Cannot read the private key ${privateKeyPath}: give the service account's PEM key file with --private-key.`,
    );
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `Permissions ${mode.toString(8).padStart(4, '0')} for ${privateKeyPath} are too open: the key must be readable by its owner only (chmod 600 ${privateKeyPath}).`,
    );
  }
  try {
    return crypto.createPrivateKey(fs.readFileSync(privateKeyPath));
  } catch {
    throw new UsageError(
      `${privateKeyPath} is not a PEM private key: give the key the service account was created with.`,
    );
  }
}

/** The key handed over in memory (a secret store's environment variable); `where` names it in errors. */
export function privateKeyFromPem(pem: string, where: string): crypto.KeyObject {
  try {
    return crypto.createPrivateKey(pem);
  } catch {
    throw new UsageError(`${where} does not hold a PEM private key: check the secret the job or app names.`);
  }
}

export function serviceLoginToken(uid: string, key: crypto.KeyObject, now = Date.now()): string {
  if (key.asymmetricKeyType !== 'rsa')
    throw new AuthError(
      `The private key is ${key.asymmetricKeyType ?? 'not an asymmetric key'}: DC/OS service accounts sign with RSA (RS256).`,
    );
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ uid, exp: Math.floor(now / 1000) + LOGIN_TOKEN_SECONDS })}`;
  const signature = crypto.sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url');
  return `${unsigned}.${signature}`;
}
