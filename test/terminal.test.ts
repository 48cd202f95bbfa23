import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { COMMANDS } from '../src/index';
import { listScenarios } from '../src/sim/scenario';
import { SimCluster } from '../src/sim/server';
import { runCli, runInTerminal, runProcess, stripAnsi } from './helpers/cli';
import { CASSANDRA_BY_NAMES, CASSANDRA_ROLE_AND_PRINCIPAL } from './helpers/cluster';

/**
 * The operator's terminal: every line fits 80 columns in a real pseudo-terminal, large
 * plans are summarised above the prompt, live progress shows in a terminal only, and
 * the CLI speaks like dcos, kubectl and gh.
 */

let sim: SimCluster;
afterEach(async () => sim?.stop());

/** Every line as the terminal shows it: split on newlines and carriage returns (redraws). */
function screenLines(output: string): string[] {
  return output.split(/\r\n|\n|\r/);
}

/** What each shipped scenario is about, as the operator would name it. */
const SERVICE_OF: Record<string, { cleanup: string[]; service?: string; plan?: string }> = {
  'kafka-ui-destroyed': { cleanup: ['--service', 'kafka'], service: 'kafka' },
  'cassandra-six-agents': { cleanup: [...CASSANDRA_BY_NAMES] },
  'kafka-uninstall-stuck': { cleanup: ['--service', 'kafka'], service: 'kafka', plan: 'kafka' },
  'data-kafka-running': { cleanup: ['--service', '/data/kafka'], service: '/data/kafka', plan: '/data/kafka' },
  'shared-role-siblings': {
    cleanup: ['--service', '/quota/hello-world'],
    service: '/quota/hello-world',
    plan: '/quota/hello-world-b',
  },
  'messy-cluster': { cleanup: ['--service', '/legacy/es'], service: '/old/kafka', plan: '/stuck/kafka' },
  'kafka-reinstalled': {
    cleanup: ['--service', 'kafka', '--framework-id', '9a1c0000-1111-4222-8333-444455556666-0003'],
    service: 'kafka',
  },
  'dev-group-siblings': { cleanup: ['--service', '/dev/kafka'], service: '/dev/kafka' },
  'kafka-scheduler-down': { cleanup: ['--service', 'kafka'], service: 'kafka' },
  'operator-reservations': { cleanup: ['-r', 'postgres', '-p', 'postgres', '-z', 'dcos-service-postgres'] },
};

describe('80 columns, every shipped scenario', () => {
  it('knows every shipped scenario', () => {
    expect(listScenarios().sort()).toEqual(Object.keys(SERVICE_OF).sort());
  });

  it.each(Object.keys(SERVICE_OF))(
    '%s: teardown, cleanup --dry-run, uninstall --verify-only, plan show and audit fit',
    async (scenario) => {
      sim = await SimCluster.start(scenario);
      const { cleanup, service, plan } = SERVICE_OF[scenario];
      // teardown lists (in a terminal without --dry-run it would offer a picker).
      const runs = [
        ['teardown', '--dry-run'],
        ['cleanup', ...cleanup, '--dry-run'],
      ];
      if (service) runs.push(['uninstall', service, '--verify-only']);
      if (plan) runs.push(['plan', 'show', plan]);
      runs.push(['audit']);
      for (const args of runs) {
        const run = await runInTerminal(args, { DCOS_URL: sim.url }, [], 80);
        const lines = screenLines(run.stdout);
        const tooWide = lines.filter((line) => line.length > 80);
        expect({ args, tooWide }).toEqual({ args, tooWide: [] });
        expect(lines.join('\n')).not.toMatch(/Internal error/);
      }
    },
  );

  it('generated:2000: the plan above the prompt is a summary of at most 40 lines', async () => {
    sim = await SimCluster.start('generated:2000');
    const run = await runInTerminal(
      ['cleanup', '--service', 'bench'],
      { DCOS_URL: sim.url },
      [{ prompt: /\(y\/N\)/, answer: 'n\r' }],
      80,
    );
    const lines = screenLines(run.stdout);
    const prompt = lines.findIndex((line) => /\(y\/N\)/.test(line));
    expect(prompt).toBeGreaterThan(0);
    const plan = lines.slice(
      lines.findIndex((line) => line.startsWith('Cleanup plan')),
      prompt,
    );
    expect(plan.length).toBeLessThanOrEqual(40);
    expect(plan.join('\n')).toMatch(/\.\.\. and 1980 more agents \(--wide or --json for all\)/);
    expect(plan.join(' ')).toMatch(
      /Totals: destroy 1000 volumes; unreserve 9000 resources on 2000 agents\s+\(8000\s+reservations/,
    );
    expect(plan.join(' ')).toMatch(
      /Destroy 1000 volumes, unreserve 9000 resources on 2000 agents and delete\s+\/dcos-service-bench\?/,
    );
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(run.code).toBe(8);
  });

  it('--wide lists every agent with its id', async () => {
    sim = await SimCluster.start('generated:50');
    const run = await runCli(['cleanup', '--service', 'bench', '--dry-run', '--wide'], { env: { DCOS_URL: sim.url } });
    expect(run.stdout).toMatch(/^AGENT ID\s+HOST\s+VOLUMES\s+UNRESERVE/m);
    expect(run.stdout.match(/b0000000-0000-4000-8000-000000000000-S\d+/g)).toHaveLength(50);
  });
});

describe('live progress', () => {
  it('a wait shows at once in a terminal, with its elapsed time; not when piped, not with --json', async () => {
    // The app removal does not finish until the test moves the simulated time.
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 1000 });
    const advance = () => sim.clock.advance(2000);
    const run = await runInTerminal(
      ['teardown', '--service', 'hdfs', '--yes'],
      { DCOS_URL: sim.url },
      [{ prompt: /Waiting for Marathon to remove \/hdfs \(\d+ s\)/, then: advance }],
      80,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Waiting for Marathon to remove \/hdfs \(0 s\)/);

    await sim.stop();
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 1000, msPerRequest: 250 });
    const piped = await runCli(['teardown', '--service', 'hdfs', '--yes'], { env: { DCOS_URL: sim.url } });
    expect(piped.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- a pipe must get no terminal escape
    expect(piped.stderr).not.toMatch(/Waiting for Marathon|\r|\u001b/);
    expect(piped.stderr).toMatch(/Removing Marathon app \/hdfs/);

    await sim.stop();
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 1000 });
    const json = await runInTerminal(
      ['teardown', '--service', 'hdfs', '--yes', '--json'],
      { DCOS_URL: sim.url },
      [{ prompt: /Removing Marathon app \/hdfs/, then: advance }],
      80,
    );
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(/Waiting for Marathon to remove/);
  });

  it('destroy and unreserve count agents and resources in a terminal', async () => {
    sim = await SimCluster.start('cassandra-six-agents');
    const run = await runInTerminal(
      ['cleanup', ...CASSANDRA_ROLE_AND_PRINCIPAL, '--yes'],
      { DCOS_URL: sim.url },
      [],
      80,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Destroying volumes: 3\/3 agents, 3\/3 volumes/);
    expect(run.stdout).toMatch(/Unreserving: 3\/3 agents, 12\/12 resources/);
  });
});

describe('what the uninstall and plan views say', () => {
  it('an uninstall already under way is shown as such, with its stuck steps, before anything is asked', async () => {
    sim = await SimCluster.start('kafka-uninstall-stuck');
    sim.clock.advance(2000);
    const run = await runCli(['uninstall', 'kafka'], { env: { DCOS_URL: sim.url } });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/Uninstall under way: plan deploy is IN_PROGRESS\./);
    expect(run.stdout).toMatch(
      /3 stuck steps:\n {2}phase unreserve-resources: its resource is on no registered agent \(agent gone\)\n {4}unreserve-402d51f5-6014-4ca3-bd13-324dae62b888/,
    );
    expect(run.stdout).toMatch(/Next: follow the uninstall already under way \(Cosmos is not asked again\)/);
    expect(run.stdout).not.toMatch(/Cosmos starts the uninstall/);
    expect(sim.requests.filter((entry) => entry.method !== 'GET')).toEqual([]);
  });

  it('plan show --watch stops with exit 10 once it has reported stuck steps; --keep-watching goes on', async () => {
    sim = await SimCluster.start('kafka-uninstall-stuck');
    sim.clock.advance(2000);
    const run = await runCli(['plan', 'show', 'kafka', '--watch', '--interval', '1'], { env: { DCOS_URL: sim.url } });
    expect(run.code).toBe(10);
    expect(run.stdout).toMatch(/^Every 1 s: plan deploy of kafka, read at \d\d:\d\d:\d\d UTC/);
    expect(run.stderr).toMatch(
      /Stopped watching: 3 steps are stuck and will not move on their own \(--keep-watching to go on\)\./,
    );
    const kept = await runCli(
      ['plan', 'show', 'kafka', '--watch', '--interval', '1', '--timeout', '1', '--keep-watching'],
      { env: { DCOS_URL: sim.url } },
    );
    expect(kept.code).toBe(9);
  });
});

describe('CLI manners', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed');
  });
  const cli = (args: string[]) => runCli(args, { env: { DCOS_URL: sim.url } });

  it('an unknown command is said in public spelling, with a did-you-mean, exit 2', async () => {
    const run = await cli(['teardwn']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "Error: unknown command 'teardwn' for 'dcos janitor'. Did you mean 'teardown'? See 'dcos janitor --help'.",
    );
    const sub = await cli(['plan', 'shw', 'kafka']);
    expect(sub.stderr.trim()).toBe(
      "Error: unknown command 'shw' for 'dcos janitor plan'. Did you mean 'show'? See 'dcos janitor plan --help'.",
    );
  });

  it('a usage error is one error line and one pointer to the help, in one style', async () => {
    const missing = await cli(['plan', 'show']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      "Error: Missing 1 required arg: service (Service name, e.g. kafka or /data/kafka). See 'dcos janitor plan show --help'.",
    );
    const flag = await cli(['cleanup', '--servce', 'kafka']);
    expect(flag.stderr.trim()).toBe(
      "Error: unknown flag '--servce' for 'dcos janitor cleanup'. Did you mean --service? See 'dcos janitor cleanup --help'.",
    );
    for (const run of [missing, flag]) expect(run.stderr + run.stdout).not.toMatch(/›|USAGE|FLAGS/);
  });

  it('--version and help <command> work; help does not repeat the summary', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^dcos-janitor \d+\.\d+\.\d+ \(Node\.js v\d+/);
    const help = await cli(['help', 'cleanup']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Destroy a service's volumes/);
    const summary = help.stdout.split('\n')[0];
    expect(help.stdout.split(summary).length - 1).toBe(1);
    const plan = await cli(['plan']);
    expect(plan.stdout).toMatch(/force-complete/);
  });

  it("keeps the SDK CLI's plan start -p", async () => {
    sim.addFault({ pathPrefix: '/service/', status: 404, body: 'not found', times: 1 });
    const run = await cli(['plan', 'start', 'kafka', 'backup', '-p', 'A=b']);
    expect(run.stderr).not.toMatch(/Nonexistent flag/);
  });
});

describe("the README's first command", () => {
  it('the demo runs to its end in a terminal without any input, and prints the steps the README lists', async () => {
    // In a pseudo-terminal (stdin a TTY that nobody types into): a prompt would hang until the limit.
    const demo = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', 'bash scripts/demo.sh', '/dev/null'], {
        cwd: path.resolve(__dirname, '..'),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', COLUMNS: '100' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output: stripAnsi(output) });
      });
    });
    expect(demo.code).toBe(0);
    const steps = [...demo.output.matchAll(/^== (\d+)\. /gm)].map((match) => Number(match[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
    const demoStart = readme.indexOf('## The demo');
    const listed = readme.slice(demoStart, readme.indexOf('\n## ', demoStart + 1));
    expect([...listed.matchAll(/^(\d+)\. /gm)].map((match) => Number(match[1]))).toEqual(steps);
    expect(demo.output).not.toMatch(/Internal error|\? Tear down which frameworks/);
  }, 180_000);
});

describe('a closed pipe', () => {
  it('is not a crash: `... | head -1` keeps the exit code of the run and prints no internal error', async () => {
    sim = await SimCluster.start('generated:2000');
    const cli = path.resolve(__dirname, '..', 'bin', 'dcos-janitor');
    // 2000 agents with --wide: far more than a pipe buffer, so the writes after head exits fail with EPIPE.
    const result = await runProcess(
      'bash',
      ['-c', `'${cli}' janitor cleanup --service bench --dry-run --wide | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`],
      {
        cwd: path.resolve(__dirname, '..'),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DCOS_URL: sim.url,
          DCOS_DIR: '/nonexistent-dcos-dir',
        },
      },
    );
    expect(result.stdout).toMatch(/^Cleanup plan for service 'bench'\n$/);
    expect(result.stderr).not.toMatch(/Internal error|EPIPE/);
    expect(result.stderr).toMatch(/exit=0/);
  });
});

describe('the teardown list', () => {
  it('at 80 columns keeps why, name and id whole; in a pipe nothing is cut; --wide adds roles and principal', async () => {
    sim = await SimCluster.start('messy-cluster');
    const narrow = await runInTerminal(['teardown', '--dry-run'], { DCOS_URL: sim.url }, [], 80);
    const lines = screenLines(narrow.stdout);
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(narrow.stdout).toMatch(/spark-history\s+1\s+inactive\s+5e5e0000-aaaa-4bbb-8ccc-000000000000-0020/);
    expect(narrow.stdout).not.toMatch(/…/);
    const piped = await runCli(['teardown', '--wide'], { env: { DCOS_URL: sim.url } });
    expect(piped.stdout).toMatch(
      /spark-history\s+1\s+inactive\s+spark-role\s+spark-principal\s+5e5e0000-aaaa-4bbb-8ccc-000000000000-0020/,
    );
  });
});

describe('the conventions of dcos and kubectl', () => {
  beforeEach(async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
  });

  it('-v and -vv are verbosity, anywhere before the command: the run still runs', async () => {
    const run = await runCli(['-v', 'cleanup', '--service', 'kafka', '--dry-run'], { env: { DCOS_URL: sim.url } });
    expect(run.code).toBe(11);
    expect(run.stdout).toMatch(/Cleanup plan for service 'kafka'/);
    expect(run.stderr).toMatch(/^Cluster http:\/\/127\.0\.0\.1:\d+ \(from environment \(DCOS_URL\)\)/m);
    const vv = await runCli(['cleanup', '-vv', '--service', 'kafka', '--dry-run'], { env: { DCOS_URL: sim.url } });
    expect(vv.stderr).toMatch(/http: GET \/mesos\/master\/frameworks -> 200/);
    expect((await runCli(['--version'])).stdout).toMatch(/^dcos-janitor /);
  });

  it('cleanup and teardown take the service as an argument, as uninstall does', async () => {
    const teardown = await runCli(['teardown', 'kafka', '--dry-run', '--json'], { env: { DCOS_URL: sim.url } });
    expect(teardown.code).toBe(0);
    expect(JSON.parse(teardown.stdout).frameworks.map((framework: any) => framework.name)).toEqual(['kafka']);
    const cleanup = await runCli(['cleanup', '/kafka', '--dry-run', '--json'], { env: { DCOS_URL: sim.url } });
    expect(JSON.parse(cleanup.stdout).target.serviceName).toBe('/kafka');
    const twice = await runCli(['cleanup', 'kafka', '--service', 'hdfs', '--dry-run'], { env: { DCOS_URL: sim.url } });
    expect(twice.code).toBe(2);
    expect(twice.stderr + twice.stdout).not.toMatch(/janitor:cleanup/);
  });

  it('a typed confirmation takes the name in the forms the command line takes; a plain "no" is not an error line', async () => {
    await runCli(['teardown', 'kafka', '--yes'], { env: { DCOS_URL: sim.url } });
    const typed = await runInTerminal(['teardown', '--service', 'hdfs'], { DCOS_URL: sim.url }, [
      { prompt: /Type hdfs to confirm/, answer: '/hdfs\r' },
    ]);
    expect(typed.code).toBe(0);
    const no = await runInTerminal(['cleanup', 'kafka'], { DCOS_URL: sim.url }, [
      { prompt: /\(y\/N\)/, answer: 'n\r' },
    ]);
    expect(no.code).toBe(8);
    expect(no.stdout).toMatch(/Aborted \(the confirmation was declined\): nothing was changed\./);
    expect(no.stdout).not.toMatch(/Error: Aborted/);
  });

  it('a refusal to clean an installed service is an Error line that points to uninstall', async () => {
    const run = await runCli(['cleanup', 'hdfs', '--yes'], { env: { DCOS_URL: sim.url } });
    expect(run.code).toBe(11);
    expect(run.stderr).toMatch(
      /^Error: Refusing to clean hdfs: it is installed \(Marathon app \/hdfs\)\. To remove it, uninstall it: dcos janitor uninstall hdfs$/m,
    );
    expect(run.stderr).not.toMatch(/Warning: Refusing|--force to override/);
  });
});

describe('help', () => {
  it("every command's --help fits 80 columns, and the connection flags are shown once, in the overview", async () => {
    for (const id of Object.keys(COMMANDS)) {
      const words = id.split(':').slice(1);
      const help = await runCli([...words, '--help'], { env: { COLUMNS: '80' } });
      expect({ id, tooWide: help.stdout.split('\n').filter((line) => line.length > 80) }).toEqual({ id, tooWide: [] });
      if (words.length > 0) expect(help.stdout).not.toMatch(/--mesos-url|--service-account/);
    }
    const overview = await runCli(['--help'], { env: { COLUMNS: '80' } });
    expect(overview.stdout).toMatch(/CONNECTION FLAGS[\s\S]*--service-account[\s\S]*--mesos-url/);
  });
});
