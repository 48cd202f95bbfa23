import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

import { assertFollowsSchema, documentsOf, schemaOf } from './json-contract';

/**
 * Runs the built plugin executable exactly as the DC/OS CLI does
 * (`bin/dcos-janitor janitor <command> ...`), asynchronously so that a
 * simulator in the test's own process keeps answering.
 */

export const CLI = path.resolve(__dirname, '..', '..', 'bin', 'dcos-janitor');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Kill the process once this returns true (checked every 10 ms). */
  killWhen?: () => boolean;
  /** The signal killWhen sends (default SIGKILL: a crash; SIGINT is Ctrl-C, SIGTERM a stop). */
  signal?: NodeJS.Signals;
  timeoutMs?: number;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Tests must not read the developer's own ~/.dcos.
    DCOS_DIR: '/nonexistent-dcos-dir',
    DCOS_JANITOR_HISTORY_DIR: path.join(
      process.env.JANITOR_TEST_SCRATCH ?? path.join(os.tmpdir(), 'dcos-janitor-tests'),
      `history-${process.pid}`,
    ),
    DCOS_JANITOR_RETRY_BACKOFF_MS: '5',
    // Wide enough that no line is fitted or wrapped: tests read whole sentences (the width tests set their own).
    COLUMNS: '1000',
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, ['janitor', ...args], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let killed = false;
    const poll = options.killWhen
      ? setInterval(() => {
          if (killed || !options.killWhen?.()) return;
          killed = true;
          child.kill(options.signal ?? 'SIGKILL');
        }, 10)
      : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      // Killed on purpose mid-run: what it printed is whatever got out before the kill.
      const schema = killed || code === null ? undefined : schemaOf(args);
      try {
        if (schema && stdout.trim()) for (const document of documentsOf(stdout)) assertFollowsSchema(schema, document);
      } catch (error) {
        reject(new Error(`dcos janitor ${args.join(' ')}: ${(error as Error).message}\n${stdout.slice(0, 2000)}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Any program with exactly this environment, its output collected (the installed plugin, a job's command). */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      // The installed plugin's --json is held to the same published schemas.
      const schema = args[0] === 'janitor' && code !== null ? schemaOf(args.slice(1)) : undefined;
      try {
        if (schema && stdout.trim()) for (const document of documentsOf(stdout)) assertFollowsSchema(schema, document);
      } catch (error) {
        reject(new Error(`${command} ${args.join(' ')}: ${(error as Error).message}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run `cleanup` (or another command) against a simulator URL. */
export function runAgainst(url: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runCli(args, { env: { DCOS_URL: url, ...env } });
}

export interface TerminalStep {
  /** Wait until the screen (ANSI codes removed) matches this, after the previous step's match. */
  prompt: RegExp;
  /** Then type this (\r is Enter, ' ' toggles a checkbox, \u001b[B is arrow down). */
  answer?: string;
  /** Or do this (e.g. move the simulated cluster on once the CLI shows it is waiting). */
  then?: () => void;
}

/**
 * Runs the CLI in a pseudo-terminal (util-linux `script`), so that stdin is a TTY
 * and the inquirer prompts are driven for real, one step after another.
 */
export function runInTerminal(
  args: string[],
  env: Record<string, string>,
  steps: TerminalStep[],
  columns = 200,
): Promise<CliRun> {
  // The pseudo-terminal's own size is what the CLI fits to (process.stdout.columns).
  const command = `stty cols ${columns} rows 50; exec ${[CLI, 'janitor', ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DCOS_DIR: '/nonexistent-dcos-dir',
        TERM: 'xterm',
        COLUMNS: '200',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let next = 0;
    let consumed = 0;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const screen = stripAnsi(stdout);
      const step = steps[next];
      if (step && step.prompt.test(screen.slice(consumed))) {
        consumed = screen.length;
        next++;
        step.then?.();
        // inquirer reads keys one by one: type each with a little pause.
        [...(step.answer ?? '')].forEach((key, index) => setTimeout(() => child.stdin.write(key), 30 * (index + 1)));
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripAnsi(stdout), stderr: '' });
    });
  });
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\u001b\][^\u0007]*\u0007/g, '');
}
