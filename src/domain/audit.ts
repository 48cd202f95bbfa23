import { CosmosClient } from '../clients/cosmos';
import { MarathonApp } from '../clients/marathon-schemas';
import { FrameworksResponse, MesosFramework, MesosResource, SlavesResponse } from '../clients/mesos-schemas';
import { SdkSchedulerClient } from '../clients/sdk-scheduler';
import { JanitorError, ServiceNotFoundError } from '../errors';
import { heldResources, plural } from '../text';
import { CleanupClients } from './cleanup';
import { frameworkRoles } from './selection';
import { mapWithConcurrency } from './concurrency';
import { deriveServiceNames, serviceNameFromZkNode } from './naming';
import { isPersistentVolume, reservationIdentity, reservationOf } from './resources';
import { findStuckSteps } from './stuck-steps';
import { JanitorAction, actionArgv, actionCommand } from './actions';
import {
  Ownership,
  activeTaskCount,
  appNamed,
  isConnected,
  lastRegisteredTime,
  orphanReasons,
  unregisteredTime,
} from './ownership';

/**
 * `dcos janitor audit`: one read of the cluster, and every leftover no live service
 * owns, grouped by the service it most likely belonged to, each with its evidence and
 * the `dcos janitor` command that removes it. A false finding is worse than a missed
 * one (`--fix` acts on it), so whatever a live framework could still be using is never
 * one: reservations of a registered framework's role and principal, reservations in
 * use by a task, static and Marathon resident reservations, DC/OS' own frameworks.
 */

export type FindingKind =
  | 'orphaned-reservations'
  | 'completed-framework-reservations'
  | 'orphaned-framework'
  | 'crash-looping-scheduler'
  | 'stale-znode'
  | 'zombie-scheduler'
  | 'stuck-uninstall'
  | 'scheduler-down'
  | 'plan-unreadable'
  | 'unregistered-agent';

export const FINDING_KINDS: FindingKind[] = [
  'orphaned-reservations',
  'completed-framework-reservations',
  'orphaned-framework',
  'crash-looping-scheduler',
  'stale-znode',
  'zombie-scheduler',
  'stuck-uninstall',
  'scheduler-down',
  'plan-unreadable',
  'unregistered-agent',
];

/**
 * How sure the owner is: `certain` from a framework id or an app; `likely` from the naming rules;
 * `guess` otherwise.
 */
export type OwnerCertainty = 'certain' | 'likely' | 'guess';

export interface Fix {
  argv: string[];
  command: string;
}

export interface Finding {
  kind: FindingKind;
  /** The service it most likely belonged to (`/data/kafka`); a role:principal key when none can be named. */
  service: string;
  ownerCertainty: OwnerCertainty;
  /** Why the owner is what it is, in words. */
  ownerReason: string;
  summary: string;
  evidence: Record<string, unknown>;
  /** What removes it, as data; null for notices (what only time, or the operator, can settle). */
  action: JanitorAction | null;
  /** The command line of `action`, derived from it: what the operator is shown and what --fix runs. */
  fix: Fix | null;
  /**
   * Whether `audit --fix` runs it by itself: only when the owner is certain and nothing of
   * it lives. Otherwise the command is printed for the operator to run by hand.
   */
  autoFix: boolean;
  /** Why --fix leaves it to the operator (owner not certain, a task running, age unknown...). */
  manualBecause: string | null;
  /** For notices: what the operator may do (no command is run for them). */
  advice?: string;
}

/** A finding with its action; the command line and whether --fix may run it follow from the data. */
function finding(fields: Omit<Finding, 'fix' | 'autoFix' | 'manualBecause'>, alive: string[] = []): Finding {
  const why: string[] = [];
  if (fields.action && fields.ownerCertainty !== 'certain')
    why.push(`owner ${fields.ownerCertainty}: ${fields.ownerReason}`);
  why.push(...alive);
  return {
    ...fields,
    fix: fields.action ? fixOf(fields.action) : null,
    autoFix: fields.action !== null && why.length === 0,
    manualBecause: fields.action && why.length > 0 ? why.join('; ') : null,
  };
}

export interface AuditClients extends CleanupClients {
  cosmos: CosmosClient;
  sdk: SdkSchedulerClient;
}

export interface AuditOptions {
  /** Frameworks inactive, disconnected or idle for less than this are not findings yet. */
  olderThanMs: number;
  /** Plan reads at once. */
  concurrency: number;
  now: number;
}

export interface ClusterSnapshot {
  slaves: SlavesResponse;
  frameworks: FrameworksResponse;
  apps: MarathonApp[];
  znodes: string[];
  /** Cosmos' installed packages by app id, when Cosmos answered. */
  packages?: Map<string, string>;
  /** The master's clock when it listed the frameworks (ms), when its answer said. */
  serverTime?: number;
  /** Deploy plans of the SDK apps in uninstall mode, by app id. */
  plans: Map<string, { status?: string; stuck: ReturnType<typeof findStuckSteps>; unreadable?: string }>;
}

export interface AuditReport {
  findings: Finding[];
  /** How the cluster was read, for the header. */
  read: { agents: number; frameworks: number; apps: number; znodes: number; plans: number };
}

/** Every endpoint once, concurrently; then one plan read per SDK app in uninstall mode. */
export async function readCluster(
  clients: AuditClients,
  options: Pick<AuditOptions, 'concurrency'>,
): Promise<ClusterSnapshot> {
  const [slaves, { frameworks, serverTime }, apps, znodes, packages] = await Promise.all([
    clients.mesos.getAgents(),
    clients.mesos.readFrameworks(),
    clients.marathon.listAppsWithFailures(),
    clients.exhibitor.listChildren('/'),
    clients.cosmos
      .listPackages()
      .then((list) => new Map(list.map((entry) => [entry.appId, entry.packageInformation.packageDefinition.name])))
      .catch(() => undefined),
  ]);
  const uninstalling = apps.filter((app) => isSdkApp(app) && app.env?.SDK_UNINSTALL !== undefined);
  const plans = new Map<string, { status?: string; stuck: ReturnType<typeof findStuckSteps>; unreadable?: string }>();
  await mapWithConcurrency(uninstalling, options.concurrency, async (app) => {
    const service = serviceNameOfApp(app);
    try {
      const { plan } = await clients.sdk.getPlan(service, 'deploy');
      plans.set(app.id, { status: plan.status, stuck: findStuckSteps(plan, slaves) });
    } catch (error) {
      // One scheduler that cannot be read is a finding of its own; the rest of the cluster is still audited.
      if (!(error instanceof JanitorError)) throw error;
      plans.set(app.id, {
        stuck: [],
        unreadable:
          error instanceof ServiceNotFoundError
            ? 'its scheduler does not answer (Admin Router knows no running scheduler of that name)'
            : error.message,
      });
    }
  });
  return { slaves, frameworks, apps, znodes, packages, plans, serverTime };
}

export function auditCluster(
  cluster: ClusterSnapshot,
  given: AuditOptions,
  extraSystemNames: string[] = [],
): AuditReport {
  // Ages are measured on the master's clock, which stamped the frameworks' times (a workstation's may be off).
  const options = { ...given, now: cluster.serverTime ?? given.now };
  const findings: Finding[] = [];
  const ownership = new Ownership(cluster.frameworks, cluster.apps, extraSystemNames);
  const registered = ownership.registered;
  const completed = ownership.completed;
  const completedById = new Map(completed.map((framework) => [framework.id, framework]));

  findings.push(...reservationFindings(cluster, ownership, completedById));
  findings.push(...frameworkFindings(cluster, ownership, options));
  findings.push(...appFindings(cluster, ownership));
  findings.push(...znodeFindings(cluster, registered, findings));
  for (const agent of cluster.slaves.recovered_slaves ?? []) {
    findings.push(
      finding({
        kind: 'unregistered-agent',
        service: '(cluster)',
        ownerCertainty: 'certain',
        ownerReason: 'an agent, not a service',
        summary: `agent ${agent.hostname ?? agent.id ?? '?'} is known to the master but not registered: what it holds cannot be seen or cleaned until it returns`,
        evidence: { agentId: agent.id ?? null, hostname: agent.hostname ?? null },
        action: null,
        advice: 'it settles when the agent returns or is marked gone',
      }),
    );
  }
  return {
    findings,
    read: {
      agents: cluster.slaves.slaves.length,
      frameworks: registered.length + completed.length,
      apps: cluster.apps.length,
      znodes: cluster.znodes.length,
      plans: cluster.plans.size,
    },
  };
}

// ------------------------------------------------------------------ reservations

interface ReservationGroup {
  role: string;
  principal: string;
  frameworkIds: Set<string>;
  agents: Set<string>;
  resources: number;
  volumes: number;
  unlabeled: number;
}

/**
 * Dynamic reservations whose role and principal belong to no registered framework.
 * Kept out: static ones, Marathon resident ones, those a task uses, and refined
 * `slave_public/<role>` ones whose inner role a registered framework subscribes to.
 */
function reservationFindings(
  cluster: ClusterSnapshot,
  ownership: Ownership,
  completedById: Map<string, MesosFramework>,
): Finding[] {
  const { registered, completed } = ownership;
  const live = new Set<string>();
  for (const framework of registered)
    for (const role of frameworkRoles(framework)) live.add(`${role}\u0000${framework.principal ?? ''}`);
  // A reservation labelled with a registered framework's id is that framework's, whatever its role.
  const registeredIds = new Set(registered.map((framework) => framework.id));
  const groups = new Map<string, ReservationGroup>();
  for (const agent of cluster.slaves.slaves) {
    const usedList = agent.used_resources_full ?? [];
    const used = usedList.length > 0 ? new Set(usedList.map(reservationIdentity)) : undefined;
    for (const resources of Object.values(agent.reserved_resources_full ?? {})) {
      for (const resource of resources) {
        const owner = reservationOf(resource);
        if (owner.kind !== 'dynamic' || owner.principal === undefined) continue;
        if ('marathon_framework_id' in owner.labels || 'marathon_task_id' in owner.labels) continue;
        if (used?.has(reservationIdentity(resource))) continue;
        if (owner.labels.framework_id !== undefined && registeredIds.has(owner.labels.framework_id)) continue;
        const innerRole = owner.depth >= 2 ? owner.role.slice(owner.role.lastIndexOf('/') + 1) : owner.role;
        // Labelled with a completed framework's id, it is that framework's even where a live one (a
        // re-install of the same name) holds the role and principal; otherwise a live holder may own it.
        const ofCompleted = owner.labels.framework_id !== undefined && completedById.has(owner.labels.framework_id);
        if (
          !ofCompleted &&
          (live.has(`${owner.role}\u0000${owner.principal}`) || live.has(`${innerRole}\u0000${owner.principal}`))
        )
          continue;
        // What a completed framework's label proves is kept apart from what only role and principal
        // suggest: one finding is certain, the other is not, and --fix treats them differently.
        const key = `${owner.role}\u0000${owner.principal}\u0000${ofCompleted ? 'completed' : 'unproven'}`;
        const group = groups.get(key) ?? {
          role: owner.role,
          principal: owner.principal,
          frameworkIds: new Set(),
          agents: new Set(),
          resources: 0,
          volumes: 0,
          unlabeled: 0,
        };
        groups.set(key, group);
        group.agents.add(agent.hostname);
        group.resources++;
        if (isPersistentVolume(resource as MesosResource)) group.volumes++;
        if (!('resource_id' in owner.labels)) group.unlabeled++;
        if (owner.labels.framework_id) group.frameworkIds.add(owner.labels.framework_id);
      }
    }
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const byLabel = [...group.frameworkIds]
      .map((id) => completedById.get(id))
      .find((framework) => framework !== undefined);
    const byRole = completed
      .filter(
        (framework) =>
          framework.principal === group.principal &&
          frameworkRoles(framework).some((role) => role === group.role || group.role.endsWith(`/${role}`)),
      )
      .at(-1);
    const framework = byLabel ?? byRole;
    const owner = ownerOfReservations(group, framework, byLabel !== undefined);
    const kind: FindingKind = framework ? 'completed-framework-reservations' : 'orphaned-reservations';
    // The words of every command (docs/json.md): reserved resources = volumes + reservations.
    const what = `${heldResources(group.resources - group.volumes, group.volumes)} on ${plural(group.agents.size, 'agent')}`;
    findings.push(
      finding({
        kind,
        service: owner.service,
        ownerCertainty: owner.certainty,
        ownerReason: owner.reason,
        summary: framework
          ? `${what} of completed framework ${framework.name} (${framework.id}), role ${group.role}, principal ${group.principal}`
          : `${what} of role ${group.role}, principal ${group.principal}, which no registered framework holds`,
        evidence: {
          role: group.role,
          principal: group.principal,
          agents: [...group.agents].sort(),
          resources: group.resources,
          volumes: group.volumes,
          unlabeled: group.unlabeled,
          frameworkIdLabels: [...group.frameworkIds].sort(),
          completedFramework: framework ? { id: framework.id, name: framework.name } : null,
        },
        action: cleanupFix(
          group,
          owner,
          byLabel !== undefined ? [...group.frameworkIds].filter((id) => completedById.has(id)) : [],
          ownership,
        ),
      }),
    );
  }
  return findings;
}

function ownerOfReservations(
  group: ReservationGroup,
  framework: MesosFramework | undefined,
  fromLabel: boolean,
): { service: string; certainty: OwnerCertainty; reason: string; named: boolean } {
  if (framework) {
    return {
      service: framework.name.startsWith('/') ? framework.name : `/${framework.name}`,
      certainty: fromLabel ? 'certain' : 'likely',
      reason: fromLabel
        ? `framework_id labels name completed framework ${framework.id}`
        : `completed framework ${framework.id} had this role and principal`,
      named: true,
    };
  }
  const fromRole = serviceOfRole(group.role);
  if (fromRole && deriveServiceNames(fromRole).principals.includes(group.principal)) {
    return {
      service: fromRole,
      certainty: 'likely',
      reason: `role and principal follow the SDK naming rules for ${fromRole}`,
      named: true,
    };
  }
  if (fromRole)
    return {
      service: fromRole,
      certainty: 'guess',
      reason: `the role follows the naming rules for ${fromRole}, the principal does not`,
      named: false,
    };
  return {
    service: `${group.role}:${group.principal}`,
    certainty: 'guess',
    reason: 'role and principal follow no naming rule: no service can be named',
    named: false,
  };
}

/**
 * `data__kafka-role` -> `/data/kafka`; undefined for a role the SDK did not name (refined roles by
 * their inner role).
 */
export function serviceOfRole(role: string): string | undefined {
  const inner = role.slice(role.lastIndexOf('/') + 1);
  const match = /^(.+)-role$/.exec(inner);
  return match ? `/${match[1].replace(/__/g, '/')}` : undefined;
}

/**
 * By service name when the owner is a named service (a --service cleanup takes only what is
 * proven the service's: siblings in a shared role keep theirs); otherwise by role and
 * principal, narrowed to the completed frameworks' ids when the labels name them.
 */
function cleanupFix(
  group: ReservationGroup,
  owner: { service: string; named: boolean },
  labelIds: string[],
  ownership: Ownership,
): JanitorAction {
  const includeUnlabeled = group.unlabeled > 0;
  const named = owner.named && safeServiceName(owner.service);
  // Beside a registered incarnation of the same name, only the completed ones' labelled resources.
  const reinstalled = named && labelIds.length > 0 && ownership.incarnations(owner.service).registered.length > 0;
  if (named)
    return {
      kind: 'cleanup',
      request: {
        service: owner.service,
        roles: [],
        frameworkIds: reinstalled ? labelIds : [],
        includeUnlabeled: reinstalled ? false : includeUnlabeled,
      },
    };
  return {
    kind: 'cleanup',
    request: { roles: [group.role], principal: group.principal, frameworkIds: labelIds, includeUnlabeled },
  };
}

// ------------------------------------------------------------------ frameworks

/**
 * Frameworks whose scheduler is gone (inactive, or active but disconnected) for longer than
 * --older-than. A connected framework is never one (an idle Spark driver has no app and no
 * task, and lives). One whose app would relaunch it is a scheduler down, a notice: the
 * service is installed, its tasks may run on its volumes, and nothing of it is destroyed.
 * The rest are orphaned frameworks; --fix tears down only those of which nothing runs.
 */
function frameworkFindings(cluster: ClusterSnapshot, ownership: Ownership, options: AuditOptions): Finding[] {
  const findings: Finding[] = [];
  for (const framework of ownership.registered) {
    if (ownership.isSystem(framework) || isConnected(framework)) continue;
    const age = downFor(framework, options);
    if (age.tooRecent) continue;
    const service = framework.name.startsWith('/') ? framework.name : `/${framework.name}`;
    const why = framework.active ? 'disconnected' : 'inactive';
    const tasks = activeTaskCount(framework);
    const volumes = volumesInUse(cluster, framework);
    const running = `${plural(tasks, 'task')} running${volumes > 0 ? ` on ${plural(volumes, 'volume')}` : ''}`;
    const app = ownership.relaunchingApp(framework);
    const evidence = {
      frameworkId: framework.id,
      name: framework.name,
      roles: frameworkRoles(framework),
      principal: framework.principal ?? null,
      active: framework.active,
      connected: isConnected(framework),
      tasks,
      volumesInUse: volumes,
      app: app?.id ?? null,
      downSeconds: age.ms === undefined ? null : Math.round(age.ms / 1000),
    };
    if (app) {
      findings.push(
        finding({
          kind: 'scheduler-down',
          service,
          ownerCertainty: 'certain',
          ownerReason: `Marathon app ${app.id} launches framework ${framework.id}`,
          summary: `scheduler of ${framework.name} (${framework.id}) ${why} ${age.text}, app ${app.id} present, ${running}`,
          evidence,
          action: null,
          advice: `Marathon relaunches the scheduler: check its task ('dcos marathon app show ${app.id}'). To remove the service on purpose: dcos janitor uninstall ${serviceNameOfApp(app)}`,
        }),
      );
      continue;
    }
    if (orphanReasons(framework, ownership).length === 0) continue;
    const alive = ownership.liveness(framework).reasons;
    if (age.ms === undefined) alive.push('how long its scheduler has been gone is unknown');
    findings.push(
      finding(
        {
          kind: 'orphaned-framework',
          service,
          ownerCertainty: 'certain',
          ownerReason: `the framework's name is ${framework.name}`,
          summary: `framework ${framework.name} (${framework.id}) is ${why} ${age.text}, launched by no Marathon app, with ${running}`,
          evidence,
          action: { kind: 'teardown', frameworkId: framework.id, cleanup: true },
        },
        alive,
      ),
    );
  }
  return findings;
}

/**
 * How long the scheduler has been gone. Mesos 1.0 reports `unregistered_time: 0`: then only a
 * bound is known (not before its last registration), and "age unknown" is said.
 */
function downFor(framework: MesosFramework, options: AuditOptions): { ms?: number; text: string; tooRecent: boolean } {
  const since = unregisteredTime(framework);
  if (since !== undefined) {
    const ms = options.now - since * 1000;
    return { ms, text: `for ${describeAge(ms)}`, tooRecent: ms < options.olderThanMs };
  }
  const registered = lastRegisteredTime(framework);
  const atMost = registered !== undefined ? options.now - registered * 1000 : undefined;
  // It cannot have been gone for longer than since it last registered.
  if (atMost !== undefined && atMost < options.olderThanMs) return { text: '', tooRecent: true };
  return {
    text: atMost !== undefined ? `(age unknown; registered ${describeAge(atMost)} ago)` : '(age unknown)',
    tooRecent: false,
  };
}

/** Persistent volumes of the framework's roles and principal that tasks use now. */
function volumesInUse(cluster: ClusterSnapshot, framework: MesosFramework): number {
  const roles = frameworkRoles(framework);
  let volumes = 0;
  for (const agent of cluster.slaves.slaves) {
    for (const resource of agent.used_resources_full ?? []) {
      const owner = reservationOf(resource);
      if (!isPersistentVolume(resource) || owner.principal !== framework.principal) continue;
      if (roles.some((role) => owner.role === role || owner.role.endsWith(`/${role}`))) volumes++;
    }
  }
  return volumes;
}

// ------------------------------------------------------------------ Marathon apps

function appFindings(cluster: ClusterSnapshot, ownership: Ownership): Finding[] {
  const completed = ownership.completed;
  const findings: Finding[] = [];
  for (const app of cluster.apps) {
    const service = app.id;
    // Cosmos' word on what package the app is, when it answered; the app's own label otherwise.
    const packageName = cluster.packages?.get(app.id) ?? app.labels?.DCOS_PACKAGE_NAME ?? null;
    const failure = app.lastTaskFailure?.message ?? '';
    // Only while no framework of its name is registered: a scheduler that registered again lives,
    // whatever its last failure.
    if (/Framework has been removed/i.test(failure) && (app.tasksRunning ?? 0) === 0 && !ownership.launchedBy(app)) {
      const torn = completed.find((framework) => appNamed(framework.name, [app])?.id === app.id);
      findings.push(
        finding({
          kind: 'crash-looping-scheduler',
          service,
          ownerCertainty: 'certain',
          ownerReason: `Marathon app ${app.id}`,
          summary: `app ${app.id} crash-loops: its framework was torn down under it ("${failure}")`,
          evidence: {
            appId: app.id,
            package: packageName,
            lastTaskFailure: failure,
            tasksStaged: app.tasksStaged ?? 0,
            completedFramework: torn ? torn.id : null,
          },
          // The scheduler cannot run again, so Cosmos' SDK uninstall would wait for ever: the manual route.
          action: { kind: 'uninstall', service: serviceNameOfApp(app), manual: true, forceStuck: false },
        }),
      );
      continue;
    }
    const plan = cluster.plans.get(app.id);
    if (!plan) continue;
    if (plan.unreadable) {
      findings.push(
        finding({
          kind: 'plan-unreadable',
          service,
          ownerCertainty: 'certain',
          ownerReason: `Marathon app ${app.id}`,
          summary: `app ${app.id} is in SDK uninstall mode, but its deploy plan cannot be read: ${plan.unreadable}`,
          evidence: {
            appId: app.id,
            package: packageName,
            unreadable: plan.unreadable,
            tasksRunning: app.tasksRunning ?? 0,
          },
          action: null,
          advice: `check the scheduler's task ('dcos marathon app show ${app.id}', its log with 'dcos task log ${serviceNameOfApp(app).replace(/^\//, '')}'); once it answers, 'dcos janitor uninstall ${serviceNameOfApp(app)}' follows the uninstall to its end`,
        }),
      );
      continue;
    }
    if (plan.status === 'COMPLETE') {
      findings.push(
        finding({
          kind: 'zombie-scheduler',
          service,
          ownerCertainty: 'certain',
          ownerReason: `Marathon app ${app.id}`,
          summary: `app ${app.id} is in SDK uninstall mode and its deploy plan is COMPLETE, but the app is still there (Cosmos lost its uninstall loop)`,
          evidence: { appId: app.id, package: packageName, planStatus: plan.status },
          action: { kind: 'uninstall', service: serviceNameOfApp(app), manual: false, forceStuck: false },
        }),
      );
    } else if (plan.stuck.length > 0) {
      const hosts = [...new Set(plan.stuck.map((step) => step.agentHostname ?? 'a gone agent'))];
      findings.push(
        finding({
          kind: 'stuck-uninstall',
          service,
          ownerCertainty: 'certain',
          ownerReason: `Marathon app ${app.id}`,
          summary: `the uninstall of ${app.id} waits on ${plural(plan.stuck.length, 'unreserve step')} of ${hosts.join(', ')}, which is not registered`,
          evidence: {
            appId: app.id,
            package: packageName,
            planStatus: plan.status ?? null,
            stuck: plan.stuck.map((step) => ({ phase: step.phase, step: step.step, reason: step.reason })),
          },
          // Forcing the steps alone leaves the plan to finish with nobody watching (Cosmos' loop may be gone):
          // the uninstall forces them, follows the plan to the end, removes a zombie and verifies.
          action: { kind: 'uninstall', service: serviceNameOfApp(app), manual: false, forceStuck: true },
        }),
      );
    }
  }
  return findings;
}

// ------------------------------------------------------------------ ZooKeeper

/** `dcos-service-*` nodes with no app, no registered framework and no reservation of the derived service. */
function znodeFindings(cluster: ClusterSnapshot, registered: MesosFramework[], earlier: Finding[]): Finding[] {
  const findings: Finding[] = [];
  const liveRoles = new Set(registered.flatMap(frameworkRoles));
  const heldRoles = new Set<string>();
  for (const agent of cluster.slaves.slaves)
    for (const role of Object.keys(agent.reserved_resources_full ?? {})) heldRoles.add(role);
  for (const node of cluster.znodes) {
    const service = serviceNameFromZkNode(node);
    if (!service || !safeServiceName(service)) continue;
    const names = deriveServiceNames(service);
    const app = appNamed(service, cluster.apps);
    const framework = registered.find((candidate) => names.frameworkNames.includes(candidate.name));
    if (app || framework || liveRoles.has(names.role)) continue;
    // Reservations of the service are their own finding, whose cleanup takes the node too.
    if (heldRoles.has(names.role) || earlier.some((finding) => finding.service === service)) continue;
    findings.push(
      finding({
        kind: 'stale-znode',
        service,
        ownerCertainty: 'likely',
        ownerReason: `the node's name follows the SDK naming rules for ${service}`,
        summary: `ZooKeeper node /${node}: no app, no registered framework, no reservation of ${service}`,
        evidence: { znode: `/${node}` },
        action: { kind: 'cleanup', request: { service, roles: [], frameworkIds: [], includeUnlabeled: false } },
      }),
    );
  }
  return findings;
}

// ------------------------------------------------------------------ helpers

export function isSdkApp(app: MarathonApp): boolean {
  return app.labels?.DCOS_COMMONS_API_VERSION !== undefined || app.labels?.DCOS_COMMONS_UNINSTALL !== undefined;
}

/** What Admin Router routes /service/<name> by: DCOS_SERVICE_NAME, else the app id. */
export function serviceNameOfApp(app: MarathonApp): string {
  return app.labels?.DCOS_SERVICE_NAME ? `/${app.labels.DCOS_SERVICE_NAME.replace(/^\/+/, '')}` : app.id;
}

function safeServiceName(name: string): boolean {
  try {
    deriveServiceNames(name);
    return true;
  } catch {
    return false;
  }
}

export function fixOf(action: JanitorAction): Fix {
  return { argv: actionArgv(action), command: actionCommand(action) };
}

function describeAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? plural(hours, 'hour') : plural(Math.floor(hours / 24), 'day');
}

/** A finding's service for grouping: the fix of each group runs in this order. */
export const FIX_ORDER: FindingKind[] = [
  'crash-looping-scheduler',
  'zombie-scheduler',
  'stuck-uninstall',
  'orphaned-framework',
  'completed-framework-reservations',
  'orphaned-reservations',
  'stale-znode',
];
