import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Config, Errors } from '@oclif/core';

import { CommandContext, withContext } from '../../src/cli/context';
import { COMMANDS } from '../../src/index';
import { CliRun, runCli } from './cli';
import { assertFollowsSchema, documentsOf, schemaOf } from './json-contract';

/**
 * A command run inside the test's own process, as the GitHub CLI's tests run theirs: the
 * same command class and the same HTTP client against the simulator's URL, with fake
 * streams (not terminals unless a prompter is given) and a scripted prompter. No process
 * to start, no bundle to load: most command tests need nothing more. What needs a real
 * process (signals, a pseudo-terminal, the zip) runs the built binary (helpers/cli.ts).
 */

const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

/**
 * What a command reads of oclif's Config when it runs (its name, version, hooks, scoped
 * variables). Config.load would import the bundle through a dynamic import, which jest's
 * module system does not allow; nothing else of it is used by a command that runs.
 */
const config = {
  bin: 'dcos',
  name: 'dcos-janitor',
  version,
  topicSeparator: ' ',
  // Read by oclif's check for deprecated command aliases before every run.
  commandIDs: Object.keys(COMMANDS),
  commands: [],
  topics: [],
  isSingleCommandCLI: false,
  findCommand: () => undefined,
  pjson: { oclif: {} },
  userAgent: `dcos-janitor/${version}`,
  runHook: async () => ({ successes: [], failures: [] }),
  scopedEnvVar: () => undefined,
  scopedEnvVarKey: (key: string) => `DCOS_${key}`,
  scopedEnvVarKeys: (key: string) => [`DCOS_${key}`],
} as unknown as Config;

function commandOf(args: string[]): { id: keyof typeof COMMANDS; argv: string[] } {
  for (let length = Math.min(args.length, 2); length > 0; length--) {
    const id = ['janitor', ...args.slice(0, length)].join(':');
    if (id in COMMANDS) return { id: id as keyof typeof COMMANDS, argv: args.slice(length) };
  }
  throw new Error(`no command in ${args.join(' ')}`);
}

/** Where the runs of this test process keep their history (never the machine's ~/.dcos). */
export const TEST_HISTORY_DIR = path.join(
  process.env.JANITOR_TEST_SCRATCH ?? path.join(os.tmpdir(), 'dcos-janitor-tests'),
  `history-${process.pid}`,
);

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  /** Answers, in order, to the prompts the command asks (confirm: boolean; input, select: string; checkbox: string[]). */
  answers?: unknown[];
  /** Make stdout a terminal this many columns wide (default: a pipe, no width). */
  terminalColumns?: number;
}

export async function runInProcess(
  args: string[],
  options: InProcessOptions = {},
): Promise<CliRun & { prompts: string[] }> {
  // scripts/bench-tests.js runs the same tests through the built binary, to measure what running in process saves.
  if (
    process.env.JANITOR_TESTS_THROUGH_BINARY === '1' &&
    options.answers === undefined &&
    options.terminalColumns === undefined
  ) {
    return { ...(await runCli(args, { env: options.env, timeoutMs: 120_000 })), prompts: [] };
  }
  const { id, argv } = commandOf(args);
  let stdout = '';
  let stderr = '';
  let code = 0;
  const prompts: string[] = [];
  const answers = [...(options.answers ?? [])];
  const answer = (message: string) => {
    prompts.push(message);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${message}`);
    return answers.shift();
  };
  const env: NodeJS.ProcessEnv = {
    DCOS_DIR: '/nonexistent-dcos-dir',
    DCOS_JANITOR_HISTORY_DIR: TEST_HISTORY_DIR,
    DCOS_JANITOR_RETRY_BACKOFF_MS: '5',
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const context: CommandContext = {
    io: {
      stdout: {
        write: (text) => ((stdout += text), true),
        isTTY: options.terminalColumns !== undefined,
        columns: options.terminalColumns,
      },
      stderr: { write: (text) => ((stderr += text), true), isTTY: false },
      stdin: { isTTY: options.answers !== undefined },
    },
    prompter: {
      confirm: async (message) => answer(message) as boolean,
      input: async (message) => answer(message) as string,
      select: async (message) => answer(message) as never,
      checkbox: async (message) => answer(message) as never,
    },
    env,
    setExitCode: (value) => {
      code = value;
    },
    ownsProcess: false,
  };
  // Flag defaults from the environment (`env:` in a flag's definition) are read by oclif's
  // parser from process.env: set for the run, then restored.
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('DCOS_JANITOR_')) continue;
    saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  const Command = COMMANDS[id] as unknown as { id?: string } & (new (
    argv: string[],
    config: Config,
  ) => { _run(): Promise<unknown> });
  // oclif sets a command's id when it loads it; here the command is the class itself.
  Command.id = id;
  try {
    await withContext(context, async () => {
      try {
        await new Command(argv, config)._run();
      } catch (error) {
        if (error instanceof Errors.ExitError) code = error.oclif.exit ?? code;
        else throw error;
      }
    });
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const schema = schemaOf(args);
  if (schema && stdout.trim()) for (const document of documentsOf(stdout)) assertFollowsSchema(schema, document);
  return { code, stdout, stderr, prompts };
}

/** runInProcess against a cluster at `url` (DCOS_URL), as helpers/cli.ts's runAgainst does with the binary. */
export function runInProcessAgainst(
  url: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun & { prompts: string[] }> {
  return runInProcess(args, { env: { DCOS_URL: url, ...env } });
}
