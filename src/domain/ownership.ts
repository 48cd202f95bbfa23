import { MarathonApp } from '../clients/marathon-schemas';
import { FrameworksResponse, MesosFramework } from '../clients/mesos-schemas';
import { RefusedError } from '../errors';
import { plural } from '../text';

/**
 * Whose is it, and does it still live? One answer for every command (teardown, cleanup,
 * uninstall, audit, completion), so that no command acts on a guess another one would
 * have shown as a guess. The rules, and why (docs/ownership.md):
 *
 * - A framework is a service's by its name (the SDK registers the service name as the
 *   framework name); the same role and principal is NOT sameness: DC/OS 2.x group roles
 *   and shared service accounts put several services in one role and principal.
 * - An app belongs to the framework it launches NOW: of the registered frameworks of its
 *   name, the connected one, else the one that registered last. A re-installed service
 *   leaves its old incarnations in Mesos (inactive for days, or completed); acting on one
 *   of them never touches the app of the newest.
 * - Alive: a connected scheduler, a task that is not terminal, or a Marathon app that
 *   would relaunch the scheduler. Only what is not alive may be destroyed.
 * - Times Mesos does not know are unknown: Mesos 1.0 reports a deactivated framework with
 *   `unregistered_time: 0`, which is not 1970.
 */

/** Task states after which a task holds nothing (Mesos' TaskState, mesos.proto). */
const TERMINAL_TASK_STATES = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Tasks that still run or may (staging, starting, running, killing, unreachable): anything not terminal. */
export function activeTaskCount(framework: MesosFramework): number {
  return (framework.tasks ?? []).filter((task) => !TERMINAL_TASK_STATES.has(task.state)).length;
}

/** `connected` exists from Mesos 1.2; before it, an active framework is a connected one. */
export function isConnected(framework: MesosFramework): boolean {
  return framework.connected ?? framework.active;
}

/** Seconds; Mesos writes `reregistered_time` only after a re-registration. */
export function lastRegisteredTime(framework: MesosFramework): number | undefined {
  const times = [framework.reregistered_time, framework.registered_time].filter(
    (time): time is number => typeof time === 'number' && time > 0,
  );
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** When the scheduler went away, in seconds; undefined when Mesos does not say (0 on Mesos 1.0, or absent). */
export function unregisteredTime(framework: MesosFramework): number | undefined {
  const time = framework.unregistered_time;
  return typeof time === 'number' && time > 0 ? time : undefined;
}

export function stripSlash(name: string): string {
  return name.replace(/^\/+/, '');
}

export function sameName(a: string, b: string): boolean {
  return stripSlash(a) === stripSlash(b);
}

/** Frameworks every DC/OS cluster runs; tearing one down, or cleaning after it, breaks the cluster. */
export const SYSTEM_FRAMEWORK_NAMES = ['marathon', 'metronome'];

/**
 * DC/OS' own frameworks: marathon and metronome by name, any framework of a DC/OS
 * component account (`dcos_<component>` principals), and the names an operator added
 * (`dcos config set janitor.system_frameworks a,b`).
 */
export function isSystemFramework(framework: MesosFramework, extraNames: string[]): boolean {
  return isSystemServiceName(framework.name, extraNames) || (framework.principal ?? '').startsWith('dcos_');
}

/** A service name that is one of DC/OS' own frameworks (`marathon`, `/metronome`, or a configured one). */
export function isSystemServiceName(name: string, extraNames: string[]): boolean {
  const bare = stripSlash(name).toLowerCase();
  return SYSTEM_FRAMEWORK_NAMES.includes(bare) || extraNames.some((extra) => stripSlash(extra).toLowerCase() === bare);
}

/**
 * The app whose scheduler would register a framework of this name: by app id, or by the
 * package labels Cosmos and the SDK set (DCOS_PACKAGE_FRAMEWORK_NAME, DCOS_SERVICE_NAME).
 * The app id first: two apps may carry the same framework-name label (a hand-made copy), one id cannot.
 */
export function appNamed(frameworkName: string, apps: MarathonApp[]): MarathonApp | undefined {
  const bare = stripSlash(frameworkName);
  return (
    apps.find((app) => stripSlash(app.id) === bare) ??
    apps.find((app) => stripSlash(app.labels?.DCOS_PACKAGE_FRAMEWORK_NAME ?? '') === bare) ??
    apps.find((app) => stripSlash(app.labels?.DCOS_SERVICE_NAME ?? '') === bare)
  );
}

export interface Liveness {
  alive: boolean;
  /** Each piece of evidence that it lives, in words ("its scheduler is connected", "3 tasks running"). */
  reasons: string[];
}

/** Frameworks and apps read once, and every ownership and liveness question answered from them. */
export class Ownership {
  readonly registered: MesosFramework[];
  readonly completed: MesosFramework[];
  private readonly completedIds: Set<string>;

  constructor(
    frameworks: FrameworksResponse,
    /** Marathon's apps; undefined when the command did not read them (no app is then known to relaunch anything). */
    readonly apps: MarathonApp[] | undefined,
    readonly extraSystemNames: string[] = [],
  ) {
    this.registered = frameworks.frameworks;
    this.completed = frameworks.completed_frameworks ?? [];
    this.completedIds = new Set(this.completed.map((framework) => framework.id));
  }

  isCompleted(framework: MesosFramework): boolean {
    return this.completedIds.has(framework.id) && !this.registered.some((candidate) => candidate.id === framework.id);
  }

  findById(id: string): MesosFramework | undefined {
    return (
      this.registered.find((framework) => framework.id === id) ??
      this.completed.find((framework) => framework.id === id)
    );
  }

  /**
   * Every incarnation of a service name Mesos still lists, registered ones newest first, then
   * completed ones newest first.
   */
  incarnations(serviceName: string): { registered: MesosFramework[]; completed: MesosFramework[] } {
    const ofName = (framework: MesosFramework) => sameName(framework.name, serviceName);
    return {
      registered: newestFirst(this.registered.filter(ofName)),
      completed: newestFirst(this.completed.filter(ofName)),
    };
  }

  /**
   * The framework an app's scheduler is now: of the registered frameworks of its name, the
   * connected one, else the one registered last. None when none of its name is registered.
   */
  launchedBy(app: MarathonApp): MesosFramework | undefined {
    const apps = this.apps ?? [app];
    const ofApp = this.registered.filter((framework) => appNamed(framework.name, apps)?.id === app.id);
    return newestFirst(ofApp).sort((a, b) => Number(isConnected(b)) - Number(isConnected(a)))[0];
  }

  /**
   * The app that would relaunch this framework's scheduler, or undefined. A registered
   * framework: only if the app launches it now. A completed one: only if nothing of the
   * app's name is registered and it is the newest completed incarnation (its scheduler,
   * relaunched, crash-loops on "Framework has been removed").
   */
  relaunchingApp(framework: MesosFramework): MarathonApp | undefined {
    if (!this.apps) return undefined;
    const app = appNamed(framework.name, this.apps);
    if (!app) return undefined;
    if (!this.isCompleted(framework)) return this.launchedBy(app)?.id === framework.id ? app : undefined;
    if (this.launchedBy(app)) return undefined;
    const newest = newestFirst(this.completed.filter((candidate) => appNamed(candidate.name, [app]) !== undefined))[0];
    return newest?.id === framework.id ? app : undefined;
  }

  /**
   * Alive: a connected scheduler, a task that is not terminal, or an app that would relaunch it. A
   * completed framework is not.
   */
  liveness(framework: MesosFramework): Liveness {
    if (this.isCompleted(framework)) return { alive: false, reasons: [] };
    const reasons: string[] = [];
    if (isConnected(framework)) reasons.push('its scheduler is connected');
    const tasks = activeTaskCount(framework);
    if (tasks > 0) reasons.push(`${plural(tasks, 'task')} running`);
    const app = this.relaunchingApp(framework);
    if (app) reasons.push(`Marathon app ${app.id} would relaunch its scheduler`);
    return { alive: reasons.length > 0, reasons };
  }

  isSystem(framework: MesosFramework): boolean {
    return isSystemFramework(framework, this.extraSystemNames);
  }

  /**
   * Registered frameworks of another name that subscribe to this role with this principal
   * and live: with one of them present, a reservation without a framework_id label in that
   * role and principal cannot be told apart from theirs.
   */
  liveClaimants(role: string, principal: string, notNamed: string[]): MesosFramework[] {
    return this.registered.filter(
      (framework) =>
        !notNamed.some((name) => sameName(name, framework.name)) &&
        framework.principal === principal &&
        frameworkRoles(framework).includes(role) &&
        this.liveness(framework).alive,
    );
  }
}

export function frameworkRoles(framework: MesosFramework): string[] {
  return framework.roles ?? (framework.role ? [framework.role] : []);
}

/** Newest (re)registration first; those with no time last, in Mesos' order. */
function newestFirst(frameworks: MesosFramework[]): MesosFramework[] {
  return frameworks
    .map((framework, index) => ({ framework, index, time: lastRegisteredTime(framework) ?? -1 }))
    .sort((a, b) => b.time - a.time || b.index - a.index)
    .map(({ framework }) => framework);
}

/**
 * Why a registered framework looks orphaned: its scheduler is gone (inactive, or active but
 * disconnected) and no Marathon app would relaunch it. Empty: it does not. The one rule of
 * `teardown`'s list and `audit`: a connected framework is never an orphan (an idle Spark
 * driver launched by hand has no app and no task, and lives), and a scheduler that is down
 * while its app is there is a scheduler down, not an orphan (Marathon relaunches it).
 */
export function orphanReasons(framework: MesosFramework, ownership: Ownership): string[] {
  if (ownership.isCompleted(framework) || ownership.isSystem(framework) || isConnected(framework)) return [];
  if (ownership.relaunchingApp(framework)) return [];
  return [framework.active ? 'disconnected' : 'inactive', 'no Marathon app launches it'];
}

/**
 * DC/OS' own frameworks are refused by every command (`uninstall marathon` would tear down
 * the cluster's Marathon): by the service name asked for, and by the frameworks found.
 */
export function refuseSystemTarget(
  serviceName: string | undefined,
  frameworks: Array<{ name: string; principal?: string }>,
  extraNames: string[],
): void {
  const system = frameworks.find(
    (framework) => isSystemServiceName(framework.name, extraNames) || (framework.principal ?? '').startsWith('dcos_'),
  );
  const named = serviceName !== undefined && isSystemServiceName(serviceName, extraNames) ? serviceName : system?.name;
  if (named === undefined) return;
  throw new RefusedError(
    `Refusing to act on ${named}: it is one of DC/OS' own frameworks (marathon, metronome, dcos_* principals, janitor.system_frameworks), which the cluster needs. Check the service name with 'dcos service'.`,
  );
}
