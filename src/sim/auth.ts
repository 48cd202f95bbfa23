import * as crypto from 'node:crypto';
import * as http from 'node:http';

import { SimResponse, json } from './http-types';
import { Scenario } from './scenario';

/** Admin Router's side of authentication: the login endpoint and the token every other path needs. */

/**
 * Service login (docs/reference/dcos-cli-plugin.md §5): {uid, token} with an RS256 JWT
 * {uid, exp} signed by the account's key, or {uid, password}. The 401 body's exact
 * shape is not in the reference (unverified); clients should rely on the status.
 */
export function login(scenario: Scenario, body: string): SimResponse {
  let request: { uid?: string; token?: string; password?: string };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return json(400, {
      title: 'Bad Request',
      description: 'Request body is not valid JSON',
      code: 'ERR_MALFORMED_JSON',
    });
  }
  const account = scenario.serviceAccounts.find((candidate) => candidate.uid === request.uid);
  const refused = json(
    401,
    { title: 'Unauthorized', description: 'Invalid credentials', code: 'ERR_INVALID_CREDENTIALS' },
    { 'WWW-Authenticate': 'acsjwt' },
  );
  if (!account) return refused;
  if (request.password !== undefined)
    return request.password === account.password ? json(200, { token: issuedToken(scenario) }) : refused;
  const [header, claims, signature] = (request.token ?? '').split('.');
  if (!header || !claims || !signature || !account.publicKey) return refused;
  const valid = crypto.verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${claims}`),
    account.publicKey,
    Buffer.from(signature, 'base64url'),
  );
  let decoded: { uid?: string; exp?: number } = {};
  try {
    decoded = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    return refused;
  }
  if (!valid || decoded.uid !== account.uid || !decoded.exp || decoded.exp * 1000 < Date.now()) return refused;
  return json(200, { token: issuedToken(scenario) });
}

function issuedToken(scenario: Scenario): string {
  return scenario.authToken ?? 'simulated-auth-token';
}

/** Admin Router takes `token=<jwt>` and also `Bearer <jwt>` (docs/reference/dcos-cli-plugin.md §5). */
export function authorised(scenario: Scenario, req: http.IncomingMessage): boolean {
  const expected = scenario.authToken;
  if (!expected) return true;
  const header = req.headers.authorization ?? '';
  return header === `token=${expected}` || header === `Bearer ${expected}`;
}

/** Admin Router's own 401 page (nginx), before any service sees the request. */
export function unauthorised(): SimResponse {
  return {
    status: 401,
    body: '<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center></body></html>',
    headers: { 'WWW-Authenticate': 'oauthjwt', 'Content-Type': 'text/html' },
  };
}
