import { execute } from '@oclif/core';

export { COMMANDS } from './index';

/**
 * Entry point of the bundled plugin (lib/dcos-janitor.js in the zip): oclif finds
 * the package.json beside it, whose explicit command discovery points back at this
 * same file's COMMANDS export.
 */
export function main(dir: string): void {
  void execute({ dir }).then(() => {
    // Keep-alive sockets must not hold the process open; a piped stdout must drain first.
    const code = process.exitCode ?? 0;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}

if (require.main === module) main(__dirname);
