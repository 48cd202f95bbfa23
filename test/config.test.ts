import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { resolveClusterConnection } from '../src/cluster/config';
import { NotConfiguredError } from '../src/errors';
import { SimCluster } from '../src/sim/server';
import { loadScenario } from '../src/sim/scenario';
import { runCli } from './helpers/cli';

/** Where the cluster is: the plugin env of the DC/OS CLI, else its config directory (docs/reference/dcos-cli-plugin.md §3-§4). */

let dcosDir: string;
beforeEach(() => {
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-dcos-'));
});
afterEach(() => fs.rmSync(dcosDir, { recursive: true, force: true }));

function addCluster(id: string, toml: string, attached = false): void {
  const dir = path.join(dcosDir, 'clusters', id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'dcos.toml'), toml);
  if (attached) fs.writeFileSync(path.join(dir, 'attached'), '');
}

describe('resolveClusterConnection', () => {
  it('takes the plugin env first: DCOS_URL, DCOS_ACS_TOKEN, DCOS_TLS_*', () => {
    expect(
      resolveClusterConnection({ DCOS_URL: 'https://c.example/', DCOS_ACS_TOKEN: 't', DCOS_DIR: dcosDir }),
    ).toMatchObject({
      url: 'https://c.example',
      token: 't',
      tls: { verify: true },
    });
    expect(resolveClusterConnection({ DCOS_URL: 'https://c', DCOS_TLS_INSECURE: '1' }).tls).toEqual({ verify: false });
    expect(resolveClusterConnection({ DCOS_URL: 'https://c', DCOS_TLS_CA_PATH: '/ca.pem' }).tls).toEqual({
      verify: true,
      caPath: '/ca.pem',
    });
    expect(resolveClusterConnection({ DCOS_URL: 'https://c', DCOS_ACS_TOKEN: '' }).token).toBeUndefined();
  });

  it('reads the only configured cluster even when not attached', () => {
    addCluster(
      'abc',
      '[core]\ndcos_url = "https://one.example"\ndcos_acs_token = "tok"\nssl_verify = "false"\ntimeout = 30\n[cluster]\nname = "one"\n',
    );
    const connection = resolveClusterConnection({ DCOS_DIR: dcosDir });
    expect(connection).toMatchObject({
      url: 'https://one.example',
      token: 'tok',
      tls: { verify: false },
      timeoutMs: 30_000,
    });
    expect(connection.source).toMatch(/cluster 'one'/);
  });

  it('picks the attached cluster among several, or DCOS_CLUSTER by name or id', () => {
    addCluster('a1', '[core]\ndcos_url = "https://a.example"\n[cluster]\nname = "alpha"\n');
    addCluster('b2', '[core]\ndcos_url = "https://b.example"\n[cluster]\nname = "beta"\n', true);
    expect(resolveClusterConnection({ DCOS_DIR: dcosDir }).url).toBe('https://b.example');
    expect(resolveClusterConnection({ DCOS_DIR: dcosDir, DCOS_CLUSTER: 'alpha' }).url).toBe('https://a.example');
    expect(resolveClusterConnection({ DCOS_DIR: dcosDir, DCOS_CLUSTER: 'a1' }).url).toBe('https://a.example');
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir, DCOS_CLUSTER: 'gamma' })).toThrow(/no match found/);
  });

  it('explains what to do when nothing or too much is attached', () => {
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(NotConfiguredError);
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(/dcos cluster setup/);
    addCluster('a1', '[core]\ndcos_url = "https://a.example"\n');
    addCluster('b2', '[core]\ndcos_url = "https://b.example"\n');
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(
      /no cluster is attached.*dcos cluster attach/,
    );
    fs.writeFileSync(path.join(dcosDir, 'clusters', 'a1', 'attached'), '');
    fs.writeFileSync(path.join(dcosDir, 'clusters', 'b2', 'attached'), '');
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(/multiple clusters are attached/);
  });

  it('DCOS_SSL_VERIFY and DCOS_TIMEOUT override the file; http:// never verifies', () => {
    addCluster('a1', '[core]\ndcos_url = "https://a.example"\nssl_verify = "true"\n');
    expect(
      resolveClusterConnection({ DCOS_DIR: dcosDir, DCOS_SSL_VERIFY: '/etc/ca.pem', DCOS_TIMEOUT: '7' }),
    ).toMatchObject({
      tls: { verify: true, caPath: '/etc/ca.pem' },
      timeoutMs: 7000,
    });
    fs.writeFileSync(path.join(dcosDir, 'clusters', 'a1', 'dcos.toml'), '[core]\ndcos_url = "http://a.example"\n');
    expect(resolveClusterConnection({ DCOS_DIR: dcosDir }).tls.verify).toBe(false);
  });

  it('rejects a config without a URL, a bad URL, or unreadable TOML with the file named', () => {
    addCluster('a1', '[core]\nssl_verify = "true"\n');
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(/no core\.dcos_url/);
    fs.writeFileSync(path.join(dcosDir, 'clusters', 'a1', 'dcos.toml'), '[core\n');
    expect(() => resolveClusterConnection({ DCOS_DIR: dcosDir })).toThrow(
      /Cannot read the DC\/OS CLI config .*dcos\.toml/,
    );
    expect(() => resolveClusterConnection({ DCOS_URL: 'ftp://x' })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('the CLI with only the DC/OS CLI config', () => {
  it('reaches the cluster and sends the token of the attached cluster', async () => {
    const sim = await SimCluster.start({ ...loadScenario('cassandra-six-agents'), authToken: 'config-token' });
    try {
      addCluster(
        'c1',
        `[core]\ndcos_url = "${sim.url}"\ndcos_acs_token = "config-token"\n[cluster]\nname = "sim"\n`,
        true,
      );
      addCluster('c2', '[core]\ndcos_url = "https://other.example"\n');
      const run = await runCli(['cleanup', '-z', 'cassandra', '--yes'], { env: { DCOS_DIR: dcosDir } });
      expect(run.code).toBe(0);
      expect(sim.requests.every((entry) => entry.authorization === 'token=config-token')).toBe(true);
      expect(run.stdout + run.stderr).not.toContain('config-token');
    } finally {
      await sim.stop();
    }
  });

  it('no cluster configured is exit 6 with the fix', async () => {
    const run = await runCli(['cleanup', '--service', 'kafka', '--dry-run'], { env: { DCOS_DIR: dcosDir } });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/^Error: No DC\/OS cluster is configured .*dcos cluster setup/);
  });
});

describe('the plugin contract', () => {
  it('answers "janitor --info" with one line', async () => {
    const run = await runCli(['--info']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('shows help for "janitor cleanup --help" with the dcos prefix', async () => {
    const run = await runCli(['cleanup', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\$ dcos janitor cleanup/);
  });
});
