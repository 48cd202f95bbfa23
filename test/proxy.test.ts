import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { proxyFor, proxySettingsFromEnv } from '../src/cluster/proxy';
import { SimCluster } from '../src/sim/server';
import { runCli } from './helpers/cli';
import { reservedOf } from './helpers/cluster';
import { selfSignedCertificate } from './helpers/tls';
import { Tinyproxy, startTinyproxy, tinyproxyInstalled } from './helpers/tinyproxy';

/** CI installs tinyproxy (.ci/run) and must run these; a developer's machine without it skips them, and says so. */
const withProxy = tinyproxyInstalled() || process.env.CI === 'true' ? describe : describe.skip;
if (!tinyproxyInstalled() && process.env.CI !== 'true')
  console.warn(
    "test/proxy.test.ts: tinyproxy is not installed ('apt-get install tinyproxy'): the proxy tests are skipped.",
  );

/**
 * An operator's network: the cluster reachable only through a corporate proxy (tinyproxy,
 * a real one from Debian), as the DC/OS CLI reaches it with HTTP_PROXY, HTTPS_PROXY and
 * NO_PROXY. The cluster is named by a host no resolver knows (`.invalid`): only the proxy
 * chain delivers it, to the simulator (tinyproxy's upstream).
 */

const CLUSTER = 'dcos-cluster.invalid';
const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

let sim: SimCluster;
let proxy: Tinyproxy;
afterEach(async () => {
  await proxy?.stop();
  await sim?.stop();
});

withProxy('HTTP_PROXY, for an http:// cluster', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
    proxy = await startTinyproxy(Number(new URL(sim.url).port));
  });

  it('a teardown and cleanup of a cluster reachable only through the proxy succeeds; every request names the tool', async () => {
    const run = await runCli(['teardown', 'kafka', '--yes', '--cleanup', '--json'], {
      env: { DCOS_URL: `http://${CLUSTER}`, HTTP_PROXY: proxy.url },
    });
    expect(run.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.requests.length).toBeGreaterThan(5);
    expect(new Set(sim.requests.map((entry) => entry.userAgent))).toEqual(new Set([`dcos-janitor/${version}`]));
  });

  it('the lower-case http_proxy too; NO_PROXY bypasses it (and then the name does not resolve)', async () => {
    const lower = await runCli(['cleanup', 'kafka', '--dry-run'], {
      env: { DCOS_URL: `http://${CLUSTER}`, http_proxy: proxy.url },
    });
    expect(lower.code).toBe(11);
    const before = sim.requests.length;
    const bypassed = await runCli(['cleanup', 'kafka', '--dry-run'], {
      env: { DCOS_URL: `http://${CLUSTER}`, HTTP_PROXY: proxy.url, NO_PROXY: `.invalid`, DCOS_JANITOR_RETRIES: '0' },
    });
    expect(bypassed.code).toBe(5);
    expect(bypassed.stderr).toMatch(/unreachable at http:\/\/dcos-cluster\.invalid .*ENOTFOUND|EAI_AGAIN/);
    expect(sim.requests.length).toBe(before);
  });

  it('loopback is never proxied, as in Go: a proxy that is down does not matter for 127.0.0.1', async () => {
    const run = await runCli(['cleanup', 'kafka', '--dry-run'], {
      env: { DCOS_URL: sim.url, HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(11);
  });

  it('a proxy that is down is said as such, exit 5', async () => {
    const run = await runCli(['cleanup', 'kafka', '--dry-run'], {
      env: { DCOS_URL: `http://${CLUSTER}`, HTTP_PROXY: 'http://127.0.0.1:9', DCOS_JANITOR_RETRIES: '0' },
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(
      /unreachable at http:\/\/dcos-cluster\.invalid through the proxy http:\/\/127\.0\.0\.1:9/,
    );
  });
});

withProxy('HTTPS_PROXY, for an https:// cluster: a CONNECT tunnel, TLS verified inside it', () => {
  let dir: string;
  let hop: http.Server;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-proxy-tls-'));
    const certificate = selfSignedCertificate(dir, CLUSTER, `DNS:${CLUSTER}`);
    sim = await SimCluster.start('kafka-ui-destroyed', {
      deploymentMs: 100,
      msPerRequest: 10,
      tls: { key: certificate.key, cert: certificate.cert },
    });
    // tinyproxy's upstream: the next hop of the corporate network, which opens the tunnel to the cluster.
    hop = http.createServer((_req, res) => res.writeHead(405).end());
    hop.on('connect', (_req, client: net.Socket, head) => {
      const cluster = net.connect(Number(new URL(sim.url).port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        cluster.write(head);
        cluster.pipe(client);
        client.pipe(cluster);
      });
      cluster.on('error', () => client.destroy());
      client.on('error', () => cluster.destroy());
    });
    await new Promise<void>((resolve) => hop.listen(0, '127.0.0.1', () => resolve()));
    proxy = await startTinyproxy((hop.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    hop.closeAllConnections();
    await new Promise<void>((resolve) => hop.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('works with verification on against the cluster CA, and refuses a certificate it cannot verify', async () => {
    const env = { DCOS_URL: `https://${CLUSTER}`, HTTPS_PROXY: proxy.url, DCOS_TLS_CA_PATH: path.join(dir, 'ca.pem') };
    const run = await runCli(['teardown', 'kafka', '--yes', '--cleanup', '--json'], { env });
    expect(run.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    const unverified = await runCli(['cleanup', 'kafka', '--dry-run'], {
      env: { DCOS_URL: `https://${CLUSTER}`, HTTPS_PROXY: proxy.url },
    });
    expect(unverified.code).toBe(5);
    expect(unverified.stderr).toMatch(/TLS verification failed/);
  });
});

describe("which requests go through a proxy (Go's ProxyFromEnvironment)", () => {
  const settings = proxySettingsFromEnv({
    HTTP_PROXY: 'proxy.corp:3128',
    HTTPS_PROXY: 'http://user:pw@proxy.corp:3129',
    NO_PROXY: 'internal.corp, .svc.local,10.0.0.0/8, master.mesos:5050, [::2]',
  });
  const via = (url: string) => proxyFor(new URL(url), settings)?.host;
  it.each([
    ['http://dcos.example.com/', 'proxy.corp:3128'],
    ['https://dcos.example.com/', 'proxy.corp:3129'],
    ['http://localhost:8080/', undefined],
    ['http://127.0.0.5/', undefined],
    ['http://[::1]:80/', undefined],
    ['http://internal.corp/', undefined],
    ['http://a.internal.corp/', undefined],
    ['http://x.svc.local/', undefined],
    ['http://svc.local/', undefined],
    ['http://10.1.2.3/', undefined],
    ['http://11.1.2.3/', 'proxy.corp:3128'],
    ['http://master.mesos:5050/', undefined],
    ['http://master.mesos:8080/', 'proxy.corp:3128'],
    ['http://[::2]/', undefined],
    ['http://notinternal.corp/', 'proxy.corp:3128'],
  ])('%s -> %s', (url, expected) => {
    expect(via(url)).toBe(expected);
  });

  it('the upper-case name wins; NO_PROXY=* sends everything direct', () => {
    expect(
      proxyFor(
        new URL('http://a.b/'),
        proxySettingsFromEnv({ HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2' }),
      )?.host,
    ).toBe('upper:1');
    expect(
      proxyFor(new URL('http://a.b/'), proxySettingsFromEnv({ HTTP_PROXY: 'http://upper:1', NO_PROXY: '*' })),
    ).toBeUndefined();
  });
});
