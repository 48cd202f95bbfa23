import { CosmosClient } from '../clients/cosmos';
import { MarathonApp } from '../clients/marathon-schemas';
import { FrameworksResponse, MesosFramework, MesosResource, SlavesResponse } from '../clients/mesos-schemas';
import { SdkSchedulerClient } from '../clients/sdk-scheduler';
import { ServiceNotFoundError } from '../errors';
import { plural } from '../text';
import { CleanupClients } from './cleanup';
import { frameworkRoles } from './cleanup-plan';
import { mapWithConcurrency } from './concurrency';
import { deriveServiceNames, serviceNameFromZkNode } from './naming';
import { isPersistentVolume, reservationIdentity, reservationOf } from './resources';
import { findStuckSteps } from './stuck-steps';
import { appLaunching, isSystemFramework } from './teardown';

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
  | 'unregistered-agent';

export const FINDING_KINDS: FindingKind[] = [
  'orphaned-reservations',
  'completed-framework-reservations',
  'orphaned-framework',
  'crash-looping-scheduler',
  'stale-znode',
  'zombie-scheduler',
  'stuck-uninstall',
  'unregistered-agent',
];

/** How sure the owner is: `certain` from a framework id or an app; `likely` from the naming rules; `guess` otherwise. */
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
  /** The command that removes it; null for what only time (or the operator) can settle. */
  fix: Fix | null;
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
  /** Deploy plans of the SDK apps in uninstall mode, by app id. */
  plans: Map<string, { status?: string; stuck: ReturnType<typeof findStuckSteps>; unreadable?: string }>;
}

export interface AuditReport {
  findings: Finding[];
  /** How the cluster was read, for the header. */
  read: { agents: number; frameworks: number; apps: number; znodes: number; plans: number };
}

/** Every endpoint once, concurrently; then one plan read per SDK app in uninstall mode. */
export async function readCluster(clients: AuditClients, options: Pick<AuditOptions, 'concurrency'>): Promise<ClusterSnapshot> {
  const [slaves, frameworks, apps, znodes, packages] = await Promise.all([
    clients.mesos.getAgents(),
    clients.mesos.getFrameworks(),
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
      if (!(error instanceof ServiceNotFoundError)) throw error;
      plans.set(app.id, { stuck: [], unreadable: 'its scheduler does not answer' });
    }
  });
  return { slaves, frameworks, apps, znodes, packages, plans };
}

export function auditCluster(cluster: ClusterSnapshot, options: AuditOptions, extraSystemNames: string[] = []): AuditReport {
  const findings: Finding[] = [];
  const registered = cluster.frameworks.frameworks;
  const completed = cluster.frameworks.completed_frameworks ?? [];
  const completedById = new Map(completed.map((framework) => [framework.id, framework]));

  findings.push(...reservationFindings(cluster, registered, completed, completedById));
  findings.push(...frameworkFindings(cluster, registered, options, extraSystemNames));
  findings.push(...appFindings(cluster, completed));
  findings.push(...znodeFindings(cluster, registered, findings));
  for (const agent of cluster.slaves.recovered_slaves ?? []) {
    findings.push({
      kind: 'unregistered-agent',
      service: '(cluster)',
      ownerCertainty: 'certain',
      ownerReason: 'an agent, not a service',
      summary: `agent ${agent.hostname ?? agent.id ?? '?'} is known to the master but not registered: what it holds cannot be seen or cleaned until it returns`,
      evidence: { agentId: agent.id ?? null, hostname: agent.hostname ?? null },
      fix: null,
    });
  }
  return {
    findings,
    read: { agents: cluster.slaves.slaves.length, frameworks: registered.length + completed.length, apps: cluster.apps.length, znodes: cluster.znodes.length, plans: cluster.plans.size },
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
function reservationFindings(cluster: ClusterSnapshot, registered: MesosFramework[], completed: MesosFramework[], completedById: Map<string, MesosFramework>): Finding[] {
  const live = new Set<string>();
  for (const framework of registered) for (const role of frameworkRoles(framework)) live.add(`${role}\u0000${framework.principal ?? ''}`);
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
        const innerRole = owner.depth >= 2 ? owner.role.slice(owner.role.lastIndexOf('/') + 1) : owner.role;
        if (live.has(`${owner.role}\u0000${owner.principal}`) || live.has(`${innerRole}\u0000${owner.principal}`)) continue;
        const key = `${owner.role}\u0000${owner.principal}`;
        const group = groups.get(key) ?? { role: owner.role, principal: owner.principal, frameworkIds: new Set(), agents: new Set(), resources: 0, volumes: 0, unlabeled: 0 };
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
    const byLabel = [...group.frameworkIds].map((id) => completedById.get(id)).find((framework) => framework !== undefined);
    const byRole = completed.filter((framework) => framework.principal === group.principal && frameworkRoles(framework).some((role) => role === group.role || group.role.endsWith(`/${role}`))).at(-1);
    const framework = byLabel ?? byRole;
    const owner = ownerOfReservations(group, framework, byLabel !== undefined);
    const kind: FindingKind = framework ? 'completed-framework-reservations' : 'orphaned-reservations';
    const what = `${plural(group.resources, 'reservation')} (${plural(group.volumes, 'volume')}) on ${plural(group.agents.size, 'agent')}`;
    findings.push({
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
      fix: cleanupFix(group, owner),
    });
  }
  return findings;
}

function ownerOfReservations(group: ReservationGroup, framework: MesosFramework | undefined, fromLabel: boolean): { service: string; certainty: OwnerCertainty; reason: string; named: boolean } {
  if (framework) {
    return {
      service: framework.name.startsWith('/') ? framework.name : `/${framework.name}`,
      certainty: fromLabel ? 'certain' : 'likely',
      reason: fromLabel ? `framework_id labels name completed framework ${framework.id}` : `completed framework ${framework.id} had this role and principal`,
      named: true,
    };
  }
  const fromRole = serviceOfRole(group.role);
  if (fromRole && deriveServiceNames(fromRole).principals.includes(group.principal)) {
    return { service: fromRole, certainty: 'likely', reason: `role and principal follow the SDK naming rules for ${fromRole}`, named: true };
  }
  if (fromRole) return { service: fromRole, certainty: 'guess', reason: `the role follows the naming rules for ${fromRole}, the principal does not`, named: false };
  return { service: `${group.role}:${group.principal}`, certainty: 'guess', reason: 'role and principal follow no naming rule: no service can be named', named: false };
}

/** `data__kafka-role` -> `/data/kafka`; undefined for a role the SDK did not name (refined roles by their inner role). */
export function serviceOfRole(role: string): string | undefined {
  const inner = role.slice(role.lastIndexOf('/') + 1);
  const match = /^(.+)-role$/.exec(inner);
  return match ? `/${match[1].replace(/__/g, '/')}` : undefined;
}

function cleanupFix(group: ReservationGroup, owner: { service: string; named: boolean }): Fix {
  const unlabeled = group.unlabeled > 0 ? ['--include-unlabeled'] : [];
  const named = owner.named && safeServiceName(owner.service);
  if (named && deriveServiceNames(owner.service).role === group.role && deriveServiceNames(owner.service).principals.includes(group.principal)) {
    return fix(['cleanup', '--service', owner.service, ...unlabeled, '--yes']);
  }
  return fix(['cleanup', '-r', group.role, '-p', group.principal, ...unlabeled, '--yes']);
}

// ------------------------------------------------------------------ frameworks

/**
 * Registered, not DC/OS' own, and for longer than --older-than: inactive or
 * disconnected; or launched by no Marathon app and running no task. An active,
 * connected framework with running tasks is a working service whoever launched it
 * (a Spark driver, a job): never a finding.
 */
function frameworkFindings(cluster: ClusterSnapshot, registered: MesosFramework[], options: AuditOptions, extraSystemNames: string[]): Finding[] {
  const findings: Finding[] = [];
  for (const framework of registered) {
    if (isSystemFramework(framework, extraSystemNames)) continue;
    const connected = framework.connected ?? framework.active;
    const tasks = framework.tasks?.length ?? 0;
    const app = appLaunching(framework.name, cluster.apps);
    let why: string | undefined;
    let since: number | undefined;
    if (!framework.active || !connected) {
      why = framework.active ? 'disconnected' : 'inactive';
      since = framework.unregistered_time;
    } else if (!app && tasks === 0) {
      why = 'launched by no Marathon app, and running no task';
      since = framework.registered_time;
    }
    if (!why) continue;
    const ageMs = since !== undefined ? options.now - since * 1000 : Infinity;
    if (ageMs < options.olderThanMs) continue;
    const service = framework.name.startsWith('/') ? framework.name : `/${framework.name}`;
    findings.push({
      kind: 'orphaned-framework',
      service,
      ownerCertainty: 'certain',
      ownerReason: `the framework's name is ${framework.name}`,
      summary: `framework ${framework.name} (${framework.id}) is ${why}${Number.isFinite(ageMs) ? ` for ${describeAge(ageMs)}` : ''}, with ${plural(tasks, 'task')}`,
      evidence: { frameworkId: framework.id, name: framework.name, roles: frameworkRoles(framework), principal: framework.principal ?? null, active: framework.active, connected, tasks, app: app?.id ?? null },
      fix: fix(['teardown', '--framework-id', framework.id, '--cleanup', '--yes']),
    });
  }
  return findings;
}

// ------------------------------------------------------------------ Marathon apps

function appFindings(cluster: ClusterSnapshot, completed: MesosFramework[]): Finding[] {
  const findings: Finding[] = [];
  for (const app of cluster.apps) {
    const service = app.id;
    // Cosmos' word on what package the app is, when it answered; the app's own label otherwise.
    const packageName = cluster.packages?.get(app.id) ?? app.labels?.DCOS_PACKAGE_NAME ?? null;
    const failure = app.lastTaskFailure?.message ?? '';
    if (/Framework has been removed/i.test(failure) && (app.tasksRunning ?? 0) === 0) {
      const torn = completed.find((framework) => appLaunching(framework.name, [app])?.id === app.id);
      findings.push({
        kind: 'crash-looping-scheduler',
        service,
        ownerCertainty: 'certain',
        ownerReason: `Marathon app ${app.id}`,
        summary: `app ${app.id} crash-loops: its framework was torn down under it ("${failure}")`,
        evidence: { appId: app.id, package: packageName, lastTaskFailure: failure, tasksStaged: app.tasksStaged ?? 0, completedFramework: torn ? torn.id : null },
        // The scheduler cannot run again, so Cosmos' SDK uninstall would wait for ever: the manual route.
        fix: fix(['uninstall', serviceNameOfApp(app), '--manual', '--yes']),
      });
      continue;
    }
    const plan = cluster.plans.get(app.id);
    if (!plan) continue;
    if (plan.status === 'COMPLETE') {
      findings.push({
        kind: 'zombie-scheduler',
        service,
        ownerCertainty: 'certain',
        ownerReason: `Marathon app ${app.id}`,
        summary: `app ${app.id} is in SDK uninstall mode and its deploy plan is COMPLETE, but the app is still there (Cosmos lost its uninstall loop)`,
        evidence: { appId: app.id, package: packageName, planStatus: plan.status },
        fix: fix(['uninstall', serviceNameOfApp(app), '--yes']),
      });
    } else if (plan.stuck.length > 0) {
      const hosts = [...new Set(plan.stuck.map((step) => step.agentHostname ?? 'a gone agent'))];
      findings.push({
        kind: 'stuck-uninstall',
        service,
        ownerCertainty: 'certain',
        ownerReason: `Marathon app ${app.id}`,
        summary: `the uninstall of ${app.id} waits on ${plural(plan.stuck.length, 'unreserve step')} of ${hosts.join(', ')}, which is not registered`,
        evidence: { appId: app.id, package: packageName, planStatus: plan.status ?? null, stuck: plan.stuck.map((step) => ({ phase: step.phase, step: step.step, reason: step.reason })) },
        // Forcing the steps alone leaves the plan to finish with nobody watching (Cosmos' loop may be gone):
        // the uninstall forces them, follows the plan to the end, removes a zombie and verifies.
        fix: fix(['uninstall', serviceNameOfApp(app), '--force-stuck', '--yes']),
      });
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
  for (const agent of cluster.slaves.slaves) for (const role of Object.keys(agent.reserved_resources_full ?? {})) heldRoles.add(role);
  for (const node of cluster.znodes) {
    const service = serviceNameFromZkNode(node);
    if (!service || !safeServiceName(service)) continue;
    const names = deriveServiceNames(service);
    const app = appLaunching(service, cluster.apps);
    const framework = registered.find((candidate) => names.frameworkNames.includes(candidate.name));
    if (app || framework || liveRoles.has(names.role)) continue;
    // Reservations of the service are their own finding, whose cleanup takes the node too.
    if (heldRoles.has(names.role) || earlier.some((finding) => finding.service === service)) continue;
    findings.push({
      kind: 'stale-znode',
      service,
      ownerCertainty: 'likely',
      ownerReason: `the node's name follows the SDK naming rules for ${service}`,
      summary: `ZooKeeper node /${node}: no app, no registered framework, no reservation of ${service}`,
      evidence: { znode: `/${node}` },
      fix: fix(['cleanup', '--service', service, '--yes']),
    });
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

export function fix(args: string[]): Fix {
  const argv = ['dcos', 'janitor', ...args];
  const quote = (word: string) => (/^[\w./@:=-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
  return { argv, command: argv.map(quote).join(' ') };
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
