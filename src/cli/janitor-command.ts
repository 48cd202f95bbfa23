import { Command, Errors, Flags } from '@oclif/core';

import * as path from 'node:path';

import { ClusterHttp, DEFAULT_HTTP_OPTIONS } from '../cluster/http';
import { UPSTREAMS } from '../cluster/endpoints';
import { ServiceAccount } from '../cluster/service-account';
import { CleanupOptions, CleanupPlan } from '../domain/cleanup';
import { PRIVATE_KEY_ENV } from '../domain/in-cluster-job';
import { closestNames, describeTarget, inexactNames, nothingFound, tracesOf } from '../domain/not-found';
import { Progress } from '../domain/progress';
import { ViewOptions, viewOptions } from '../render/cleanup';
import { terminalWidth } from '../render/columns';
import { writeJson } from '../render/json';
import type { ResultError } from '../render/results';
import { CosmosClient } from '../clients/cosmos';
import { DcosMetadataClient } from '../clients/dcos-metadata';
import { SdkSchedulerClient } from '../clients/sdk-scheduler';
import type { UninstallClients } from '../domain/uninstall';
import { shellWord } from '../domain/actions';
import { ObserveContext, PlannedStep } from '../domain/saved-plan';
import { plural, wrap } from '../text';
import { IO, OutputStream, Prompter, commandContext } from './context';
import { readClusterId, savedPlanOf, writePlanFile } from './plan-file';
import { RunHistory, redactArgv } from './history';
import { FlagDefinition, InClusterFlagValues, inClusterRunDocument } from './in-cluster-flags';
import { ClusterClients, envNumber, openSession } from './session';
import { StderrProgress } from './terminal-progress';
import {
  AbortedError,
  ConfirmationRequiredError,
  ExitCode,
  ExitCodeValue,
  JanitorError,
  NothingFoundError,
  UsageError,
  describeUnknownError,
} from '../errors';

/**
 * What every `dcos janitor` command shares: its session with the cluster (session.ts),
 * its streams and prompts (context.ts), progress on stderr, the confirmation rule for
 * destructive runs, and the single place where errors become one line and an exit code.
 */

/** The service named as an argument (`cleanup kafka`, as `uninstall kafka`) or with --service; both must agree. */
export function serviceOf(argument: string | undefined, flag: string | undefined): string | undefined {
  if (argument !== undefined && flag !== undefined && argument.replace(/^\/+/, '') !== flag.replace(/^\/+/, '')) {
    throw new UsageError(`The service is named twice, as '${argument}' and as --service ${flag}: name it once.`);
  }
  return argument ?? flag;
}

/** Every --json document carries it (docs/json/): raised when a key changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** R: the command's --json result (src/render/results.ts), without the envelope. */
export abstract class JanitorCommand<R extends object = Record<string, unknown>> extends Command {
  static baseFlags = {
    json: Flags.boolean({
      description: 'Print one machine-readable JSON result on stdout (progress stays on stderr).',
      default: false,
    }),
    'service-account': Flags.string({
      description: 'Log in as this DC/OS service account (CI), with --private-key. Config key janitor.service_account.',
      env: 'DCOS_JANITOR_SERVICE_ACCOUNT',
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    'private-key': Flags.string({
      description: "The service account's private key (PEM, mode 0600). Config key janitor.private_key.",
      env: 'DCOS_JANITOR_PRIVATE_KEY',
      dependsOn: ['service-account'],
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    // janitor.py's own flags (-m/--master_url, -n/--marathon_url, -e/--exhibitor_url) are aliases:
    // they name the same services, and its URL forms (.../master/, .../v2/apps/) are accepted as they are.
    'mesos-url': Flags.string({
      char: 'm',
      aliases: ['master_url'],
      description:
        "The leading Mesos master's own address instead of Admin Router's /mesos, e.g. http://leader.mesos:5050 (janitor.py: -m/--master_url). Env DCOS_JANITOR_MESOS_URL, config janitor.mesos_url.",
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    'marathon-url': Flags.string({
      char: 'n',
      aliases: ['marathon_url'],
      description:
        "Marathon's own address instead of /service/marathon, e.g. http://marathon.mesos:8080 (janitor.py: -n/--marathon_url). Env DCOS_JANITOR_MARATHON_URL, config janitor.marathon_url.",
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    'exhibitor-url': Flags.string({
      char: 'e',
      aliases: ['exhibitor_url'],
      description:
        "Exhibitor's own address, not Admin Router's /exhibitor: e.g. http://leader.mesos:8181 (janitor.py: -e/--exhibitor_url). Env DCOS_JANITOR_EXHIBITOR_URL, config janitor.exhibitor_url.",
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    'cosmos-url': Flags.string({
      description:
        "Cosmos' own address instead of Admin Router's /package. Env DCOS_JANITOR_COSMOS_URL, config janitor.cosmos_url.",
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
    // janitor.py's -a/--auth_token: refused with what to do instead (never echoed), not taken.
    auth_token: Flags.string({
      char: 'a',
      hidden: true,
      description: "janitor.py's token flag: not taken; use DCOS_ACS_TOKEN.",
    }),
    internal: Flags.boolean({
      // Shown once, in 'dcos janitor --help' (CONNECTION FLAGS), not in every command's help.
      description:
        'Inside the cluster (a task, a master): Mesos, Marathon and Exhibitor at leader.mesos:5050, marathon.mesos:8080 and leader.mesos:8181 (as janitor.py), ' +
        'schedulers at their Marathon task; no cluster URL needed. The token, if any, goes only to the addresses named. Env DCOS_JANITOR_INTERNAL=1.',
      default: false,
      helpGroup: 'CONNECTION',
      hidden: true,
    }),
  };

  private jsonMode = false;
  /** --wide: lines are not fitted to the terminal. */
  private wideMode = false;
  private serviceAccount?: ServiceAccount;
  private endpointFlags: { urls: Partial<Record<(typeof UPSTREAMS)[number], string>>; internal: boolean } = {
    urls: {},
    internal: false,
  };
  /** The cluster connection of this run, once made: it knows whether a change was sent. */
  private http?: ClusterHttp;
  private clients?: ClusterClients;
  /** --remove-self: delete our own Marathon app when the run is over (finally). */
  private removeSelf = false;
  private jsonSoFar: Partial<R> = {};
  private liveProgress?: StderrProgress;
  /** Which cluster this run talks to (its URL, or the Mesos address inside it): what a cache is keyed by. */
  protected clusterIdentity = '';
  private jsonPrinted = false;
  /** The cluster's URL as configured (no user info), for the history and saved plans. */
  protected clusterUrl = '';
  /** Admin Router's CLUSTER_ID, once a command has read it (apply, --out). */
  protected clusterId: string | null = null;
  /** This run's history (docs/history.md): its record is opened by the first request that may change the cluster. */
  private history?: RunHistory;
  /** The exit code the run ends with, as far as it is known (the history's end line). */
  private finalExitCode?: number;
  /** Set while our own app is being deleted: Marathon's SIGTERM to this task is then expected, not an interruption. */
  private removingSelf = false;

  /**
   * Ctrl-C or SIGTERM: one line that says what state the cluster may be in, then exit 130
   * at once (requests in flight are abandoned; every command is safe to run again).
   */
  override async init(): Promise<void> {
    await super.init();
    // A command run inside a test's process leaves the process's signals alone.
    if (!commandContext().ownsProcess) return;
    // `on`, not `once`: a second Ctrl-C while exiting must not fall back to the default
    // action (killed by the signal, no exit code, no message).
    let interrupted = false;
    const onSignal = () => {
      // Our own app was just deleted (--remove-self): the kill is ours, and the run's result is already out.
      if (this.removingSelf) process.exit(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK);
      if (interrupted) return;
      interrupted = true;
      process.stderr.write(`\n${this.fitTo(process.stderr, this.interruptedMessage())}\n`);
      // A CI timeout's SIGTERM: the job still gets its document, with what was done so far.
      if (this.jsonMode)
        this.printResult({}, ExitCode.INTERRUPTED, {
          kind: 'interrupted',
          message: this.interruptedMessage(),
          exitCode: ExitCode.INTERRUPTED,
        });
      this.endHistory(ExitCode.INTERRUPTED);
      process.exit(ExitCode.INTERRUPTED);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  private abortedMessage(why: string): string {
    return this.http?.changesSent
      ? `Aborted (${why}): nothing more was changed; what was done before stays, run the command again to finish.`
      : `Aborted (${why}): nothing was changed.`;
  }

  private interruptedMessage(where = ''): string {
    return this.http?.changesSent
      ? `Interrupted${where}: the cluster may be partly cleaned; run the same command again to finish.`
      : `Interrupted${where}: nothing was changed.`;
  }

  /** The streams this command writes to (the process's, or a test's). */
  protected io(): IO {
    return commandContext().io;
  }

  /** How to fit tables and prose to this command's stdout (a terminal's width and screenful, or a pipe's none). */
  protected view(wide = false): ViewOptions {
    return viewOptions(wide, this.io().stdout);
  }

  /** The width prose is wrapped to on this command's stdout (unlimited in a pipe). */
  protected outputWidth(): number {
    return terminalWidth(this.io().stdout);
  }

  protected prompter(): Prompter {
    return commandContext().prompter;
  }

  protected verbosity(): number {
    const level = Number(commandContext().env.DCOS_VERBOSITY ?? 0);
    return Number.isFinite(level) ? level : 0;
  }

  /**
   * The cluster, as the DC/OS CLI config says, with the services the run names at their own
   * addresses (endpoints.ts); logged in first when a service account is given.
   */
  protected async clusterClients(): Promise<ClusterClients> {
    const session = await openSession({
      env: commandContext().env,
      onChange: (event) => this.runHistory().change(event),
      endpointUrls: this.endpointFlags.urls,
      internal: this.endpointFlags.internal,
      serviceAccount: this.serviceAccount,
      version: this.config.version,
      log: this.verbosity() > 0 ? (line) => this.logToStderr(line) : undefined,
    });
    this.http = session.clients.http;
    this.clusterIdentity = session.identity;
    this.clusterUrl = session.url ?? session.identity;
    this.clients = session.clients;
    return this.clients;
  }

  /**
   * --print-job / --print-app: the job or app that runs this same run inside the cluster,
   * printed as JSON on stdout; true when printed (the run stops there, nothing was sent).
   */
  protected printInClusterRun(flags: InClusterFlagValues, positional: string[], subject: string | undefined): boolean {
    const definitions = {
      ...JanitorCommand.baseFlags,
      ...((this.constructor as { flags?: Record<string, FlagDefinition> }).flags ?? {}),
    } as Record<string, FlagDefinition>;
    const document = inClusterRunDocument(flags, positional, subject, {
      command: (this.id ?? '').split(':').slice(1).join(' '),
      version: this.config.version,
      definitions,
    });
    if (document === undefined) return false;
    this.printJson(document);
    return true;
  }

  /**
   * --remove-self, once the run is over whatever its outcome: the app that ran it is deleted,
   * so that Marathon does not run it again (janitor.py did this on success only, and looped
   * on failure). The result is already printed; the exit code stays the run's.
   */
  override async finally(error: Error | undefined): Promise<void> {
    await super.finally(error);
    try {
      await this.removeOwnApp();
    } finally {
      this.endHistory(this.finalExitCode ?? (error && !(error instanceof Errors.ExitError) ? ExitCode.INTERNAL : 0));
      // Nothing kept open once the command is over: the process ends by itself.
      this.http?.close();
    }
  }

  private async removeOwnApp(): Promise<void> {
    if (!this.removeSelf) return;
    const appId = commandContext().env.MARATHON_APP_ID;
    const stderr = this.io().stderr;
    if (!appId) {
      stderr.write(
        'Warning: --remove-self: MARATHON_APP_ID is not set (this is not a Marathon app), so there is nothing to remove.\n',
      );
      return;
    }
    try {
      const { marathon } = this.clients ?? (await this.clusterClients());
      // Said first: Marathon may stop this task before the answer to the delete is read.
      stderr.write(`Removing this run's own Marathon app ${appId}, so that it does not run again...\n`);
      this.removingSelf = true;
      const deleted = await marathon.deleteApp(appId);
      stderr.write(
        deleted
          ? `Removed this run's own Marathon app ${appId} (deployment ${deleted.deploymentId}), so that it does not run again; Marathon now stops this task.\n`
          : `This run's own Marathon app ${appId} is already gone.\n`,
      );
    } catch (removal) {
      this.removingSelf = false;
      const reason = removal instanceof Error ? removal.message : String(removal);
      stderr.write(
        `Warning: could not remove this run's own Marathon app ${appId}: ${reason} Remove it with 'dcos marathon app remove ${appId}'.\n`,
      );
    }
  }

  protected cleanupOptions(concurrency: number, conflictRetries: number): CleanupOptions {
    // A 409 is retried after a few backoffs: long enough for a killed task to release its resources.
    return {
      concurrency,
      conflictRetries,
      conflictDelayMs:
        envNumber(commandContext().env, 'DCOS_JANITOR_RETRY_BACKOFF_MS', DEFAULT_HTTP_OPTIONS.backoffMs) * 4,
    };
  }

  /** Names set with `dcos config set janitor.system_frameworks a,b` (the CLI passes DCOS_JANITOR_SYSTEM_FRAMEWORKS). */
  protected extraSystemFrameworks(): string[] {
    return (commandContext().env.DCOS_JANITOR_SYSTEM_FRAMEWORKS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  }

  /** Progress on stderr: live status in a terminal, plain lines elsewhere, no live status with --json. */
  protected progress(): Progress {
    this.liveProgress = new StderrProgress({ live: !this.jsonMode, stream: this.io().stderr });
    return this.liveProgress;
  }

  /** Writes or asks with the live progress line out of the way (cleared first, redrawn after). */
  protected async withoutLiveLine<T>(work: () => T | Promise<T>): Promise<T> {
    this.liveProgress?.hold();
    try {
      return await work();
    } finally {
      this.liveProgress?.release();
    }
  }

  /** Take the shared flags: JSON mode (errors are reported as JSON too), the service-account login, the endpoints. */
  protected configure(flags: {
    json: boolean;
    wide?: boolean;
    'service-account'?: string;
    'private-key'?: string;
    'mesos-url'?: string;
    'marathon-url'?: string;
    'exhibitor-url'?: string;
    'cosmos-url'?: string;
    internal?: boolean;
    'remove-self'?: boolean;
    auth_token?: string;
  }): void {
    if (flags.auth_token !== undefined) {
      throw new UsageError(
        "janitor.py's -a/--auth_token is not taken: a token on the command line shows in 'ps', in a Marathon app and in its Mesos task. Set DCOS_ACS_TOKEN instead, or log in with --service-account and --private-key.",
      );
    }
    this.removeSelf = flags['remove-self'] === true;
    this.endpointFlags = {
      urls: {
        mesos: flags['mesos-url'],
        marathon: flags['marathon-url'],
        exhibitor: flags['exhibitor-url'],
        cosmos: flags['cosmos-url'],
      },
      internal: flags.internal === true,
    };
    this.jsonMode = flags.json;
    this.wideMode = flags.wide === true;
    if (flags['service-account'] && !flags['private-key'] && !commandContext().env[PRIVATE_KEY_ENV]) {
      throw new UsageError(
        `--service-account needs --private-key FILE (or the key in ${PRIVATE_KEY_ENV}, as a secret of a job or app).`,
      );
    }
    if (flags['service-account'])
      this.serviceAccount = { uid: flags['service-account'], privateKeyPath: flags['private-key'] };
  }

  protected printJson(result: unknown): void {
    const stdout = this.io().stdout;
    writeJson(result, (text) => stdout.write(text));
  }

  /** "cleanup", "plan show": the command as the operator types it after `dcos janitor`. */
  protected commandName(): string {
    return (this.id ?? '').split(':').slice(1).join(' ');
  }

  /**
   * The command's --json result with nothing known yet: every key it ever has (docs/json/), so
   * that a usage error, a failure part-way or an interruption prints a document of the same
   * shape as a success.
   */
  protected emptyResult(): R {
    return {} as R;
  }

  /** What the run has found and done so far: what an error or an interruption prints with it. */
  protected resultSoFar(result: Partial<R>): void {
    this.jsonSoFar = { ...this.jsonSoFar, ...result };
  }

  /** The one --json document of the run: schemaVersion and command first, every key present, `error` null. */
  protected printResult(result: Partial<R>, exitCode: number, error: ResultError | null = null): void {
    this.finalExitCode = exitCode;
    if (this.jsonPrinted) return;
    this.jsonPrinted = true;
    this.printJson({
      schemaVersion: SCHEMA_VERSION,
      command: this.commandName(),
      ...this.emptyResult(),
      ...this.jsonSoFar,
      ...result,
      exitCode,
      error,
    });
  }

  /**
   * Destructive runs: --yes skips the question; without it a terminal is asked
   * and anything else (CI, a pipe) is an error, never a prompt that hangs.
   */
  protected async confirm(question: string, what: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!this.interactive()) throw new ConfirmationRequiredError(what);
    const answer = await this.withoutLiveLine(() => this.prompter().confirm(this.fitQuestion(question, 'Go ahead?')));
    if (!answer) throw new AbortedError(this.abortedMessage('the confirmation was declined'));
  }

  /** The stronger confirmation: the operator types a name. --yes still skips it (CI). */
  protected async confirmByTyping(question: string, expected: string, what: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!this.interactive()) throw new ConfirmationRequiredError(what);
    const typeIt = `Type ${expected} to confirm:`;
    const body = question.endsWith(typeIt) ? question.slice(0, -typeIt.length).trim() : question;
    const answer = await this.withoutLiveLine(() =>
      this.prompter().input(this.fitQuestion(`${body} ${typeIt}`, typeIt)),
    );
    // The forms the command line takes: `kafka` and `/kafka` name the same service.
    const same = (a: string, b: string) =>
      a
        .split(',')
        .map((name) => name.trim().replace(/^\/+/, ''))
        .join(',') ===
      b
        .split(',')
        .map((name) => name.trim().replace(/^\/+/, ''))
        .join(',');
    if (!same(answer.trim(), expected))
      throw new AbortedError(
        this.abortedMessage(`the confirmation did not match: typed '${answer.trim()}', expected '${expected}'`),
      );
  }

  /**
   * A question longer than the terminal is said first, wrapped, and the prompt keeps only
   * its short last part: a prompt line is never wider than the screen.
   */
  private fitQuestion(question: string, short: string): string {
    const stderr = this.io().stderr;
    const width = terminalWidth(stderr);
    if (question.length + 12 <= width) return question;
    const body = question.endsWith(short) ? question.slice(0, -short.length).trim() : question;
    stderr.write(`${wrap(body, width, '  ')}\n`);
    return short;
  }

  protected interactive(): boolean {
    return this.io().stdin.isTTY === true;
  }

  protected setExitCode(code: ExitCodeValue): void {
    this.finalExitCode = code;
    commandContext().setExitCode(code);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    if (error instanceof Errors.CLIError && !(error instanceof JanitorError)) {
      // oclif's parse errors (unknown flag, missing argument, bad value): one error in our
      // style and a pointer to the help, not the whole help scrolling the error away.
      this.reportError(
        'usage',
        `${usageMessage(error, this.flagNames(), this.publicName())} See '${this.publicName()} --help'.`,
        ExitCode.USAGE,
      );
      return this.exit(ExitCode.USAGE);
    }
    if (error instanceof Error && error.name === 'ExitPromptError') {
      // Ctrl-C at a prompt (inquirer reads it as a key, not as a signal).
      this.reportError('interrupted', this.interruptedMessage(' at the prompt'), ExitCode.INTERRUPTED);
      return this.exit(ExitCode.INTERRUPTED);
    }
    if (error instanceof AbortedError) {
      // The operator said no: an answer, not an error; said plainly, exit 8.
      this.logToStderr(error.message);
      this.finalExitCode = error.exitCode;
      if (this.jsonMode)
        this.printResult({}, error.exitCode, { kind: error.kind, message: error.message, exitCode: error.exitCode });
      return this.exit(error.exitCode);
    }
    if (error instanceof JanitorError) {
      this.reportError(
        error.kind,
        error.message,
        error.exitCode,
        error instanceof NothingFoundError ? { suggestions: error.suggestions } : {},
      );
      return this.exit(error.exitCode);
    }
    if (this.verbosity() >= 2 && error instanceof Error && error.stack) this.logToStderr(error.stack);
    this.reportError('internal', describeUnknownError(error), ExitCode.INTERNAL);
    return this.exit(ExitCode.INTERNAL);
  }

  /**
   * --out: the dry run's plan saved for review and `dcos janitor apply` (docs/plan-files.md), with the
   * cluster's URL and Admin Router's id for it, and never a token.
   */
  protected async savePlan(file: string, steps: PlannedStep[]): Promise<void> {
    await this.readClusterId(this.clients ?? (await this.clusterClients()));
    writePlanFile(
      file,
      savedPlanOf(steps, {
        clusterUrl: this.clusterUrl,
        clusterId: this.clusterId,
        toolVersion: this.config.version,
        command: this.commandName(),
        argv: this.commandLine(),
      }),
    );
    const operations = steps.reduce((sum, step) => sum + step.operations.length, 0);
    this.resultSoFar({ savedPlan: path.resolve(file) } as unknown as Partial<R>);
    if (!this.jsonMode)
      this.log(
        `Plan saved to ${file} (${plural(steps.length, 'step')}, ${plural(operations, 'operation')}). Apply exactly this plan with: dcos janitor apply ${shellWord(file)}`,
      );
  }

  /** The clients an uninstall needs too: Cosmos and the SDK schedulers. */
  protected uninstallClients(clients: ClusterClients): ClusterClients & UninstallClients {
    return {
      ...clients,
      cosmos: new CosmosClient(clients.http),
      sdk: new SdkSchedulerClient(clients.http, clients.marathon),
    };
  }

  /** `dcos janitor cleanup --service kafka ...` as typed, without any secret (history, saved plans). */
  private commandLine(): string[] {
    return ['dcos', 'janitor', ...this.commandName().split(' ').filter(Boolean), ...redactArgv(this.argv)];
  }

  /**
   * What a saved plan's steps are observed with (domain/saved-plan.ts): the system frameworks, and
   * the DC/OS version (it chooses an uninstall's route), read at most once a run.
   */
  protected observeContext(clients: ClusterClients): ObserveContext {
    let version: Promise<string | undefined> | undefined;
    return {
      extraSystemNames: this.extraSystemFrameworks(),
      dcosVersion: () => (version ??= new DcosMetadataClient(clients.http).version().catch(() => undefined)),
    };
  }

  /** Admin Router's CLUSTER_ID, read once for this run (apply, --out); null where there is none. */
  protected async readClusterId(clients: ClusterClients): Promise<string | null> {
    this.clusterId = (await readClusterId(clients.http)) ?? null;
    return this.clusterId;
  }

  /** --out is a dry run's: refused on a run that would change the cluster. */
  protected checkOut(out: string | undefined, dryRun: boolean, needs = '--dry-run'): void {
    if (out !== undefined && !dryRun)
      throw new UsageError(
        `--out saves the plan of a dry run: add ${needs}, have the plan reviewed, then run dcos janitor apply ${shellWord(out)}.`,
      );
  }

  private runHistory(): RunHistory {
    return (this.history ??= new RunHistory(
      commandContext().env,
      (message) => this.io().stderr.write(`${message}\n`),
      () => ({
        command: this.commandName(),
        argv: this.commandLine(),
        toolVersion: this.config.version,
        cluster: { url: this.clusterUrl || null, id: this.clusterId },
        plan: { ...this.emptyResult(), ...this.jsonSoFar },
      }),
    ));
  }

  /** The end of the record: the exit code and the result as the run knows it (what --json prints). */
  private endHistory(exitCode: number): void {
    this.history?.end(exitCode, {
      schemaVersion: SCHEMA_VERSION,
      command: this.commandName(),
      ...this.emptyResult(),
      ...this.jsonSoFar,
      exitCode,
    });
  }

  /**
   * A plan whose name matches nothing on the cluster: the error (exit 12, with did-you-mean),
   * or with --ignore-not-found a success said as such. Returns true when the run is over.
   */
  protected async nothingOfThatName(
    clients: Pick<ClusterClients, 'marathon' | 'exhibitor'>,
    plan: CleanupPlan,
    flags: { json: boolean; 'ignore-not-found': boolean },
    jsonResult: (message: string) => Record<string, unknown>,
  ): Promise<boolean> {
    const inexact = inexactNames(plan);
    if (!inexact && tracesOf(plan).length > 0) return false;
    const notFound = inexact ?? (await nothingFound(clients, plan));
    if (!flags['ignore-not-found']) throw notFound;
    const message = `Nothing of ${describeTarget(plan)} is on the cluster; nothing to do (--ignore-not-found).`;
    if (flags.json)
      this.printResult({ ...jsonResult(message), notFound: true, message } as unknown as Partial<R>, ExitCode.OK);
    else this.log(message);
    return true;
  }

  /** In a terminal, lines longer than it are wrapped (tables are fitted before); in a pipe, left whole. */
  override log(message = '', ...args: unknown[]): void {
    const stdout = this.io().stdout;
    this.liveProgress?.hold();
    stdout.write(`${this.fitTo(stdout, [message, ...args].join(' '))}\n`);
    this.liveProgress?.release();
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    const stderr = this.io().stderr;
    this.liveProgress?.hold();
    stderr.write(`${this.fitTo(stderr, [message, ...args].join(' '))}\n`);
    this.liveProgress?.release();
  }

  private fitTo(stream: OutputStream, message: string): string {
    if (!stream.isTTY || this.wideMode || this.jsonMode) return message;
    return wrap(message, terminalWidth(stream), '  ');
  }

  /** "dcos janitor plan show", as the operator types it. */
  protected publicName(): string {
    return `dcos ${(this.id ?? 'janitor').split(':').join(' ')}`;
  }

  private flagNames(): string[] {
    const flags = (this.constructor as { flags?: Record<string, unknown> }).flags ?? {};
    return [...Object.keys(flags), ...Object.keys(JanitorCommand.baseFlags), 'help'].map((name) => `--${name}`);
  }

  private reportError(kind: string, message: string, exitCode: number, extra: Record<string, unknown> = {}): void {
    this.finalExitCode = exitCode;
    this.resultSoFar({ error: { kind, message, exitCode } } as unknown as Partial<R>);
    // One line in a pipe or a log (grep-able); wrapped to the width in a terminal.
    this.logToStderr(`Error: ${message}`);
    // With --json, the document a success would print, with what is known so far, and the error.
    if (this.jsonMode || this.argv.includes('--json'))
      this.printResult({}, exitCode, { kind, message, exitCode, ...extra });
  }
}

/**
 * oclif's parse error as one sentence in the words of dcos, kubectl and gh: "unknown flag
 * '--x' for 'dcos janitor cleanup'", with the closest flag; never oclif's "Nonexistent flag"
 * or "The following error occurred".
 */
function usageMessage(
  error: Error & { flags?: string[]; args?: string[] },
  flagNames: string[],
  command: string,
): string {
  const unknown = error.flags?.[0];
  if (unknown) {
    const close = closestNames(unknown.replace(/=.*$/, ''), flagNames)[0];
    return `unknown flag '${unknown}' for '${command}'.${close ? ` Did you mean --${close.replace(/^-+/, '')}?` : ''}`;
  }
  const [head, ...details] = error.message
    .split('\n')
    .filter((line) => !/See more help with --help/i.test(line))
    // eslint-disable-next-line no-control-regex
    .map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  if (/^The following errors? occurred:?$/i.test(head ?? '')) return `${details.join('; ').replace(/\.$/, '')}.`;
  if (/^Unexpected arguments?:/i.test(head ?? '') && error.args?.length)
    return `unexpected argument '${error.args[0]}' for '${command}'.`;
  // "service  Service name, e.g. kafka" (oclif's two-column detail) -> "service (Service name, e.g. kafka)"
  const detail = details.map((line) => line.replace(/^(\S+)\s{2,}(.+?)\.?$/, '$1 ($2)')).join(', ');
  const text = detail ? `${head.replace(/:$/, '')}: ${detail}` : head;
  return `${text.replace(/\.$/, '')}.`;
}
