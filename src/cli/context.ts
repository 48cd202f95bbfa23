/**
 * What a command runs with, injected as the GitHub CLI passes `IO`, `HttpClient` and
 * `Prompter` to each command: the streams (and whether they are terminals), the prompts,
 * the environment, and where the exit code goes. The real ones by default; a test runs a
 * command in its own process with fake streams and a scripted prompter
 * (test/helpers/in-process.ts), against the simulator over real HTTP.
 */

export interface OutputStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface IO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: { isTTY?: boolean };
}

export interface Choice<T> {
  name: string;
  value: T;
}

/** The questions a command may ask; inquirer's prompts in a terminal. */
export interface Prompter {
  confirm(message: string): Promise<boolean>;
  input(message: string): Promise<string>;
  select<T>(message: string, choices: Array<Choice<T>>): Promise<T>;
  checkbox<T>(message: string, choices: Array<Choice<T>>): Promise<T[]>;
}

export interface CommandContext {
  io: IO;
  prompter: Prompter;
  env: NodeJS.ProcessEnv;
  setExitCode(code: number): void;
  /** Only the real process handles signals (Ctrl-C, SIGTERM) and exits on them. */
  ownsProcess: boolean;
}

/** inquirer's prompts (`@inquirer/*` 7), drawn on stderr so stdout keeps the results. */
export const inquirerPrompter: Prompter = {
  async confirm(message) {
    const { default: confirm } = await import('@inquirer/confirm');
    return confirm({ message, default: false }, { output: process.stderr });
  },
  async input(message) {
    const { default: input } = await import('@inquirer/input');
    return input({ message }, { output: process.stderr });
  },
  async select(message, choices) {
    const { default: select } = await import('@inquirer/select');
    return select({ message, choices }, { output: process.stderr });
  },
  async checkbox(message, choices) {
    const { default: checkbox } = await import('@inquirer/checkbox');
    return checkbox({ message, choices }, { output: process.stderr });
  },
};

export function processContext(): CommandContext {
  return {
    io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    prompter: inquirerPrompter,
    env: process.env,
    setExitCode: (code) => {
      process.exitCode = code;
    },
    ownsProcess: true,
  };
}

let current: CommandContext | undefined;

/** The context of the command now running: the process's, unless a test set its own. */
export function commandContext(): CommandContext {
  return (current ??= processContext());
}

/** Runs `work` with this context (one at a time: commands run in-process are awaited one by one). */
export async function withContext<T>(context: CommandContext, work: () => Promise<T>): Promise<T> {
  const before = current;
  current = context;
  try {
    return await work();
  } finally {
    current = before;
  }
}
