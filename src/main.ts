import * as fs from 'node:fs';
import * as path from 'node:path';
import { execute } from '@oclif/core';

import { decideArgv } from './cli/argv';
import { terminalWidth } from './render/columns';
import { wrap } from './text';
import { COMMANDS } from './index';

export { COMMANDS } from './index';

/**
 * The plugin's entry point, for `bin/run.js` (a checkout) and the bundled
 * lib/dcos-janitor.js (the zip): `dir` is where oclif finds the package.json, whose
 * explicit command discovery points back at this same module's COMMANDS export.
 */
export function main(dir: string, argv: string[] = process.argv.slice(2)): void {
  ignoreClosedPipes();
  const decision = decideArgv(argv, Object.keys(COMMANDS), packageVersion(dir));
  if (decision.kind === 'print') {
    const stream = decision.exitCode === 0 ? process.stdout : process.stderr;
    stream.write(`${stream.isTTY ? wrap(decision.text, terminalWidth(stream)) : decision.text}\n`);
    process.exitCode = decision.exitCode;
    return;
  }
  if (decision.verbosity) {
    const level = Math.max(decision.verbosity, Number(process.env.DCOS_VERBOSITY ?? 0) || 0);
    process.env.DCOS_VERBOSITY = String(level);
  }
  // The commands close what they opened (keep-alive connections, timers): the process ends by
  // itself once stdout has drained, with the exit code the command set.
  void execute({ dir, args: decision.argv });
}

/**
 * `dcos janitor audit | head -4`: once the reader has gone, writing fails with EPIPE. That is
 * not a crash, and it must not stop a run half-way (a cleanup whose output is piped to a
 * closed pager still finishes, and its exit code still says how it went): what would have
 * been written there is dropped.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stream.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') process.nextTick(done as () => void);
        return true;
      }) as typeof stream.write;
    });
  }
}

function packageVersion(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      return (
        (JSON.parse(fs.readFileSync(path.join(at, 'package.json'), 'utf8')) as { version?: string }).version ??
        'unknown'
      );
    } catch {
      if (path.dirname(at) === at) return 'unknown';
    }
  }
}

if (require.main === module) main(__dirname);
