import { closestNames } from '../domain/not-found';

/**
 * What oclif would get wrong about the command line, settled before it runs: the
 * DC/OS CLI runs the plugin as `dcos-janitor janitor <command> ...`, so an unknown
 * command must be said in the words the operator typed (`dcos janitor teardwn`), with a
 * did-you-mean, not as oclif's internal id; `help <command>` and `--version` work as
 * in `kubectl` and `gh`; `janitor --help` is the overview with the workflow.
 */

export type ArgvDecision =
  { kind: 'run'; argv: string[]; verbosity?: number } | { kind: 'print'; text: string; exitCode: number };

/**
 * `-v` and `-vv` are verbosity, as for `dcos` itself (`dcos -vv janitor ...` arrives as
 * DCOS_VERBOSITY=2): taken out wherever they stand before `--`, never read as --version.
 */
export function takeVerbosity(argv: string[]): { argv: string[]; verbosity: number } {
  let verbosity = 0;
  const end = argv.indexOf('--');
  const kept = argv.filter((word, index) => {
    const match = (end < 0 || index < end) && /^-(v+)$/.exec(word);
    if (match) verbosity = Math.max(verbosity, match[1].length);
    return !match;
  });
  return { argv: kept, verbosity };
}

export function decideArgv(argv: string[], commandIds: string[], version: string): ArgvDecision {
  const taken = takeVerbosity(argv);
  const decision = decideWords(taken.argv, commandIds, version);
  return decision.kind === 'run' && taken.verbosity > 0 ? { ...decision, verbosity: taken.verbosity } : decision;
}

function decideWords(argv: string[], commandIds: string[], version: string): ArgvDecision {
  const words = [...argv];
  if (words[0] !== 'janitor') return { kind: 'run', argv: words };
  const rest = words.slice(1);
  const first = rest[0];
  if (first === '--version' || first === 'version')
    return { kind: 'print', text: `dcos-janitor ${version} (Node.js ${process.version})`, exitCode: 0 };
  if (first === undefined || first === '--help' || first === '-h') return { kind: 'run', argv: ['janitor'] };
  if (first === 'help') {
    if (rest.length === 1) return { kind: 'run', argv: ['janitor'] };
    return decideWords(['janitor', ...rest.slice(1), '--help'], commandIds, version);
  }
  if (first.startsWith('-')) return { kind: 'run', argv: words };

  // Walk the words while they name a command or a topic: janitor plan show ...
  const ids = commandIds.map((id) => id.split(':'));
  let path = ['janitor'];
  for (const word of rest) {
    if (word.startsWith('-')) break;
    const deeper = [...path, word];
    const known = ids.some((id) => deeper.every((part, index) => id[index] === part));
    if (!known) {
      // An argument of a known command (a service name, a plan name): not a command word.
      // (The root `janitor` command takes no argument: a word after it is a command.)
      if (
        path.length > 1 &&
        ids.some((id) => id.length === path.length && id.every((part, index) => path[index] === part))
      )
        break;
      const siblings = [
        ...new Set(
          ids
            .filter((id) => id.length > path.length && path.every((part, index) => id[index] === part))
            .map((id) => id[path.length]),
        ),
      ];
      const close = closestNames(word, siblings);
      const where = `dcos ${path.join(' ')}`;
      return {
        kind: 'print',
        exitCode: 2,
        text: `Error: unknown command '${word}' for '${where}'.${close.length > 0 ? ` Did you mean '${close[0]}'?` : ''} See '${where} --help'.`,
      };
    }
    path = deeper;
  }
  // A topic alone (dcos janitor plan): its help, as git and kubectl do.
  if (!ids.some((id) => id.length === path.length && id.every((part, index) => path[index] === part))) {
    return { kind: 'run', argv: [...path, '--help'] };
  }
  return { kind: 'run', argv: words };
}
