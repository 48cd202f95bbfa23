import { z } from 'zod';

/** Cosmos' package RPCs (docs/reference/cosmos.md §1-§2). */

export const PackageListSchema = z.looseObject({
  packages: z.array(
    z.looseObject({
      appId: z.string(),
      packageInformation: z.looseObject({
        packageDefinition: z.looseObject({
          name: z.string(),
          version: z.string().optional(),
          framework: z.boolean().optional(),
        }),
      }),
    }),
  ),
});
export type PackageList = z.output<typeof PackageListSchema>;

export const UninstallResponseSchema = z.looseObject({
  results: z.array(
    z.looseObject({
      packageName: z.string(),
      appId: z.string().optional(),
      packageVersion: z.string().optional(),
      postUninstallNotes: z.string().optional(),
    }),
  ),
});

/** Errors: `application/vnd.dcos.package.error+json`, `{type, message, data}`. */
export const CosmosErrorSchema = z.looseObject({
  type: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
