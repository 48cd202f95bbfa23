import { MesosResource } from '../clients/mesos-schemas';

/**
 * Reading a Mesos resource in either format (docs/reference/mesos.md §7):
 * pre-1.4 (`role` + optional `reservation`), ENDPOINT (>= 1.4: both, plus a
 * one-entry `reservations`), and refined (only `reservations`, 2+ entries).
 */

export type ReservationKind = 'unreserved' | 'static' | 'dynamic';

export interface ReservationOwner {
  kind: ReservationKind;
  /** The innermost role: the one reserved_resources_full keys it by. */
  role: string;
  principal?: string;
  labels: Record<string, string>;
  /** How many reservation levels: 2+ means a refined reservation such as slave_public/kafka-role. */
  depth: number;
}

export function reservationOf(resource: MesosResource): ReservationOwner {
  const stack = resource.reservations ?? [];
  if (stack.length > 0) {
    // The last entry is the one an UNRESERVE pops (Mesos validates it must be DYNAMIC).
    const last = stack[stack.length - 1];
    return {
      kind: last.type === 'STATIC' ? 'static' : 'dynamic',
      role: last.role ?? resource.role ?? '*',
      principal: last.principal,
      labels: labelsToRecord(last.labels?.labels),
      depth: stack.length,
    };
  }
  const role = resource.role ?? '*';
  if (role === '*') return { kind: 'unreserved', role, labels: {}, depth: 0 };
  if (!resource.reservation) return { kind: 'static', role, labels: {}, depth: 1 };
  return {
    kind: 'dynamic',
    role,
    principal: resource.reservation.principal,
    labels: labelsToRecord(resource.reservation.labels?.labels),
    depth: 1,
  };
}

export function isPersistentVolume(resource: MesosResource): boolean {
  return resource.disk?.persistence !== undefined;
}

function labelsToRecord(labels: { key: string; value?: string }[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const label of labels ?? []) record[label.key] = label.value ?? '';
  return record;
}

/**
 * Two resources are "the same reservation" when name, reservation stack and disk
 * identity agree: the amount and allocation_info do not matter. Used to tell
 * whether a reserved resource is (partly) in use by a task.
 */
export function reservationIdentity(resource: MesosResource): string {
  const owner = reservationOf(resource);
  const stack = (resource.reservations ?? []).map((entry) => [
    entry.type ?? '',
    entry.role ?? '',
    entry.principal ?? '',
    sortedLabels(entry.labels?.labels),
  ]);
  return JSON.stringify([
    resource.name,
    owner.kind,
    owner.role,
    owner.principal ?? '',
    sortedLabels(Object.entries(owner.labels).map(([key, value]) => ({ key, value }))),
    stack.length > 1 ? stack : [],
    resource.disk?.persistence?.id ?? '',
    resource.disk?.source ? JSON.stringify(resource.disk.source) : '',
  ]);
}

/**
 * What "the same resource" means when the cluster is read again after an act: a volume
 * by its persistence id (its reservation may be unchanged after a destroy), anything
 * else by its reservation identity.
 */
export function resourceKey(resource: MesosResource): string {
  const volume = resource.disk?.persistence?.id;
  return volume !== undefined ? `volume:${volume}` : reservationIdentity(resource);
}

function sortedLabels(labels: { key: string; value?: string }[] | undefined): string {
  return (labels ?? [])
    .map((label) => `${label.key}=${label.value ?? ''}`)
    .sort()
    .join(',');
}

/** Sizes summed by resource name, for tables: "cpus 1.5, mem 4096 MB, disk 20480 MB, ports 2". */
export function summariseResources(resources: MesosResource[]): string {
  const totals = new Map<string, number>();
  for (const resource of resources) {
    totals.set(resource.name, (totals.get(resource.name) ?? 0) + resourceAmount(resource));
  }
  const order = ['cpus', 'gpus', 'mem', 'disk', 'ports'];
  const names = [...totals.keys()].sort((a, b) => rank(a, order) - rank(b, order) || a.localeCompare(b));
  return names.map((name) => `${name} ${formatAmount(name, totals.get(name) ?? 0)}`).join(', ');
}

function rank(name: string, order: string[]): number {
  const index = order.indexOf(name);
  return index < 0 ? order.length : index;
}

/**
 * Scalar value, number of ports in ranges, or number of set items: for display only,
 * so any shape a re-serialising tool gave it is read, and what cannot be read counts 0.
 */
export function resourceAmount(resource: MesosResource): number {
  const scalar = (resource.scalar as { value?: unknown } | undefined)?.value;
  if (scalar !== undefined) return finiteOr0(scalar);
  const ranges = (resource.ranges as { range?: unknown } | undefined)?.range;
  if (Array.isArray(ranges)) {
    return ranges.reduce(
      (sum: number, range: { begin?: unknown; end?: unknown }) =>
        sum + Math.max(0, finiteOr0(range?.end) - finiteOr0(range?.begin) + 1),
      0,
    );
  }
  const items = (resource.set as { item?: unknown } | undefined)?.item;
  return Array.isArray(items) ? items.length : 0;
}

function finiteOr0(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : 0;
}

function formatAmount(name: string, amount: number): string {
  const rounded = Math.round(amount * 1000) / 1000;
  if (name === 'ports') return rounded === 1 ? '(1 port)' : `(${rounded} ports)`;
  return name === 'mem' || name === 'disk' ? `${rounded} MB` : String(rounded);
}

/** "disk 5000 MB volume 1f2e… (kafka-volume)" for plan lines and leftovers. */
export function describeResource(resource: MesosResource): string {
  const amount = `${resource.name} ${formatAmount(resource.name, resourceAmount(resource))}`;
  const volume = resource.disk?.persistence;
  if (volume)
    return `${amount} volume ${volume.id}${resource.disk?.volume?.container_path ? ` (${resource.disk.volume.container_path})` : ''}`;
  const resourceId = reservationOf(resource).labels.resource_id;
  return resourceId ? `${amount} [${resourceId}]` : amount;
}
