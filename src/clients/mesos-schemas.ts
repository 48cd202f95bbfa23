import { z } from 'zod';

/**
 * What we read from the Mesos master (docs/reference/mesos.md §2, §7). Read liberally,
 * act strictly: a schema names only the fields the janitor uses (to select, to build
 * an operation, to show) and lets everything else through untouched, so a field of
 * another version's shape (summary `ports` as an array, a float in E-notation, a
 * field another tool added) never aborts a run. A resource read from
 * reserved_resources_full is posted back to /unreserve as Mesos gave it: amounts are
 * not validated or converted here (they are only shown), unknown fields are kept.
 */

/** A number as shown to the operator; whatever shape it came in, never a reason to stop. */
const ShownNumber = z.unknown().transform((value) => {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
});

export const LabelsSchema = z.looseObject({
  labels: z.array(z.looseObject({ key: z.string(), value: z.string().optional() })).optional(),
});

/** One entry of the post-refinement `reservations[]` stack (Mesos >= 1.4). */
export const ReservationInfoSchema = z.looseObject({
  type: z.enum(['STATIC', 'DYNAMIC']).optional(),
  role: z.string().optional(),
  principal: z.string().optional(),
  labels: LabelsSchema.optional(),
});

export const DiskInfoSchema = z.looseObject({
  persistence: z.looseObject({ id: z.string(), principal: z.string().optional() }).optional(),
  volume: z.looseObject({ mode: z.string().optional(), container_path: z.string().optional() }).optional(),
  source: z.looseObject({ type: z.string().optional() }).optional(),
});

export const ResourceSchema = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  /** Shown only: read with resourceAmount(), which tolerates any shape. */
  scalar: z.unknown().optional(),
  ranges: z.unknown().optional(),
  set: z.unknown().optional(),
  role: z.string().optional(),
  /** Pre-1.4 dynamic reservation, and the single-level copy in the ENDPOINT format. */
  reservation: z.looseObject({ principal: z.string().optional(), labels: LabelsSchema.optional() }).optional(),
  reservations: z.array(ReservationInfoSchema).optional(),
  disk: DiskInfoSchema.optional(),
});
export type MesosResource = z.output<typeof ResourceSchema>;

/**
 * The summaries (`resources`, `reserved_resources`...), `attributes`, `pid`, times
 * and the offered/unreserved lists are not used, so not validated: they pass through.
 */
export const AgentSchema = z.looseObject({
  id: z.string(),
  hostname: z.string(),
  active: z.boolean(),
  /** Keyed by the innermost reservation role; static, dynamic and volumes alike. */
  reserved_resources_full: z.record(z.string(), z.array(ResourceSchema)).optional(),
  used_resources_full: z.array(ResourceSchema).optional(),
});
export type MesosAgent = z.output<typeof AgentSchema>;

export const SlavesResponseSchema = z.looseObject({
  slaves: z.array(AgentSchema),
  /** Agents the master knows from its registry but that have not re-registered. */
  recovered_slaves: z.array(z.looseObject({ id: z.string().optional(), hostname: z.string().optional() })).optional(),
});
export type SlavesResponse = z.output<typeof SlavesResponseSchema>;

export const TaskSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  slave_id: z.string(),
  state: z.string(),
});
export type MesosTask = z.output<typeof TaskSchema>;

export const FrameworkSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  /** `role` for single-role frameworks, `roles` for MULTI_ROLE ones. */
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  principal: z.string().optional(),
  active: z.boolean(),
  /** Mesos >= 1.2. */
  connected: z.boolean().optional(),
  recovered: z.boolean().optional(),
  registered_time: ShownNumber.optional(),
  /** Written only after a scheduler re-registered (master/http.cpp); see docs/ownership.md. */
  reregistered_time: ShownNumber.optional(),
  /** 0 on Mesos 1.0 for a framework whose scheduler went away: unknown, not 1970. */
  unregistered_time: ShownNumber.optional(),
  tasks: z.array(TaskSchema).optional(),
  completed_tasks: z.array(TaskSchema).optional(),
});
export type MesosFramework = z.output<typeof FrameworkSchema>;

export const FrameworksResponseSchema = z.looseObject({
  frameworks: z.array(FrameworkSchema),
  /** Absent in some 1.0 captures (fixtures/mesos-1.0.x-frameworks-ge-dcosb.json). */
  completed_frameworks: z.array(FrameworkSchema).optional(),
  /** Id strings on Mesos <= 1.3, always [] from 1.4. */
  unregistered_frameworks: z.array(z.string()).optional(),
});
export type FrameworksResponse = z.output<typeof FrameworksResponseSchema>;

export const StateSummarySchema = z.looseObject({
  hostname: z.string().optional(),
  cluster: z.string().optional(),
  slaves: z.array(
    z.looseObject({
      id: z.string(),
      hostname: z.string(),
    }),
  ),
  frameworks: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
    }),
  ),
});
export type StateSummary = z.output<typeof StateSummarySchema>;

export const RolesResponseSchema = z.looseObject({
  roles: z.array(
    z.looseObject({
      name: z.string(),
    }),
  ),
});

type Problem = { field: string; message: string } | undefined;

/** Agent fields nothing reads: dropped as each agent is parsed, so 25,000 agents' summaries do not stay in memory. */
const UNUSED_AGENT_FIELDS = [
  'resources',
  'used_resources',
  'offered_resources',
  'reserved_resources',
  'unreserved_resources',
  'offered_resources_full',
  'unreserved_resources_full',
  'attributes',
  'capabilities',
];

/**
 * `GET /master/slaves`, checked in place against SlavesResponseSchema's rules (the
 * fields it names, nothing else) without copying: the answer is the largest one the
 * janitor reads (50 MB at 25,000 agents), and a zod parse would build a second graph of
 * every agent and resource. Resources stay exactly as Mesos gave them, to be posted
 * back; the unused summaries are dropped.
 */
export function checkSlavesResponse(body: unknown): Problem {
  if (!isObject(body)) return { field: '', message: 'expected an object' };
  const slaves = body.slaves;
  if (!Array.isArray(slaves)) return { field: 'slaves', message: 'expected an array' };
  for (let index = 0; index < slaves.length; index++) {
    const problem = checkAgent(slaves[index]);
    if (problem) return within(`slaves.${index}`, problem);
  }
  const recovered = body.recovered_slaves;
  if (recovered !== undefined) {
    if (!Array.isArray(recovered)) return { field: 'recovered_slaves', message: 'expected an array' };
    for (let index = 0; index < recovered.length; index++) {
      const agent = recovered[index];
      if (!isObject(agent)) return { field: `recovered_slaves.${index}`, message: 'expected an object' };
      if (agent.id !== undefined && typeof agent.id !== 'string')
        return { field: `recovered_slaves.${index}.id`, message: 'expected a string' };
      if (agent.hostname !== undefined && typeof agent.hostname !== 'string')
        return { field: `recovered_slaves.${index}.hostname`, message: 'expected a string' };
    }
  }
  return undefined;
}

function checkAgent(agent: unknown): Problem {
  if (!isObject(agent)) return { field: '', message: 'expected an object' };
  if (typeof agent.id !== 'string') return { field: 'id', message: 'expected a string' };
  if (typeof agent.hostname !== 'string') return { field: 'hostname', message: 'expected a string' };
  if (typeof agent.active !== 'boolean') return { field: 'active', message: 'expected a boolean' };
  const reserved = agent.reserved_resources_full;
  if (reserved !== undefined) {
    if (!isObject(reserved)) return { field: 'reserved_resources_full', message: 'expected an object' };
    for (const role of Object.keys(reserved)) {
      const problem = checkResources(reserved[role]);
      if (problem) return within(`reserved_resources_full.${role}`, problem);
    }
  }
  if (agent.used_resources_full !== undefined) {
    const problem = checkResources(agent.used_resources_full);
    if (problem) return within('used_resources_full', problem);
  }
  return undefined;
}

const UNUSED_FIELD = new Set<string>(UNUSED_AGENT_FIELDS);

/**
 * The agent without what nothing reads of it (its summaries), as early as it is parsed.
 * A copy rather than `delete`s: an object V8 has had fields deleted from turns into a
 * slower, larger dictionary (18 MB more at 25,000 agents). Fields unknown here are kept.
 */
export function trimAgent(agent: unknown): unknown {
  if (!isObject(agent)) return agent;
  const kept: Record<string, unknown> = {};
  // `__proto__` (an own key if the JSON had one) would set the copy's prototype: never copied.
  for (const field in agent) if (!UNUSED_FIELD.has(field) && field !== '__proto__') kept[field] = agent[field];
  return kept;
}

/*
 * The checks below name a field relative to what they check; the caller puts its own
 * place in front only when there is a problem, so that a clean answer of 250,000 resources
 * builds no path strings.
 */
function within(place: string, problem: { field: string; message: string }): Problem {
  return { field: problem.field ? `${place}.${problem.field}` : place, message: problem.message };
}

function checkResources(list: unknown): Problem {
  if (!Array.isArray(list)) return { field: '', message: 'expected an array' };
  for (let index = 0; index < list.length; index++) {
    const problem = checkResource(list[index]);
    if (problem) return within(String(index), problem);
  }
  return undefined;
}

/** What ResourceSchema checks: the name, and the shape of the reservation and disk fields selection reads. */
function checkResource(resource: unknown): Problem {
  if (!isObject(resource)) return { field: '', message: 'expected an object' };
  if (typeof resource.name !== 'string') return { field: 'name', message: 'expected a string' };
  if (resource.type !== undefined && typeof resource.type !== 'string')
    return { field: 'type', message: 'expected a string' };
  if (resource.role !== undefined && typeof resource.role !== 'string')
    return { field: 'role', message: 'expected a string' };
  const reservation = resource.reservation;
  if (reservation !== undefined) {
    if (!isObject(reservation)) return { field: 'reservation', message: 'expected an object' };
    const problem = checkReservation(reservation);
    if (problem) return within('reservation', problem);
  }
  const reservations = resource.reservations;
  if (reservations !== undefined) {
    if (!Array.isArray(reservations)) return { field: 'reservations', message: 'expected an array' };
    for (let index = 0; index < reservations.length; index++) {
      const entry = reservations[index];
      if (!isObject(entry)) return { field: `reservations.${index}`, message: 'expected an object' };
      if (entry.type !== undefined && entry.type !== 'STATIC' && entry.type !== 'DYNAMIC') {
        return { field: `reservations.${index}.type`, message: 'expected "STATIC" or "DYNAMIC"' };
      }
      if (entry.role !== undefined && typeof entry.role !== 'string')
        return { field: `reservations.${index}.role`, message: 'expected a string' };
      const problem = checkReservation(entry);
      if (problem) return within(`reservations.${index}`, problem);
    }
  }
  const disk = resource.disk;
  if (disk !== undefined) {
    if (!isObject(disk)) return { field: 'disk', message: 'expected an object' };
    const persistence = disk.persistence;
    if (persistence !== undefined && (!isObject(persistence) || typeof persistence.id !== 'string'))
      return { field: 'disk.persistence.id', message: 'expected a string' };
    if (isObject(persistence) && persistence.principal !== undefined && typeof persistence.principal !== 'string') {
      return { field: 'disk.persistence.principal', message: 'expected a string' };
    }
    // As DiskInfoSchema says (test/slaves-schema-parity.test.ts holds the two to each other).
    const volume = disk.volume;
    if (volume !== undefined) {
      if (!isObject(volume)) return { field: 'disk.volume', message: 'expected an object' };
      for (const field of ['mode', 'container_path']) {
        if (volume[field] !== undefined && typeof volume[field] !== 'string')
          return { field: `disk.volume.${field}`, message: 'expected a string' };
      }
    }
    const source = disk.source;
    if (source !== undefined) {
      if (!isObject(source)) return { field: 'disk.source', message: 'expected an object' };
      if (source.type !== undefined && typeof source.type !== 'string')
        return { field: 'disk.source.type', message: 'expected a string' };
    }
  }
  return undefined;
}

function checkReservation(reservation: Record<string, unknown>): Problem {
  if (reservation.principal !== undefined && typeof reservation.principal !== 'string')
    return { field: 'principal', message: 'expected a string' };
  const labels = reservation.labels;
  if (labels === undefined) return undefined;
  if (!isObject(labels)) return { field: 'labels', message: 'expected an object' };
  const list = labels.labels;
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return { field: 'labels.labels', message: 'expected an array' };
  for (let index = 0; index < list.length; index++) {
    const label = list[index];
    if (!isObject(label) || typeof label.key !== 'string')
      return { field: `labels.labels.${index}.key`, message: 'expected a string' };
    if (label.value !== undefined && typeof label.value !== 'string')
      return { field: `labels.labels.${index}.value`, message: 'expected a string' };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
