import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { COMMANDS } from '../src/index';
import { loadScenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { CliRun, runProcess } from './helpers/cli';
import { CASSANDRA_BY_NAMES, reservedOf } from './helpers/cluster';

/**
 * The built dist/dcos-janitor.zip, unzipped into the DC/OS CLI's plugin layout and run
 * as the CLI runs a plugin: `<env>/bin/dcos-janitor janitor <command> ...` with only the
 * variables the CLI passes, and no node_modules anywhere near it.
 */

const ROOT = path.resolve(__dirname, '..');
const ZIP = path.join(ROOT, 'dist', 'dcos-janitor.zip');
let dcosDir: string;
let env: string;
let launcher: string;

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-plugin.js')], { stdio: 'ignore' });
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-plugin-'));

  env = require('../scripts/lib/install-plugin').installPlugin(ZIP, dcosDir, 'c0ffee00-1234-4abc-9def-000000000001');
  launcher = path.join(env, 'bin', 'dcos-janitor');
}, 60_000);
afterAll(() => fs.rmSync(dcosDir, { recursive: true, force: true }));

/** Only what the DC/OS CLI passes to a plugin (docs/reference/dcos-cli-plugin.md §3), plus PATH. */
function asTheCliDoes(args: string[], vars: Record<string, string>, pathVar = process.env.PATH ?? ''): Promise<CliRun> {
  return runProcess(launcher, ['janitor', ...args], {
    cwd: os.tmpdir(),
    env: {
      PATH: pathVar,
      HOME: dcosDir,
      DCOS_CLI_EXECUTABLE_PATH: '/usr/local/bin/dcos',
      DCOS_CLI_VERSION: '1.2.0',
      ...vars,
    },
  });
}

describe('the zip', () => {
  it('has the plugin layout, with the launcher executable', () => {
    const listing = execFileSync('unzip', ['-Z1', ZIP], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual([
      'bin/',
      'bin/dcos-janitor',
      'completion/',
      'completion/bash/',
      'completion/bash/janitor.sh',
      'completion/zsh/',
      'completion/zsh/janitor.zsh',
      'lib/',
      'lib/compile-cache.js',
      'lib/dcos-janitor.js',
      'lib/run.js',
      'package.json',
      'plugin.toml',
    ]);
    expect(fs.statSync(launcher).mode & 0o777).toBe(0o755);
    const toml = fs.readFileSync(path.join(env, 'plugin.toml'), 'utf8');
    expect(toml).toMatch(/^name = "dcos-janitor"$/m);
    expect(toml).toMatch(/\[\[commands\]\]\nname = "janitor"\npath = "bin\/dcos-janitor"\ndescription = ".+"/);
    expect(fs.existsSync(path.join(env, 'node_modules'))).toBe(false);
  });

  it('answers --info with one line, and --help', async () => {
    const info = await asTheCliDoes(['--info'], {});
    expect(info.code).toBe(0);
    expect(info.stdout.trim().split('\n')).toHaveLength(1);
    const help = await asTheCliDoes(['--help'], {});
    expect(help.stdout).toMatch(/USAGE\n {2}dcos janitor <command> \[flags\]/);
    expect(help.stdout).toMatch(
      /WORKFLOW[\s\S]*dcos janitor teardown --service kafka[\s\S]*dcos janitor cleanup --service kafka/,
    );
    expect(help.stdout).toMatch(/^ {2}uninstall {3}Uninstall a service/m);
    expect(Math.max(...help.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it("keeps V8's code cache per command beside the bundle; a damaged or unwritable cache only costs time", async () => {
    const lib = path.join(env, 'lib');
    const caches = () => fs.readdirSync(lib).filter((name) => name.startsWith('.v8-cache-'));
    for (const name of caches()) fs.rmSync(path.join(lib, name));
    expect((await asTheCliDoes(['cleanup', '--help'], {})).code).toBe(0);
    expect((await asTheCliDoes(['plan', 'show', '--help'], {})).code).toBe(0);
    // Keyed by the command's words and the bundle's hash, never by its arguments.
    expect(
      caches()
        .map((name) => name.replace(/-[0-9a-f]{16}$/, ''))
        .sort(),
    ).toEqual(['.v8-cache-janitor-cleanup', '.v8-cache-janitor-plan-show']);
    const cleanupCache = path.join(
      lib,
      caches().find((name) => name.includes('-cleanup-'))!,
    );
    fs.writeFileSync(cleanupCache, crypto.randomBytes(4096));
    const damaged = await asTheCliDoes(['cleanup', '--help'], {});
    expect(damaged.code).toBe(0);
    expect(damaged.stdout).toMatch(/USAGE/);
    // Rejected by V8, then written anew.
    expect(fs.statSync(cleanupCache).size).toBeGreaterThan(100_000);
    fs.chmodSync(lib, 0o555);
    try {
      for (const name of caches()) fs.rmSync(path.join(lib, name), { force: true });
    } catch {
      // root ignores the mode: the removal above may have worked; the run below must work either way.
    }
    const readOnly = await asTheCliDoes(['teardown', '--help'], {});
    fs.chmodSync(lib, 0o755);
    expect(readOnly.code).toBe(0);
    expect(readOnly.stderr).toBe('');
  });

  it('says clearly when Node is missing or too old', async () => {
    const noNode = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-nonode-'));
    for (const tool of ['sh', 'dirname', 'sed', 'readlink']) {
      const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      fs.symlinkSync(found, path.join(noNode, tool));
    }
    const missing = await asTheCliDoes(['--info'], {}, noNode);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/needs Node\.js 20 or newer on PATH, and none was found/);
    fs.writeFileSync(path.join(noNode, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const old = await asTheCliDoes(['--info'], {}, noNode);
    expect(old.code).toBe(127);
    expect(old.stderr).toMatch(/needs Node\.js 20 or newer; the node on PATH is v18\.19\.0/);
    fs.rmSync(noNode, { recursive: true, force: true });
  });

  it("registers itself for dcos when sourced alone, and leaves the DC/OS CLI's own completion in place", () => {
    const script = path.join(env, 'completion', 'bash', 'janitor.sh');
    const registered = (before: string) =>
      execFileSync('bash', ['-c', `${before}; source '${script}'; complete -p dcos`], { encoding: 'utf8' }).trim();
    expect(registered('true')).toBe('complete -o default -F _dcos_janitor_standalone dcos');
    expect(registered('_dcos() { :; }; complete -F _dcos dcos')).toBe('complete -F _dcos dcos');
  });

  it('completes service names from the cluster (2 s at most), cached per cluster, with or without the slash; plan names too', async () => {
    const sim = await SimCluster.start('data-kafka-running');
    const other = await SimCluster.start('messy-cluster');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-cache-'));
    try {
      const script = path.join(env, 'completion', 'bash', 'janitor.sh');
      const completeAt = (url: string, ...words: string[]) =>
        new Promise<string[]>((resolve, reject) => {
          const child = spawn(
            'bash',
            [
              '-c',
              `source '${script}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dcos_janitor; echo "\${COMPREPLY[@]}"`,
            ],
            {
              env: { PATH: process.env.PATH, HOME: dcosDir, XDG_CACHE_HOME: cache, DCOS_URL: url },
            },
          );
          let out = '';
          child.stdout.on('data', (chunk) => (out += chunk));
          child.on('error', reject);
          child.on('close', () => resolve(out.trim().split(' ').filter(Boolean)));
        });
      const complete = (...words: string[]) => completeAt(sim.url, ...words);
      expect(await complete('dcos', 'janitor', 'uninstall', 'da')).toEqual(['data/kafka']);
      expect(await complete('dcos', 'janitor', 'plan', 'show', '')).toContain('data/kafka');
      expect(await complete('dcos', 'janitor', 'cleanup', '--service', 'd')).toEqual(['data/kafka']);
      expect(await complete('dcos', 'janitor', 'cleanup', '/da')).toEqual(['/data/kafka']);
      expect(await complete('dcos', 'janitor', 'teardown', 'd')).toEqual(['data/kafka']);
      const reads = sim.requestsTo('GET', '/service/marathon/v2/apps').length;
      expect(reads).toBe(1);
      expect(await complete('dcos', 'janitor', 'plan', 'show', 'data/kafka', '')).toEqual(
        expect.arrayContaining(['deploy', 'backup']),
      );
      // Another cluster, the same cache folder: its own names, among them one known only from its znode; never DC/OS' own.
      const messy = await completeAt(other.url, 'dcos', 'janitor', 'uninstall', '');
      expect(messy).not.toContain('data/kafka');
      expect(messy).toEqual(expect.arrayContaining(['gone/redis', 'legacy/es', 'old/kafka']));
      expect(messy).not.toContain('marathon');
    } finally {
      await sim.stop();
      await other.stop();
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('completes every command and every flag in bash', () => {
    const script = path.join(env, 'completion', 'bash', 'janitor.sh');
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source '${script}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dcos_janitor; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split(' ');
    expect(complete('dcos', 'janitor', '')).toEqual([
      'apply',
      'audit',
      'cleanup',
      'history',
      'plan',
      'teardown',
      'uninstall',
    ]);
    expect(complete('dcos', 'janitor', 'plan', 'f')).toEqual(['force-complete']);
    expect(complete('dcos', 'janitor', 'history', '')).toEqual(['show']);
    // A plan file: the files here (the test runs in the repository).
    expect(complete('dcos', 'janitor', 'apply', 'READ')).toEqual(['README.md']);
    expect(complete('dcos', 'janitor', 'cleanup', 'kafka', '--dry-run', '--out', 'CHANGE')).toEqual(['CHANGELOG.md']);
    expect(complete('dcos', 'janitor', 'cleanup', '--service', 'kafka', '--dr')).toEqual(['--dry-run']);
    for (const [id, command] of Object.entries(COMMANDS)) {
      const words = id.split(':').slice(1);
      if (words.length === 0 || (command as { hidden?: boolean }).hidden) continue;
      const flags = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) } as Record<
        string,
        { hidden?: boolean; char?: string }
      >;
      const offered = complete('dcos', 'janitor', ...words, '-');
      for (const [name, flag] of Object.entries(flags)) {
        if (flag.hidden) continue;
        expect(offered).toContain(`--${name}`);
        if (flag.char) expect(offered).toContain(`-${flag.char}`);
      }
    }
  });
});

describe('every command, installed, against the simulator', () => {
  let sim: SimCluster;
  afterEach(async () => sim?.stop());
  const plugin = (args: string[], extra: Record<string, string> = {}) =>
    asTheCliDoes(args, { DCOS_URL: sim.url, DCOS_ACS_TOKEN: 'plugin-token', DCOS_TLS_INSECURE: '1', ...extra });

  it('teardown and cleanup (Kafka destroyed from the UI), with the token the CLI passes', async () => {
    sim = await SimCluster.start(
      { ...loadScenario('kafka-ui-destroyed'), authToken: 'plugin-token' },
      { deploymentMs: 100, msPerRequest: 50 },
    );
    expect((await plugin(['teardown'])).stdout).toMatch(/Frameworks that look orphaned/);
    expect((await plugin(['teardown', '--service', 'kafka', '--yes'])).code).toBe(0);
    expect((await plugin(['cleanup', '--service', 'kafka', '--dry-run'])).code).toBe(0);
    const cleanup = await plugin(['cleanup', '--service', 'kafka', '--yes', '--json'], {
      DCOS_VERBOSITY: '2',
      DCOS_JANITOR_CONCURRENCY: '2',
    });
    expect(cleanup.code).toBe(0);
    expect(JSON.parse(cleanup.stdout).verification.clean).toBe(true);
    expect(cleanup.stderr).toMatch(/http: POST \/mesos\/master\/unreserve -> 202/);
    expect(cleanup.stdout + cleanup.stderr).not.toContain('plugin-token');
    expect(sim.maxConcurrentPosts).toBeLessThanOrEqual(2);
    expect(sim.requests.every((entry) => entry.authorization === 'token=plugin-token')).toBe(true);
  });

  it('plan list, show, --stuck, force-complete, then uninstall --verify-only (a stuck uninstall)', async () => {
    sim = await SimCluster.start('kafka-uninstall-stuck');
    sim.clock.advance(2000);
    expect((await plugin(['plan', 'list', 'kafka'])).stdout.trim()).toBe('deploy');
    expect((await plugin(['plan', 'show', 'kafka'])).stdout).toMatch(
      /^deploy \(IN_PROGRESS\)\n├─ kill-tasks \(COMPLETE\)/,
    );
    expect((await plugin(['plan', 'show', 'kafka', '--stuck'])).code).toBe(10);
    expect((await plugin(['plan', 'force-complete', 'kafka', '--stuck', '--yes'])).code).toBe(0);
    sim.clock.advance(2000);
    expect((await plugin(['plan', 'show', 'kafka'])).stdout).toMatch(/^deploy \(COMPLETE\)/);
    const verify = await plugin(['uninstall', 'kafka', '--verify-only', '--json']);
    expect(JSON.parse(verify.stdout).verification.leftovers.map((leftover: { kind: string }) => leftover.kind)).toEqual(
      ['app', 'znode'],
    );
  });

  it('plan pause, resume, restart, start, stop (a foldered service)', async () => {
    sim = await SimCluster.start('data-kafka-running');
    expect((await plugin(['plan', 'pause', '/data/kafka', 'deploy'])).stdout).toMatch(/has been paused/);
    expect((await plugin(['plan', 'resume', '/data/kafka', 'deploy'])).stdout).toMatch(/has been resumed/);
    expect((await plugin(['plan', 'restart', '/data/kafka', 'deploy', 'broker', 'kafka-0:[broker]'])).stdout).toMatch(
      /has been restarted/,
    );
    expect((await plugin(['plan', 'start', '/data/kafka', 'backup', '-p', 'A=b'])).stdout).toMatch(/has been started/);
    expect((await plugin(['plan', 'stop', '/data/kafka', 'backup'])).stdout).toMatch(/has been stopped/);
  });

  it('uninstall through Cosmos, with config keys from `dcos config set janitor.*`', async () => {
    sim = await SimCluster.start('data-kafka-running', { deploymentMs: 100, cosmosLoopMs: 100, msPerRequest: 50 });
    const run = await plugin(['uninstall', '/data/kafka', '--yes', '--poll-ms', '60'], {
      DCOS_JANITOR_GRACE: '1',
      DCOS_JANITOR_TIMEOUT: '60',
    });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('plugin-token');
    expect(sim.state.apps.has('/data/kafka')).toBe(false);
    expect(reservedOf(sim, 'data__kafka-role')).toEqual([]);
  });

  describe('CI login with a service account', () => {
    let keyFile: string;
    let publicKey: string;
    beforeAll(() => {
      const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      keyFile = path.join(dcosDir, 'ci-sa.pem');
      fs.writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    });

    it('logs in through /acs/api/v1/auth/login with an RS256 JWT and uses the token it gets', async () => {
      sim = await SimCluster.start({
        ...loadScenario('cassandra-six-agents'),
        authToken: 'issued-by-iam',
        serviceAccounts: [{ uid: 'ci-janitor', publicKey }],
      });
      const run = await asTheCliDoes(
        ['cleanup', ...CASSANDRA_BY_NAMES, '--yes', '--service-account', 'ci-janitor', '--private-key', keyFile],
        {
          DCOS_URL: sim.url,
          DCOS_TLS_INSECURE: '1',
        },
      );
      expect(run.code).toBe(0);
      const [login, ...rest] = sim.requests;
      expect(login).toMatchObject({
        method: 'POST',
        url: '/acs/api/v1/auth/login',
        status: 200,
        authorization: undefined,
      });
      const body = JSON.parse(login.body);
      expect(body.uid).toBe('ci-janitor');
      const [header, claims] = body.token
        .split('.')
        .slice(0, 2)
        .map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(claims.uid).toBe('ci-janitor');
      expect(claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
      expect(rest.every((entry) => entry.authorization === 'token=issued-by-iam')).toBe(true);
      expect(run.stdout + run.stderr).not.toContain('issued-by-iam');
    });

    it('takes the account from the config keys (env), refuses a key readable by others, and reports a refused login as exit 4', async () => {
      sim = await SimCluster.start({
        ...loadScenario('cassandra-six-agents'),
        authToken: 'issued-by-iam',
        serviceAccounts: [{ uid: 'ci-janitor', publicKey }],
      });
      const base = { DCOS_URL: sim.url, DCOS_TLS_INSECURE: '1' };
      const viaEnv = await asTheCliDoes(['cleanup', '-z', 'cassandra', '--dry-run'], {
        ...base,
        DCOS_JANITOR_SERVICE_ACCOUNT: 'ci-janitor',
        DCOS_JANITOR_PRIVATE_KEY: keyFile,
      });
      expect(viaEnv.code).toBe(0);
      const open = path.join(dcosDir, 'open.pem');
      fs.copyFileSync(keyFile, open);
      fs.chmodSync(open, 0o644);
      const tooOpen = await asTheCliDoes(
        ['cleanup', '-z', 'cassandra', '--dry-run', '--service-account', 'ci-janitor', '--private-key', open],
        base,
      );
      expect(tooOpen.code).toBe(2);
      expect(tooOpen.stderr).toMatch(/Permissions 0644 for .*open\.pem are too open.*chmod 600/);
      const unknown = await asTheCliDoes(
        ['cleanup', '-z', 'cassandra', '--dry-run', '--service-account', 'someone-else', '--private-key', keyFile],
        base,
      );
      expect(unknown.code).toBe(4);
      expect(unknown.stderr).toMatch(/refused the login of service account 'someone-else'/);
    });
  });
});

/**
 * --print-job / --print-app, run as Mesos would run them: the zip extracted into a sandbox
 * (what the fetcher's `extract: true` does), then the job's `cmd` through `/bin/sh -c` with
 * MESOS_SANDBOX set. leader.mesos does not resolve here, so DCOS_JANITOR_*_URL point the
 * services at the simulator (they win over --internal's defaults, as an operator's would).
 */
describe('the printed job and app, run as Mesos runs them', () => {
  let sim: SimCluster;
  let sandbox: string;
  beforeEach(() => {
    sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-sandbox-'));
    execFileSync('unzip', ['-q', '-o', '-d', sandbox, ZIP]);
  });
  afterEach(async () => {
    await sim?.stop();
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  const printed = async (args: string[]) => {
    const run = await asTheCliDoes([...args, '--artifact-url', 'https://downloads.example.com/dcos-janitor.zip'], {});
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout);
  };
  const inTask = (cmd: string, extra: Record<string, string> = {}): Promise<CliRun> =>
    runProcess('/bin/sh', ['-c', cmd], {
      cwd: sandbox,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: sandbox,
        MESOS_SANDBOX: sandbox,
        DCOS_JANITOR_MESOS_URL: sim.leaderUrl,
        DCOS_JANITOR_MARATHON_URL: sim.marathonUrl,
        DCOS_JANITOR_EXHIBITOR_URL: sim.exhibitorUrl,
        ...extra,
      },
    });

  it("the job's command tears down and cleans the Kafka destroyed from the UI: one JSON result, verified, no prompt", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const teardownJob = await printed(['teardown', '--service', 'kafka', '--cleanup', '--print-job']);
    expect(teardownJob.run.cmd).toMatch(/janitor teardown --service kafka --cleanup --internal --yes --json$/);
    const run = await inTask(teardownJob.run.cmd);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).command).toBe('teardown');
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.requests.filter((entry) => entry.listener === 'admin-router')).toEqual([]);
  });

  it("the app's command removes its own app when done, says so, and keeps the run's exit code", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const app = await printed(['teardown', '--service', 'kafka', '--cleanup', '--print-app']);
    expect(app.cmd).toMatch(/--remove-self$/);
    // Marathon runs the printed app: it is in Marathon while its task runs.
    sim.state.apps.set(app.id, {
      id: app.id,
      instances: 1,
      labels: app.labels,
      env: {},
      version: '2026-12-01T00:00:00.000Z',
      extra: {},
      tasksRunning: 1,
      tasksStaged: 0,
      deployments: [],
    });
    const run = await inTask(app.cmd, { MARATHON_APP_ID: app.id });
    expect(run.code).toBe(0);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(run.stderr).toMatch(
      new RegExp(
        `Removed this run's own Marathon app ${app.id} \\(deployment [0-9a-f-]+\\), so that it does not run again`,
      ),
    );
    expect(
      sim.requests.filter((entry) => entry.method === 'DELETE' && entry.url.startsWith(`/v2/apps${app.id}`)),
    ).toHaveLength(1);

    // A run that fails (nothing of that name: exit 12) removes its app too, and exits 12.
    const failing = await printed(['cleanup', '--service', 'kafak', '--print-app']);
    sim.state.apps.set(failing.id, {
      id: failing.id,
      instances: 1,
      labels: {},
      env: {},
      version: '2026-12-01T00:00:00.000Z',
      extra: {},
      tasksRunning: 1,
      tasksStaged: 0,
      deployments: [],
    });
    const failed = await inTask(failing.cmd, { MARATHON_APP_ID: failing.id });
    expect(failed.code).toBe(12);
    expect(failed.stderr).toMatch(/Removed this run's own Marathon app \/janitor-cleanup-kafak/);

    // Not a Marathon app: nothing to remove, said as a warning; the exit code is the run's.
    const alone = await inTask(app.cmd);
    expect(alone.code).toBe(0);
    expect(alone.stderr).toMatch(/Warning: --remove-self: MARATHON_APP_ID is not set/);
  });
});
