import { z } from 'zod';

/**
 * Marathon `/v2` (docs/reference/marathon.md §1, §2): only the fields the janitor reads;
 * everything else (health counts, container, networks...) passes through unvalidated.
 */

export const MarathonAppSchema = z.looseObject({
  id: z.string(),
  instances: z.number().optional(),
  env: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  tasksRunning: z.number().optional(),
  tasksStaged: z.number().optional(),
  deployments: z.array(z.looseObject({ id: z.string() })).optional(),
  tasks: z
    .array(
      z.looseObject({
        id: z.string(),
        state: z.string().optional(),
        slaveId: z.string().optional(),
        // Where the task runs: read only to reach a scheduler from inside the cluster.
        host: z.string().optional(),
        ports: z.array(z.number()).optional(),
        ipAddresses: z.array(z.looseObject({ ipAddress: z.string().optional() })).optional(),
      }),
    )
    .optional(),
  /** Set (non-null) for IP-per-task apps; null or absent otherwise. */
  ipAddress: z
    .looseObject({
      discovery: z
        .looseObject({ ports: z.array(z.looseObject({ number: z.number().optional() })).optional() })
        .optional(),
    })
    .nullable()
    .optional(),
  lastTaskFailure: z.looseObject({ message: z.string().optional(), state: z.string().optional() }).optional(),
});
export type MarathonApp = z.output<typeof MarathonAppSchema>;

export const AppResponseSchema = z.looseObject({ app: MarathonAppSchema });
export const AppsResponseSchema = z.looseObject({ apps: z.array(MarathonAppSchema) });

export const DeploymentResultSchema = z.looseObject({ version: z.string(), deploymentId: z.string() });
