/**
 * What the janitor tells an operator to run next, as data: a finding's fix, a blocker's
 * next step, a leftover's remedy. The command line shown is derived from it (never
 * parsed back), and `audit --fix` runs the very same data it printed.
 */

/** What `cleanup` is asked: a service, or role and principal and/or a znode. */
export interface CleanupRequest {
  service?: string;
  roles: string[];
  principal?: string;
  zkNode?: string;
  frameworkIds: string[];
  includeUnlabeled: boolean;
}

export type JanitorAction =
  | { kind: 'cleanup'; request: CleanupRequest }
  | { kind: 'teardown'; frameworkId: string; cleanup: boolean }
  | { kind: 'uninstall'; service: string; manual: boolean; forceStuck: boolean };

/** `['dcos', 'janitor', 'cleanup', '--service', 'kafka', '--yes']`: the words of the command. */
export function actionArgv(action: JanitorAction): string[] {
  const words = ['dcos', 'janitor'];
  switch (action.kind) {
    case 'cleanup': {
      const { request } = action;
      words.push('cleanup');
      if (request.service !== undefined) words.push('--service', request.service);
      for (const role of request.roles) words.push('-r', role);
      if (request.principal !== undefined) words.push('-p', request.principal);
      if (request.zkNode !== undefined) words.push('-z', request.zkNode);
      for (const id of request.frameworkIds) words.push('--framework-id', id);
      if (request.includeUnlabeled) words.push('--include-unlabeled');
      break;
    }
    case 'teardown':
      words.push('teardown', '--framework-id', action.frameworkId);
      if (action.cleanup) words.push('--cleanup');
      break;
    case 'uninstall':
      words.push('uninstall', action.service);
      if (action.manual) words.push('--manual');
      if (action.forceStuck) words.push('--force-stuck');
      break;
  }
  words.push('--yes');
  return words;
}

/** The command line, each word quoted for a POSIX shell where it needs it. */
export function actionCommand(action: JanitorAction): string {
  return actionArgv(action).map(shellWord).join(' ');
}

export function shellWord(word: string): string {
  return /^[\w./@:=-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export function cleanupAction(request: CleanupRequest): JanitorAction {
  return { kind: 'cleanup', request };
}

/** A reason the run would harm something that lives, and (when there is one) what unblocks it. */
export interface Blocker {
  /** What lives: a framework, an app that would relaunch one, or tasks using the target's resources. */
  kind: 'framework' | 'app' | 'in-use';
  reason: string;
  next?: JanitorAction;
}

/** "reason: next command", for one-line messages (errors, --json's message). */
export function describeBlocker(blocker: Blocker): string {
  return blocker.next ? `${blocker.reason} Next: ${actionCommand(blocker.next)}` : blocker.reason;
}
