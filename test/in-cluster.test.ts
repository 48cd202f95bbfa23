import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import Ajv from 'ajv';

import { endpointSettings, normaliseServiceUrl, resolveEndpoints } from '../src/cluster/endpoints';
import { jobName, shellQuote } from '../src/domain/in-cluster-job';
import { schedulerAddress } from '../src/clients/sdk-scheduler';
import { loadScenario, Scenario } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runInProcess } from './helpers/in-process';
import { CASSANDRA_BY_NAMES, reservedOf } from './helpers/cluster';

/**
 * Inside the cluster (issue 13): the services at their own addresses, as janitor.py reached
 * them, with no cluster URL and no Admin Router. The simulator serves Mesos, Marathon,
 * Exhibitor, Cosmos and each SDK scheduler on listeners of their own, without prefixes.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

const FAST = ['--poll-ms', '60', '--grace', '1'];
const SIM = { deploymentMs: 120, cosmosLoopMs: 120, msPerRequest: 40 };
/** No DCOS_URL and no CLI config: only what the flags name. */
const NO_CLUSTER = { DCOS_URL: undefined, DCOS_DIR: '/nonexistent-dcos-dir' };

function overrides(): string[] {
  return ['--mesos-url', sim.leaderUrl, '--marathon-url', sim.marathonUrl, '--exhibitor-url', sim.exhibitorUrl];
}

function withToken(name: string, token = 'in-cluster-secret'): Scenario {
  const scenario = JSON.parse(JSON.stringify(loadScenario(name))) as Scenario;
  scenario.authToken = token;
  if (scenario.marathon.apps[0]?.scheduler) scenario.marathon.apps[0].scheduler.stepMs = 40;
  return scenario;
}

const onAdminRouter = () => sim.requests.filter((entry) => entry.listener === 'admin-router');

describe('cleanup, teardown and uninstall --manual with only the overrides (no DCOS_URL)', () => {
  it('cleanup: every request goes to the named addresses, none to Admin Router; the read after shows it clean', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    await runInProcess(['teardown', '--service', 'kafka', '--yes', ...overrides()], { env: NO_CLUSTER });
    const run = await runInProcess(['cleanup', '--service', 'kafka', '--yes', '--json', ...overrides()], {
      env: NO_CLUSTER,
    });
    expect(run.stderr).toBe(run.stderr.replace(/Error:/, ''));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.verification.clean).toBe(true);
    expect(result.outcome.volumesDestroyed).toBe(3);
    expect(reservedOf(sim, 'kafka-role')).toEqual([]);
    expect(sim.state.znodes.has('/dcos-service-kafka')).toBe(false);
    expect(onAdminRouter()).toEqual([]);
    const listeners = new Set(sim.requests.map((entry) => entry.listener));
    expect(listeners).toEqual(new Set(['leader', 'marathon', 'exhibitor']));
    // The paths are the services' own, without Admin Router's prefixes.
    expect(sim.requests.some((entry) => entry.listener === 'leader' && entry.url.startsWith('/master/unreserve'))).toBe(
      true,
    );
    expect(
      sim.requests.some(
        (entry) =>
          entry.listener === 'exhibitor' && entry.url.startsWith('/exhibitor/v1/explorer/znode/dcos-service-kafka'),
      ),
    ).toBe(true);
    // HDFS, the other service, keeps everything.
    expect(reservedOf(sim, 'hdfs-role').length).toBeGreaterThan(0);
  });

  it("janitor.py's own flags and URL forms work as aliases (-m .../master/, -n .../v2/apps/, -e .../)", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const janitorPy = [
      '-m',
      `${sim.leaderUrl}/master/`,
      '-n',
      `${sim.marathonUrl}/v2/apps/`,
      '-e',
      `${sim.exhibitorUrl}/`,
    ];
    const teardown = await runInProcess(['teardown', '--service', 'kafka', '--yes', ...janitorPy], { env: NO_CLUSTER });
    expect(teardown.code).toBe(0);
    const run = await runInProcess(
      [
        'cleanup',
        '--service',
        'kafka',
        '--yes',
        '--master_url',
        `${sim.leaderUrl}/master/`,
        '--marathon_url',
        `${sim.marathonUrl}/v2/apps/`,
        '--exhibitor_url',
        `${sim.exhibitorUrl}/`,
      ],
      { env: NO_CLUSTER },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Verified/);
    expect(onAdminRouter()).toEqual([]);
  });

  it('teardown: the framework torn down at the master, Marathon read at its own address', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const run = await runInProcess(['teardown', '--service', 'kafka', '--yes', '--json', ...overrides()], {
      env: NO_CLUSTER,
    });
    expect(run.code).toBe(0);
    expect(sim.state.completedFrameworks.map((framework) => framework.name)).toContain('kafka');
    expect(
      sim.requests.filter((entry) => entry.listener === 'leader' && entry.url === '/master/teardown'),
    ).toHaveLength(1);
    expect(onAdminRouter()).toEqual([]);
  });

  it('uninstall --manual: app removed at Marathon, torn down, cleaned, verified; Admin Router never asked', async () => {
    const scenario = JSON.parse(JSON.stringify(loadScenario('data-kafka-running'))) as Scenario;
    scenario.marathon.apps[0].scheduler!.stepMs = 40;
    sim = await SimCluster.start(scenario, SIM);
    const run = await runInProcess(
      ['uninstall', '/data/kafka', '--manual', '--yes', '--json', ...FAST, ...overrides()],
      {
        env: NO_CLUSTER,
      },
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.report.actions[0]).toBe('removed Marathon app /data/kafka');
    expect(result.verification.clean).toBe(true);
    expect(sim.state.apps.has('/data/kafka')).toBe(false);
    expect(reservedOf(sim, 'data__kafka-role')).toEqual([]);
    expect(onAdminRouter()).toEqual([]);
  });

  it("audit: the same findings as through Admin Router, plans read at the schedulers' tasks", async () => {
    sim = await SimCluster.start('messy-cluster');
    const through = await runInProcess(['audit', '--json'], { env: { DCOS_URL: sim.url } });
    const direct = await runInProcess(['audit', '--json', ...overrides()], { env: NO_CLUSTER });
    expect(direct.code).toBe(through.code);
    const summary = (run: { stdout: string }) =>
      JSON.parse(run.stdout).findings.map((finding: { kind: string; owner?: unknown; fix?: unknown }) =>
        JSON.stringify([finding.kind, finding.owner, finding.fix]),
      );
    expect(summary(direct).sort()).toEqual(summary(through).sort());
    expect(sim.requests.filter((entry) => entry.listener === 'scheduler').length).toBeGreaterThan(0);
  });

  it('the same from env (DCOS_JANITOR_MESOS_URL...) and from the config keys janitor.mesos_url...', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 50 });
    const fromEnv = await runInProcess(['teardown', '--service', 'kafka', '--yes'], {
      env: {
        ...NO_CLUSTER,
        DCOS_JANITOR_MESOS_URL: sim.leaderUrl,
        DCOS_JANITOR_MARATHON_URL: sim.marathonUrl,
        DCOS_JANITOR_EXHIBITOR_URL: sim.exhibitorUrl,
      },
    });
    expect(fromEnv.code).toBe(0);
    // A configured cluster whose URL does not answer: the janitor.* keys send every request elsewhere.
    const dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-config-'));
    fs.mkdirSync(path.join(dcosDir, 'clusters', 'c1'), { recursive: true });
    fs.writeFileSync(
      path.join(dcosDir, 'clusters', 'c1', 'dcos.toml'),
      `[core]\ndcos_url = "http://127.0.0.1:9"\n[janitor]\nmesos_url = "${sim.leaderUrl}"\nmarathon_url = "${sim.marathonUrl}"\nexhibitor_url = "${sim.exhibitorUrl}"\n`,
    );
    const fromConfig = await runInProcess(['cleanup', '--service', 'kafka', '--yes'], {
      env: { DCOS_URL: undefined, DCOS_DIR: dcosDir },
    });
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stdout).toMatch(/Verified/);
    expect(onAdminRouter()).toEqual([]);
  });

  it('a service with no address is a one-line error naming the setting (exit 6, not configured), nothing sent', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const run = await runInProcess(['cleanup', '--service', 'kafka', '--yes', '--mesos-url', sim.leaderUrl], {
      env: NO_CLUSTER,
    });
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(
      /Error: Marathon has no address: this run has no cluster URL and no --marathon-url\. Give --marathon-url .*--internal/,
    );
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('Error')),
    ).toHaveLength(1);
    expect(sim.requests.filter((entry) => entry.method !== 'GET')).toEqual([]);
  });

  it("janitor.py's -a/--auth_token is refused with what to do instead, and the token is never echoed", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const run = await runInProcess(
      ['cleanup', '--service', 'kafka', '--yes', '-a', 'secret-on-the-command-line', ...overrides()],
      { env: NO_CLUSTER },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /-a\/--auth_token is not taken: a token on the command line shows in 'ps'.*DCOS_ACS_TOKEN/,
    );
    expect(run.stdout + run.stderr).not.toContain('secret-on-the-command-line');
    expect(sim.requests).toEqual([]);
  });

  it('a bad override is a usage error (exit 2) before anything is sent', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const run = await runInProcess(['cleanup', '--service', 'kafka', '--yes', '--mesos-url', 'leader.mesos:5050'], {
      env: NO_CLUSTER,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Error: --mesos-url must be an http:\/\/ or https:\/\/ URL, not 'leader\.mesos:5050'/);
    expect(sim.requests).toEqual([]);
  });
});

describe('the token goes only to the hosts the user named', () => {
  it('with DCOS_URL and one override: both named hosts get it', async () => {
    sim = await SimCluster.start(withToken('kafka-ui-destroyed'), { deploymentMs: 100, msPerRequest: 50 });
    const run = await runInProcess(['teardown', '--service', 'kafka', '--yes', '--mesos-url', sim.leaderUrl], {
      env: { DCOS_URL: sim.url, DCOS_ACS_TOKEN: 'in-cluster-secret' },
    });
    expect(run.code).toBe(0);
    expect(sim.requests.filter((entry) => entry.listener === 'leader').length).toBeGreaterThan(0);
    expect(sim.requests.every((entry) => entry.authorization === 'token=in-cluster-secret')).toBe(true);
    expect(run.stdout + run.stderr).not.toContain('in-cluster-secret');
  });

  it('a scheduler found through its Marathon task never gets it; the named services do', async () => {
    sim = await SimCluster.start(withToken('data-kafka-running'), SIM);
    const run = await runInProcess(
      ['plan', 'show', '/data/kafka', '--json', '--mesos-url', sim.leaderUrl, '--marathon-url', sim.marathonUrl],
      {
        env: { ...NO_CLUSTER, DCOS_ACS_TOKEN: 'in-cluster-secret' },
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).status).toBeDefined();
    const atScheduler = sim.requests.filter((entry) => entry.listener === 'scheduler');
    expect(atScheduler.map((entry) => entry.url)).toContain('/v1/plans/deploy');
    expect(atScheduler.every((entry) => entry.authorization === undefined)).toBe(true);
    const named = sim.requests.filter((entry) => entry.listener === 'marathon' || entry.listener === 'leader');
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((entry) => entry.authorization === 'token=in-cluster-secret')).toBe(true);
    expect(onAdminRouter()).toEqual([]);
  });
});

describe('SDK schedulers at their Marathon task, as Admin Router finds them', () => {
  it('uninstall follows the plan at the task address; a scheduler relaunched elsewhere is looked up again', async () => {
    const scenario = JSON.parse(JSON.stringify(loadScenario('data-kafka-running'))) as Scenario;
    scenario.marathon.apps[0].scheduler!.stepMs = 40;
    sim = await SimCluster.start(scenario, SIM);
    const firstAddress = sim.state.apps.get('/data/kafka')!.taskAddress!.ports[0];
    let moved: Promise<void> | undefined;
    // With the first plan read answered, the task moves: the old port refuses connections, Marathon reports the new one.
    sim.onRequest = (entry) => {
      if (entry.listener === 'scheduler' && !moved) moved = sim.relocateScheduler('/data/kafka');
    };
    const run = await runInProcess(
      ['uninstall', '/data/kafka', '--yes', '--json', ...FAST, ...overrides(), '--cosmos-url', sim.cosmosUrl],
      { env: NO_CLUSTER },
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.route).toBe('sdk');
    expect(result.verification.clean).toBe(true);
    expect(sim.requests.filter((entry) => entry.listener === 'cosmos').map((entry) => entry.url)).toContain(
      '/package/uninstall',
    );
    expect(sim.state.apps.has('/data/kafka')).toBe(false);
    expect(sim.requests.filter((entry) => entry.listener === 'scheduler').length).toBeGreaterThan(1);
    // Looked up twice: at first, and once the old address refused.
    expect(
      sim.requests.filter((entry) => entry.listener === 'marathon' && entry.url.includes('embed=apps.tasks')),
    ).toHaveLength(2);
    expect(sim.state.apps.get('/data/kafka')).toBeUndefined();
    expect(firstAddress).toBeGreaterThan(0);
    expect(onAdminRouter()).toEqual([]);
  });

  it('schedulerAddress: host and the port at DCOS_SERVICE_PORT_INDEX of the first running task; IP per task; the reasons it cannot', () => {
    const app = (fields: object) => ({ id: '/kafka', labels: { DCOS_SERVICE_NAME: 'kafka' }, ...fields });
    expect(
      schedulerAddress(
        app({
          tasks: [
            { id: 't1', state: 'TASK_STAGING', host: '10.0.0.1', ports: [1] },
            { id: 't2', state: 'TASK_RUNNING', host: '10.0.0.2', ports: [1025, 1026] },
          ],
        }),
      ),
    ).toEqual({
      url: 'http://10.0.0.2:1025',
    });
    expect(
      schedulerAddress(
        app({
          labels: { DCOS_SERVICE_NAME: 'kafka', DCOS_SERVICE_SCHEME: 'https', DCOS_SERVICE_PORT_INDEX: '1' },
          tasks: [{ id: 't', state: 'TASK_RUNNING', host: 'a1', ports: [1, 2] }],
        }),
      ),
    ).toEqual({ url: 'https://a1:2' });
    expect(
      schedulerAddress(
        app({
          ipAddress: { discovery: { ports: [{ number: 8080 }] } },
          tasks: [{ id: 't', state: 'TASK_RUNNING', host: 'a1', ports: [], ipAddresses: [{ ipAddress: '9.0.0.3' }] }],
        }),
      ),
    ).toEqual({ url: 'http://9.0.0.3:8080' });
    expect(
      schedulerAddress(app({ ipAddress: null, tasks: [{ id: 't', state: 'TASK_RUNNING', host: 'a1', ports: [7] }] })),
    ).toEqual({ url: 'http://a1:7' });
    expect(schedulerAddress(app({ tasks: [] }))).toEqual({ problem: expect.stringMatching(/no task in TASK_RUNNING/) });
    expect(schedulerAddress(app({ tasks: [{ id: 't', state: 'TASK_RUNNING', host: 'a1', ports: [] }] }))).toEqual({
      problem: expect.stringMatching(/no port at index 0/),
    });
  });

  it('a service with no running scheduler is "not found" (exit 12), as through Admin Router', async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
    const run = await runInProcess(
      ['plan', 'show', 'kafka', '--marathon-url', sim.marathonUrl, '--mesos-url', sim.leaderUrl],
      { env: NO_CLUSTER },
    );
    expect(run.stderr).toMatch(/Error: No running service 'kafka'/);
    expect(run.code).toBe(12);
  });
});

describe('endpoint resolution', () => {
  it('--internal: janitor.py addresses for Mesos, Marathon and Exhibitor, none guessed for Cosmos; overrides win', () => {
    const internal = resolveEndpoints(undefined, endpointSettings({}, true, {}, {}));
    expect(internal.bases).toEqual({
      mesos: 'http://leader.mesos:5050',
      marathon: 'http://marathon.mesos:8080',
      exhibitor: 'http://leader.mesos:8181',
    });
    expect(internal.schedulers).toBe('marathon-task');
    expect([...internal.tokenHosts].sort()).toEqual(['leader.mesos:5050', 'leader.mesos:8181', 'marathon.mesos:8080']);
    const mixed = resolveEndpoints(
      'https://dcos.example.com',
      endpointSettings(
        { mesos: 'http://10.0.0.5:5050/' },
        false,
        { DCOS_JANITOR_EXHIBITOR_URL: 'http://10.0.0.5:8181' },
        { marathon_url: 'http://10.0.0.6:8080' },
      ),
    );
    expect(mixed.bases).toEqual({
      mesos: 'http://10.0.0.5:5050',
      marathon: 'http://10.0.0.6:8080',
      exhibitor: 'http://10.0.0.5:8181',
      cosmos: 'https://dcos.example.com',
    });
    expect(mixed.sources).toEqual({
      mesos: '--mesos-url',
      marathon: 'janitor.marathon_url',
      exhibitor: 'DCOS_JANITOR_EXHIBITOR_URL',
      cosmos: 'Admin Router',
    });
    expect(mixed.schedulers).toBe('admin-router');
    const plain = resolveEndpoints('https://dcos.example.com', endpointSettings({}, false, {}, {}));
    expect(plain.bases).toEqual({
      mesos: 'https://dcos.example.com/mesos',
      marathon: 'https://dcos.example.com/service/marathon',
      exhibitor: 'https://dcos.example.com/exhibitor',
      cosmos: 'https://dcos.example.com',
    });
    expect([...plain.tokenHosts]).toEqual(['dcos.example.com']);
  });

  it("janitor.py's URL forms name the same bases; credentials and queries are refused", () => {
    expect(normaliseServiceUrl('mesos', 'http://leader.mesos:5050/master/', '-m')).toBe('http://leader.mesos:5050');
    expect(normaliseServiceUrl('marathon', 'http://marathon.mesos:8080/v2/apps/', '-n')).toBe(
      'http://marathon.mesos:8080',
    );
    expect(normaliseServiceUrl('exhibitor', 'http://leader.mesos:8181/', '-e')).toBe('http://leader.mesos:8181');
    expect(() => normaliseServiceUrl('mesos', 'http://u:p@leader.mesos:5050', '--mesos-url')).toThrow(
      /user name or password \('http:\/\/\*\*\*@leader/,
    );
    expect(() => normaliseServiceUrl('mesos', 'http://leader.mesos:5050/?x=1', '--mesos-url')).toThrow(/query/);
    expect(() => normaliseServiceUrl('mesos', 'ftp://leader.mesos', '--mesos-url')).toThrow(/http:\/\/ or https:\/\//);
  });
});

/**
 * The public schemas (test/fixtures/SOURCES.md): Metronome's jobspec.schema.json and Marathon's
 * AppDefinition.json, constraints as published (descriptions dropped). Both declare
 * `http://json-schema.org/schema#` and extra keywords ("documentation"), so they are compiled
 * without Ajv's strict mode and meta-schema check, and their patterns (`\-`) as plain, not
 * unicode, regular expressions. "date-time" is not checked: the printed app has no such field.
 */
function validator(file: string) {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'schemas', file), 'utf8'));
  delete schema.$schema;
  return new Ajv({
    strict: false,
    validateSchema: false,
    allErrors: true,
    unicodeRegExp: false,
    formats: { 'date-time': true },
  }).compile(schema);
}

describe('--print-job and --print-app', () => {
  const validJob = validator('metronome-jobspec.schema.json');
  const validApp = validator('marathon-app-definition.schema.json');
  const ARTIFACT = ['--artifact-url', 'https://downloads.example.com/dcos-janitor-0.1.0.zip'];
  const print = (args: string[]) => runInProcess([...args, ...ARTIFACT], { env: NO_CLUSTER });

  const runs = [
    ['cleanup', '--service', '/data/kafka'],
    [
      'cleanup',
      '--role',
      "odd-role'; rm -rf /",
      '--principal',
      'odd principal',
      '--zk-node',
      'dcos-service-odd',
      '--include-unlabeled',
      '--concurrency',
      '8',
    ],
    ['teardown', '--framework-id', '4f657f09-c73f-408f-8d9e-37228a0f1a8e-0003', '--cleanup'],
    ['uninstall', '/Data/Kafka.Prod', '--force-stuck', '--manual'],
  ];

  it.each(runs)(
    "%s %s: the job validates against Metronome's schema, the app against Marathon's; no cluster is asked",
    async (...args) => {
      for (const which of ['--print-job', '--print-app']) {
        const run = await print([...args, which]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        const printed = JSON.parse(run.stdout);
        const validate = which === '--print-job' ? validJob : validApp;
        expect(validate(printed) ? [] : validate.errors).toEqual([]);
        const cmd: string = which === '--print-job' ? printed.run.cmd : printed.cmd;
        expect(cmd.startsWith('sh "$MESOS_SANDBOX/bin/dcos-janitor" janitor ')).toBe(true);
        expect(cmd).toContain(' --internal --yes --json');
        expect(cmd.endsWith('--remove-self')).toBe(which === '--print-app');
        // Every argument comes back whole from /bin/sh -c, however odd (flags in their definition order).
        const echoed = require('node:child_process')
          .execFileSync('/bin/sh', ['-c', cmd.replace(/^sh "\$MESOS_SANDBOX\/bin\/dcos-janitor"/, 'printf "%s\\n"')], {
            encoding: 'utf8',
          })
          .trim()
          .split('\n');
        expect(echoed.slice(0, 2 + args.length - 1)).toEqual(['janitor', ...args]);
        const fetched = which === '--print-job' ? printed.run.artifacts : printed.fetch;
        expect(fetched).toEqual([{ uri: ARTIFACT[1], extract: true, executable: false, cache: false }]);
      }
    },
  );

  it("carries the run's own flags only: never a token, a key, this machine's addresses or output flags", async () => {
    const run = await runInProcess(
      [
        'cleanup',
        '--service',
        'kafka',
        '--yes',
        '--wide',
        '--mesos-url',
        'http://10.0.0.9:5050',
        '--service-account',
        'ci',
        '--private-key',
        '/keys/ci.pem',
        '--print-job',
        ...ARTIFACT,
      ],
      { env: { ...NO_CLUSTER, DCOS_ACS_TOKEN: 'secret-token' } },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).run.cmd).toBe(
      'sh "$MESOS_SANDBOX/bin/dcos-janitor" janitor cleanup --service kafka --internal --yes --json',
    );
    expect(run.stdout).not.toMatch(/secret-token|ci\.pem|10\.0\.0\.9|--wide/);
  });

  it('refuses what a job cannot do, with what to do instead (exit 2)', async () => {
    const noArtifact = await runInProcess(['cleanup', '--service', 'kafka', '--print-job'], { env: NO_CLUSTER });
    expect(noArtifact.code).toBe(2);
    expect(noArtifact.stderr).toMatch(/--print-job needs --artifact-url/);
    const sdkRoute = await print(['uninstall', 'kafka', '--print-app']);
    expect(sdkRoute.code).toBe(2);
    expect(sdkRoute.stderr).toMatch(/goes through Cosmos, which has no in-cluster default address: add --manual/);
    const withCosmos = await print(['uninstall', 'kafka', '--print-app', '--cosmos-url', 'http://10.0.0.9:7070']);
    expect(withCosmos.code).toBe(0);
    expect(JSON.parse(withCosmos.stdout).cmd).toContain('--cosmos-url http://10.0.0.9:7070');
    const nothingNamed = await print(['teardown', '--print-job']);
    expect(nothingNamed.code).toBe(2);
    expect(nothingNamed.stderr).toMatch(/a job cannot pick from a list/);
    const both = await print(['cleanup', '--service', 'kafka', '--print-job', '--print-app']);
    expect(both.code).toBe(2);
  });

  it('on a strict cluster: logs in as a service account whose key comes from the secret store, by reference only', async () => {
    const args = ['cleanup', '--service', '/data/kafka', '--run-as', 'ci-janitor', '--run-as-secret', 'janitor/ci-key'];
    const job = JSON.parse((await print([...args, '--print-job'])).stdout);
    expect(validJob(job) ? [] : validJob.errors).toEqual([]);
    expect(job.run.cmd).toBe(
      'sh "$MESOS_SANDBOX/bin/dcos-janitor" janitor cleanup --service /data/kafka --service-account ci-janitor --yes --json',
    );
    expect(job.run.env).toEqual({
      DCOS_URL: 'https://leader.mesos',
      DCOS_TLS_CA_PATH: '/run/dcos/pki/CA/ca-bundle.crt',
      DCOS_JANITOR_PRIVATE_KEY_PEM: { secret: 'janitor_service_account_key' },
    });
    expect(job.run.secrets).toEqual({ janitor_service_account_key: { source: 'janitor/ci-key' } });
    expect(job.run.volumes).toEqual([{ containerPath: '/run/dcos/pki/CA', hostPath: '/run/dcos/pki/CA', mode: 'RO' }]);
    const app = JSON.parse((await print([...args, '--print-app'])).stdout);
    // Marathon's published JSON schema predates secrets (Marathon >= 1.5 describes them in its RAML:
    // `secrets: {name: {source}}` and env values `{secret: name}`): checked against it with those two added.
    const withSecrets = JSON.parse(
      fs.readFileSync(path.join(__dirname, 'fixtures', 'schemas', 'marathon-app-definition.schema.json'), 'utf8'),
    );
    delete withSecrets.$schema;
    withSecrets.properties.env = {
      type: 'object',
      patternProperties: {
        '.*': {
          oneOf: [
            { type: 'string' },
            {
              type: 'object',
              required: ['secret'],
              properties: { secret: { type: 'string' } },
              additionalProperties: false,
            },
          ],
        },
      },
    };
    withSecrets.properties.secrets = {
      type: 'object',
      patternProperties: {
        '.*': {
          type: 'object',
          required: ['source'],
          properties: { source: { type: 'string' } },
          additionalProperties: false,
        },
      },
    };
    const validAppWithSecrets = new Ajv({
      strict: false,
      validateSchema: false,
      allErrors: true,
      unicodeRegExp: false,
      formats: { 'date-time': true },
    }).compile(withSecrets);
    expect(validAppWithSecrets(app) ? [] : validAppWithSecrets.errors).toEqual([]);
    expect(app.secrets).toEqual({ janitor_service_account_key: { source: 'janitor/ci-key' } });
    expect(app.container.volumes).toEqual([
      { containerPath: '/run/dcos/pki/CA', hostPath: '/run/dcos/pki/CA', mode: 'RO' },
    ]);
    expect(app.cmd).toContain('--service-account ci-janitor --yes --json --remove-self');
    const half = await print(['cleanup', '--service', 'kafka', '--run-as', 'ci-janitor', '--print-job']);
    expect(half.code).toBe(2);
  });

  it('the printed login works: the key in the environment, as the secret store gives it, never in a file', async () => {
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sim = await SimCluster.start({
      ...loadScenario('cassandra-six-agents'),
      authToken: 'issued-by-iam',
      serviceAccounts: [{ uid: 'ci-janitor', publicKey }],
    });
    try {
      const run = await runInProcess(
        ['cleanup', ...CASSANDRA_BY_NAMES, '--service-account', 'ci-janitor', '--yes', '--json'],
        {
          env: { DCOS_URL: sim.url, DCOS_JANITOR_PRIVATE_KEY_PEM: pem },
        },
      );
      expect(run.code).toBe(0);
      expect(sim.requests[0]).toMatchObject({ method: 'POST', url: '/acs/api/v1/auth/login', status: 200 });
      expect(run.stdout + run.stderr).not.toMatch(/BEGIN|issued-by-iam/);
      const noKey = await runInProcess(['cleanup', '-z', 'cassandra', '--service-account', 'ci-janitor', '--dry-run'], {
        env: { DCOS_URL: sim.url },
      });
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toMatch(
        /--service-account needs --private-key FILE \(or the key in DCOS_JANITOR_PRIVATE_KEY_PEM/,
      );
    } finally {
      await sim.stop();
    }
  });

  it('a dry run is a job of its own', async () => {
    const real = JSON.parse((await print(['cleanup', '--service', 'kafka', '--print-job'])).stdout);
    const dry = JSON.parse((await print(['cleanup', '--service', 'kafka', '--dry-run', '--print-job'])).stdout);
    expect(real.id).toBe('janitor-cleanup-kafka');
    expect(dry.id).toBe('janitor-cleanup-kafka-dry-run');
    expect(validJob(dry) ? [] : validJob.errors).toEqual([]);
  });

  it('names: lower-case, dash-joined, within the id patterns; shell quoting', () => {
    const base = { command: 'cleanup', args: [], artifactUrl: 'x', image: 'node:20', version: '0' };
    expect(jobName({ ...base, subject: '/Data/Kafka.Prod' })).toBe('janitor-cleanup-data-kafka-prod');
    expect(jobName({ ...base, subject: 'x'.repeat(100) })).toHaveLength(63);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('/data/kafka')).toBe('/data/kafka');
  });
});
