/**
 * One error type per cause, each mapped to one exit code here and nowhere else.
 * Every message is one line that says what happened and what to do next; none
 * of them may ever carry the auth token (the HTTP layer never puts headers in one).
 */

export const ExitCode = {
  /** Everything asked for is done and verified. */
  OK: 0,
  /** A bug in dcos-janitor: the message asks for a report. */
  INTERNAL: 1,
  /** Bad flags or arguments, or a destructive run without --yes and without a terminal. */
  USAGE: 2,
  /** The run finished but the verification found things left on the cluster. */
  LEFTOVERS: 3,
  /** The cluster refused the token (401) or the permission (403). */
  AUTH: 4,
  /** The cluster could not be reached, or kept failing (5xx, no leader) after the retries. */
  UNREACHABLE: 5,
  /** No cluster is configured for the DC/OS CLI, or its configuration is unreadable. */
  NOT_CONFIGURED: 6,
  /**
   * The cluster answered with a status or a shape this version does not know (or a 404 that is not the
   * service's own).
   */
  UNEXPECTED_RESPONSE: 7,
  /** The operator answered "no" at a confirmation prompt. */
  ABORTED: 8,
  /** A wait (deployment, teardown, plan) did not finish before --timeout. */
  TIMED_OUT: 9,
  /** Plan steps are stuck and were not force-completed (no --force-stuck). */
  STUCK_STEPS: 10,
  /**
   * The cluster's state makes the run unsafe (a live scheduler, an app that would relaunch it) and
   * --force was not given.
   */
  REFUSED: 11,
  /**
   * Nothing of that name: Admin Router knows no running service of it (404 "service not
   * found"), or nothing on the cluster (app, framework, reservation, znode) matches it.
   */
  SERVICE_NOT_FOUND: 12,
  /** The plan is in ERROR (the scheduler answered 417). */
  PLAN_ERROR: 13,
  /**
   * `apply`: the cluster is no longer what the reviewed plan saw (a new resource, a framework that came
   * back, an app that appeared, tasks on a planned resource, an agent that left); nothing was sent.
   */
  DRIFT: 14,
  /** Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An unreserve step that can never finish (domain/stuck-steps.ts finds them). Declared here,
 * at the bottom of the layers, because StuckStepsError carries them: errors.ts imports nothing above it.
 */
export interface StuckStep {
  phase: string;
  step: string;
  status: string;
  /** Why it cannot finish, in words. */
  reason: string;
  /** The agent the step waits for, when the phase or the resource tells. */
  agentHostname?: string;
  resourceId?: string;
}

export abstract class JanitorError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  /** A short machine-readable name for --json output. */
  abstract readonly kind: string;
}

export class UsageError extends JanitorError {
  readonly exitCode = ExitCode.USAGE;
  readonly kind = 'usage';
}

export class ConfirmationRequiredError extends JanitorError {
  readonly exitCode = ExitCode.USAGE;
  readonly kind = 'confirmation-required';
  constructor(what: string) {
    super(
      `Refusing to ${what} without confirmation: standard input is not a terminal. ` +
        'Check the plan with --dry-run, then re-run with --yes.',
    );
  }
}

export class AbortedError extends JanitorError {
  readonly exitCode = ExitCode.ABORTED;
  readonly kind = 'aborted';
  constructor(message = 'Aborted at the confirmation: nothing more was changed.') {
    super(message);
  }
}

export class NotConfiguredError extends JanitorError {
  readonly exitCode = ExitCode.NOT_CONFIGURED;
  readonly kind = 'not-configured';
}

export class AuthError extends JanitorError {
  readonly exitCode = ExitCode.AUTH;
  readonly kind = 'auth';
}

export class UnreachableError extends JanitorError {
  readonly exitCode = ExitCode.UNREACHABLE;
  readonly kind = 'unreachable';
}

export class UnexpectedResponseError extends JanitorError {
  readonly exitCode = ExitCode.UNEXPECTED_RESPONSE;
  readonly kind = 'unexpected-response';
}

export class ServiceNotFoundError extends JanitorError {
  readonly exitCode = ExitCode.SERVICE_NOT_FOUND;
  readonly kind = 'service-not-found';
}

/** The name matches nothing on the cluster; carries close names for "did you mean". */
export class NothingFoundError extends JanitorError {
  readonly exitCode = ExitCode.SERVICE_NOT_FOUND;
  readonly kind = 'not-found';
  constructor(
    message: string,
    readonly suggestions: string[],
  ) {
    super(message);
  }
}

/** The run would harm something the cluster needs or that still lives (a DC/OS system framework, a live service). */
export class RefusedError extends JanitorError {
  readonly exitCode = ExitCode.REFUSED;
  readonly kind = 'refused';
}

/** A saved plan that cannot be applied as it is: another cluster, too old, not a plan, another format version. */
export class PlanFileRefusedError extends JanitorError {
  readonly exitCode = ExitCode.REFUSED;
  readonly kind = 'plan-refused';
}

export class PlanError extends JanitorError {
  readonly exitCode = ExitCode.PLAN_ERROR;
  readonly kind = 'plan-error';
}

/** Stuck plan steps left because nothing allowed forcing them; carries the steps for the report. */
export class StuckStepsError extends JanitorError {
  readonly exitCode = ExitCode.STUCK_STEPS;
  readonly kind = 'stuck-steps';
  constructor(
    message: string,
    readonly stuck: StuckStep[],
  ) {
    super(message);
  }
}

export class TimedOutError extends JanitorError {
  readonly exitCode = ExitCode.TIMED_OUT;
  readonly kind = 'timed-out';
}

/** For errors that are not ours: a bug. The original message is kept, the stack is not shown. */
export function describeUnknownError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Internal error: ${message}. Re-run with DCOS_VERBOSITY=2 for details and report it.`;
}
