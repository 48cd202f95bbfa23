import * as fs from 'node:fs';
import * as path from 'node:path';

import { JanitorCommand } from '../src/cli/janitor-command';
import { COMMANDS } from '../src/index';
import { SimCluster } from '../src/sim/server';
import { runInProcess } from './helpers/in-process';

/** In the test's process: the same commands and HTTP client against the simulator's URL. */
const runAgainst = (url: string, args: string[], env: Record<string, string> = {}) =>
  runInProcess(args, { env: { DCOS_URL: url, ...env } });
import { mutatingRequests } from './helpers/cluster';

/**
 * Words that lead the operator right: no message names a flag the command it names does
 * not have, and every command that changes the cluster has --dry-run (the refusal without
 * a terminal tells operators to check the plan with it).
 */

type CommandClass = { flags?: Record<string, { char?: string }>; baseFlags?: Record<string, { char?: string }> };

function flagsOf(id: string): Set<string> {
  const command = COMMANDS[id as keyof typeof COMMANDS] as unknown as CommandClass;
  const all = { ...JanitorCommand.baseFlags, ...(command.flags ?? {}) } as Record<string, { char?: string }>;
  const names = new Set<string>(['--help']);
  for (const [name, definition] of Object.entries(all)) {
    names.add(`--${name}`);
    if (definition.char) names.add(`-${definition.char}`);
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('flags named in messages', () => {
  const SRC = path.resolve(__dirname, '..', 'src');
  const files = sourceFiles(SRC).filter((file) => !file.includes(`${path.sep}sim${path.sep}`));

  it('every `dcos janitor <command> ... --flag` in the code names a flag that command has', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /dcos janitor ([a-z][a-z-]*)((?: [a-z][a-z-]*)?)((?:[^`'"\n\\);]|\$\{[^}]*\})*)/g,
      )) {
        const words = match[1] === 'plan' ? ['plan', match[2].trim()] : [match[1]];
        const id = `janitor:${words.join(':')}`;
        if (!(id in COMMANDS)) continue;
        for (const flag of match[3].match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []) {
          checked++;
          if (!flagsOf(id).has(flag))
            wrong.push(`${path.relative(SRC, file)}: 'dcos janitor ${words.join(' ')}' has no ${flag}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('every command that asks before changing the cluster has the --yes and --dry-run its refusal names', () => {
    const missing: string[] = [];
    for (const id of Object.keys(COMMANDS)) {
      const file = path.join(SRC, 'commands', ...id.split(':').slice(0, -1), `${id.split(':').at(-1)}.ts`);
      if (!fs.existsSync(file)) continue;
      if (!/this\.confirm(ByTyping)?\(/.test(fs.readFileSync(file, 'utf8'))) continue;
      for (const flag of ['--yes', '--dry-run']) if (!flagsOf(id).has(flag)) missing.push(`${id} ${flag}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('every mutating command has --dry-run, and it changes nothing', () => {
  let sim: SimCluster;
  afterEach(async () => sim?.stop());

  it.each([
    ['kafka-ui-destroyed', ['uninstall', 'hdfs', '--dry-run']],
    ['messy-cluster', ['audit', '--fix', '--dry-run']],
    ['kafka-uninstall-stuck', ['plan', 'force-complete', 'kafka', '--stuck', '--dry-run']],
    ['kafka-uninstall-stuck', ['plan', 'force-complete', 'kafka', 'deploy', 'unreserve-resources', '--dry-run']],
  ])('%s: %j', async (scenario, args) => {
    sim = await SimCluster.start(scenario, { msPerRequest: 10 });
    const text = await runAgainst(sim.url, args);
    expect(text.stdout).toMatch(/Dry run: .*nothing was changed/);
    const json = await runAgainst(sim.url, [...args, '--json']);
    expect(json.code).toBe(text.code);
    expect(mutatingRequests(sim).filter((entry) => entry.url !== '/package/list')).toEqual([]);
  });

  it('audit --fix --dry-run lists what --fix would run, and what it leaves to the operator', async () => {
    sim = await SimCluster.start('messy-cluster', { msPerRequest: 10 });
    const result = JSON.parse((await runAgainst(sim.url, ['audit', '--fix', '--dry-run', '--json'])).stdout);
    const wouldRun = result.fixed.flatMap((entry: any) => entry.steps.map((step: any) => step.command));
    expect(wouldRun).toContain('dcos janitor uninstall /hdfs --manual --yes');
    expect(wouldRun).not.toContain('dcos janitor cleanup --service /legacy/es --yes');
    expect(result.leftToOperator.map((finding: any) => finding.service)).toContain('/legacy/es');
  });
});

describe('stuck uninstalls name the one command that finishes the job', () => {
  let sim: SimCluster;
  afterEach(async () => sim?.stop());

  it('plan show, --watch, uninstall exit 10 and force-complete on an uninstall plan', async () => {
    sim = await SimCluster.start('kafka-uninstall-stuck', { msPerRequest: 10 });
    const show = await runAgainst(sim.url, ['plan', 'show', 'kafka']);
    expect(show.stderr).toMatch(/'dcos janitor uninstall kafka --force-stuck' finishes the job/);
    const watch = await runAgainst(sim.url, ['plan', 'show', 'kafka', '--watch', '--interval', '1']);
    expect(watch.code).toBe(10);
    expect(watch.stderr).toMatch(/To finish the job: dcos janitor uninstall kafka --force-stuck/);
    const uninstall = await runAgainst(sim.url, ['uninstall', 'kafka', '--yes', '--poll-ms', '20']);
    expect(uninstall.code).toBe(10);
    expect(uninstall.stderr).toMatch(/to finish the job: dcos janitor uninstall kafka --force-stuck/);
    const forced = await runAgainst(sim.url, ['plan', 'force-complete', 'kafka', '--stuck', '--yes']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(
      /this is an uninstall plan\. What is left: .* To finish the job and verify: dcos janitor uninstall kafka --force-stuck/,
    );
  });
});

describe('one vocabulary for counts', () => {
  let sim: SimCluster;
  afterEach(async () => sim?.stop());

  it("audit's reservations and volumes add up to cleanup's resources, in the same words", async () => {
    sim = await SimCluster.start('kafka-ui-destroyed', { deploymentMs: 100, msPerRequest: 10 });
    await runAgainst(sim.url, ['teardown', 'kafka', '--yes']);
    const audit = JSON.parse((await runAgainst(sim.url, ['audit', '--json'])).stdout);
    const kafka = audit.findings.find((finding: any) => finding.service === '/kafka');
    const [, reservations, volumes, total] =
      /(\d+) reservations and (\d+) volumes \((\d+) reserved resources\)/.exec(kafka.summary) ?? [];
    expect(Number(reservations) + Number(volumes)).toBe(Number(total));
    const plan = await runAgainst(sim.url, ['cleanup', 'kafka', '--dry-run']);
    expect(plan.stdout.replace(/\s+/g, ' ')).toContain(
      `destroy ${volumes} volumes; unreserve ${total} resources on 3 agents (${reservations} reservations and the disk of each of the ${volumes} destroyed volumes)`,
    );
  });
});

describe("output is fitted to the command's own stdout (the injected IO), not the test process's", () => {
  let sim: SimCluster;
  afterEach(async () => sim?.stop());

  it('a 60-column terminal gets lines of at most 60 columns and a screenful of agents; a pipe gets every agent', async () => {
    sim = await SimCluster.start('generated:30', { msPerRequest: 10 });
    const terminal = await runInProcess(['cleanup', '--service', 'bench', '--dry-run'], {
      env: { DCOS_URL: sim.url },
      terminalColumns: 60,
    });
    expect(terminal.code).toBe(0);
    const lines = terminal.stdout.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(terminal.stdout).toMatch(/\.\.\. and 10 more/);
    const pipe = await runInProcess(['cleanup', '--service', 'bench', '--dry-run'], { env: { DCOS_URL: sim.url } });
    expect(pipe.stdout).not.toMatch(/and \d+ more/);
    for (const agent of sim.state.agents.values()) expect(pipe.stdout).toMatch(new RegExp(`^${agent.hostname} `, 'm'));
  });
});
