import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { MesosClient } from '../src/clients/mesos';
import { ClusterHttp } from '../src/cluster/http';
import { AuthError, UnexpectedResponseError, UnreachableError } from '../src/errors';
import { loadScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { selfSignedCertificate } from './helpers/tls';
import { runInProcessAgainst } from './helpers/in-process';
import { CASSANDRA_BY_NAMES, CASSANDRA_ROLE_AND_PRINCIPAL } from './helpers/cluster';

/** The HTTP layer over real sockets: token header, retries, leader redirect, failures, TLS. */

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.sim-secret-token.c2lnbmF0dXJl';

function client(url: string, token?: string, retries = 3): MesosClient {
  return new MesosClient(
    new ClusterHttp({ url, token, tls: { verify: false }, timeoutMs: 5000, source: 'test' }, undefined, {
      retries,
      backoffMs: 5,
    }),
  );
}

async function withAuthScenario(): Promise<SimCluster> {
  return SimCluster.start({ ...loadScenario('cassandra-six-agents'), authToken: TOKEN });
}

describe('authentication', () => {
  let sim: SimCluster;
  beforeEach(async () => {
    sim = await withAuthScenario();
  });
  afterEach(async () => sim.stop());

  it('sends the token only as "Authorization: token=..." on every request, never in a URL', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes'], {
      DCOS_ACS_TOKEN: TOKEN,
    });
    expect(run.code).toBe(0);
    expect(sim.requests.length).toBeGreaterThan(5);
    for (const entry of sim.requests) {
      expect(entry.authorization).toBe(`token=${TOKEN}`);
      expect(entry.url).not.toContain(TOKEN);
      expect(entry.body).not.toContain(TOKEN);
    }
  });

  it('a rejected token is exit 4 with the dcos auth login hint, and the token is never printed, even verbose', async () => {
    const wrong = `${TOKEN}-expired`;
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes'], {
      DCOS_ACS_TOKEN: wrong,
      DCOS_VERBOSITY: '2',
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/401 Unauthorized .*run 'dcos auth login'/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(run.stdout + run.stderr).not.toContain('sim-secret-token');
  });

  it('no token against a cluster that needs one is exit 4', async () => {
    const run = await runInProcessAgainst(sim.url, ['cleanup', '-z', 'cassandra', '--yes']);
    expect(run.code).toBe(4);
  });

  it('a token that expires in the middle of a run stops it with exit 4 and a one-line error', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 401, times: 1 });
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes', '--json'], {
      DCOS_ACS_TOKEN: TOKEN,
    });
    expect(run.code).toBe(4);
    // The document a success would print: what was accepted before the token expired, and the error.
    expect(JSON.parse(run.stdout)).toMatchObject({
      command: 'cleanup',
      exitCode: 4,
      outcome: null,
      accepted: { volumes: 3 },
      error: { kind: 'auth', message: expect.stringMatching(/dcos auth login/), exitCode: 4 },
    });
    expect(run.stderr.split('\n').filter((line) => line.startsWith('Error:'))).toHaveLength(1);
  });

  it('the simulator accepts "Bearer" too, and answers 401 with WWW-Authenticate: oauthjwt', async () => {
    const bearer = await fetch(`${sim.url}/mesos/master/slaves`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    const none = await fetch(`${sim.url}/mesos/master/slaves`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('oauthjwt');
    const status = await fetch(`${sim.url}/exhibitor/exhibitor/v1/cluster/status`);
    expect(status.status).toBe(200);
  });

  it('a 403 is exit 4 with a permission message', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', status: 403, body: '<html>403 Forbidden</html>', times: 10 });
    const run = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes'], {
      DCOS_ACS_TOKEN: TOKEN,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/403 Forbidden .*lacks the permission/);
  });
});

describe('retries, leader redirect and failing clusters', () => {
  let sim: SimCluster;
  beforeEach(async () => {
    sim = await SimCluster.start('cassandra-six-agents');
  });
  afterEach(async () => sim.stop());

  it('retries a burst of 5xx and succeeds', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/slaves', status: 502, times: 2 });
    const agents = await client(sim.url).getAgents();
    expect(agents.slaves).toHaveLength(6);
    expect(sim.requestsTo('GET', '/mesos/master/slaves').map((entry) => entry.status)).toEqual([502, 502, 200]);
  });

  it('retries 503 "No leader elected"', async () => {
    sim.faults.noLeader = 2;
    await expect(client(sim.url).getFrameworks()).resolves.toMatchObject({ frameworks: expect.any(Array) });
  });

  it('gives up after the bounded retries with an unreachable error that names the endpoint', async () => {
    sim.faults.noLeader = 100;
    const error = await client(sim.url, undefined, 2)
      .getAgents()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toMatch(
      /GET \/mesos\/master\/slaves answered 503 "No leader elected" 3 times \(the Mesos masters have no leader\)/,
    );
    expect(sim.requests).toHaveLength(3);
  });

  it('a persistent 5xx in the middle of a cleanup is exit 5, and a re-run finishes the job', async () => {
    sim.addFault({ pathPrefix: '/mesos/master/unreserve', status: 500, times: 1000 });
    const failed = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes'], {
      DCOS_JANITOR_RETRIES: '2',
    });
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/Mesos kept failing: POST \/mesos\/master\/unreserve answered 500.*safe to repeat/);
    sim.faults.rules.length = 0;
    const again = await runInProcessAgainst(sim.url, ['cleanup', ...CASSANDRA_BY_NAMES, '--yes']);
    expect(again.code).toBe(0);
  });

  it("follows Mesos' 307 to the leader with the same method and body, without sending the token elsewhere", async () => {
    await sim.stop();
    sim = await withAuthScenario();
    sim.faults.leaderRedirects = 2;
    const run = await runInProcessAgainst(
      sim.url,
      ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes', '--concurrency', '1'],
      { DCOS_ACS_TOKEN: TOKEN },
    );
    expect(run.code).toBe(0);
    const redirected = sim.requests.filter((entry) => entry.status === 307);
    expect(redirected).toHaveLength(2);
    const atLeader = sim.requests.filter((entry) => entry.listener === 'leader');
    expect(atLeader).toHaveLength(2);
    for (const entry of atLeader) expect(entry.authorization).toBeUndefined();
  });

  it('a 307 on a POST resends the same body', async () => {
    sim.faults.leaderRedirects = 1;
    const outcome = await client(sim.url).teardown('no-such-framework');
    expect(outcome.kind).toBe('not-found');
    const [redirect, atLeader] = sim.requests;
    expect(redirect.status).toBe(307);
    expect(atLeader).toMatchObject({
      listener: 'leader',
      method: 'POST',
      url: '/master/teardown',
      body: 'frameworkId=no-such-framework',
    });
  });

  it('an unreachable cluster is exit 5 with the URL and what to check', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runInProcessAgainst(closed, ['cleanup', '-z', 'dcos-service-x', '--yes'], {
      DCOS_JANITOR_RETRIES: '1',
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(
      new RegExp(`unreachable at ${closed.replace(/\./g, '\\.')} .*ECONNREFUSED.*check the cluster URL`),
    );
    expect(run.stderr).not.toMatch(/\s+at .*\.js:\d+/);
  });
});

describe('responses that are not what the reference describes', () => {
  let server: http.Server;
  let url: string;
  let body: string;
  let status: number;
  beforeAll(async () => {
    server = http.createServer((_request, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a schema mismatch names the endpoint and the field', async () => {
    status = 200;
    body = JSON.stringify({ slaves: [{ id: 5, hostname: 'a', active: true }] });
    const error = await client(url)
      .getAgents()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(
      /Mesos GET \/mesos\/master\/slaves returned a payload .* field 'slaves\.0\.id'/,
    );
  });

  it.each([
    [
      {
        'my-role': [
          { name: 'cpus' },
          {
            name: 'disk',
            reservations: [{ role: 'my-role', labels: { labels: [{ key: 'a', value: 'b' }, { key: 7 }] } }],
          },
        ],
      },
      undefined,
      'slaves.1.reserved_resources_full.my-role.1.reservations.0.labels.labels.1.key',
    ],
    [
      undefined,
      [{ name: 'cpus' }, { name: 'mem' }, { name: 'disk', disk: { persistence: {} } }],
      'slaves.1.used_resources_full.2.disk.persistence.id',
    ],
    [
      { r: [{ name: 'mem', reservation: { principal: 3 } }] },
      undefined,
      'slaves.1.reserved_resources_full.r.0.reservation.principal',
    ],
  ])('a mismatch deep in an agent names the whole path to it', async (reserved, used, field) => {
    status = 200;
    const good = { id: 'S0', hostname: 'a', active: true, reserved_resources_full: {} };
    body = JSON.stringify({
      slaves: [
        good,
        { id: 'S1', hostname: 'b', active: true, reserved_resources_full: reserved, used_resources_full: used },
      ],
    });
    const error = await client(url)
      .getAgents()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toContain(`field '${field}'`);
  });

  it('an HTML page where JSON was expected says the URL may not be Admin Router (exit 7)', async () => {
    status = 200;
    body = '<html><body>Welcome to nginx</body></html>';
    const run = await runInProcessAgainst(url, ['cleanup', '-z', 'dcos-service-x', '--yes']);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/not JSON.*Admin Router/);
  });

  it('a 401 from a plain client call is an AuthError', async () => {
    status = 401;
    body = '';
    await expect(client(url).getFrameworks()).rejects.toBeInstanceOf(AuthError);
  });
});

describe('timeouts', () => {
  it('a cluster that never answers times out after DCOS_TIMEOUT (exit 5)', async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const run = await runInProcessAgainst(url, ['cleanup', '-z', 'dcos-service-x', '--yes'], {
        DCOS_TIMEOUT: '1',
        DCOS_JANITOR_RETRIES: '0',
      });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(
        /did not answer GET \/mesos\/master\/\w+ within 1 s \(the request timeout: DCOS_TIMEOUT = 1\): raise it with 'dcos config set core.timeout 300' or DCOS_TIMEOUT=300/,
      );
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe('TLS verification follows the CLI config', () => {
  let sim: SimCluster;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-tls-'));
    const certificate = selfSignedCertificate(dir, '127.0.0.1', 'IP:127.0.0.1');
    sim = await SimCluster.start('cassandra-six-agents', {
      tls: { key: certificate.key, cert: certificate.cert },
    });
  });
  afterAll(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a certificate it cannot verify (exit 5, says how to fix)', async () => {
    const run = await runInProcessAgainst(sim.url, [
      'cleanup',
      '-z',
      'dcos-service-x',
      '--dry-run',
      '--ignore-not-found',
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/TLS verification failed .*core\.ssl_verify/);
  });

  it('an https:// endpoint override is verified even when the cluster URL is http://, and trusted with DCOS_TLS_INSECURE=1', async () => {
    const plain = await SimCluster.start('cassandra-six-agents');
    try {
      const args = [
        'cleanup',
        '-z',
        'dcos-service-x',
        '--dry-run',
        '--ignore-not-found',
        '--mesos-url',
        `${sim.url}/mesos`,
      ];
      const refused = await runInProcessAgainst(plain.url, args);
      expect(refused.code).toBe(5);
      expect(refused.stderr).toMatch(/TLS verification failed for https:\/\/127\.0\.0\.1:\d+\/mesos/);
      expect((await runInProcessAgainst(plain.url, args, { DCOS_TLS_INSECURE: '1' })).code).toBe(0);
      expect((await runInProcessAgainst(plain.url, args, { DCOS_TLS_CA_PATH: path.join(dir, 'ca.pem') })).code).toBe(0);
    } finally {
      await plain.stop();
    }
  });

  it('verifies against DCOS_TLS_CA_PATH', async () => {
    const run = await runInProcessAgainst(
      sim.url,
      ['cleanup', '-z', 'dcos-service-x', '--dry-run', '--ignore-not-found'],
      {
        DCOS_TLS_CA_PATH: path.join(dir, 'ca.pem'),
      },
    );
    expect(run.code).toBe(0);
  });

  it('skips verification with DCOS_TLS_INSECURE=1', async () => {
    const run = await runInProcessAgainst(
      sim.url,
      ['cleanup', '-z', 'dcos-service-x', '--dry-run', '--ignore-not-found'],
      {
        DCOS_TLS_INSECURE: '1',
      },
    );
    expect(run.code).toBe(0);
  });

  it('uses ssl_verify = "<CA path>" from dcos.toml', async () => {
    const dcosDir = path.join(dir, 'dcos');
    fs.mkdirSync(path.join(dcosDir, 'clusters', 'c1'), { recursive: true });
    fs.writeFileSync(
      path.join(dcosDir, 'clusters', 'c1', 'dcos.toml'),
      `[core]\ndcos_url = "${sim.url}"\nssl_verify = "${path.join(dir, 'ca.pem')}"\n`,
    );
    const run = await runInProcessAgainst('', ['cleanup', '-z', 'dcos-service-x', '--dry-run', '--ignore-not-found'], {
      DCOS_URL: undefined,
      DCOS_DIR: dcosDir,
    });
    expect(run.code).toBe(0);
    fs.writeFileSync(
      path.join(dcosDir, 'clusters', 'c1', 'dcos.toml'),
      `[core]\ndcos_url = "${sim.url}"\nssl_verify = "true"\n`,
    );
    const strict = await runInProcessAgainst(
      '',
      ['cleanup', '-z', 'dcos-service-x', '--dry-run', '--ignore-not-found'],
      {
        DCOS_URL: undefined,
        DCOS_DIR: dcosDir,
      },
    );
    expect(strict.code).toBe(5);
  });
});

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
