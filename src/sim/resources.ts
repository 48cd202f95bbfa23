/**
 * The simulator's resource model: one canonical form (the post-refinement
 * `reservations` stack), parsed from every input format Mesos accepts and
 * printed in the format of the simulated version (docs/reference/mesos.md §7).
 * The arithmetic follows Mesos' Resources: identical role, principal, labels
 * and disk merge; volumes never merge; containment is exact.
 */

export interface SimLabel {
  key: string;
  value?: string;
}

export interface SimReservation {
  type: 'STATIC' | 'DYNAMIC';
  role: string;
  principal?: string;
  labels?: SimLabel[];
}

export interface SimDisk {
  persistence?: { id: string; principal?: string };
  volume?: { mode: string; container_path: string };
  source?: Record<string, unknown>;
}

export interface SimResource {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: number;
  ranges?: Array<[number, number]>;
  set?: string[];
  /** Empty: unreserved ("*"). */
  reservations: SimReservation[];
  disk?: SimDisk;
}

export class ResourceFormatError extends Error {}

export class MesosVersion {
  readonly major: number;
  readonly minor: number;
  constructor(readonly text: string) {
    const [major, minor] = text.split('.').map(Number);
    this.major = major;
    this.minor = minor;
  }
  atLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }
}

// ---------------------------------------------------------------- parsing input

type Json = Record<string, unknown>;

/** Parse one resource as posted to /unreserve or /destroy-volumes (any accepted format). */
export function parseResource(input: unknown): SimResource {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new ResourceFormatError('Resource must be a JSON object');
  const json = input as Json;
  const name = json.name;
  const type = json.type;
  if (typeof name !== 'string' || name === '') throw new ResourceFormatError("Resource 'name' must be set");
  if (type !== 'SCALAR' && type !== 'RANGES' && type !== 'SET')
    throw new ResourceFormatError(`Unknown resource type for '${name}'`);
  const resource: SimResource = { name, type, reservations: parseReservations(json) };
  if (type === 'SCALAR') {
    const value = (json.scalar as Json | undefined)?.value;
    if (typeof value !== 'number' || value < 0) throw new ResourceFormatError(`Invalid scalar resource '${name}'`);
    resource.scalar = round3(value);
  } else if (type === 'RANGES') {
    const ranges = ((json.ranges as Json | undefined)?.range as Json[] | undefined) ?? [];
    resource.ranges = normaliseRanges(
      ranges.map((range) => [Number(range.begin), Number(range.end)] as [number, number]),
    );
  } else {
    resource.set = [...(((json.set as Json | undefined)?.item as string[] | undefined) ?? [])].sort();
  }
  if (json.disk && typeof json.disk === 'object') resource.disk = parseDisk(json.disk as Json);
  return resource;
}

function parseReservations(json: Json): SimReservation[] {
  const role = typeof json.role === 'string' ? json.role : undefined;
  const reservation = json.reservation as Json | undefined;
  const stack = Array.isArray(json.reservations) ? (json.reservations as Json[]) : [];
  if (stack.length > 0) {
    const parsed = stack.map((entry, index) => {
      if (entry.type !== 'STATIC' && entry.type !== 'DYNAMIC') {
        throw new ResourceFormatError("Invalid reservation: 'Resource.ReservationInfo.type' field must be set.");
      }
      if (typeof entry.role !== 'string' || entry.role === '' || entry.role === '*') {
        throw new ResourceFormatError(`Invalid reservation: role "${String(entry.role ?? '')}" cannot be reserved`);
      }
      if (index > 0 && entry.type !== 'DYNAMIC')
        throw new ResourceFormatError('Invalid refined reservation: refinements must be DYNAMIC');
      return toReservation(entry);
    });
    for (let i = 1; i < parsed.length; i++) {
      if (!parsed[i].role.startsWith(`${parsed[i - 1].role}/`)) {
        throw new ResourceFormatError(
          `Invalid refined reservation: role '${parsed[i].role}' is not a refinement of '${parsed[i - 1].role}'`,
        );
      }
    }
    if (parsed.length > 1 && (role !== undefined || reservation !== undefined)) {
      throw new ResourceFormatError(
        "Invalid resources: 'role' and 'reservation' must not be set with a refined 'reservations'",
      );
    }
    if (parsed.length === 1 && (role !== undefined || reservation !== undefined)) {
      // The ENDPOINT format posted back unchanged: accepted only when consistent.
      const only = parsed[0];
      const consistent =
        (role === undefined || role === only.role) &&
        (only.type === 'STATIC'
          ? reservation === undefined
          : reservation !== undefined &&
            (reservation.principal as string | undefined) === only.principal &&
            labelsKey(parseLabels(reservation.labels)) === labelsKey(only.labels));
      if (!consistent)
        throw new ResourceFormatError("Invalid resources: 'role'/'reservation' are inconsistent with 'reservations'");
    }
    return parsed;
  }
  // Pre-1.4 input.
  if (reservation !== undefined) {
    if ('type' in reservation || 'role' in reservation)
      throw new ResourceFormatError("Invalid reservation: 'type' and 'role' must not be set in 'reservation'");
    if (role === undefined || role === '*')
      throw new ResourceFormatError('Invalid reservation: role "*" cannot be dynamically reserved');
    return [
      {
        type: 'DYNAMIC',
        role,
        principal: reservation.principal as string | undefined,
        labels: parseLabels(reservation.labels),
      },
    ];
  }
  if (role === undefined || role === '*') return [];
  return [{ type: 'STATIC', role }];
}

function toReservation(entry: Json): SimReservation {
  const reservation: SimReservation = { type: entry.type as 'STATIC' | 'DYNAMIC', role: entry.role as string };
  if (typeof entry.principal === 'string') reservation.principal = entry.principal;
  const labels = parseLabels(entry.labels);
  if (labels) reservation.labels = labels;
  return reservation;
}

function parseLabels(input: unknown): SimLabel[] | undefined {
  const labels = (input as Json | undefined)?.labels;
  if (!Array.isArray(labels) || labels.length === 0) return undefined;
  return labels.map((label: Json) => ({
    key: String(label.key),
    ...(label.value !== undefined ? { value: String(label.value) } : {}),
  }));
}

function parseDisk(json: Json): SimDisk {
  const disk: SimDisk = {};
  const persistence = json.persistence as Json | undefined;
  if (persistence) {
    disk.persistence = { id: String(persistence.id) };
    if (typeof persistence.principal === 'string') disk.persistence.principal = persistence.principal;
  }
  const volume = json.volume as Json | undefined;
  if (volume) disk.volume = { mode: String(volume.mode ?? 'RW'), container_path: String(volume.container_path ?? '') };
  if (json.source && typeof json.source === 'object') disk.source = json.source as Record<string, unknown>;
  return disk;
}

// ---------------------------------------------------------------- printing output

/** Print in the simulated version's format: pre-1.4, or ENDPOINT (>= 1.4). */
export function formatResource(resource: SimResource, version: MesosVersion, allocationRole?: string): Json {
  const out: Json = { name: resource.name, type: resource.type };
  if (allocationRole !== undefined && version.atLeast(1, 4)) out.allocation_info = { role: allocationRole };
  if (resource.type === 'SCALAR') out.scalar = { value: resource.scalar ?? 0 };
  if (resource.type === 'RANGES')
    out.ranges = { range: (resource.ranges ?? []).map(([begin, end]) => ({ begin, end })) };
  if (resource.type === 'SET') out.set = { item: resource.set ?? [] };
  const stack = resource.reservations;
  if (stack.length <= 1) {
    const only = stack[0];
    out.role = only ? only.role : '*';
    if (only?.type === 'DYNAMIC') out.reservation = reservationOutput(only, false);
  }
  if (version.atLeast(1, 4) && stack.length > 0)
    out.reservations = stack.map((entry) => reservationOutput(entry, true));
  if (resource.disk) out.disk = formatDisk(resource.disk);
  return out;
}

function reservationOutput(reservation: SimReservation, withTypeAndRole: boolean): Json {
  const out: Json = withTypeAndRole ? { type: reservation.type, role: reservation.role } : {};
  if (reservation.principal !== undefined) out.principal = reservation.principal;
  if (reservation.labels && reservation.labels.length > 0)
    out.labels = { labels: reservation.labels.map((label) => ({ ...label })) };
  return out;
}

function formatDisk(disk: SimDisk): Json {
  const out: Json = {};
  if (disk.persistence) out.persistence = { ...disk.persistence };
  if (disk.volume) out.volume = { ...disk.volume };
  if (disk.source) out.source = disk.source;
  return out;
}

/** Mesos' textual form, used in 409 bodies: `cpus(kafka-role, kafka-principal):1`. */
export function resourceText(resource: SimResource): string {
  const last = resource.reservations[resource.reservations.length - 1];
  const owner = last ? `(${[last.role, last.principal].filter(Boolean).join(', ')})` : '';
  const volume = resource.disk?.persistence
    ? `[${resource.disk.persistence.id}:${resource.disk.volume?.container_path ?? ''}]`
    : '';
  return `${resource.name}${owner}${volume}:${amountText(resource)}`;
}

export function resourcesText(resources: SimResource[]): string {
  return resources.length === 0 ? '{}' : resources.map(resourceText).join('; ');
}

function amountText(resource: SimResource): string {
  if (resource.type === 'SCALAR') return String(resource.scalar ?? 0);
  if (resource.type === 'RANGES') return `[${(resource.ranges ?? []).map(([b, e]) => `${b}-${e}`).join(', ')}]`;
  return `{${(resource.set ?? []).join(', ')}}`;
}

// ---------------------------------------------------------------- arithmetic

export function isVolume(resource: SimResource): boolean {
  return resource.disk?.persistence !== undefined;
}

export function lastReservation(resource: SimResource): SimReservation | undefined {
  return resource.reservations[resource.reservations.length - 1];
}

/** Innermost role, "*" when unreserved. */
export function innermostRole(resource: SimResource): string {
  return lastReservation(resource)?.role ?? '*';
}

/**
 * Everything but the amount: resources with equal keys merge (volumes are never merged).
 * Cached per object: resources are never changed in place (a new amount is a new object).
 */
const identityKeys = new WeakMap<SimResource, string>();
export function identityKey(resource: SimResource): string {
  let key = identityKeys.get(resource);
  if (key === undefined) {
    key = JSON.stringify([
      resource.name,
      resource.type,
      resource.reservations.map((r) => [r.type, r.role, r.principal ?? null, labelsKey(r.labels)]),
      resource.disk
        ? [resource.disk.persistence ?? null, resource.disk.volume ?? null, resource.disk.source ?? null]
        : null,
    ]);
    identityKeys.set(resource, key);
  }
  return key;
}

function labelsKey(labels: SimLabel[] | undefined): string {
  return JSON.stringify((labels ?? []).map((label) => [label.key, label.value ?? null]));
}

export function cloneResource(resource: SimResource): SimResource {
  return JSON.parse(JSON.stringify(resource)) as SimResource;
}

/**
 * Add `extra` into `pool`, merging where Mesos would. Returns a new array; `pool` and its resources
 * are left as they were.
 */
export function addResources(pool: SimResource[], extra: SimResource[]): SimResource[] {
  const result = [...pool];
  for (const resource of extra) {
    const index = isVolume(resource)
      ? -1
      : result.findIndex((candidate) => identityKey(candidate) === identityKey(resource));
    if (index < 0) {
      result.push(cloneResource(resource));
      continue;
    }
    const match = result[index];
    if (resource.type === 'SCALAR')
      result[index] = { ...match, scalar: round3((match.scalar ?? 0) + (resource.scalar ?? 0)) };
    else if (resource.type === 'RANGES')
      result[index] = { ...match, ranges: normaliseRanges([...(match.ranges ?? []), ...(resource.ranges ?? [])]) };
    else result[index] = { ...match, set: [...new Set([...(match.set ?? []), ...(resource.set ?? [])])].sort() };
  }
  return result;
}

/** `pool - wanted`, or undefined when the pool does not contain `wanted` exactly. `pool` is left as it was. */
export function subtractResources(pool: SimResource[], wanted: SimResource[]): SimResource[] | undefined {
  let result: SimResource[] = pool;
  for (const resource of wanted) {
    const next = subtractOne(result, resource);
    if (!next) return undefined;
    result = next;
  }
  return result === pool ? [...pool] : result;
}

function subtractOne(pool: SimResource[], wanted: SimResource): SimResource[] | undefined {
  const key = identityKey(wanted);
  const index = pool.findIndex((candidate) => identityKey(candidate) === key);
  if (index < 0) return undefined;
  const have = pool[index];
  const result = [...pool];
  if (wanted.type === 'SCALAR') {
    const left = round3((have.scalar ?? 0) - (wanted.scalar ?? 0));
    if (left < 0) return undefined;
    // A volume is all-or-nothing: part of one is not the volume.
    if (isVolume(have) && left !== 0) return undefined;
    if (left === 0) result.splice(index, 1);
    else result[index] = { ...have, scalar: left };
    return result;
  }
  if (wanted.type === 'RANGES') {
    const left = subtractRanges(have.ranges ?? [], wanted.ranges ?? []);
    if (!left) return undefined;
    if (left.length === 0) result.splice(index, 1);
    else result[index] = { ...have, ranges: left };
    return result;
  }
  const haveItems = new Set(have.set ?? []);
  if (!(wanted.set ?? []).every((item) => haveItems.has(item))) return undefined;
  const left = (have.set ?? []).filter((item) => !(wanted.set ?? []).includes(item));
  if (left.length === 0) result.splice(index, 1);
  else result[index] = { ...have, set: left };
  return result;
}

export function normaliseRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = ranges.filter(([b, e]) => e >= b).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [begin, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([begin, end]);
  }
  return merged;
}

function subtractRanges(
  have: Array<[number, number]>,
  remove: Array<[number, number]>,
): Array<[number, number]> | undefined {
  let current = normaliseRanges(have.map(([b, e]) => [b, e] as [number, number]));
  for (const [begin, end] of normaliseRanges(remove.map(([b, e]) => [b, e] as [number, number]))) {
    const container = current.find(([b, e]) => b <= begin && end <= e);
    if (!container) return undefined;
    const next: Array<[number, number]> = [];
    for (const range of current) {
      if (range !== container) next.push(range);
      else {
        if (range[0] < begin) next.push([range[0], begin - 1]);
        if (end < range[1]) next.push([end + 1, range[1]]);
      }
    }
    current = next;
  }
  return current;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** role -> {cpus, mem, disk, gpus, ports} as in the summary fields of /master/slaves and /state. */
export function summarise(resources: SimResource[]): Record<string, number | string> {
  const summary: Record<string, number | string> = { disk: 0, mem: 0, gpus: 0, cpus: 0 };
  const ports: Array<[number, number]> = [];
  for (const resource of resources) {
    if (resource.type === 'SCALAR')
      summary[resource.name] = round3(Number(summary[resource.name] ?? 0) + (resource.scalar ?? 0));
    if (resource.type === 'RANGES' && resource.name === 'ports') ports.push(...(resource.ranges ?? []));
  }
  if (ports.length > 0)
    summary.ports = `[${normaliseRanges(ports)
      .map(([b, e]) => `${b}-${e}`)
      .join(', ')}]`;
  return summary;
}
