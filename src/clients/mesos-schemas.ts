import { z } from 'zod';

/**
 * What we read from the Mesos master (reference/mesos.md §2, §7). Objects are
 * "loose": Mesos adds fields between versions, and a resource read from
 * reserved_resources_full must be posted back to /unreserve unchanged, unknown
 * fields included.
 */

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

const RangesSchema = z.looseObject({
  range: z.array(z.looseObject({ begin: z.number(), end: z.number() })).optional(),
});

export const DiskInfoSchema = z.looseObject({
  persistence: z.looseObject({ id: z.string(), principal: z.string().optional() }).optional(),
  volume: z.looseObject({ mode: z.string().optional(), container_path: z.string().optional() }).optional(),
  source: z.looseObject({ type: z.string().optional() }).optional(),
});

export const ResourceSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  scalar: z.looseObject({ value: z.number() }).optional(),
  ranges: RangesSchema.optional(),
  set: z.looseObject({ item: z.array(z.string()).optional() }).optional(),
  role: z.string().optional(),
  /** Pre-1.4 dynamic reservation, and the single-level copy in the ENDPOINT format. */
  reservation: z.looseObject({ principal: z.string().optional(), labels: LabelsSchema.optional() }).optional(),
  reservations: z.array(ReservationInfoSchema).optional(),
  disk: DiskInfoSchema.optional(),
  allocation_info: z.looseObject({ role: z.string().optional() }).optional(),
});
export type MesosResource = z.output<typeof ResourceSchema>;

/** The summary form: role -> {cpus, mem, disk, gpus, ports}; ports is a range string. */
export const ResourceSummarySchema = z.record(z.string(), z.union([z.number(), z.string()]));

export const AgentSchema = z.looseObject({
  id: z.string(),
  hostname: z.string(),
  port: z.number().optional(),
  pid: z.string().optional(),
  active: z.boolean(),
  version: z.string().optional(),
  registered_time: z.number().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  resources: ResourceSummarySchema.optional(),
  reserved_resources: z.record(z.string(), ResourceSummarySchema).optional(),
  /** Keyed by the innermost reservation role; static, dynamic and volumes alike. */
  reserved_resources_full: z.record(z.string(), z.array(ResourceSchema)).optional(),
  used_resources_full: z.array(ResourceSchema).optional(),
  offered_resources_full: z.array(ResourceSchema).optional(),
  unreserved_resources_full: z.array(ResourceSchema).optional(),
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
  name: z.string(),
  framework_id: z.string(),
  slave_id: z.string(),
  state: z.string(),
  resources: ResourceSummarySchema.optional(),
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
  hostname: z.string().optional(),
  webui_url: z.string().optional(),
  registered_time: z.number().optional(),
  unregistered_time: z.number().optional(),
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
      active: z.boolean().optional(),
      reserved_resources: z.record(z.string(), ResourceSummarySchema).optional(),
    }),
  ),
  frameworks: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      active: z.boolean().optional(),
      slave_ids: z.array(z.string()).optional(),
    }),
  ),
});
export type StateSummary = z.output<typeof StateSummarySchema>;

export const RolesResponseSchema = z.looseObject({
  roles: z.array(
    z.looseObject({
      name: z.string(),
      weight: z.number().optional(),
      frameworks: z.array(z.string()).optional(),
      resources: ResourceSummarySchema.optional(),
    }),
  ),
});
