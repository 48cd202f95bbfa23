import { z } from 'zod';

/**
 * What we read from the Mesos master (reference/mesos.md §2, §7). Read liberally,
 * act strictly: a schema names only the fields the janitor uses (to select, to build
 * an operation, to show) and lets everything else through untouched, so a field of
 * another version's shape (summary `ports` as an array, a float in E-notation, a
 * field another tool added) never aborts a run. A resource read from
 * reserved_resources_full is posted back to /unreserve as Mesos gave it: amounts are
 * not validated or converted here (they are only shown), unknown fields are kept.
 */

/** A number as shown to the operator; whatever shape it came in, never a reason to stop. */
const ShownNumber = z.unknown().transform((value) => {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
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
  allocation_info: z.looseObject({ role: z.string().optional() }).optional(),
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
