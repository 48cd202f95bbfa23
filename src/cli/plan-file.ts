import * as fs from 'node:fs';

import { Flags } from '@oclif/core';

import { DcosMetadataClient } from '../clients/dcos-metadata';
import { ClusterHttp } from '../cluster/http';
import { PLAN_FORMAT, PLAN_FORMAT_VERSION, PlannedStep, SavedPlan, SavedPlanSchema } from '../domain/saved-plan';
import { JanitorError, PlanFileRefusedError, UsageError } from '../errors';

/**
 * A reviewed plan on disk (docs/plan-files.md): pretty JSON an approver can read in a merge
 * request or a CI artifact. Written whole to a temporary name and renamed, so a reader never
 * sees half a plan.
 */

export function writePlanFile(file: string, plan: SavedPlan): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o644 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UsageError(
      `Cannot write the plan to ${file} (${error instanceof Error ? error.message : String(error)}): give --out a path in a writable directory.`,
    );
  }
}

export function readPlanFile(file: string): SavedPlan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `Cannot read the plan ${file}${code ? ` (${code})` : ''}: give the file a dry run wrote with --out.`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: give the file a dry run wrote with --out.`);
  }
  const head = document as { format?: unknown; formatVersion?: unknown } | null;
  if (head?.format !== PLAN_FORMAT)
    throw new UsageError(
      `${file} is not a dcos-janitor plan (no "format": "${PLAN_FORMAT}"): give the file a dry run wrote with --out.`,
    );
  if (typeof head.formatVersion === 'number' && head.formatVersion > PLAN_FORMAT_VERSION)
    throw new PlanFileRefusedError(
      `${file} is a plan of format ${head.formatVersion}, newer than this dcos-janitor reads (${PLAN_FORMAT_VERSION}): apply it with the version that wrote it, or make a new dry run with this one.`,
    );
  const parsed = SavedPlanSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${file} is not a valid plan (${issue.path.join('.') || 'document'}: ${issue.message}): it was changed by hand or cut; make a new dry run with --out.`,
    );
  }
  return parsed.data as unknown as SavedPlan;
}

/** --out FILE, on the dry runs of the commands that change the cluster. */
export const OUT_FLAG = Flags.string({
  description: 'With --dry-run: save the plan to FILE, for review and dcos janitor apply FILE.',
  helpValue: 'FILE',
});

/**
 * --out: the dry run's plan, with the cluster's URL and Admin Router's id for it, the tool's
 * version and the time; never a token (docs/plan-files.md).
 */
export function savedPlanOf(
  steps: PlannedStep[],
  about: { clusterUrl: string; clusterId: string | null; toolVersion: string; command: string; argv: string[] },
): SavedPlan {
  return {
    format: PLAN_FORMAT,
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    toolVersion: about.toolVersion,
    cluster: { url: about.clusterUrl, id: about.clusterId },
    command: { name: about.command, argv: about.argv },
    steps,
  };
}

/** Admin Router's CLUSTER_ID; undefined where there is none (the services' own addresses) or it cannot be read. */
export async function readClusterId(http: ClusterHttp): Promise<string | undefined> {
  try {
    return await new DcosMetadataClient(http).clusterId();
  } catch (error) {
    if (error instanceof JanitorError) return undefined;
    throw error;
  }
}
